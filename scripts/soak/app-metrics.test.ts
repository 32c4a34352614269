import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countsFrom, crossCheck } from './app-metrics';

const SCRAPE = `# HELP renewal_refresh_attempts_total Refresh attempts by outcome
# TYPE renewal_refresh_attempts_total counter
renewal_refresh_attempts_total{outcome="renewed",otel_scope_name="renewal"} 40
renewal_refresh_attempts_total{outcome="adopted",otel_scope_name="renewal"} 7
renewal_refresh_attempts_total{outcome="transient",otel_scope_name="renewal"} 3
renewal_refresh_attempts_total{outcome="uncertain",otel_scope_name="renewal"} 1
renewal_refresh_attempts_total{outcome="reauthenticate",otel_scope_name="renewal"} 1
renewal_sessions_ended_total{reason="signed_out",otel_scope_name="renewal"} 9
renewal_sessions_ended_total{reason="replaced",otel_scope_name="renewal"} 2
`;

test("the app's counts: refresh grants sent whatever their answer (adoptions and re-authentications sent none), sign-outs", () => {
  assert.deepEqual(countsFrom(SCRAPE), { refreshCalls: 44, signedOut: 9 });
});

test('the counts must agree, short of what a SIGKILL cut off', () => {
  const app = { refreshCalls: 44, signedOut: 9 };
  assert.equal(crossCheck(app, 44, { answered: 9, sent: 9 }, 0).agree, true);
  assert.equal(crossCheck(app, 45, { answered: 9, sent: 9 }, 0).agree, false, 'a refresh the app did not count');
  assert.equal(crossCheck(app, 43, { answered: 9, sent: 9 }, 0).agree, false, 'a refresh the IdP never received');
  assert.equal(crossCheck(app, 46, { answered: 9, sent: 9 }, 1).agree, true, 'the IdP answered as the instance died');
  assert.equal(crossCheck(app, 48, { answered: 9, sent: 9 }, 1).agree, false, 'more than a kill explains');
  assert.equal(crossCheck(app, 44, { answered: 8, sent: 10 }, 0).agree, true, 'a sign-out done whose answer was cut off');
  assert.equal(crossCheck(app, 44, { answered: 10, sent: 10 }, 0).agree, false, 'an answered sign-out the metrics missed');
  assert.equal(crossCheck(app, 44, { answered: 5, sent: 8 }, 0).agree, false, 'more sign-outs counted than sent');
  assert.equal(crossCheck(app, null, { answered: 9, sent: 9 }, 0).agree, false, 'no IdP stats: nothing to agree with');
});
