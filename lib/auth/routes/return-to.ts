/**
 * Where to go after sign-in: a same-origin relative path, or `/`. Rejects absolute URLs,
 * protocol-relative `//host`, backslash tricks (`/\host`), encoded variants of those,
 * control characters and anything that is not a plain path.
 *
 * The answer is checked, not only the input: URL parsing removes `.` and `..` segments
 * (encoded ones too), so `/.//evil.example`, `/a/..//evil.example` and
 * `/%2e%2e//evil.example` are plain paths that parse to `//evil.example` — a browser
 * follows that to another site. A result that would not pass these checks itself is `/`.
 */
export function safeReturnTo(raw: string | null | undefined): string {
  if (!raw || raw.length > 2048 || !isSafePath(raw)) return '/';
  const url = new URL(raw, BASE);
  const result = `${url.pathname}${url.search}${url.hash}`;
  return isSafePath(result) ? result : '/';
}

/**
 * The `returnTo` of the sign-in page a form was sent from, read from the request's Referer:
 * the page is static and, without JavaScript, cannot copy its address's `returnTo` into
 * its form. Only our own /signin counts (a Referer from anywhere else is no sign-in page
 * of ours); Referrer-Policy strict-origin-when-cross-origin sends a same-origin Referer
 * whole. Undefined when there is none; what it finds still goes through safeReturnTo.
 */
export function signInPageReturnTo(referer: string | null, appOrigin: string): string | undefined {
  if (!referer || !URL.canParse(referer)) return undefined;
  const page = new URL(referer);
  if (page.origin !== appOrigin || page.pathname !== '/signin') return undefined;
  return page.searchParams.get('returnTo') ?? undefined;
}

const BASE = 'http://renewal.invalid';
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Safe as a redirect target, however a browser or a server reads it: as written, and
 * decoded (`%2F%2Fevil`, `%252F%252F`), each also after URL parsing has resolved its dot
 * segments, it stays a path on our origin.
 */
function isSafePath(path: string): boolean {
  const decoded = fullyDecoded(path);
  return decoded !== undefined && [path, decoded].every((form) => isPlainPath(form) && staysHere(form));
}

/** Starts with one `/`, and has no backslash (browsers read it as `/`) or control character. */
function isPlainPath(path: string): boolean {
  return path.startsWith('/') && !path.startsWith('//') && !path.includes('\\') && !CONTROL.test(path);
}

/** Parses to our origin, and to a path that is still plain once its dot segments are resolved. */
function staysHere(path: string): boolean {
  const url = new URL(path, BASE);
  return url.origin === BASE && isPlainPath(url.pathname);
}

/** Decoded until nothing is left to decode (at most three times), or undefined when malformed. */
function fullyDecoded(path: string): string | undefined {
  let decoded = path;
  try {
    for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(decoded); i++) decoded = decodeURIComponent(decoded);
  } catch {
    return undefined;
  }
  return decoded;
}
