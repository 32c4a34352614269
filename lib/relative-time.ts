/**
 * How long ago a moment was, in the reader's language ("5 minutes ago"), in the largest
 * unit that is at least one. A moment "in the future" — the browser's clock behind the
 * server's — reads as now rather than as "in 3 seconds".
 */
const UNITS: ReadonlyArray<readonly [Intl.RelativeTimeFormatUnit, number]> = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

/**
 * @example
 * timeAgo(new Date('2026-12-02T13:00:00Z'), new Date('2026-12-02T13:05:30Z'), 'en') // '5 minutes ago'
 */
export function timeAgo(then: Date, now: Date, locale?: string): string {
  const seconds = Math.max(0, Math.floor((now.getTime() - then.getTime()) / 1000));
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (seconds >= size) return format.format(-Math.floor(seconds / size), unit);
  }
  return format.format(0, 'second');
}

/** A moment as the server renders it before the browser knows the reader's time zone: "2026-12-02 13:05 UTC". */
export function utcText(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
