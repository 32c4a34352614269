import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';
import { asksForMfa, login } from './login.js';
import { errorPage, loginPage } from './pages.js';

const MAX_FORM_BYTES = 16 * 1024;

async function readForm(ctx: Context): Promise<URLSearchParams> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) ctx.throw(413, 'form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * The login and consent steps of oidc-provider's interaction flow: a username and
 * password form that only accepts the demo accounts' real passwords (and the demo
 * one-time code when the client asked for acr `mfa`), a Cancel that answers the client
 * access_denied, and consent given on the person's behalf (the dev IdP has one
 * first-party client).
 */
export function interactionRoutes(provider: Provider) {
  return async function interactions(ctx: Context, next: Next): Promise<void> {
    const match = /^\/interaction\/([\w-]+)(\/login|\/cancel)?$/.exec(ctx.path);
    if (!match) return next();
    ctx.set('Cache-Control', 'no-store');
    try {
      const details = await provider.interactionDetails(ctx.req, ctx.res);
      const client = await provider.Client.find(String(details.params.client_id));
      const clientName = client?.clientName ?? String(details.params.client_id);
      const askOtp = asksForMfa(details.params.acr_values);

      if (ctx.method === 'GET' && details.prompt.name === 'login') {
        ctx.type = 'html';
        ctx.body = loginPage(details.uid, clientName, { askOtp });
        return;
      }

      if (ctx.method === 'POST' && match[2] === '/cancel') {
        // The person declines: the client hears access_denied, as from any real IdP's "Cancel".
        const to = await provider.interactionResult(ctx.req, ctx.res, { error: 'access_denied', error_description: 'the person cancelled the sign-in' }, { mergeWithLastSubmission: false });
        ctx.status = 303;
        ctx.redirect(to);
        return;
      }

      if (ctx.method === 'POST' && match[2] === '/login') {
        const outcome = login(await readForm(ctx), askOtp);
        if (outcome.kind === 'refused') {
          ctx.status = 401;
          ctx.type = 'html';
          ctx.body = loginPage(details.uid, clientName, { askOtp, error: outcome.error });
          return;
        }
        const to = await provider.interactionResult(ctx.req, ctx.res, { login: outcome.login }, { mergeWithLastSubmission: false });
        ctx.status = 303;
        ctx.redirect(to);
        return;
      }

      if (ctx.method === 'GET' && details.prompt.name === 'consent') {
        const accountId = details.session?.accountId;
        if (!accountId) ctx.throw(400, 'no signed-in account for consent');
        const grant = details.grantId
          ? await provider.Grant.find(details.grantId)
          : new provider.Grant({ accountId, clientId: String(details.params.client_id) });
        if (!grant) ctx.throw(400, 'grant not found');
        const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
        if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
        if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
        for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
        const grantId = await grant.save();
        const to = await provider.interactionResult(ctx.req, ctx.res, { consent: { grantId } }, { mergeWithLastSubmission: true });
        ctx.status = 303;
        ctx.redirect(to);
        return;
      }
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = errorPage('This sign-in step is not supported here. Start again from the app.');
    } catch (error) {
      ctx.status = (error as { status?: number }).status ?? 400;
      ctx.type = 'html';
      ctx.body = errorPage('This sign-in attempt has expired or is invalid. Go back to the app and sign in again.');
    }
  };
}
