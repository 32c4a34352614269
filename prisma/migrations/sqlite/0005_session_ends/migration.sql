-- Every session that ends (revokedAt set) or whose live row is removed, in order, written
-- by triggers so that no code path can forget it. Each app process reads what is new and
-- drops its cached verdicts for those sessions (lib/auth/registry/session-ends.ts).
CREATE TABLE "SessionEnd" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sessionId" TEXT NOT NULL,
    "atMs" BIGINT NOT NULL
);
CREATE INDEX "SessionEnd_atMs_idx" ON "SessionEnd"("atMs");

CREATE TRIGGER "Session_ended" AFTER UPDATE OF "revokedAt" ON "Session"
WHEN NEW."revokedAt" IS NOT NULL AND OLD."revokedAt" IS NULL
BEGIN
    INSERT INTO "SessionEnd" ("sessionId", "atMs") VALUES (NEW."id", CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

CREATE TRIGGER "Session_removed" AFTER DELETE ON "Session"
WHEN OLD."revokedAt" IS NULL
BEGIN
    INSERT INTO "SessionEnd" ("sessionId", "atMs") VALUES (OLD."id", CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
