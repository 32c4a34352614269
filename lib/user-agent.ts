/**
 * A person-readable name for a browser's User-Agent ("Chrome 131 on Windows"), for the
 * sessions page. Browser with its major version and the kind of device: enough to tell a
 * laptop's Chrome from a phone's Safari, or last year's browser from this one's, and
 * nothing finer, so the page reveals no fingerprint.
 */

/** Checked in order: Edge, Opera and headless Chrome also say "Chrome", and nearly all say "Safari". */
const BROWSERS: ReadonlyArray<readonly [RegExp, string]> = [
  [/Edg(?:A|iOS)?\/(\d+)/, 'Edge'],
  [/OPR\/(\d+)|Opera/, 'Opera'],
  [/(?:Firefox|FxiOS)\/(\d+)/, 'Firefox'],
  [/HeadlessChrome\/(\d+)/, 'Headless Chrome'],
  [/(?:Chrome|CriOS)\/(\d+)/, 'Chrome'],
  [/Version\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\/|Safari\//, 'Safari'],
];

/** Checked in order: iPhones say "like Mac OS X", Android says "Linux". */
const SYSTEMS: ReadonlyArray<readonly [RegExp, string]> = [
  [/iPhone|iPod/, 'iPhone'],
  [/iPad/, 'iPad'],
  [/Android/, 'Android'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

function browserOf(userAgent: string): string | undefined {
  for (const [pattern, name] of BROWSERS) {
    const match = pattern.exec(userAgent);
    if (match) return match[1] ? `${name} ${match[1]}` : name;
  }
  return undefined;
}

/**
 * @example
 * describeUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) … Version/17.0 Mobile/15E148 Safari/604.1')
 * // 'Safari 17 on iPhone'
 */
export function describeUserAgent(userAgent: string | null | undefined): string {
  if (!userAgent) return 'Unknown browser';
  const browser = browserOf(userAgent);
  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? 'Unknown browser';
}
