import { type BrowserContext, expect, type Page } from '@playwright/test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { idpControls } from '../idp/controls-client';
import { E2E_DATABASE_FILE, E2E_DATABASE_URL, IDP_URL, NOTES_API_URL } from './settings';

export type { FaultProfile, IdpStats } from '../idp/controls-client';

/** The dev IdP's test controls (enabled by DEV_IDP_TEST_CONTROLS=1). */
export const idp = idpControls(IDP_URL);

/** Fills in the dev IdP's login form, as a person would. */
export async function signInAtIdp(page: Page, username = 'alice', password = 'password'): Promise<void> {
  await expect(page.getByLabel('Username')).toBeVisible();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in from a protected page and waits to be back on it. */
export async function signIn(page: Page, path = '/dashboard', username = 'alice'): Promise<void> {
  await page.goto(path);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await signInAtIdp(page, username);
  const { pathname } = new URL(path, 'http://localhost');
  await page.waitForURL((url) => url.pathname === pathname);
  if (pathname === '/dashboard') await expect(page.getByTestId('user-name')).toBeVisible();
}

export async function sessionCookie(context: BrowserContext): Promise<string | undefined> {
  return (await context.cookies()).find((cookie) => cookie.name === 'renewal-session')?.value;
}

/** The access token expiry the dashboard shows, in epoch seconds. */
export async function shownExpiry(page: Page): Promise<number> {
  return Number(await page.getByTestId('expires-at').getAttribute('data-epoch'));
}

/** Waits, away from the app's self-renewing pages, until the access token `page` shows has expired. */
export async function awayUntilExpired(page: Page): Promise<void> {
  const expiry = await shownExpiry(page);
  await page.goto('about:blank');
  await waitUntilPast(expiry);
}

/** Waits until `epochSeconds` has passed (plus a margin), by the wall clock. */
export async function waitUntilPast(epochSeconds: number, marginMs = 600): Promise<void> {
  const wait = epochSeconds * 1000 + marginMs - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

type AuditRow = { type: string; reason: string | null; sessionId: string | null };

/** Audit events in the app's database (the real SQLite file or PostgreSQL database the app under test writes). */
export async function auditEvents(type: string): Promise<AuditRow[]> {
  const sql = 'SELECT "type", "reason", "sessionId" FROM "AuditEvent" WHERE "type" = $1 ORDER BY "id"';
  if (E2E_DATABASE_URL.startsWith('file:')) {
    const sqlite = new Database(E2E_DATABASE_FILE, { readonly: true, fileMustExist: true });
    try {
      return sqlite.prepare(sql.replace('$1', '?')).all(type) as AuditRow[];
    } finally {
      sqlite.close();
    }
  }
  return onPostgres<AuditRow>(sql, [type]);
}

/** Runs `sql` on the app's PostgreSQL database (E2E_DATABASE_URL), on a connection of its own. */
export async function onPostgres<T extends Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: E2E_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function notesControl(path: string, method: 'GET' | 'POST' = 'POST'): Promise<unknown> {
  const response = await fetch(`${NOTES_API_URL}/__test/${path}`, { method });
  if (!response.ok) throw new Error(`notes API test control ${path} answered ${response.status}`);
  return response.json();
}

/** The notes API's test controls (RESOURCE_TEST_CONTROLS=1): fail, refuse tokens, count. */
export const notesApi = {
  stats: () => notesControl('stats', 'GET') as Promise<{ served: number; unauthorized: number }>,
  reset: () => notesControl('reset'),
  fail: (on: boolean) => notesControl(`fail?on=${on ? 1 : 0}`),
  rejectNext: (count: number) => notesControl(`reject-next?count=${count}`),
};
