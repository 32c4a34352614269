// `npm start`: checks the configuration, applies pending migrations, then serves the
// production build (scripts/serve.mjs).
import { fileURLToPath } from 'node:url';
import nextEnv from '@next/env';
import { runOrExit, shutdownTimeoutMs, supervise } from './processes.mjs';

// The same .env files Next.js reads, so migrations and the dev IdP see the app's settings.
nextEnv.loadEnvConfig(process.cwd(), false);
process.env.NEXT_TELEMETRY_DISABLED ??= '1';

const tsx = ['--conditions=react-server', '--import', 'tsx'];
const env = { ...process.env, NODE_ENV: 'production' };
// The server stops itself within SHUTDOWN_TIMEOUT_MS of a signal; SIGKILL only if it hangs.
const stopTimeoutMs = shutdownTimeoutMs() + 2000;

runOrExit(process.execPath, [...tsx, 'scripts/check-config.ts'], env);
runOrExit(process.execPath, [...tsx, 'scripts/migrate.ts'], env);

supervise([{ name: 'server', command: process.execPath, args: [fileURLToPath(new URL('serve.mjs', import.meta.url))], env }], { stopTimeoutMs });
