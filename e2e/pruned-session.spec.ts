import { expect, test } from '@playwright/test';
import Database from 'better-sqlite3';
import { onPostgres, sessionCookie, signIn } from './helpers';
import { E2E_DATABASE_FILE, E2E_DATABASE_URL, SESSION_END_HEARD_MS } from './settings';

// A cookie whose registry row is gone — deleted by retention (RETENTION_DAYS), or by an
// operator — is a session that is over: sign-in page, cookie cleared. Never a 503 that
// repeats on every request because the row the audit entry points to is missing.

const PERSON = 'soak-961';

/** Deletes every registry row of `subject`'s sessions, as retention would. */
async function deleteSessionRows(subject: string): Promise<number> {
  const sql = 'DELETE FROM "Session" WHERE "userId" IN (SELECT "id" FROM "User" WHERE "subject" = $1)';
  if (E2E_DATABASE_URL.startsWith('file:')) {
    const sqlite = new Database(E2E_DATABASE_FILE, { timeout: 10_000 });
    try {
      return sqlite.prepare(sql.replace('$1', '?')).run(subject).changes;
    } finally {
      sqlite.close();
    }
  }
  return (await onPostgres<{ id: string }>(`${sql} RETURNING "id"`, [subject])).length;
}

test('a cookie whose registry row was deleted is sent to sign in with its cookie cleared', async ({ page, context }) => {
  await signIn(page, '/dashboard', PERSON);
  await page.goto('about:blank');
  expect(await deleteSessionRows(PERSON)).toBeGreaterThan(0);
  // Deleting a live row logs its end like a revocation: the app hears of it and reads the registry again.
  await page.waitForTimeout(SESSION_END_HEARD_MS);

  const response = await page.goto('/dashboard');
  expect(response?.status()).toBe(200);
  await expect(page).toHaveURL(/\/signin\?returnTo=%2Fdashboard&reason=revoked$/);
  expect(await sessionCookie(context)).toBeUndefined();
  expect((await page.request.get('/api/me')).status()).toBe(401);
});
