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

export function findAccount(id: string): DemoAccount | undefined {
  return DEMO_ACCOUNTS.find((account) => account.id === id);
}

/** Checks a username and password; the comparison does not leak how much matched. */
export function authenticate(username: string, password: string): DemoAccount | undefined {
  const account = DEMO_ACCOUNTS.find((candidate) => candidate.username === username);
  if (!account) return undefined;
  const given = Buffer.from(password);
  const expected = Buffer.from(account.password);
  return given.length === expected.length && timingSafeEqual(given, expected) ? account : undefined;
}
