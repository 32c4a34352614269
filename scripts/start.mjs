// `npm start`: checks the configuration, applies pending migrations, then `next start`.
import nextEnv from '@next/env';
import { listenAddress, nextCli, runOrExit, supervise } from './processes.mjs';

// The same .env files Next.js reads, so migrations and the dev IdP see the app's settings.
nextEnv.loadEnvConfig(process.cwd(), false);
process.env.NEXT_TELEMETRY_DISABLED ??= '1';

const tsx = ['--conditions=react-server', '--import', 'tsx'];
// Node closes idle keep-alive connections after 5 s; a client (or load balancer) reusing
// one at that moment gets a reset. Outlive the usual 60 s idle timeout of load balancers.
const KEEP_ALIVE_TIMEOUT_MS = process.env.KEEP_ALIVE_TIMEOUT_MS ?? '65000';
const env = { ...process.env, NODE_ENV: 'production' };

runOrExit(process.execPath, [...tsx, 'scripts/check-config.ts'], env);
runOrExit(process.execPath, [...tsx, 'scripts/migrate.ts'], env);

const { port, host } = listenAddress(process.env.APP_URL);
supervise([{ name: 'next start', ...nextCli('start', '--port', port, '--hostname', host, '--keepAliveTimeout', KEEP_ALIVE_TIMEOUT_MS), env }]);
