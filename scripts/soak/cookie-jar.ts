/**
 * The cookies of one origin, kept the way a browser keeps them: a Set-Cookie replaces the
 * cookie of the same name, Max-Age=0, an Expires in the past or an empty value deletes it,
 * and whichever response is applied last wins (tabs sharing a jar race exactly like this).
 * Paths and domains are ignored: every cookie the app and the dev IdP set is `Path=/`,
 * host-only.
 */
export interface SetCookie {
  readonly name: string;
  readonly value: string;
  /** Absolute expiry in epoch milliseconds; undefined for a session cookie. */
  readonly expiresAt?: number;
}

/** Parses one Set-Cookie header; undefined when it has no `name=`. Max-Age beats Expires (RFC 6265 §5.3). */
export function parseSetCookie(header: string, now: number): SetCookie | undefined {
  const [pair = '', ...attributes] = header.split(';');
  const index = pair.indexOf('=');
  if (index <= 0) return undefined;
  const name = pair.slice(0, index).trim();
  const value = pair.slice(index + 1).trim();
  let maxAge: number | undefined;
  let expires: number | undefined;
  for (const attribute of attributes) {
    const [key = '', raw = ''] = attribute.split(/=(.*)/s).map((part) => part.trim());
    if (/^max-age$/i.test(key) && /^-?\d+$/.test(raw)) maxAge = Number(raw);
    if (/^expires$/i.test(key)) {
      const parsed = Date.parse(raw);
      if (!Number.isNaN(parsed)) expires = parsed;
    }
  }
  const expiresAt = maxAge !== undefined ? now + maxAge * 1000 : expires;
  return expiresAt === undefined ? { name, value } : { name, value, expiresAt };
}

export class CookieJar {
  private readonly cookies = new Map<string, SetCookie>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Applies a response's Set-Cookie headers in order. */
  apply(setCookieHeaders: readonly string[]): void {
    const now = this.clock();
    for (const header of setCookieHeaders) {
      const cookie = parseSetCookie(header, now);
      if (!cookie) continue;
      const deleted = cookie.value === '' || (cookie.expiresAt !== undefined && cookie.expiresAt <= now);
      if (deleted) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie);
    }
  }

  get(name: string): string | undefined {
    const cookie = this.cookies.get(name);
    if (!cookie) return undefined;
    if (cookie.expiresAt !== undefined && cookie.expiresAt <= this.clock()) {
      this.cookies.delete(name);
      return undefined;
    }
    return cookie.value;
  }

  names(): string[] {
    return [...this.cookies.keys()].filter((name) => this.get(name) !== undefined);
  }

  /** The Cookie request header for everything in the jar right now ('' when empty). */
  header(): string {
    return this.names()
      .map((name) => `${name}=${this.get(name)}`)
      .join('; ');
  }

  /**
   * The Cookie header for one chunked cookie only (`base`, `base.1`, `base.2`, … as the
   * app writes a large session), or undefined when `base` itself is absent. Used to keep
   * a copy of a session cookie and to replay it later.
   */
  chunked(base: string): string | undefined {
    if (this.get(base) === undefined) return undefined;
    const names = this.names().filter((name) => name === base || new RegExp(`^${escapeRegExp(base)}\\.\\d+$`).test(name));
    names.sort((a, b) => chunkIndex(a) - chunkIndex(b));
    return names.map((name) => `${name}=${this.get(name)}`).join('; ');
  }

  /** Deletes every cookie whose name is `base` or a chunk of it. */
  deleteChunked(base: string): void {
    for (const name of [...this.cookies.keys()]) if (name === base || name.startsWith(`${base}.`)) this.cookies.delete(name);
  }
}

function chunkIndex(name: string): number {
  const match = /\.(\d+)$/.exec(name);
  return match ? Number(match[1]) : 0;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
