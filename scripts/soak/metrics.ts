/** What the soak counts while it runs; report.ts turns it into the summary. */
import type { Incident } from './explain';

export type RequestKind = 'navigation' | 'rsc' | 'prefetch' | 'api' | 'renew' | 'action' | 'signin' | 'signout' | 'replay';

/** One observation worth reading in the report. */
export interface Example {
  readonly browser: string;
  /** Seconds since the start of the run. */
  readonly atSec: number;
  /** The faults in force when it happened (faults.ts). */
  readonly faults: string;
  readonly kind: string;
  readonly instance?: string;
  readonly status?: number;
  readonly reason?: string;
  readonly detail?: string;
}

export type ExampleInput = Omit<Example, 'atSec' | 'faults'>;

const MAX_EXAMPLES = 12;
const MAX_INCIDENTS = 24;

export class Tally {
  readonly counts: Record<string, number> = {};
  total = 0;
  readonly examples: Example[] = [];

  add(key: string, example?: Example): void {
    this.total += 1;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    if (example && this.examples.length < MAX_EXAMPLES) this.examples.push(example);
  }
}

export class Metrics {
  requests = 0;
  completed = 0;
  /** Requests picked to be aborted (SOAK_ABORT_RATE); `aborted` is how many were cut before their answer arrived. */
  abortsPlanned = 0;
  aborted = 0;
  lbRetries = 0;
  /** Requests whose connection broke (an instance killed mid-request): a real load balancer would answer 502. */
  readonly connectionLost = new Tally();
  timeouts = 0;
  pageViews = 0;
  /** Add-note server actions answered, by how they were posted (server-action.ts). */
  readonly serverActions = { fetch: 0, form: 0 };
  signIns = 0;
  readonly signInFailures = new Tally();
  /** Sign-outs sent, and those the app answered (signOuts). */
  signOutsSent = 0;
  signOuts = 0;
  signOutsConfirmedAtIdp = 0;
  revocations = 0;
  /** Sign-outs at the IdP's own end-session page (the app hears by back-channel logout). */
  idpLogouts = 0;

  /** Live sessions the app ended: counted once per session (the first response that did it). */
  readonly unexpectedSignOuts = new Tally();
  /** Every response that rejected a live session, by `reason` and by request kind. */
  readonly unexpectedRejections = new Tally();
  readonly unexpectedRejectionsByKind: Record<string, number> = {};
  /** Rejections of sessions the harness had ended (signed out, revoked) or that were already lost. */
  expectedRejections = 0;
  silentReauth = 0;
  reauthRequested = 0;
  unavailable503 = 0;
  readonly unexpected5xx = new Tally();
  readonly otherStatus = new Tally();

  readonly replay = { sent: 0, refused: 0, admittedWithinBound: 0, unavailable: 0 };
  readonly wrongAdmissions = new Tally();

  readonly latenciesMs: number[] = [];
  /** The longest Cookie header a browser sent the app, in bytes: reference mode keeps it under the budget. */
  largestCookieHeader = 0;
  /** `browser/generation/epoch/tokenVersion` of every token generation a browser saw. */
  readonly tokenVersions = new Set<string>();
  liveSessionMs = 0;

  constructor(
    private readonly startedAt: number,
    private readonly activeFaults: () => string,
  ) {}

  /** Failures to explain from the registry after the run (explain.ts). */
  readonly incidents: Incident[] = [];

  /** Keeps a failure and the session cookie its request carried, to explain it after the run. */
  incident(what: Incident['what'], example: Example, sealed: string | undefined): void {
    if (this.incidents.length < MAX_INCIDENTS) this.incidents.push({ what, example, sealed, at: Date.now() });
  }

  example(input: ExampleInput): Example {
    return { atSec: Math.round((Date.now() - this.startedAt) / 100) / 10, faults: this.activeFaults(), ...input };
  }
}
