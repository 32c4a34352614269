import { type SpawnedServer, startServer } from './servers';
import { ACCESS_TOKEN_TTL, appEnv, CLIENT_ID, CLIENT_SECRET } from './settings';

/**
 * Servers the specs start and kill themselves: another instance of the same build, served
 * as `npm start` serves it (scripts/serve.mjs; sharing the first instance's database and,
 * unless told otherwise, its APP_URL, as a second server behind a load balancer would), or
 * another dev IdP.
 */
export interface Instance extends SpawnedServer {
  readonly url: string;
}

const START_TIMEOUT_MS = 30_000;

/** Starts an app instance on `port`; `env` overrides the suite's settings (e.g. another SESSION_SECRET). */
export async function startInstance(port: number, env: Record<string, string> = {}): Promise<Instance> {
  const server = await startServer({
    name: `instance on port ${port}`,
    args: ['scripts/serve.mjs'],
    env: { ...process.env, ...appEnv(port), ...env, NODE_ENV: 'production' },
    readyUrl: `http://127.0.0.1:${port}/status`,
    timeoutMs: START_TIMEOUT_MS,
  });
  return { ...server, url: `http://localhost:${port}` };
}

/** Starts a dev IdP on `port` (test controls on); `env` sets its APP_URL, client and quirks. */
export async function startIdp(port: number, env: Record<string, string>): Promise<Instance> {
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer({
    name: `dev IdP on port ${port}`,
    args: ['--import', 'tsx', 'idp/server.ts'],
    env: { ...process.env, DEV_IDP_TEST_CONTROLS: '1', ...env, DEV_IDP_PORT: String(port) },
    readyUrl: `${url}/.well-known/openid-configuration`,
    timeoutMs: START_TIMEOUT_MS,
  });
  return { ...server, url };
}

/** Starts a notes API on `port` that trusts `issuer`'s access tokens. */
export async function startNotesApi(port: number, issuer: string): Promise<Instance> {
  const url = `http://127.0.0.1:${port}`;
  const server = await startServer({
    name: `notes API on port ${port}`,
    args: ['--import', 'tsx', 'resource/server.ts'],
    env: { ...process.env, RESOURCE_PORT: String(port), RESOURCE_ISSUER: issuer },
    readyUrl: `${url}/health`,
    timeoutMs: START_TIMEOUT_MS,
  });
  return { ...server, url };
}

/** A dev IdP of a spec's own, a notes API trusting it, and an app instance signing in there. */
export interface OwnStack {
  readonly idp: Instance;
  readonly notesApi: Instance;
  readonly app: Instance;
  /** Starts the app again with `env` added to its settings. */
  restartApp(env: Record<string, string>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The stack a spec runs on its own when it changes the IdP (its accounts, its quirks) or
 * the app's settings, which the suite's servers must not see.
 */
export async function startOwnStack(ports: { readonly app: number; readonly idp: number; readonly notesApi: number }, env: { readonly idp?: Record<string, string>; readonly app?: Record<string, string> } = {}): Promise<OwnStack> {
  const appUrl = `http://localhost:${ports.app}`;
  const idp = await startIdp(ports.idp, { OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET, APP_URL: appUrl, DEV_IDP_ACCESS_TOKEN_TTL: String(ACCESS_TOKEN_TTL), ...env.idp });
  const notesApi = await startNotesApi(ports.notesApi, idp.url);
  const appSettings = { APP_URL: appUrl, OIDC_ISSUER: idp.url, NOTES_API_URL: notesApi.url, ...env.app };
  let app = await startInstance(ports.app, appSettings);
  return {
    idp,
    notesApi,
    get app() {
      return app;
    },
    async restartApp(more) {
      await app.kill();
      app = await startInstance(ports.app, { ...appSettings, ...more });
    },
    async stop() {
      await app.kill();
      await notesApi.kill();
      await idp.kill();
    },
  };
}
