-- Which app instance wrote each audit event (INSTANCE_NAME, else host and process id):
-- with several instances, "who renewed, who adopted, who refused" is the question a
-- wrong sign-out asks first.
ALTER TABLE "AuditEvent" ADD COLUMN "instance" TEXT;
