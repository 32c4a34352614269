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

export function findAccount(id: string): DemoAccount | undefined {
  return DEMO_ACCOUNTS.find((account) => account.id === id) ?? soakAccount(id);
}

/** Checks a username and password; the comparison does not leak how much matched. */
export function authenticate(username: string, password: string): DemoAccount | undefined {
  const account = DEMO_ACCOUNTS.find((candidate) => candidate.username === username) ?? soakAccount(username);
  if (!account) return undefined;
  const given = Buffer.from(password);
  const expected = Buffer.from(account.password);
  return given.length === expected.length && timingSafeEqual(given, expected) ? account : undefined;
}
