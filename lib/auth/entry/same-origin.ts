/**
 * True when a state-changing request comes from our own pages. Browsers send Origin on
 * every POST; where it is missing, Sec-Fetch-Site must say same-origin. Anything else,
 * including a request with neither header, is refused.
 */
export function isSameOrigin(headers: Headers, appOrigin: string): boolean {
  const origin = headers.get('origin');
  if (origin !== null) return origin === appOrigin;
  return headers.get('sec-fetch-site') === 'same-origin';
}
