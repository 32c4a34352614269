-- Every session that ends (revokedAt set) or whose live row is removed, in order, written
-- by triggers so that no code path can forget it, and announced on the channel
-- renewal_session_ended when the transaction commits. Each app process listens, and reads
-- what is new after a lost connection (lib/auth/registry/session-ends.ts).
CREATE TABLE "SessionEnd" (
    "id" SERIAL NOT NULL,
    "sessionId" TEXT NOT NULL,
    "atMs" BIGINT NOT NULL,
    CONSTRAINT "SessionEnd_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "SessionEnd_atMs_idx" ON "SessionEnd"("atMs");

CREATE FUNCTION "renewal_session_ended"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ended TEXT := CASE WHEN TG_OP = 'DELETE' THEN OLD."id" ELSE NEW."id" END;
BEGIN
    INSERT INTO "SessionEnd" ("sessionId", "atMs") VALUES (ended, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT);
    PERFORM pg_notify('renewal_session_ended', ended);
    RETURN NULL;
END
$$;

CREATE TRIGGER "Session_ended" AFTER UPDATE OF "revokedAt" ON "Session"
    FOR EACH ROW WHEN (NEW."revokedAt" IS NOT NULL AND OLD."revokedAt" IS NULL)
    EXECUTE FUNCTION "renewal_session_ended"();

CREATE TRIGGER "Session_removed" AFTER DELETE ON "Session"
    FOR EACH ROW WHEN (OLD."revokedAt" IS NULL)
    EXECUTE FUNCTION "renewal_session_ended"();
