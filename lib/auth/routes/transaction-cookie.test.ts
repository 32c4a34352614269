import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CookieJar, CookieWrite } from '../cookie/sealed-cookie';
import type { SignInTransaction } from '../idp/oidc';
import { readTransaction, transactionCookieClear, transactionCookieWrites } from './transaction-cookie';

const keys = { secrets: { 1: 'a'.repeat(32) } };

/** A browser's cookies for the app, in the order they were set, applying each response's writes. */
class Browser implements CookieJar {
  readonly cookies = new Map<string, string>();
  get(name: string) {
    const value = this.cookies.get(name);
    return value === undefined ? undefined : { value };
  }
  getAll() {
    return [...this.cookies.keys()].map((name) => ({ name }));
  }
  apply(writes: CookieWrite[]): void {
    for (const { name, value, options } of writes) {
      if (options.maxAge <= 0) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  transactionCookies(secure: boolean): string[] {
    return [...this.cookies.keys()].filter((name) => name.startsWith(secure ? '__Host-renewal-tx.' : 'renewal-tx.'));
  }
}

function transaction(n: number): SignInTransaction {
  return { state: `state-${n}-${'s'.repeat(40)}`, nonce: `nonce-${n}`, codeVerifier: 'v'.repeat(43), returnTo: '/dashboard', silent: false };
}

for (const secure of [false, true]) {
  test(`many abandoned sign-ins leave at most four transaction cookies, the newest ones, and nothing else is touched${secure ? ' (https)' : ''}`, async () => {
    const browser = new Browser();
    browser.cookies.set(secure ? '__Host-renewal' : 'renewal', 'the-session');
    for (let n = 1; n <= 50; n += 1) {
      browser.apply(await transactionCookieWrites(transaction(n), browser, keys, secure));
      assert.ok(browser.transactionCookies(secure).length <= 4, `after ${n} sign-ins: ${browser.transactionCookies(secure).length} transaction cookies`);
    }
    assert.equal(browser.transactionCookies(secure).length, 4);
    for (const n of [47, 48, 49, 50]) assert.equal((await readTransaction(transaction(n).state, browser, keys, secure))?.nonce, `nonce-${n}`);
    assert.equal(await readTransaction(transaction(46).state, browser, keys, secure), undefined);
    assert.equal(browser.get(secure ? '__Host-renewal' : 'renewal')?.value, 'the-session');
  });
}

test('a transaction is read back only under its own state, and once cleared it is gone', async () => {
  const browser = new Browser();
  const started = transaction(1);
  browser.apply(await transactionCookieWrites(started, browser, keys, false));
  assert.deepEqual(await readTransaction(started.state, browser, keys, false), started);
  // The cookie is named from a prefix of state; a state sharing that prefix is not this sign-in.
  assert.equal(await readTransaction(`${started.state}-other`, browser, keys, false), undefined);
  assert.equal(await readTransaction(started.state, browser, { secrets: { 1: 'b'.repeat(32) } }, false), undefined);
  browser.apply([transactionCookieClear(started.state, false)]);
  assert.equal(await readTransaction(started.state, browser, keys, false), undefined);
});
