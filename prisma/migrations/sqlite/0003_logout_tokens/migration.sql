-- Back-channel logout tokens already accepted (their jti), so a replay is refused on every
-- instance; pruned once expired.
CREATE TABLE "LogoutToken" (
    "jti" TEXT NOT NULL PRIMARY KEY,
    "expiresAt" DATETIME NOT NULL
);
CREATE INDEX "LogoutToken_expiresAt_idx" ON "LogoutToken"("expiresAt");
