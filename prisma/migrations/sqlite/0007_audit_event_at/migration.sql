-- Retention finds audit events past RETENTION_DAYS by time: without this, every prune
-- run read the whole table once nothing old was left.
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");
