import { timingSafeEqual } from 'node:crypto';

/** A demo person of the dev IdP. */
export interface DemoAccount {
  readonly id: string;
  readonly username: string;
  readonly password: string;
  readonly name: string;
  readonly email: string;
}

/** The dev IdP's people. README.md lists them; the password is `password` for both. */
export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { id: 'alice', username: 'alice', password: 'password', name: 'Alice Liddell', email: 'alice@example.test' },
  { id: 'bob', username: 'bob', password: 'password', name: 'Bob Builder', email: 'bob@example.test' },
];

/** The one-time code every demo person's second factor shows, when a client asks for acr `mfa`. */
export const DEMO_OTP = '123456';

// `npm run soak` gives every simulated browser its own person, so revoking one browser's
// grants at the IdP (`/__test/revoke?account=soak-7`) touches no other browser.
const SOAK_ACCOUNT = /^soak-([1-9]\d{0,2})$/;
let soakAccountsEnabled = false;

/** Accepts `soak-1` … `soak-999` (password `password`). Called only with the test controls on. */
export function enableSoakAccounts(): void {
  soakAccountsEnabled = true;
}

function soakAccount(id: string): DemoAccount | undefined {
  const match = soakAccountsEnabled ? SOAK_ACCOUNT.exec(id) : null;
  if (!match) return undefined;
  return { id, username: id, password: 'password', name: `Soak ${match[1]}`, email: `${id}@example.test` };
}

/** A change of a person's name or email; an absent field stays as it is. */
export interface ProfileChange {
  readonly name?: string;
  readonly email?: string;
}

/**
 * Names and emails changed since the IdP started (or since `resetProfiles`), by account:
 * the person changing their profile at the IdP, which the app learns only from the next
 * ID token or userinfo answer.
 */
const profiles = new Map<string, ProfileChange>();

function withProfile(account: DemoAccount | undefined): DemoAccount | undefined {
  const changed = account && profiles.get(account.id);
  return changed ? { ...account, ...changed } : account;
}

/** A person by id, with their current name and email. */
export function findAccount(id: string): DemoAccount | undefined {
  return withProfile(DEMO_ACCOUNTS.find((account) => account.id === id) ?? soakAccount(id));
}

/** Why a profile change was refused; `message` is shown to whoever asked. */
export class ProfileError extends Error {
  constructor(
    readonly code: 'unknown_account' | 'invalid_name' | 'invalid_email',
    message: string,
  ) {
    super(message);
    this.name = 'ProfileError';
  }
}

function checkedName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length < 1 || trimmed.length > 100) throw new ProfileError('invalid_name', 'name must be 1 to 100 characters');
  return trimmed;
}

function checkedEmail(email: string): string {
  const trimmed = email.trim();
  if (trimmed.length < 3 || trimmed.length > 200 || !trimmed.includes('@')) throw new ProfileError('invalid_email', 'email must be 3 to 200 characters and contain @');
  return trimmed;
}

/**
 * Changes a person's name and/or email (trimmed); ID tokens and userinfo answers issued
 * afterwards carry the new values. Throws `ProfileError` for an unknown account or an
 * invalid value, changing nothing.
 */
export function updateProfile(id: string, change: ProfileChange): DemoAccount {
  if (!findAccount(id)) throw new ProfileError('unknown_account', `unknown account ${JSON.stringify(id)}`);
  const name = change.name === undefined ? undefined : checkedName(change.name);
  const email = change.email === undefined ? undefined : checkedEmail(change.email);
  profiles.set(id, { ...profiles.get(id), ...(name === undefined ? {} : { name }), ...(email === undefined ? {} : { email }) });
  return findAccount(id)!;
}

/** Everyone back to the name and email they started with. */
export function resetProfiles(): void {
  profiles.clear();
}

/** Compares a secret as given with the expected one without leaking how much matched. */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Checks a username and password. */
export function authenticate(username: string, password: string): DemoAccount | undefined {
  const account = DEMO_ACCOUNTS.find((candidate) => candidate.username === username) ?? soakAccount(username);
  return account && sameSecret(password, account.password) ? withProfile(account) : undefined;
}

/** Checks the one-time code of a person's second factor (the same demo code for all). */
export function verifyOtp(code: string): boolean {
  return sameSecret(code.trim(), DEMO_OTP);
}
