import assert from 'node:assert/strict';
import { test } from 'node:test';
import { grownRefreshToken, parseQuirks, QUIRKS, tokenGrowth } from './quirks';

test('DEV_IDP_QUIRKS is a comma-separated list of known quirks', () => {
  assert.deepEqual([...parseQuirks(undefined)], []);
  assert.deepEqual([...parseQuirks(' no-rotation , post-only ')], ['no-rotation', 'post-only']);
  assert.ok(Object.keys(QUIRKS).length >= 9);
  assert.throws(() => parseQuirks('no-rotation,google'), /unknown DEV_IDP_QUIRKS google; known: no-id-token-on-refresh/);
});

test('growing-tokens: a grant\'s 1st, 2nd and 3rd refresh add about 6, 16 and 40 KB, the 4th is small again, and the refresh token says where the grant is', () => {
  const added = (refreshes: number) => {
    const growth = tokenGrowth(refreshes);
    return Math.round((growth.accessTokenClaim.length * 4) / 3) + growth.refreshSuffix.length;
  };
  assert.ok(added(0) < 10, 'sign-in');
  assert.ok(Math.abs(added(1) - 6_000) < 500, `1st refresh: ${added(1)}`);
  assert.ok(Math.abs(added(2) - 16_000) < 500, `2nd refresh: ${added(2)}`);
  assert.ok(Math.abs(added(3) - 40_000) < 500, `3rd refresh: ${added(3)}`);
  assert.ok(added(4) < 10 && added(9) < 10, 'from the 4th on');
  // The access token reaches resource servers in a header: Node's limit is 16 KB.
  for (const refreshes of [1, 2, 3]) assert.ok((tokenGrowth(refreshes).accessTokenClaim.length * 4) / 3 < 10_000);

  for (const refreshes of [0, 2, 3, 12]) {
    assert.deepEqual(grownRefreshToken(`opaque-Token_43chars${tokenGrowth(refreshes).refreshSuffix}`), { token: 'opaque-Token_43chars', refreshes });
  }
  assert.equal(grownRefreshToken('opaque-Token_43chars'), undefined, 'a token handed out before the quirk is left alone');
});

test('userinfo-claims needs JWT access tokens: with opaque-access-tokens it is refused, saying why', () => {
  assert.deepEqual([...parseQuirks('userinfo-claims,no-rotation')], ['userinfo-claims', 'no-rotation']);
  assert.throws(() => parseQuirks('opaque-access-tokens,userinfo-claims'), { message: 'dev IdP: DEV_IDP_QUIRKS userinfo-claims needs JWT access tokens; it cannot be combined with opaque-access-tokens' });
});
