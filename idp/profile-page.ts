import type { Context, Next } from 'koa';
import { DEMO_ACCOUNTS, findAccount, ProfileError, updateProfile } from './accounts.js';
import { fromLoopback } from './loopback.js';
import { profileErrorPage, profilePage } from './pages.js';
import { readBody } from './request-form.js';

const MAX_FORM_BYTES = 4096;

function answer(ctx: Context, status: number, html: string): void {
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = html;
}

/** The demo people as they are now, for the page. */
function demoProfiles() {
  return DEMO_ACCOUNTS.map((account) => findAccount(account.id) ?? account);
}

async function update(ctx: Context): Promise<void> {
  let form: URLSearchParams;
  try {
    form = new URLSearchParams(await readBody(ctx.req, MAX_FORM_BYTES));
  } catch {
    return answer(ctx, 413, profileErrorPage('The form is too large.'));
  }
  const account = form.get('account') ?? '';
  try {
    // An absent field is an empty one: the page always sends both.
    updateProfile(account, { name: form.get('name') ?? '', email: form.get('email') ?? '' });
  } catch (error) {
    if (error instanceof ProfileError) return answer(ctx, 400, profileErrorPage(error.message));
    throw error;
  }
  ctx.status = 303;
  ctx.redirect(`/profile?updated=${encodeURIComponent(account)}`);
}

/**
 * GET /profile lists the demo people with a form each; POST /profile (account, name,
 * email) changes one and comes back with a notice. Always on, like the rest of the dev
 * IdP, but for loopback callers only.
 */
export function profilePageRoutes() {
  return async function profilePageMiddleware(ctx: Context, next: Next): Promise<void> {
    if (ctx.path !== '/profile') return next();
    ctx.set('Cache-Control', 'no-store');
    if (!fromLoopback(ctx.req)) return answer(ctx, 403, profileErrorPage('This page answers loopback callers only.'));
    if (ctx.method === 'GET') {
      const updated = typeof ctx.query.updated === 'string' ? ctx.query.updated : undefined;
      return answer(ctx, 200, profilePage(demoProfiles(), updated));
    }
    if (ctx.method === 'POST') {
      // The caller is on this machine, but so is the browser: a page of another site could
      // post this form from it. Browsers name the page's origin; only this one may change a profile.
      // (Koa 3's ctx.origin is that header, not this server's origin.)
      const origin = ctx.get('origin');
      if (origin && origin !== `${ctx.protocol}://${ctx.host}`) return answer(ctx, 403, profileErrorPage('Profiles change from this page only.'));
      return update(ctx);
    }
    ctx.set('Allow', 'GET, POST');
    answer(ctx, 405, profileErrorPage('Use GET or POST.'));
  };
}
