/**
 * One simulated person in one browser: signs in as soak-<n>, then views pages in one or
 * more tabs sharing a cookie jar. A page view is a navigation followed by a burst of RSC
 * requests, prefetches and API fetches, each carrying the jar's cookie at the moment it is
 * sent; some are aborted before their answer arrives, so their Set-Cookie is lost, just
 * like a person clicking away. Every answer is judged against the app's contract
 * (classify.ts) and counted (metrics.ts).
 *
 * Some browsers also end their session on purpose, by signing out or by having their
 * grant revoked at the IdP, and then replay every copy of the session cookie they ever
 * held: past the documented bound each of those must be refused.
 */
import { classify, classifyAction, NOTES_PAGE, type ProtectedKind, RENEW_RETURN_TO, redirectTarget, type Verdict } from './classify';
import { CookieJar } from './cookie-jar';
import { idpControls } from './idp-controls';
import type { ExampleInput, Metrics, RequestKind } from './metrics';
import { between, intBetween, pick, random } from './random';
import { type ActionStyle, actionIdOf, actionRequest } from './server-action';
import { APP_ORIGIN, APP_URL, IDP_URL, SESSION_COOKIE } from './settings';
import type { Exchange, Outcome, RequestOptions, Transport } from './transport';

/**
 * `sign_out`: at the app (POST /auth/logout). `revoke_at_idp`: the grant revoked at the IdP.
 * `logout_at_idp`: signed out at the IdP's own end-session page, which reaches the app by
 * back-channel logout only.
 */
export type Plan = { readonly kind: 'normal' } | { readonly kind: 'sign_out' | 'revoke_at_idp' | 'logout_at_idp'; readonly at: number; readonly boundSeconds: number };

export interface BrowserEnvironment {
  readonly transport: Transport;
  readonly metrics: Metrics;
  readonly abortRate: number;
  /** The `_rsc` search parameters Next's router sends (next-rsc.ts). */
  readonly rscSearch: { readonly rsc: string; readonly prefetch: string };
  /** Epoch ms: no new page view starts after this. */
  readonly endsAt: number;
}

type Ending = 'signed_out' | 'revoked' | 'logged_out_at_idp' | 'lost';

const ENDINGS: Readonly<Record<Exclude<Ending, 'lost'>, string>> = {
  signed_out: 'sign-out',
  revoked: 'revocation at the IdP',
  logged_out_at_idp: 'sign-out at the IdP (back-channel logout)',
};

interface Session {
  readonly generation: number;
  readonly startedAt: number;
  ended?: { readonly how: Ending; readonly at: number };
  /** Silent re-authentications so far: each mints a new app session id behind the same browser session. */
  reauthEpoch: number;
  /** Every session cookie this browser held for the session (Cookie header form), in order, with the epoch it came from. */
  readonly copies: Map<string, number>;
  inFlight: number;
}

const IDP_ORIGIN = new URL(IDP_URL).origin;
/** Past the bound, replays go on this long. */
const REPLAY_PAST_BOUND_MS = 5000;
const MAX_HOPS = 16;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

const KIND_HEADERS: Record<ProtectedKind, Record<string, string>> = {
  navigation: { accept: 'text/html', 'sec-fetch-mode': 'navigate' },
  rsc: { RSC: '1' },
  prefetch: { RSC: '1', 'Next-Router-Prefetch': '1' },
  api: { accept: 'application/json' },
  renew: { accept: 'text/html', 'sec-fetch-mode': 'navigate' },
};

const DASHBOARD_PAGE = '/dashboard';
/** Share of page views that open the notes page and add a note with its server action. */
const NOTES_VIEW_SHARE = 0.12;
/** Of those posts, the share sent as a plain form (JavaScript off); the rest as Next's router sends them. */
const FORM_POST_SHARE = 0.25;

/** Mostly what a page does by itself; now and then a page whose API refused its token goes through /auth/renew. */
function pickFanOutKind(): Exclude<ProtectedKind, 'navigation'> {
  const draw = random();
  return draw < 0.4 ? 'rsc' : draw < 0.7 ? 'prefetch' : draw < 0.97 ? 'api' : 'renew';
}

/** Think time between page views: mostly short, sometimes longer than REFRESH_GRACE so the cookie goes stale. */
function thinkTimeMs(): number {
  return random() < 0.15 ? between(6000, 12000) : between(200, 3000);
}

export class SimulatedBrowser {
  readonly name: string;
  private readonly appJar = new CookieJar();
  private readonly idpJar = new CookieJar();
  private session: Session | undefined;
  private generation = 0;
  private signingIn: Promise<boolean> | undefined;
  private paused: Promise<void> | undefined;
  private busyTabs = 0;

  constructor(
    index: number,
    private readonly tabs: number,
    private readonly plan: Plan,
    private readonly startAt: number,
    private readonly env: BrowserEnvironment,
  ) {
    this.name = `soak-${index}`;
  }

  private get metrics(): Metrics {
    return this.env.metrics;
  }

  /** The URL and headers of one kind of protected request; a navigation goes to `page`. */
  private target(kind: ProtectedKind, page = DASHBOARD_PAGE): { url: URL; headers: Record<string, string> } {
    const path =
      kind === 'api' ? '/api/me' : kind === 'navigation' ? page : kind === 'renew' ? `/auth/renew?returnTo=${encodeURIComponent(RENEW_RETURN_TO)}` : `/dashboard${this.env.rscSearch[kind]}`;
    return { url: new URL(path, APP_URL), headers: KIND_HEADERS[kind] };
  }

  async run(): Promise<void> {
    await sleep(this.startAt - Date.now());
    const work = Array.from({ length: this.tabs }, (_, tab) => this.tab(tab));
    if (this.plan.kind !== 'normal') work.push(this.endSessionOnPurpose(this.plan));
    await Promise.all(work);
    // Still signed in at the end: count its live time.
    if (this.session && !this.session.ended) this.closeSession(this.session, { how: 'lost', at: Math.min(Date.now(), this.env.endsAt) });
  }

  private remaining(): number {
    return this.env.endsAt - Date.now();
  }

  private async tab(tab: number): Promise<void> {
    // Tabs open a moment apart.
    await sleep(tab * between(300, 1500));
    while (this.remaining() > 0) {
      if (this.paused) {
        await this.paused;
        continue;
      }
      if (!(await this.ensureSignedIn())) {
        await sleep(Math.min(this.remaining(), between(1000, 3000)));
        continue;
      }
      this.busyTabs += 1;
      try {
        await this.pageView();
      } finally {
        this.busyTabs -= 1;
      }
      await sleep(Math.min(this.remaining(), thinkTimeMs()));
    }
  }

  // ── sessions ──────────────────────────────────────────────────────────────

  private closeSession(session: Session, ended: NonNullable<Session['ended']>): void {
    if (session.ended) return;
    session.ended = ended;
    this.metrics.liveSessionMs += Math.max(0, ended.at - session.startedAt);
  }

  private ensureSignedIn(): Promise<boolean> {
    if (this.session && !this.session.ended) return Promise.resolve(true);
    this.signingIn ??= this.signIn().finally(() => {
      this.signingIn = undefined;
    });
    return this.signingIn;
  }

  /** Waits (bounded) until no request of `session` is in flight, so a late answer cannot clear the next session's cookie. */
  private async drain(session: Session | undefined): Promise<void> {
    const deadline = Date.now() + 25_000;
    while (session && session.inFlight > 0 && Date.now() < deadline) await sleep(100);
  }

  /** Signs in over HTTP as this browser's account, following every redirect between the app and the IdP. */
  private async signIn(): Promise<boolean> {
    await this.drain(this.session);
    const session: Session = { generation: ++this.generation, startedAt: Date.now(), reauthEpoch: 0, copies: new Map(), inFlight: 0 };
    let url = new URL('/auth/login?returnTo=%2Fdashboard', APP_URL);
    let options: RequestOptions = {};
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const outcome = await this.exchange(url, options, 'signin', session);
      if (outcome.kind !== 'response') return this.signInFailed(outcome.kind === 'failed' ? outcome.reason : 'aborted', url);
      const { exchange } = outcome;
      const target = redirectTarget(exchange, url);
      if (target) {
        if (target.origin === APP_ORIGIN && target.pathname === '/signin') return this.signInFailed(`signin?reason=${target.searchParams.get('reason') ?? ''}`, url);
        url = target.origin === APP_ORIGIN ? new URL(`${target.pathname}${target.search}`, APP_URL) : target;
        options = {};
        continue;
      }
      const form = /action="(\/interaction\/[^"]+\/login)"/.exec(exchange.body);
      if (form && url.origin === IDP_ORIGIN) {
        url = new URL(form[1]!, url);
        options = {
          method: 'POST',
          body: new URLSearchParams({ username: this.name, password: 'password' }).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        };
        continue;
      }
      if (exchange.status === 200 && url.origin === APP_ORIGIN && url.pathname === '/dashboard' && this.appJar.get(SESSION_COOKIE)) {
        this.session = session;
        this.metrics.signIns += 1;
        return true;
      }
      return this.signInFailed(`${exchange.status} at ${url.pathname}`, url);
    }
    return this.signInFailed('too many redirects', url);
  }

  private signInFailed(why: string, url: URL): false {
    // Interaction and other ids would make every failure a reason of its own.
    const reason = why.replace(/\/[\w-]{16,}/g, '/…');
    this.metrics.signInFailures.add(reason, this.metrics.example({ browser: this.name, kind: 'signin', reason, detail: url.origin === APP_ORIGIN ? url.pathname : `${url.origin}${url.pathname}` }));
    return false;
  }

  // ── requests ──────────────────────────────────────────────────────────────

  private jarFor(url: URL): CookieJar {
    if (url.origin === APP_ORIGIN) return this.appJar;
    if (url.origin === IDP_ORIGIN) return this.idpJar;
    throw new Error(`soak: no cookie jar for ${url.origin}`);
  }

  /**
   * Sends one request with the jar's cookies as they are now and applies the answer's
   * Set-Cookie (unless it was aborted first). Keeps a copy of every session cookie the
   * browser comes to hold. `cleared`: the answer removed a session cookie the jar held.
   */
  private async exchange(url: URL, options: RequestOptions, kind: RequestKind, session: Session | undefined): Promise<Outcome & { cleared?: boolean; sent?: string }> {
    const jar = this.jarFor(url);
    const cookie = jar.header();
    const sent = jar === this.appJar ? this.appJar.chunked(SESSION_COOKIE) : undefined;
    if (jar === this.appJar) this.metrics.largestCookieHeader = Math.max(this.metrics.largestCookieHeader, cookie.length);
    const headers = { ...(options.headers ?? {}), ...(cookie ? { cookie } : {}) };
    if (session) session.inFlight += 1;
    let outcome: Outcome;
    try {
      outcome = await this.env.transport.send(url, { ...options, headers });
    } finally {
      if (session) session.inFlight -= 1;
    }
    if (outcome.kind === 'failed' && outcome.reason === 'connection_lost') {
      this.metrics.connectionLost.add(outcome.detail, this.metrics.example({ browser: this.name, kind, ...(outcome.instance ? { instance: outcome.instance } : {}), detail: outcome.detail }));
    }
    if (outcome.kind !== 'response') return outcome;
    const before = jar === this.appJar ? this.appJar.chunked(SESSION_COOKIE) : undefined;
    jar.apply(outcome.exchange.headers.getSetCookie());
    if (jar !== this.appJar) return outcome;
    const after = this.appJar.chunked(SESSION_COOKIE);
    const current = this.session && !this.session.ended ? this.session : session;
    if (after && current && !current.copies.has(after)) current.copies.set(after, current.reauthEpoch);
    return { ...outcome, cleared: before !== undefined && after === undefined, ...(sent ? { sent } : {}) };
  }

  /**
   * A person clicking away: the request is aborted shortly after it is sent. Only an abort
   * before the response headers loses the Set-Cookie, and the answers that matter (the
   * ones renewing at the IdP) take tens of milliseconds or more, hence the short delays.
   */
  private abortAfter(): number | undefined {
    if (random() >= this.env.abortRate) return undefined;
    this.metrics.abortsPlanned += 1;
    return between(2, 80);
  }

  private async pageView(): Promise<void> {
    this.metrics.pageViews += 1;
    if (random() < NOTES_VIEW_SHARE) {
      const notes = await this.navigate(NOTES_PAGE);
      if (notes) await this.addNote(notes.body);
      return;
    }
    if (!(await this.navigate(DASHBOARD_PAGE))) return;
    const count = intBetween(3, 10);
    await Promise.all(
      Array.from({ length: count }, async () => {
        await sleep(between(0, 40));
        await this.protectedRequest(pickFanOutKind());
      }),
    );
  }

  /** GET `page` as a navigation; follows a silent re-authentication through the IdP. The page when it loaded. */
  private async navigate(page: string): Promise<Exchange | undefined> {
    const session = this.session;
    const { url, headers } = this.target('navigation', page);
    const abortAfterMs = this.abortAfter();
    const outcome = await this.exchange(url, { headers, ...(abortAfterMs === undefined ? {} : { abortAfterMs }) }, 'navigation', session);
    if (outcome.kind !== 'response') return undefined;
    const verdict = classify('navigation', outcome.exchange);
    if (verdict.kind !== 'reauth_redirect') return this.record('navigation', session, outcome.exchange, verdict, outcome.cleared ?? false, outcome.sent) ? outcome.exchange : undefined;
    return this.silentReauth(session, verdict.location, outcome.exchange, page);
  }

  /**
   * Adds a note with the notes page's server action, posted as Next's router posts it or
   * as a plain form. An action is person activity: it renews when due, in the proxy or in
   * `requireActionSession`, and its answer may carry the renewed cookie.
   */
  private async addNote(page: string): Promise<void> {
    const actionId = actionIdOf(page, 'text');
    if (!actionId) {
      this.metrics.otherStatus.add('notes page without its add-note form', this.metrics.example({ browser: this.name, kind: 'action', detail: page.slice(0, 120) }));
      return;
    }
    const session = this.session;
    const style: ActionStyle = random() < FORM_POST_SHARE ? 'form' : 'fetch';
    const request = await actionRequest(actionId, { text: `note from ${this.name}` }, style, APP_ORIGIN);
    const abortAfterMs = this.abortAfter();
    const outcome = await this.exchange(new URL(NOTES_PAGE, APP_URL), { ...request, ...(abortAfterMs === undefined ? {} : { abortAfterMs }) }, 'action', session);
    if (outcome.kind !== 'response') return;
    this.metrics.serverActions[style] += 1;
    const verdict = classifyAction(outcome.exchange);
    if (verdict.kind === 'reauth_redirect') await this.silentReauth(session, verdict.location, outcome.exchange, NOTES_PAGE);
    else this.record('action', session, outcome.exchange, verdict, outcome.cleared ?? false, outcome.sent);
  }

  /** Follows `/auth/login?prompt=none` through the IdP and back to `page`; the IdP session cookie makes it silent. The page when it loaded. */
  private async silentReauth(session: Session | undefined, start: URL, first: Exchange, page: string): Promise<Exchange | undefined> {
    let url = new URL(`${start.pathname}${start.search}`, APP_URL);
    let last = first;
    let sent: string | undefined;
    for (let hop = 0; hop < MAX_HOPS; hop++) {
      const outcome = await this.exchange(url, {}, 'navigation', session);
      if (outcome.kind !== 'response') return undefined;
      last = outcome.exchange;
      sent = outcome.sent ?? sent;
      const target = redirectTarget(last, url);
      if (!target) break;
      if (target.origin === APP_ORIGIN && target.pathname === '/signin') {
        const reason = `${target.searchParams.get('reason') ?? '(none)'} (after prompt=none, at ${url.pathname})`;
        this.record('navigation', session, last, { kind: 'rejected', reason }, false, sent);
        return undefined;
      }
      url = target.origin === APP_ORIGIN ? new URL(`${target.pathname}${target.search}`, APP_URL) : target;
    }
    if (url.origin === APP_ORIGIN && url.pathname === page && last.status === 200) {
      this.metrics.silentReauth += 1;
      if (session && !session.ended) {
        session.reauthEpoch += 1;
        const copy = this.appJar.chunked(SESSION_COOKIE);
        if (copy) session.copies.set(copy, session.reauthEpoch);
      }
      return this.record('navigation', session, last, classify('navigation', last), false, sent) ? last : undefined;
    }
    // The IdP down during the re-authentication: the app says "try again" (503) and keeps the session.
    if (url.origin === APP_ORIGIN && last.status === 503) {
      this.record('navigation', session, last, classify('navigation', last), false, sent);
      return undefined;
    }
    const where = url.origin === IDP_ORIGIN ? `IdP ${url.pathname.replace(/\/[\w-]{16,}/g, '/…')}` : url.pathname;
    this.record('navigation', session, last, { kind: 'rejected', reason: `prompt=none ended at ${where} (${last.status})` }, false, sent);
    return undefined;
  }

  private async protectedRequest(kind: Exclude<ProtectedKind, 'navigation'>): Promise<void> {
    const session = this.session;
    const { url, headers } = this.target(kind);
    const abortAfterMs = this.abortAfter();
    const outcome = await this.exchange(url, { headers, ...(abortAfterMs === undefined ? {} : { abortAfterMs }) }, kind, session);
    if (outcome.kind !== 'response') return;
    this.record(kind, session, outcome.exchange, classify(kind, outcome.exchange), outcome.cleared ?? false, outcome.sent);
  }

  /** Counts one judged answer. True when the request was admitted. `sent`: the session cookie the request carried. */
  private record(kind: ProtectedKind | 'action', session: Session | undefined, exchange: Exchange, verdict: Verdict, cleared: boolean, sent?: string): boolean {
    const base = { browser: this.name, kind, status: exchange.status, ...(exchange.instance ? { instance: exchange.instance } : {}) };
    switch (verdict.kind) {
      case 'ok':
        if (verdict.tokenVersion !== undefined && session) this.metrics.tokenVersions.add(`${this.name}/${session.generation}/${session.reauthEpoch}/${verdict.tokenVersion}`);
        break;
      case 'rejected':
        this.rejected(session, kind, verdict.reason, base, sent);
        return false;
      case 'reauth_redirect':
      case 'reauth_requested':
        this.metrics.reauthRequested += 1;
        break;
      case 'unavailable':
        this.metrics.unavailable503 += 1;
        break;
      case 'server_error':
        this.metrics.unexpected5xx.add(String(exchange.status), this.metrics.example({ ...base, detail: verdict.detail }));
        break;
      case 'other':
        this.metrics.otherStatus.add(verdict.detail, this.metrics.example({ ...base, detail: verdict.detail }));
        break;
    }
    // Only a rejection may take the cookie away; anything else clearing it signs a live browser out.
    const live = this.session && !this.session.ended ? this.session : undefined;
    if (cleared && live) this.rejected(live, kind, 'cookie_cleared', { ...base, detail: `cleared by a ${verdict.kind} answer` }, sent);
    return verdict.kind === 'ok';
  }

  private rejected(session: Session | undefined, kind: string, reason: string, example: ExampleInput, sent: string | undefined): void {
    if (!session || session.ended) {
      this.metrics.expectedRejections += 1;
      return;
    }
    // The harness never ended this session: the app signed a live browser out.
    const ex = this.metrics.example({ ...example, reason, detail: `${example.detail ? `${example.detail}; ` : ''}session ${session.generation} age ${Math.round((Date.now() - session.startedAt) / 1000)} s` });
    this.metrics.unexpectedRejections.add(reason, ex);
    this.metrics.unexpectedRejectionsByKind[kind] = (this.metrics.unexpectedRejectionsByKind[kind] ?? 0) + 1;
    this.metrics.unexpectedSignOuts.add(reason, ex);
    this.metrics.incident('sign-out', ex, sent);
    // One bug must not cascade: the browser signs in again and carries on.
    this.closeSession(session, { how: 'lost', at: Date.now() });
  }

  // ── ending a session on purpose, then replaying it ───────────────────────────

  private async endSessionOnPurpose(plan: Extract<Plan, { at: number }>): Promise<void> {
    await sleep(plan.at - Date.now());
    if (this.remaining() <= 0) return;
    let resume: () => void = () => {};
    this.paused = new Promise((resolve) => (resume = resolve));
    try {
      const idleBy = Date.now() + 30_000;
      while (this.busyTabs > 0 && Date.now() < idleBy) await sleep(100);
      if (!(await this.ensureSignedIn())) return;
      const session = this.session!;
      const endedAt = plan.kind === 'sign_out' ? await this.signOut(session) : plan.kind === 'revoke_at_idp' ? await this.revokeAtIdp(session) : await this.logOutAtIdp(session);
      if (endedAt !== undefined) await this.replay(session, endedAt, plan.boundSeconds);
    } finally {
      this.paused = undefined;
      resume();
    }
  }

  /** POST /auth/logout from our own page, then the IdP's end-session confirmation. Returns when the app answered. */
  private async signOut(session: Session): Promise<number | undefined> {
    // Ended when sent: a tab's request answered after the app revoked the session, but
    // before this answer arrives, is refused as it should be.
    this.closeSession(session, { how: 'signed_out', at: Date.now() });
    this.metrics.signOutsSent += 1;
    const url = new URL('/auth/logout', APP_URL);
    const outcome = await this.exchange(
      url,
      { method: 'POST', body: '', headers: { origin: APP_ORIGIN, 'sec-fetch-site': 'same-origin', 'content-type': 'application/x-www-form-urlencoded' } },
      'signout',
      session,
    );
    if (outcome.kind !== 'response' || outcome.exchange.status >= 400) {
      const detail = outcome.kind === 'response' ? `${outcome.exchange.status}` : outcome.kind;
      this.metrics.otherStatus.add(`sign-out failed: ${detail}`, this.metrics.example({ browser: this.name, kind: 'signout', detail }));
      return undefined;
    }
    const endedAt = Date.now();
    this.metrics.signOuts += 1;
    await this.confirmAtIdp(redirectTarget(outcome.exchange, url));
    return endedAt;
  }

  /** Best effort: the dev IdP's end-session page submits a form by script; submit it as the script would. True when it went through. */
  private async confirmAtIdp(target: URL | undefined): Promise<boolean> {
    if (!target || target.origin !== IDP_ORIGIN) return false;
    const page = await this.exchange(target, {}, 'signout', undefined);
    if (page.kind !== 'response') return false;
    const form = /<form[^>]*action="([^"]+)"[^>]*id="op\.logoutForm"|<form[^>]*id="op\.logoutForm"[^>]*action="([^"]+)"/.exec(page.exchange.body);
    const action = form?.[1] ?? form?.[2];
    if (!action) return false;
    const fields = new URLSearchParams();
    for (const input of page.exchange.body.matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields.set(input[1]!, input[2]!);
    fields.set('logout', 'yes');
    const confirmed = await this.exchange(new URL(action, target), { method: 'POST', body: fields.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 'signout', undefined);
    const ok = confirmed.kind === 'response' && confirmed.exchange.status < 400;
    if (ok) this.metrics.signOutsConfirmedAtIdp += 1;
    return ok;
  }

  /**
   * Signs out at the IdP's end-session page, as a person signing out of another app of the
   * same IdP would: the app hears of it only through the IdP's back-channel logout, which
   * the IdP delivers before it answers the confirmation.
   */
  private async logOutAtIdp(session: Session): Promise<number | undefined> {
    // Ended before the call: the back-channel delivery may land before the answer does.
    this.closeSession(session, { how: 'logged_out_at_idp', at: Date.now() });
    if (!(await this.confirmAtIdp(new URL('/session/end', IDP_URL)))) {
      this.metrics.otherStatus.add('sign-out at the IdP failed', this.metrics.example({ browser: this.name, kind: 'signout', detail: 'the end-session confirmation did not go through' }));
      return undefined;
    }
    this.metrics.idpLogouts += 1;
    return Date.now();
  }

  private async revokeAtIdp(session: Session): Promise<number | undefined> {
    // Ended before the call: anything answered from now on may legitimately be refused.
    this.closeSession(session, { how: 'revoked', at: Date.now() });
    try {
      await idpControls.revoke(this.name);
    } catch (error) {
      this.metrics.otherStatus.add('revocation at the IdP failed', this.metrics.example({ browser: this.name, kind: 'revoke', detail: String(error) }));
      return undefined;
    }
    this.metrics.revocations += 1;
    return Date.now();
  }

  /**
   * Sends every copy of the ended session's cookie again, as a thief or a stale tab would:
   * admitted answers past `boundSeconds` after the end are wrong admissions.
   */
  private async replay(session: Session, endedAt: number, boundSeconds: number): Promise<void> {
    const boundAt = endedAt + boundSeconds * 1000;
    const until = boundAt + REPLAY_PAST_BOUND_MS;
    const how = session.ended?.how ?? 'ended';
    while (Date.now() < until && session.copies.size > 0) {
      const copies = [...session.copies];
      const index = Math.floor(random() * copies.length);
      const [cookie, epoch] = copies[index]!;
      const kind: ProtectedKind = pick(['navigation', 'rsc', 'api'] as const);
      const sentAt = Date.now();
      const { url, headers } = this.target(kind);
      const outcome = await this.env.transport.send(url, { headers: { ...headers, cookie } });
      this.metrics.replay.sent += 1;
      if (outcome.kind === 'response') this.judgeReplay(session, kind, outcome.exchange, { sentAt, endedAt, boundAt, how, copyAge: copies.length - 1 - index, epoch, cookie });
      await sleep(between(250, 700));
    }
  }

  private judgeReplay(
    session: Session,
    kind: ProtectedKind,
    exchange: Exchange,
    at: { sentAt: number; endedAt: number; boundAt: number; how: string; copyAge: number; epoch: number; cookie: string },
  ): void {
    // A renewed copy is one more cookie the thief now holds.
    const renewed = new CookieJar();
    renewed.apply(exchange.headers.getSetCookie());
    const newCopy = renewed.chunked(SESSION_COOKIE);
    if (newCopy && !session.copies.has(newCopy)) session.copies.set(newCopy, at.epoch);

    const verdict = classify(kind, exchange);
    if (verdict.kind === 'ok') {
      if (at.sentAt < at.boundAt) {
        this.metrics.replay.admittedWithinBound += 1;
        return;
      }
      const sinceEnd = ((at.sentAt - at.endedAt) / 1000).toFixed(1);
      const copy = at.copyAge === 0 ? 'the last cookie held' : `a cookie ${at.copyAge} renewal(s) older than the last`;
      const sid = at.epoch < session.reauthEpoch ? ', from before a silent re-authentication (another session id)' : '';
      const ex = this.metrics.example({
        browser: this.name,
        kind,
        status: exchange.status,
        ...(exchange.instance ? { instance: exchange.instance } : {}),
        reason: at.how,
        detail: `${sinceEnd} s after ${ENDINGS[at.how as keyof typeof ENDINGS] ?? at.how}; replayed ${copy}${sid}${newCopy ? '; answer renewed the cookie' : ''}`,
      });
      this.metrics.wrongAdmissions.add(at.how, ex);
      this.metrics.incident('wrong admission', ex, at.cookie);
      return;
    }
    if (verdict.kind === 'unavailable') this.metrics.replay.unavailable += 1;
    else if (verdict.kind === 'server_error') this.metrics.unexpected5xx.add(String(exchange.status), this.metrics.example({ browser: this.name, kind: 'replay', status: exchange.status, detail: verdict.detail }));
    else this.metrics.replay.refused += 1;
  }
}
