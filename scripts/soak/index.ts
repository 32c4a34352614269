/**
 * `npm run soak`: many simulated browsers against several app instances and the dev IdP,
 * with faults injected on a schedule, checking that nobody is signed out by mistake, that
 * ended sessions stay ended, and that the IdP never sees a refresh token twice.
 *
 * Settings (environment): SOAK_SECONDS (180), SOAK_BROWSERS (60), SOAK_INSTANCES (3),
 * SOAK_ABORT_RATE (0.05), SOAK_REPORT (data/soak-report.json), TEST_DATABASE_URL (a
 * PostgreSQL server; SQLite otherwise). Exit status: 0 passed, 1 an invariant failed,
 * 2 the run could not start or broke down, 130 interrupted.
 */
import { type Plan, SimulatedBrowser } from './browser';
import { FaultSchedule } from './faults';
import { type IdpStats, idpControls } from './idp-controls';
import { Metrics } from './metrics';
import { rscSearchParams } from './next-rsc';
import { explainIncidents } from './explain';
import { between, freshSeed, random, seedRandom } from './random';
import { runMany } from './runs';
import { buildReport, printReport, writeReport } from './report';
import { unhandledErrorLines } from './server-errors';
import { addCounts, crossCheck, NO_COUNTS } from './app-metrics';
import { type AppInstance, appInstances, ensureBuild, killAll, prepareDatabase, resetLogs, type ServiceProcess, type SoakDatabase, startIdp, startNotesApi } from './servers';
import { HARD_DEADLINE_EXTRA_SECONDS, LOG_DIR, readSoakSettings, revocationBoundSeconds, signOutBoundSeconds, type SoakSettings } from './settings';
import { Transport } from './transport';


/** Picks which browsers end their session on purpose, and when. */
function plans(settings: SoakSettings, startedAt: number): Plan[] {
  const n = settings.browsers;
  const share = n >= 4 ? Math.max(1, Math.round(0.1 * n)) : 0;
  const order = Array.from({ length: n }, (_, i) => i).sort(() => random() - 0.5);
  const result: Plan[] = Array.from({ length: n }, () => ({ kind: 'normal' }));
  const when = (boundSeconds: number) => {
    // Late enough for a few renewals first; early enough that the replay ends before the run does.
    const from = 0.1 * settings.seconds;
    const to = Math.max(from, 0.85 * settings.seconds - boundSeconds - 6);
    return startedAt + between(from, to) * 1000;
  };
  for (const i of order.slice(0, share)) {
    const boundSeconds = signOutBoundSeconds();
    result[i] = { kind: 'sign_out', at: when(boundSeconds), boundSeconds };
  }
  for (const i of order.slice(share, 2 * share)) {
    const boundSeconds = revocationBoundSeconds();
    result[i] = { kind: 'revoke_at_idp', at: when(boundSeconds), boundSeconds };
  }
  // Half as many sign out at the IdP itself: back-channel logout under the same faults.
  for (const i of order.slice(2 * share, 2 * share + Math.ceil(share / 2))) {
    const boundSeconds = signOutBoundSeconds();
    result[i] = { kind: 'logout_at_idp', at: when(boundSeconds), boundSeconds };
  }
  return result;
}

let teardown: (() => Promise<void>) | undefined;
let exiting = false;

async function exit(code: number, why?: string): Promise<never> {
  if (why) console.error(`soak: ${why}`);
  if (!exiting) {
    exiting = true;
    const timer = setTimeout(() => {
      killAll();
      process.exit(code);
    }, 15_000);
    try {
      await teardown?.();
    } catch (error) {
      console.error('soak: teardown failed:', error instanceof Error ? error.message : error);
    }
    clearTimeout(timer);
  }
  killAll();
  process.exit(code);
}

process.on('exit', killAll);
process.on('SIGINT', () => void exit(130, 'interrupted; stopping everything'));
process.on('SIGTERM', () => void exit(130, 'terminated; stopping everything'));
process.on('uncaughtException', (error) => void exit(2, `uncaught error: ${error.stack ?? error.message}`));
process.on('unhandledRejection', (error) => void exit(2, `unhandled rejection: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));

async function main(): Promise<number> {
  const settings = readSoakSettings();
  ensureBuild();
  if (settings.runs > 1) return runMany(settings);
  const seed = settings.seed ?? freshSeed();
  seedRandom(seed);
  console.log(`soak: seed ${seed} (SOAK_SEED=${seed} plays this schedule again)`);
  const hardDeadline = setTimeout(() => void exit(2, `hard deadline of ${settings.seconds + HARD_DEADLINE_EXTRA_SECONDS} s passed`), (settings.seconds + HARD_DEADLINE_EXTRA_SECONDS) * 1000);
  hardDeadline.unref();
  // Children die on their own a little after the hard deadline, even if this process is killed.
  const lifetime = settings.seconds + HARD_DEADLINE_EXTRA_SECONDS + 30;

  let database: SoakDatabase | undefined;
  let idp: ServiceProcess | undefined;
  let notesApi: ServiceProcess | undefined;
  let instances: AppInstance[] = [];
  let faults: FaultSchedule | undefined;
  teardown = async () => {
    faults?.cancel();
    await Promise.all([...instances.map((instance) => instance.stop()), idp?.stop(), notesApi?.stop()]);
    await database?.drop();
  };

  resetLogs();
  database = await prepareDatabase(settings);
  console.log(`soak: ${settings.browsers} browsers, ${settings.instances} instances, ${settings.seconds} s, database ${database.kind}, IdP quirks: ${settings.idpQuirks || 'none'}; server logs in ${LOG_DIR}/`);
  idp = await startIdp(lifetime, settings.idpQuirks);
  notesApi = await startNotesApi(lifetime);
  instances = appInstances(settings, database.url, lifetime);
  for (const instance of instances) await instance.start();
  await idpControls.reset();

  const startedAt = Date.now();
  const endsAt = startedAt + settings.seconds * 1000;
  faults = new FaultSchedule(settings, instances, startedAt);
  const schedule = faults;
  const metrics = new Metrics(startedAt, () => schedule.describe());
  const transport = new Transport(instances, metrics);
  const browserPlans = plans(settings, startedAt);
  const rscSearch = await rscSearchParams();
  let multiTab = 0;
  const browsers = browserPlans.map((plan, i) => {
    const tabs = random() < 0.25 ? (random() < 0.5 ? 2 : 3) : 1;
    if (tabs > 1) multiTab += 1;
    const startAt = startedAt + between(0, Math.min(10, 0.08 * settings.seconds)) * 1000;
    return new SimulatedBrowser(i + 1, tabs, plan, startAt, { transport, metrics, abortRate: settings.abortRate, rscSearch, endsAt });
  });
  console.log(`soak: started at ${new Date(startedAt).toISOString()}; faults follow`);

  const faultRun = schedule.run();
  const progress = setInterval(() => {
    const at = Math.round((Date.now() - startedAt) / 1000);
    console.log(`[soak ${String(at).padStart(4)} s] ${metrics.requests} requests, ${metrics.unexpectedSignOuts.total} unexpected sign-outs, ${metrics.wrongAdmissions.total} wrong admissions, ${metrics.unexpected5xx.total} unexpected 5xx`);
  }, 15_000);
  await Promise.all(browsers.map((browser) => browser.run()));
  clearInterval(progress);
  schedule.cancel();
  await faultRun;

  // Before teardown drops the database: the registry and audit trail explain each failure.
  const explanations = await explainIncidents(metrics.incidents, database.url);

  let idpStats: IdpStats | undefined;
  try {
    idpStats = await idpControls.stats();
  } catch (error) {
    console.error('soak: could not read the IdP stats:', error instanceof Error ? error.message : error);
  }
  const appCounts = (await Promise.all(instances.map((instance) => instance.counts()))).reduce(addCounts, NO_COUNTS);
  const kills = instances.reduce((sum, instance) => sum + instance.kills, 0);
  const metricsCheck = crossCheck(appCounts, idpStats?.refreshRequests ?? null, { answered: metrics.signOuts, sent: metrics.signOutsSent }, kills);
  const report = buildReport({
    settings,
    seed,
    explanations,
    database: database.kind,
    durationSec: Math.round((Date.now() - startedAt) / 1000),
    browsers: {
      total: browsers.length,
      multiTab,
      signingOut: browserPlans.filter((plan) => plan.kind === 'sign_out').length,
      revoked: browserPlans.filter((plan) => plan.kind === 'revoke_at_idp').length,
      loggedOutAtIdp: browserPlans.filter((plan) => plan.kind === 'logout_at_idp').length,
    },
    metrics,
    idp: idpStats,
    metricsCheck,
    faultLog: schedule.log,
  });
  writeReport(report, settings.reportPath);
  printReport(report, settings.reportPath);
  if (report.unexpected5xx.count > 0) {
    const lines = unhandledErrorLines(LOG_DIR);
    console.log(`\nerrors the app logged without answering them (${LOG_DIR}/):${lines.length ? '' : ' none'}\n${lines.join('\n')}`);
  }
  return report.passed ? 0 : 1;
}

main().then(
  (code) => exit(code),
  (error: unknown) => exit(2, `the run could not complete: ${error instanceof Error ? error.message : String(error)}`),
);
