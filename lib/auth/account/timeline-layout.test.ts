import assert from 'node:assert/strict';
import { test } from 'node:test';
import { xAt } from '../../time-scale';
import { buildTimeline, describeTimeline, layoutTimeline, legendOf, type TimelineEvent, type TimelineInput, timeTicks } from './timeline-layout';

// 2026-01-01T10:00:00Z: clock labels below are read off this.
const T0 = 1_767_261_600;

/** Positions are computed from epoch seconds near 1.8e9: equal up to float rounding. */
function near(actual: number, expected: number): void {
  assert.ok(Math.abs(actual - expected) < 1e-6, `${actual} is not ${expected}`);
}

function event(offsetSec: number, type: string, reason: string | null = null): TimelineEvent {
  return { at: new Date((T0 + offsetSec) * 1000), type, reason };
}

/** A session signed in at T0 with 60-s tokens, renewed twice, now holding the token of the second renewal. */
function renewedTwice(overrides: Partial<TimelineInput> = {}): TimelineInput {
  return {
    // Newest first, as the registry reads them.
    events: [event(110.4, 'refresh'), event(55.2, 'refresh'), event(0.3, 'sign_in')],
    current: { issuedAt: T0 + 110, expiresAt: T0 + 170, generation: 2 },
    refreshWindowSec: 15,
    now: T0 + 120,
    ...overrides,
  };
}

test('each token obtained is a bar: the current one exact, earlier ones estimated with its lifetime', () => {
  const { tokens } = buildTimeline(renewedTwice());
  assert.deepEqual(tokens, [
    { issuedAt: T0 + 0.3, expiresAt: T0 + 60.3, renewFrom: T0 + 45.3, current: false, generation: 0 },
    { issuedAt: T0 + 55.2, expiresAt: T0 + 115.2, renewFrom: T0 + 100.2, current: false, generation: 1 },
    { issuedAt: T0 + 110, expiresAt: T0 + 170, renewFrom: T0 + 155, current: true, generation: 2 },
  ]);
});

test('the current token is drawn even when the event that obtained it is older than the events read', () => {
  const { tokens } = buildTimeline(renewedTwice({ events: [event(3, 'rejected', 'superseded')], current: { issuedAt: T0 - 20, expiresAt: T0 + 40, generation: 7 } }));
  assert.deepEqual(tokens, [{ issuedAt: T0 - 20, expiresAt: T0 + 40, renewFrom: T0 + 25, current: true, generation: 7 }]);
});

test('tokens are numbered by generation from the current one, whichever events were read', () => {
  // The twelve newest events of a session renewed nine times: the sign-in is no longer among them.
  const { tokens } = buildTimeline(renewedTwice({ events: [event(110.4, 'refresh'), event(55.2, 'refresh')], current: { issuedAt: T0 + 110, expiresAt: T0 + 170, generation: 9 } }));
  assert.deepEqual(
    tokens.map((token) => token.generation),
    [8, 9],
  );
  const newerElsewhere = buildTimeline(renewedTwice({ current: { issuedAt: T0 + 55, expiresAt: T0 + 115, generation: 1 } }));
  assert.deepEqual(
    newerElsewhere.tokens.map((token) => [token.generation, token.current]),
    [
      [0, false],
      [1, true],
      [2, false],
    ],
    'a token another tab obtained after this page\'s is the next generation',
  );
});

test('a token the count cannot place (more tokens before the current one than its generation) has no generation', () => {
  const { tokens } = buildTimeline(renewedTwice({ current: { issuedAt: T0 + 110, expiresAt: T0 + 170, generation: 1 } }));
  assert.deepEqual(
    tokens.map((token) => token.generation),
    [null, 0, 1],
  );
  const { lanes } = layoutTimeline(buildTimeline(renewedTwice({ current: { issuedAt: T0 + 110, expiresAt: T0 + 170, generation: 1 } })));
  assert.deepEqual(
    lanes.map((lane) => lane.label),
    ['earlier token', 'generation 0', 'generation 1'],
  );
  assert.match(lanes[0]!.title, /^Earlier access token: issued/);
});

test('of two issuing events near the current token, the nearer one obtained it', () => {
  const { tokens } = buildTimeline(renewedTwice({ events: [event(108, 'reauthenticated'), event(111, 'refresh')], current: { issuedAt: T0 + 111, expiresAt: T0 + 171, generation: 2 } }));
  assert.deepEqual(
    tokens.map((token) => [token.issuedAt - T0, token.current]),
    [
      [108, false],
      [111, true],
    ],
  );
});

test('events become markers by kind, labelled like the events table; types the chart does not know are left out', () => {
  const { markers } = buildTimeline(
    renewedTwice({
      events: [event(0, 'sign_in'), event(58, 'refresh_unavailable'), event(59, 'rejected', 'superseded'), event(60, 'refresh_failed', 'invalid_grant'), event(61, 'something_new'), event(62, 'reauthenticated'), event(70, 'sign_out', 'signed_out')],
    }),
  );
  assert.deepEqual(
    markers.map(({ at, kind, label }) => [at - T0, kind, label]),
    [
      [0, 'sign_in', 'sign_in'],
      [58, 'failure', 'refresh_unavailable'],
      [59, 'failure', 'rejected (superseded)'],
      [60, 'failure', 'refresh_failed (invalid_grant)'],
      [62, 'renewal', 'reauthenticated'],
      [70, 'end', 'sign_out (signed_out)'],
    ],
  );
});

test('the span runs from the first thing drawn to the last, now included', () => {
  const timeline = buildTimeline(renewedTwice());
  assert.equal(timeline.start, T0 + 0.3);
  assert.equal(timeline.end, T0 + 170);
  assert.equal(buildTimeline(renewedTwice({ now: T0 + 200 })).end, T0 + 200);
});

test('a session whose every time falls in one second still spans ten seconds', () => {
  const timeline = buildTimeline({ events: [], current: { issuedAt: T0, expiresAt: T0, generation: 0 }, refreshWindowSec: 30, now: T0 });
  assert.deepEqual([timeline.start, timeline.end], [T0, T0 + 10]);
  assert.equal(timeline.tokens[0]!.renewFrom, T0, 'the refresh window never starts before the token');
});

test('layout: the span fills the plot from left to right, one lane per token, the refresh window at the end of each bar', () => {
  const chart = layoutTimeline(buildTimeline(renewedTwice()));
  const { left, right, top, bottom } = chart.plot;
  const [first, , last] = chart.lanes;
  near(first!.x, left);
  near(last!.x + last!.width, right);
  assert.deepEqual(
    chart.lanes.map((lane) => lane.y),
    [top, top + chart.laneHeight, top + 2 * chart.laneHeight],
  );
  assert.equal(bottom, top + 3 * chart.laneHeight);
  assert.ok(chart.height > bottom, 'the axis lies below the lanes');
  for (const lane of chart.lanes) {
    near(lane.windowX + lane.windowWidth, lane.x + lane.width);
    assert.ok(lane.windowX > lane.x && lane.windowWidth > 0);
  }
  assert.deepEqual(
    chart.lanes.map((lane) => lane.label),
    ['generation 0', 'generation 1', 'generation 2'],
    'named as the dashboard names them ("Token generation 2"): one name, one numbering',
  );
  const scale = (right - left) / (170 - 0.3);
  near(xAt(chart.scale, chart.now), left + (120 - 0.3) * scale);
  near(chart.markers[1]!.x, left + (55.2 - 0.3) * scale);
  assert.equal(chart.markers[1]!.title, 'refresh at 10:00:55 UTC');
  assert.equal(last!.title, 'Current access token, generation 2: issued 10:01:50, renewed from 10:02:35, expires 10:02:50 UTC');
  assert.equal(first!.title, 'Earlier access token, generation 0: issued 10:00:00, renewed from 10:00:45, expired about 10:01:00 UTC');
  assert.deepEqual(chart.scale, { start: T0 + 0.3, end: T0 + 170, left, right });
  assert.equal(chart.now, T0 + 120);
});

test('now, moving past the end of the chart before the page redraws, stays at its right edge', () => {
  const chart = layoutTimeline(buildTimeline(renewedTwice()));
  const later = layoutTimeline(buildTimeline(renewedTwice({ now: T0 + 400 })));
  assert.equal(xAt(later.scale, later.now), chart.plot.right);
});

test('the legend lists what the chart draws and nothing else', () => {
  const keys = (input: TimelineInput) => layoutTimeline(buildTimeline(input)).legend.map((entry) => entry.key);
  assert.deepEqual(
    keys({ events: [event(0, 'sign_in')], current: { issuedAt: T0, expiresAt: T0 + 60, generation: 0 }, refreshWindowSec: 15, now: T0 + 5 }),
    ['current_token', 'renewal_window', 'sign_in', 'now'],
    'just signed in',
  );
  assert.deepEqual(keys(renewedTwice()), ['current_token', 'earlier_token', 'renewal_window', 'sign_in', 'renewal', 'now']);
  assert.deepEqual(
    keys(renewedTwice({ events: [...renewedTwice().events, event(50, 'adopted'), event(60, 'refresh_failed'), event(130, 'sign_out')] })),
    ['current_token', 'earlier_token', 'renewal_window', 'sign_in', 'renewal', 'adoption', 'failure', 'end', 'now'],
  );
});

test('no renewal window is drawn, nor listed, for a token too short to have one', () => {
  const chart = layoutTimeline(buildTimeline({ events: [], current: { issuedAt: T0, expiresAt: T0 + 60, generation: 0 }, refreshWindowSec: 0, now: T0 }));
  assert.equal(chart.lanes[0]!.windowWidth, 0);
  assert.deepEqual(
    chart.legend.map((entry) => entry.key),
    ['current_token', 'now'],
  );
});

test('each legend entry has its words', () => {
  const lane = layoutTimeline(buildTimeline(renewedTwice())).lanes[0]!;
  assert.deepEqual(legendOf({ lanes: [lane], markers: [] }), [
    { key: 'earlier_token', text: 'earlier access token (expiry estimated)' },
    { key: 'renewal_window', text: 'renewal window before expiry' },
    { key: 'now', text: 'now' },
  ]);
});

test('ticks fall on round times, at most six of them, with seconds only when the step is under a minute', () => {
  assert.deepEqual(
    timeTicks(T0 + 3, T0 + 58).map((tick) => tick.label),
    ['10:00:10', '10:00:20', '10:00:30', '10:00:40', '10:00:50'],
  );
  assert.deepEqual(
    timeTicks(T0 - 60, T0 + 2 * 3600).map((tick) => tick.label),
    ['10:00', '10:30', '11:00', '11:30', '12:00'],
  );
  assert.deepEqual(
    timeTicks(T0, T0 + 4).map((tick) => tick.at - T0),
    [0, 1, 2, 3, 4],
  );
});

test('the description says what the chart shows, and that earlier expiries are estimates', () => {
  assert.equal(
    describeTimeline(buildTimeline(renewedTwice())),
    '3 access tokens from 10:00:00 to 10:02:50 UTC. The current one, generation 2, was issued at 10:01:50, is renewed from 10:02:35 and expires at 10:02:50. ' +
      'Events: 1 sign-in, 2 renewals, 0 adoptions, 0 failures, 0 ends; each is listed in the table of recent session events. ' +
      "Earlier tokens' expiries are estimated from the current token's lifetime. Now is 10:02:00.",
  );
  assert.doesNotMatch(describeTimeline(buildTimeline(renewedTwice({ events: [event(110, 'refresh')] }))), /estimated/);
});
