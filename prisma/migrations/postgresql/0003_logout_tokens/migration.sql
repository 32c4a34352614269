-- Back-channel logout tokens already accepted (their jti), so a replay is refused on every
-- instance; pruned once expired.
CREATE TABLE "LogoutToken" (
    "jti" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "LogoutToken_pkey" PRIMARY KEY ("jti")
);
CREATE INDEX "LogoutToken_expiresAt_idx" ON "LogoutToken"("expiresAt");
