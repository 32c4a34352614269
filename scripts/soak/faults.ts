/**
 * The faults of a soak run, on a schedule scaled to its length: random token-endpoint
 * failures and lost answers in the background, a latency spike, a full IdP outage, an app
 * instance crashing and coming back, and (PostgreSQL on this machine only) a database
 * restart. The last 15 % of the run is calm so every browser can recover.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { type FaultProfile, idpControls } from './idp-controls';
import type { AppInstance } from './servers';
import type { SoakSettings } from './settings';

export interface FaultLogEntry {
  readonly atSec: number;
  readonly what: string;
  readonly error?: string;
}

interface Step {
  /** Seconds since the start of the run. */
  readonly at: number;
  readonly what: string;
  readonly action: () => Promise<void>;
}

const BACKGROUND: FaultProfile = { fail503: 0.03, fail429: 0.02, latencyRate: 0.05, latencyMs: 1500, lose: 0.02 };
const SPIKE: FaultProfile = { ...BACKGROUND, latencyRate: 0.5, latencyMs: 1800 };
const INSTANCE_DOWN_SECONDS = 5;
const CALM_FROM = 0.85;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** True when the PostgreSQL server is this machine's, so restarting it is ours to do. */
export function canRestartDatabase(settings: SoakSettings): boolean {
  if (!settings.postgresServer) return false;
  const host = new URL(settings.postgresServer).hostname;
  return host === '127.0.0.1' || host === 'localhost';
}

function restartPostgres(): Promise<void> {
  const versions = readdirSync('/etc/postgresql').filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(a) - Number(b));
  const version = versions.at(-1);
  if (!version) return Promise.reject(new Error('no cluster under /etc/postgresql'));
  return new Promise((resolve, reject) => {
    const child = spawn('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart'], { stdio: 'ignore', timeout: 60_000 });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctlcluster exited with ${code}`))));
  });
}

export class FaultSchedule {
  readonly log: FaultLogEntry[] = [];
  private readonly active = new Set<string>();
  private cancelled = false;

  constructor(
    private readonly settings: SoakSettings,
    private readonly instances: readonly AppInstance[],
    private readonly startedAt: number,
  ) {}

  /** The faults in force right now, for examples in the report. */
  describe(): string {
    return this.active.size > 0 ? [...this.active].join(' + ') : 'none';
  }

  private steps(): Step[] {
    const s = this.settings.seconds;
    const outage = Math.min(15, Math.round(0.15 * s));
    const spike = Math.min(8, Math.max(3, Math.round(0.05 * s)));
    const victim = this.instances[this.instances.length - 1]!;
    const steps: Step[] = [
      {
        at: 0.05 * s,
        what: 'background token-endpoint faults on (3 % 503, 2 % 429, 5 % +1.5 s, 2 % lost answers)',
        action: async () => {
          await idpControls.faults(BACKGROUND);
          this.active.add('background faults');
        },
      },
      {
        at: 0.22 * s,
        what: `latency spike: half of all refreshes +1.8 s for ${spike} s`,
        action: async () => {
          await idpControls.faults(SPIKE);
          this.active.add('latency spike');
        },
      },
      {
        at: 0.22 * s + spike,
        what: 'latency spike over',
        action: async () => {
          await idpControls.faults(BACKGROUND);
          this.active.delete('latency spike');
        },
      },
      {
        at: 0.4 * s,
        what: `IdP outage: the token endpoint answers 503 for ${outage} s`,
        action: async () => {
          await idpControls.tokenEndpoint('fail');
          this.active.add('IdP outage');
        },
      },
      {
        at: 0.4 * s + outage,
        what: 'IdP outage over',
        action: async () => {
          await idpControls.tokenEndpoint('ok');
          this.active.delete('IdP outage');
        },
      },
      {
        at: 0.6 * s,
        what: `instance :${victim.port} SIGKILLed (restarting in ${INSTANCE_DOWN_SECONDS} s)`,
        action: async () => {
          this.active.add(`instance :${victim.port} down`);
          await victim.kill();
        },
      },
      {
        at: 0.6 * s + INSTANCE_DOWN_SECONDS,
        what: `instance :${victim.port} restarting`,
        action: async () => {
          await victim.start();
          this.active.delete(`instance :${victim.port} down`);
          this.note(`instance :${victim.port} is back`);
        },
      },
    ];
    if (canRestartDatabase(this.settings)) {
      steps.push({
        at: 0.75 * s,
        what: 'PostgreSQL restart (pg_ctlcluster … restart)',
        action: async () => {
          this.active.add('database restart');
          try {
            await restartPostgres();
            this.note('PostgreSQL is back');
          } finally {
            this.active.delete('database restart');
          }
        },
      });
    }
    steps.push({
      at: CALM_FROM * s,
      what: 'all faults off: the rest of the run is calm',
      action: () => this.calm(),
    });
    return steps.sort((a, b) => a.at - b.at);
  }

  private note(what: string, error?: string): void {
    const atSec = Math.round((Date.now() - this.startedAt) / 100) / 10;
    this.log.push(error === undefined ? { atSec, what } : { atSec, what, error });
    console.log(`[soak ${atSec.toFixed(1).padStart(6)} s] ${error === undefined ? 'fault' : 'FAULT FAILED'}: ${what}${error === undefined ? '' : ` (${error})`}`);
  }

  /** Runs the schedule; each step starts on time even if an earlier one (a restart) is still going. */
  async run(): Promise<void> {
    const pending: Promise<void>[] = [];
    for (const step of this.steps()) {
      await sleep(this.startedAt + step.at * 1000 - Date.now());
      if (this.cancelled) break;
      this.note(step.what);
      pending.push(step.action().catch((error: unknown) => this.note(step.what, error instanceof Error ? error.message : String(error))));
    }
    await Promise.all(pending);
  }

  cancel(): void {
    this.cancelled = true;
  }

  /** Everything back to normal: no IdP faults, every instance running. */
  async calm(): Promise<void> {
    await idpControls.faults({});
    await idpControls.tokenEndpoint('ok');
    this.active.clear();
    await Promise.all(this.instances.filter((instance) => !instance.alive).map((instance) => instance.start()));
  }
}
