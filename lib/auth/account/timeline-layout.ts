import { type TimeScale, xAt } from '../../time-scale';
import type { AuditType } from '../registry/registry';

/**
 * The dashboard's session timeline: which access tokens lived when, what happened to the
 * session, and where each of those goes on the chart. Pure (times in epoch seconds), so
 * the arithmetic is unit-tested; the caller reads the audit trail and the session.
 *
 * The audit trail records when each token was obtained (`sign_in`, `refresh`,
 * `reauthenticated`) but not when it expired. Only the current token's issue and expiry
 * are known exactly (the session holds them); earlier tokens are drawn with the current
 * token's lifetime: their expiries are estimates. Each token is named by its generation, the
 * number the dashboard shows as "Token generation": the sign-in's token is generation 0 and
 * each renewal obtains the next, so earlier tokens are counted back from the current one.
 */

/** An audit trail entry, as the registry returns it. */
export interface TimelineEvent {
  readonly at: Date;
  readonly type: string;
  readonly reason: string | null;
}

export interface TimelineInput {
  /** The session's audit events, in any order. */
  readonly events: readonly TimelineEvent[];
  /** The access token the session holds now, and its generation (the session's `tokenVersion`). */
  readonly current: { readonly issuedAt: number; readonly expiresAt: number; readonly generation: number };
  /** Seconds before expiry at which a token is renewed (lib/auth/refresh/decision.ts `refreshWindow`). */
  readonly refreshWindowSec: number;
  readonly now: number;
}

export type MarkerKind = 'sign_in' | 'renewal' | 'adoption' | 'failure' | 'end';

/** One access token's life, and the window before its expiry in which it is renewed. */
export interface TokenLife {
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly renewFrom: number;
  /** The token the session holds, its times exact; any other's expiry is an estimate. */
  readonly current: boolean;
  /**
   * 0 for the sign-in's token, one more for each renewal; null when the audit trail lists
   * more tokens before the current one than its generation allows, and the count is unknown.
   */
  readonly generation: number | null;
}

export interface TimelineMarker {
  readonly at: number;
  readonly kind: MarkerKind;
  /** The audit type, and its reason in parentheses: the same words as the events table. */
  readonly label: string;
}

export interface Timeline {
  readonly start: number;
  readonly end: number;
  readonly now: number;
  /** Oldest first; the current token is among them exactly once. */
  readonly tokens: readonly TokenLife[];
  readonly markers: readonly TimelineMarker[];
}

/** Every audit type has a place on the chart, or none on purpose. */
const MARKER_KIND: Readonly<Record<AuditType, MarkerKind | undefined>> = {
  sign_in: 'sign_in',
  refresh: 'renewal',
  reauthenticated: 'renewal',
  adopted: 'adoption',
  refresh_failed: 'failure',
  refresh_unavailable: 'failure',
  refresh_lost: 'failure',
  rejected: 'failure',
  refused: 'failure',
  sign_out: 'end',
  replaced: 'end',
  idp_logout: 'end',
  ended_elsewhere: 'end',
  // Comes with the renewal that read it, which has its marker.
  profile_updated: undefined,
  stepped_up: 'renewal',
};

/** The audit types that mean "a new access token was obtained". */
const ISSUES_TOKEN: ReadonlySet<string> = new Set<AuditType>(['sign_in', 'refresh', 'reauthenticated', 'stepped_up']);

/**
 * How far an issuing event may be from the current token's `issuedAt` and still be the
 * event that obtained it: the event is written after the token arrives (and after the
 * registry row is published), and `issuedAt` is rounded down to the second.
 */
const SAME_TOKEN_SEC = 5;

/** A chart needs some width of time even when everything happened in the same second. */
const MIN_SPAN_SEC = 10;

function markerKind(type: string): MarkerKind | undefined {
  return Object.hasOwn(MARKER_KIND, type) ? MARKER_KIND[type as AuditType] : undefined;
}

function seconds(date: Date): number {
  return date.getTime() / 1000;
}

/** The index of the issuing time that obtained the current token, or -1 when none is near enough. */
function currentTokenIndex(issuedTimes: readonly number[], issuedAt: number): number {
  let best = -1;
  issuedTimes.forEach((at, index) => {
    const distance = Math.abs(at - issuedAt);
    if (distance <= SAME_TOKEN_SEC && (best === -1 || distance <= Math.abs(issuedTimes[best]! - issuedAt))) best = index;
  });
  return best;
}

/** Numbers `tokens` (oldest first) by generation, counted from the current one's. */
function numbered(tokens: ReadonlyArray<Omit<TokenLife, 'generation'>>, currentGeneration: number): TokenLife[] {
  const currentIndex = tokens.findIndex((token) => token.current);
  return tokens.map((token, index) => {
    const generation = currentGeneration + index - currentIndex;
    return { ...token, generation: generation >= 0 ? generation : null };
  });
}

/** The tokens, markers and time span of one session, from its audit events and its current token. */
export function buildTimeline(input: TimelineInput): Timeline {
  const { current, refreshWindowSec, now } = input;
  const lifetime = Math.max(0, current.expiresAt - current.issuedAt);
  const life = (issuedAt: number, expiresAt: number, isCurrent: boolean) => ({
    issuedAt,
    expiresAt,
    renewFrom: Math.max(issuedAt, expiresAt - refreshWindowSec),
    current: isCurrent,
  });

  const events = [...input.events].sort((a, b) => a.at.getTime() - b.at.getTime());
  const markers: TimelineMarker[] = events.flatMap((event) => {
    const kind = markerKind(event.type);
    return kind ? [{ at: seconds(event.at), kind, label: event.reason ? `${event.type} (${event.reason})` : event.type }] : [];
  });

  const issuedTimes = events.filter((event) => ISSUES_TOKEN.has(event.type)).map((event) => seconds(event.at));
  const currentIndex = currentTokenIndex(issuedTimes, current.issuedAt);
  const lives = issuedTimes.map((at, index) => (index === currentIndex ? life(current.issuedAt, current.expiresAt, true) : life(at, at + lifetime, false)));
  // The event that obtained the current token may be older than the events read.
  if (currentIndex === -1) lives.push(life(current.issuedAt, current.expiresAt, true));
  lives.sort((a, b) => a.issuedAt - b.issuedAt);
  const tokens = numbered(lives, current.generation);

  const times = [now, ...tokens.flatMap((token) => [token.issuedAt, token.expiresAt]), ...markers.map((marker) => marker.at)];
  const start = Math.min(...times);
  const end = Math.max(start + MIN_SPAN_SEC, ...times);
  return { start, end, now, tokens, markers };
}

/** What a legend entry stands for: an event's kind, or one of the chart's other marks. */
export type LegendKey = MarkerKind | 'current_token' | 'earlier_token' | 'renewal_window' | 'now';

const LEGEND_TEXT: Readonly<Record<LegendKey, string>> = {
  current_token: 'current access token',
  earlier_token: 'earlier access token (expiry estimated)',
  renewal_window: 'renewal window before expiry',
  sign_in: 'sign-in',
  renewal: 'renewal (refresh or silent re-authentication)',
  adoption: 'adoption (a request took tokens another had just renewed)',
  failure: 'failure or refusal',
  end: 'session ended',
  now: 'now',
};

/** The order of the legend: the bars, then the events as they usually come, then now. */
const LEGEND_ORDER: readonly LegendKey[] = ['current_token', 'earlier_token', 'renewal_window', 'sign_in', 'renewal', 'adoption', 'failure', 'end', 'now'];

/** Where things go on the chart, in the SVG's own units (its viewBox). */
export interface TimelineChart {
  /** The chart in words, for its <desc>. */
  readonly description: string;
  readonly width: number;
  readonly height: number;
  /** The plotted area: lanes and markers lie between `left` and `right`. */
  readonly plot: { readonly left: number; readonly right: number; readonly top: number; readonly bottom: number };
  /** The row of event markers, above the token lanes. */
  readonly markerY: number;
  readonly laneHeight: number;
  readonly barHeight: number;
  readonly lanes: ReadonlyArray<{
    readonly token: TokenLife;
    /** Text for the lane's label at the left. */
    readonly label: string;
    readonly y: number;
    readonly x: number;
    readonly width: number;
    readonly windowX: number;
    readonly windowWidth: number;
    /** The token's times in words, for its tooltip. */
    readonly title: string;
  }>;
  readonly markers: ReadonlyArray<TimelineMarker & { readonly x: number; readonly title: string }>;
  /** Where now was when the chart was laid out; the browser moves it along `scale`. */
  readonly now: number;
  /** The chart's time span across the plot, for placing now as it moves. */
  readonly scale: TimeScale;
  readonly ticks: ReadonlyArray<{ readonly x: number; readonly label: string }>;
  /** One entry for each kind of mark the chart draws, and none for a kind it does not. */
  readonly legend: ReadonlyArray<{ readonly key: LegendKey; readonly text: string }>;
}

const WIDTH = 640;
/** Room for a lane's label, "generation 100" at the chart's font size. */
const LEFT = 104;
/** Room for half a time label past the last tick. */
const RIGHT = 32;
const TOP = 14;
const MARKER_ROW = 26;
const LANE_HEIGHT = 22;
const BAR_HEIGHT = 12;
const AXIS_HEIGHT = 40;
/** Tick spacings a person reads easily, in seconds. */
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
const MAX_TICKS = 6;

/** Clock time in UTC, as the events table shows it; seconds only when the ticks need them. */
function clock(epochSeconds: number, withSeconds: boolean): string {
  const iso = new Date(epochSeconds * 1000).toISOString();
  return withSeconds ? iso.slice(11, 19) : iso.slice(11, 16);
}

/** Round-numbered ticks across [start, end]: at most MAX_TICKS of them. */
export function timeTicks(start: number, end: number): Array<{ at: number; label: string }> {
  const span = end - start;
  const step = TICK_STEPS.find((candidate) => span / candidate <= MAX_TICKS) ?? Math.ceil(span / MAX_TICKS);
  const ticks: Array<{ at: number; label: string }> = [];
  for (let at = Math.ceil(start / step) * step; at <= end; at += step) ticks.push({ at, label: clock(at, step < 60) });
  return ticks;
}

function counted(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** A token's name on the chart, as the dashboard names it: its generation. */
function tokenName(token: TokenLife): string {
  return token.generation === null ? 'earlier token' : `generation ${token.generation}`;
}

function tokenTitle(token: TokenLife): string {
  const name = `${token.current ? 'Current' : 'Earlier'} access token${token.generation === null ? '' : `, ${tokenName(token)}`}`;
  const expiry = token.current ? 'expires' : 'expired about';
  return `${name}: issued ${clock(token.issuedAt, true)}, renewed from ${clock(token.renewFrom, true)}, ${expiry} ${clock(token.expiresAt, true)} UTC`;
}

/** The chart in words: what a person looking at it would take away. */
export function describeTimeline(timeline: Timeline): string {
  const current = timeline.tokens.find((token) => token.current);
  const kinds = (kind: MarkerKind) => timeline.markers.filter((marker) => marker.kind === kind).length;
  return [
    `${counted(timeline.tokens.length, 'access token', 'access tokens')} from ${clock(timeline.start, true)} to ${clock(timeline.end, true)} UTC.`,
    current ? `The current one, ${tokenName(current)}, was issued at ${clock(current.issuedAt, true)}, is renewed from ${clock(current.renewFrom, true)} and expires at ${clock(current.expiresAt, true)}.` : '',
    `Events: ${counted(kinds('sign_in'), 'sign-in', 'sign-ins')}, ${counted(kinds('renewal'), 'renewal', 'renewals')}, ${counted(kinds('adoption'), 'adoption', 'adoptions')}, ${counted(kinds('failure'), 'failure', 'failures')}, ${counted(kinds('end'), 'end', 'ends')}; each is listed in the table of recent session events.`,
    timeline.tokens.some((token) => !token.current) ? "Earlier tokens' expiries are estimated from the current token's lifetime." : '',
    `Now is ${clock(timeline.now, true)}.`,
  ]
    .filter(Boolean)
    .join(' ');
}

/** The legend of `chart`'s marks: only those it draws. */
export function legendOf(chart: Pick<TimelineChart, 'lanes' | 'markers'>): TimelineChart['legend'] {
  const drawn = new Set<LegendKey>(['now', ...chart.markers.map((marker) => marker.kind)]);
  for (const lane of chart.lanes) {
    drawn.add(lane.token.current ? 'current_token' : 'earlier_token');
    if (lane.windowWidth > 0) drawn.add('renewal_window');
  }
  return LEGEND_ORDER.filter((key) => drawn.has(key)).map((key) => ({ key, text: LEGEND_TEXT[key] }));
}

/** Lays `timeline` out: one lane per token, a row of markers above, a time axis below. */
export function layoutTimeline(timeline: Timeline): TimelineChart {
  const plotTop = TOP + MARKER_ROW;
  const plotBottom = plotTop + timeline.tokens.length * LANE_HEIGHT;
  const scale: TimeScale = { start: timeline.start, end: timeline.end, left: LEFT, right: WIDTH - RIGHT };
  const x = (at: number) => xAt(scale, at);
  const lanes = timeline.tokens.map((token, index) => ({
    token,
    label: tokenName(token),
    y: plotTop + index * LANE_HEIGHT,
    x: x(token.issuedAt),
    width: x(token.expiresAt) - x(token.issuedAt),
    windowX: x(token.renewFrom),
    windowWidth: x(token.expiresAt) - x(token.renewFrom),
    title: tokenTitle(token),
  }));
  const markers = timeline.markers.map((marker) => ({ ...marker, x: x(marker.at), title: `${marker.label} at ${clock(marker.at, true)} UTC` }));
  return {
    description: describeTimeline(timeline),
    width: WIDTH,
    height: plotBottom + AXIS_HEIGHT,
    plot: { left: LEFT, right: WIDTH - RIGHT, top: plotTop, bottom: plotBottom },
    markerY: TOP + MARKER_ROW / 2,
    laneHeight: LANE_HEIGHT,
    barHeight: BAR_HEIGHT,
    lanes,
    markers,
    now: timeline.now,
    scale,
    ticks: timeTicks(timeline.start, timeline.end).map((tick) => ({ x: x(tick.at), label: tick.label })),
    legend: legendOf({ lanes, markers }),
  };
}
