-- Sensitive actions waiting for a step-up authentication, finished at most once by the
-- session that asked; pruned once expired.
CREATE TABLE "StepUpIntent" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "returnTo" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL
);
CREATE INDEX "StepUpIntent_expiresAt_idx" ON "StepUpIntent"("expiresAt");
