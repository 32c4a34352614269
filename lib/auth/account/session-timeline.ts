import 'server-only';
import { env } from '../../env';
import { refreshWindow } from '../refresh/decision';
import { nowSeconds } from '../refresh/runtime';
import type { SessionData } from '../session-payload';
import { buildTimeline, layoutTimeline, type TimelineChart, type TimelineEvent } from './timeline-layout';

/**
 * The dashboard's timeline chart of `session`: the audit `events` the page lists (so its
 * events table is the chart's text alternative too), the current access token, the
 * refresh window this app applies to it, its generation, and now.
 *
 * @example
 * const chart = sessionTimeline(session, (await recentEvents(session.sid)) ?? []);
 */
export function sessionTimeline(session: SessionData, events: readonly TimelineEvent[]): TimelineChart {
  const refreshWindowSec = refreshWindow(session.tokens, env().session);
  const current = { issuedAt: session.tokens.issuedAt, expiresAt: session.tokens.expiresAt, generation: session.tokenVersion };
  return layoutTimeline(buildTimeline({ events, current, refreshWindowSec, now: nowSeconds() }));
}
