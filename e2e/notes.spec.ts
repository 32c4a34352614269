import { expect, type Page, test } from '@playwright/test';
import { idp, notesApi, signIn, waitUntilPast } from './helpers';
import { APP_URL } from './settings';

// The access token at work: the notes API (resource/) checks it on every call, reached
// three ways — rendered on the server, through the BFF route, by a server action.
test.describe.configure({ mode: 'serial' });

test.beforeEach(async () => {
  await idp.reset();
  await notesApi.reset();
});

async function serverNotes(page: Page) {
  return page.getByTestId('server-notes');
}

/** The access token's expiry, read from /api/me. */
async function tokenExpiry(page: Page): Promise<number> {
  return (await (await page.request.get('/api/me')).json()).session.expiresAt;
}

test('notes are read and added through all three paths: server-rendered page, server action, and the BFF route', async ({ page }) => {
  await signIn(page, '/notes', 'bob');
  await expect(await serverNotes(page)).toHaveText('No notes yet.');

  await page.getByLabel('New note', { exact: true }).fill('written by a server action');
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByTestId('notes-status')).toHaveText('Note added.');
  await expect(await serverNotes(page)).toContainText('written by a server action');
  await expect(page.getByTestId('api-notes')).toContainText('written by a server action');

  await page.getByLabel('New note (through the API)').fill('written through the BFF');
  await page.getByRole('button', { name: 'Add through the API' }).click();
  await expect(page.getByTestId('api-notes')).toContainText('written through the BFF');
  await page.reload();
  await expect(await serverNotes(page)).toContainText('written through the BFF');

  const api = await page.request.get('/api/upstream/notes');
  expect(api.status()).toBe(200);
  expect(api.headers()['cache-control']).toContain('no-store');
  const body = JSON.stringify(await api.json());
  expect(body).not.toMatch(/eyJ/); // no token, only notes
  expect((await notesApi.stats()).unauthorized).toBe(0);
});

test('the two lists stay in step, and a note deleted either way is gone from both', async ({ page }) => {
  await signIn(page, '/notes', 'bob');
  const server = page.getByTestId('server-notes');
  const api = page.getByTestId('api-notes');
  await page.getByLabel('New note (through the API)').fill('added in the browser');
  await page.getByRole('button', { name: 'Add through the API' }).click();
  await expect(server).toContainText('added in the browser');
  await page.getByLabel('New note', { exact: true }).fill('added by the server');
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(api).toContainText('added by the server');

  await server.getByRole('button', { name: 'Delete note: added in the browser' }).click();
  await expect(page.getByTestId('notes-status')).toHaveText('Note deleted.');
  await expect(api).not.toContainText('added in the browser');
  await api.getByRole('button', { name: 'Delete note: added by the server' }).click();
  await expect(page.getByTestId('api-notes-status')).toHaveText('Note deleted.');
  await expect(server).not.toContainText('added by the server');
  await expect(api).not.toContainText('added by the server');
});

test('deleting a note that is already gone says so and changes nothing', async ({ page, context }) => {
  await signIn(page, '/notes', 'bob');
  await page.getByLabel('New note', { exact: true }).fill('deleted twice');
  await page.getByRole('button', { name: 'Add note' }).click();
  const other = await context.newPage();
  await other.goto('/notes');
  await page.getByTestId('server-notes').getByRole('button', { name: 'Delete note: deleted twice' }).click();
  await expect(page.getByTestId('notes-status')).toHaveText('Note deleted.');
  await other.getByTestId('server-notes').getByRole('button', { name: 'Delete note: deleted twice' }).click();
  await expect(other.getByTestId('notes-status')).toContainText('already gone');
});

test('with JavaScript off, the notes page reads and adds notes with plain form posts', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, '/notes', 'bob');
  await page.getByLabel('New note', { exact: true }).fill('no script needed');
  await page.getByRole('button', { name: 'Add note' }).click();
  await expect(page.getByTestId('notes-status')).toHaveText('Note added.');
  await expect(await serverNotes(page)).toContainText('no script needed');
  await context.close();
});

test('at token expiry, a burst mixing the page, the BFF route and a server action renews exactly once', async ({ page, context }) => {
  await signIn(page, '/notes');
  const form = await context.newPage();
  await form.goto('/notes');
  const expiry = await tokenExpiry(page);
  await page.goto('/');
  await waitUntilPast(expiry);
  await idp.reset();

  await form.getByLabel('New note', { exact: true }).fill('added at expiry');
  const [navigation, , ...fetches] = await Promise.all([
    page.goto('/notes'),
    form.getByRole('button', { name: 'Add note' }).click(),
    ...Array.from({ length: 6 }, () => page.request.get('/api/upstream/notes')),
  ]);
  expect(navigation?.status()).toBe(200);
  expect(fetches.map((response) => response.status())).toEqual(Array(6).fill(200));
  await expect(form.getByTestId('notes-status')).toHaveText('Note added.');
  const stats = await idp.stats();
  expect(stats.token.refresh_token).toBe(1);
  expect(stats.tokenErrors).toEqual({});
  expect((await notesApi.stats()).unauthorized).toBe(0);
});

test('with the grant revoked at the IdP: the page sends the person to sign in, the API answers 401, the action sends to sign in', async ({ page, context }) => {
  await signIn(page, '/notes');
  const form = await context.newPage();
  await form.goto('/notes');
  const expiry = await tokenExpiry(page);
  await idp.revoke('alice');
  await waitUntilPast(expiry);

  const api = await page.request.get('/api/upstream/notes');
  expect(api.status()).toBe(401);
  expect((await api.json()).reason).toBe('refresh_failed');

  await form.getByLabel('New note', { exact: true }).fill('never saved');
  await form.getByRole('button', { name: 'Add note' }).click();
  await expect(form).toHaveURL(/\/signin\?/);

  await page.goto('/notes');
  await expect(page).toHaveURL(/\/signin\?returnTo=%2Fnotes&reason=/);
  expect((await notesApi.stats()).unauthorized).toBe(0);
});

test('the notes API refusing a token triggers one coordinated renewal and one retry; refusing the renewed one too is a clean 401', async ({ page }) => {
  await signIn(page, '/notes');
  // A token younger than half its life is as fresh as the IdP gives: it is not renewed
  // because an API refused it. Let this one age.
  await page.waitForTimeout(3500);
  await notesApi.rejectNext(1);
  const retried = await page.request.get('/api/upstream/notes');
  expect(retried.status()).toBe(200);
  expect((await idp.stats()).token.refresh_token).toBe(1);

  await notesApi.rejectNext(2);
  const refused = await page.request.get('/api/upstream/notes');
  expect(refused.status()).toBe(401);
  expect(await refused.json()).toEqual({ error: 'unauthorized', reason: 'upstream_refused' });
  expect((await idp.stats()).token.refresh_token).toBe(1);
  expect((await page.request.get('/api/me')).status()).toBe(200);
});

test('the notes API failing is a 502 and the session is kept; the page says so', async ({ page }) => {
  await signIn(page, '/notes');
  await notesApi.fail(true);
  const api = await page.request.get('/api/upstream/notes');
  expect(api.status()).toBe(502);
  expect(await api.json()).toEqual({ error: 'bad_gateway', reason: 'upstream_unavailable' });
  await page.reload();
  await expect(page.getByTestId('server-notes-error')).toContainText('not answering');
  await notesApi.fail(false);
  expect((await page.request.get('/api/upstream/notes')).status()).toBe(200);
});

test('state-changing API calls from another site are refused before the session is read', async ({ page }) => {
  await signIn(page, '/notes');
  const crossSite = await page.request.post('/api/upstream/notes', { data: { text: 'csrf' }, headers: { origin: 'https://evil.example' } });
  expect(crossSite.status()).toBe(403);
  expect(await crossSite.json()).toEqual({ error: 'forbidden', reason: 'cross_site' });
  const sameSite = await page.request.post('/api/upstream/notes', { data: { text: 'mine' }, headers: { origin: APP_URL } });
  expect(sameSite.status()).toBe(201);
  const notes = (await (await page.request.get('/api/upstream/notes')).json()).notes as Array<{ text: string }>;
  expect(notes.map((note) => note.text)).toContain('mine');
  expect(notes.map((note) => note.text)).not.toContain('csrf');
});

test('a server action posted from another site, or with no origin at all, changes nothing', async ({ page }) => {
  await signIn(page, '/notes');
  const html = await (await page.request.get('/notes')).text();
  const actionField = /name="(\$ACTION_ID_[0-9a-f]+)"/.exec(html)?.[1];
  expect(actionField).toBeTruthy();
  const post = (headers: Record<string, string>) =>
    page.request.post('/notes', { multipart: { [actionField!]: '', text: 'forged by another site' }, headers, maxRedirects: 0 });

  const foreign = await post({ origin: 'https://evil.example' });
  expect(foreign.status()).toBeGreaterThanOrEqual(400); // Next.js's own origin check
  const noOrigin = await post({});
  expect(noOrigin.status()).toBe(303); // let through by Next.js, refused by requireActionSession
  expect(noOrigin.headers().location).toContain('reason=cross_site');

  const notes = (await (await page.request.get('/api/upstream/notes')).json()).notes as Array<{ text: string }>;
  expect(notes.map((note) => note.text)).not.toContain('forged by another site');
});

test('API routes validate the session themselves (no proxy in front): forged, revoked and expired cookies get nothing', async ({ page, context, request }) => {
  for (const cookie of ['garbage', 'Fe26.2*1*forged*x*y*z*1*2*3~2']) {
    const forged = await request.get('/api/upstream/notes', { headers: { cookie: `renewal-session=${cookie}` } });
    expect(forged.status()).toBe(401);
    expect((await forged.json()).reason).toBe('invalid');
  }
  await signIn(page, '/notes');
  const cookie = (await context.cookies()).find((c) => c.name === 'renewal-session')!.value;
  await page.goto('/dashboard');
  await page.getByRole('button', { name: 'Sign out' }).click();
  const revoked = await request.get('/api/upstream/notes', { headers: { cookie: `renewal-session=${cookie}` } });
  expect(revoked.status()).toBe(401);
  expect((await revoked.json()).reason).toBe('revoked');
});
