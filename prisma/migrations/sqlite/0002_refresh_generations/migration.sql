-- Refresh coordination keeps every generation superseded within the grace window (not
-- only the previous one), shares the back-off across instances, and remembers whether
-- the current refresh token is known to be usable.
ALTER TABLE "Session" ADD COLUMN "supersededGenerations" TEXT;
ALTER TABLE "Session" ADD COLUMN "retryAfter" DATETIME;
ALTER TABLE "Session" ADD COLUMN "refreshTokenState" TEXT NOT NULL DEFAULT 'live';
ALTER TABLE "Session" DROP COLUMN "previousRefreshTokenHash";
ALTER TABLE "Session" DROP COLUMN "rotatedAt";
