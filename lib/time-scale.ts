/**
 * Where a time falls along a chart's horizontal axis. Pure and free of server imports: the
 * server lays the dashboard's timeline out with it, and the browser moves the chart's
 * "now" line with it, so both put the same second at the same x.
 */

/** The time span `start`..`end` (epoch seconds) drawn from `left` to `right` (chart units). */
export interface TimeScale {
  readonly start: number;
  readonly end: number;
  readonly left: number;
  readonly right: number;
}

/**
 * The x of `at` on `scale`; a time outside the span is drawn at its nearer edge.
 *
 * @example
 * xAt({ start: 0, end: 10, left: 100, right: 200 }, 5); // 150
 */
export function xAt(scale: TimeScale, at: number): number {
  const span = scale.end - scale.start;
  if (span <= 0) return scale.left;
  const fraction = Math.min(1, Math.max(0, (at - scale.start) / span));
  return scale.left + fraction * (scale.right - scale.left);
}
