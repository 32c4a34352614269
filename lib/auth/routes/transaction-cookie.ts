import 'server-only';
import { z } from 'zod';
import { type CookieJar, type CookieWrite, type SessionKeys, sealValue, unsealValue } from '../cookie/sealed-cookie';
import type { SignInTransaction } from '../idp/oidc';

/**
 * One short-lived sealed cookie per sign-in attempt, named from its `state`, so two tabs
 * signing in at once do not overwrite each other. SameSite=Lax lets it come back on the
 * IdP's top-level redirect to the callback.
 */
const TRANSACTION_TTL_SEC = 10 * 60;
/** Abandoned sign-ins leave cookies behind; beyond this many, the older ones are dropped. */
const MAX_TRANSACTIONS = 4;

const transactionSchema = z.object({
  state: z.string().min(1),
  nonce: z.string().min(1),
  codeVerifier: z.string().min(43),
  returnTo: z.string().startsWith('/'),
  silent: z.boolean().default(false),
  stepUp: z
    .object({
      intent: z.string().min(1),
      maxAgeSec: z.number().int().positive(),
      acrValues: z.string().min(1).optional(),
      forceLogin: z.boolean(),
    })
    .optional(),
});

function prefix(secure: boolean): string {
  return secure ? '__Host-renewal-tx.' : 'renewal-tx.';
}

function cookieName(state: string, secure: boolean): string {
  return `${prefix(secure)}${state.slice(0, 32)}`;
}

function options(secure: boolean, maxAge: number): CookieWrite['options'] {
  return { httpOnly: true, secure, sameSite: 'lax', path: '/', maxAge };
}

/** The transaction cookie to set, and clears for the oldest pending ones beyond the limit. */
export async function transactionCookieWrites(
  transaction: SignInTransaction,
  jar: CookieJar,
  keys: SessionKeys,
  secure: boolean,
): Promise<CookieWrite[]> {
  const pending = jar.getAll().filter(({ name }) => name.startsWith(prefix(secure)));
  const drop = pending.slice(0, Math.max(0, pending.length - (MAX_TRANSACTIONS - 1)));
  return [
    ...drop.map(({ name }) => ({ name, value: '', options: options(secure, 0) })),
    { name: cookieName(transaction.state, secure), value: await sealValue(transaction, keys, TRANSACTION_TTL_SEC), options: options(secure, TRANSACTION_TTL_SEC) },
  ];
}

/** The transaction for `state`, or undefined when absent, expired or tampered. */
export async function readTransaction(
  state: string,
  jar: CookieJar,
  keys: SessionKeys,
  secure: boolean,
): Promise<SignInTransaction | undefined> {
  const sealed = jar.get(cookieName(state, secure))?.value;
  if (!sealed) return undefined;
  const parsed = transactionSchema.safeParse(await unsealValue(sealed, keys, TRANSACTION_TTL_SEC));
  // The cookie name holds only a prefix of state; the sealed state must match in full.
  return parsed.success && parsed.data.state === state ? parsed.data : undefined;
}

/** Clears the transaction cookie of `state`: it is single-use whatever the outcome. */
export function transactionCookieClear(state: string, secure: boolean): CookieWrite {
  return { name: cookieName(state, secure), value: '', options: options(secure, 0) };
}
