/**
 * Signs in over plain HTTP, following redirects between the app and the dev IdP and
 * filling in the IdP's login form, as a browser would. Returns the session cookie.
 */
type Jar = Map<string, string>;

function absorb(jar: Jar, response: Response): void {
  for (const header of response.headers.getSetCookie()) {
    const [pair = '', ...attributes] = header.split(';');
    const index = pair.indexOf('=');
    const name = pair.slice(0, index).trim();
    const value = pair.slice(index + 1).trim();
    const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
    if (expired) jar.delete(name);
    else jar.set(name, value);
  }
}

function cookieHeader(jar: Jar): string {
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
}

export async function signInOverHttp(appUrl: string, username = 'alice', password = 'password'): Promise<string> {
  const jars = new Map<string, Jar>();
  const jarFor = (url: URL) => jars.get(url.origin) ?? jars.set(url.origin, new Map()).get(url.origin)!;
  let url = new URL('/auth/login?returnTo=/status', appUrl);
  let init: RequestInit = {};
  for (let hop = 0; hop < 20; hop++) {
    const jar = jarFor(url);
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), cookie: cookieHeader(jar) } });
    absorb(jar, response);
    init = {};
    const location = response.headers.get('location');
    if (location) {
      url = new URL(location, url);
      continue;
    }
    const body = await response.text();
    const form = /action="(\/interaction\/[^"]+\/login)"/.exec(body);
    if (form) {
      url = new URL(form[1]!, url);
      init = { method: 'POST', body: new URLSearchParams({ username, password }), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
      continue;
    }
    const app = jarFor(new URL(appUrl));
    if (app.has('renewal-session')) {
      return [...app].filter(([name]) => name.startsWith('renewal-session')).map(([name, value]) => `${name}=${value}`).join('; ');
    }
    throw new Error(`sign-in over HTTP stopped at ${url.pathname} (${response.status})`);
  }
  throw new Error('sign-in over HTTP took too many redirects');
}
