/**
 * Where to go after sign-in: a same-origin relative path, or `/`. Rejects absolute URLs,
 * protocol-relative `//host`, backslash tricks (`/\host`), encoded variants of those,
 * control characters and anything that is not a plain path.
 */
export function safeReturnTo(raw: string | null | undefined): string {
  if (!raw || raw.length > 2048) return '/';
  let decoded = raw;
  try {
    // Decode repeatedly: `%2F%2Fevil` and `%252F%252F` must be seen for what they are.
    for (let i = 0; i < 3 && /%[0-9a-f]{2}/i.test(decoded); i++) decoded = decodeURIComponent(decoded);
  } catch {
    return '/';
  }
  if (!raw.startsWith('/') || !decoded.startsWith('/')) return '/';
  if (decoded.startsWith('//') || decoded.includes('\\') || /[\u0000-\u001f\u007f]/.test(decoded)) return '/';
  const base = 'http://renewal.invalid';
  const url = new URL(raw, base);
  if (url.origin !== base) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
