// `npm start`: checks the configuration, applies pending migrations, then `next start`.
import nextEnv from '@next/env';
import { listenAddress, nextCli, runOrExit, supervise } from './processes.mjs';

// The same .env files Next.js reads, so migrations and the dev IdP see the app's settings.
nextEnv.loadEnvConfig(process.cwd(), false);
process.env.NEXT_TELEMETRY_DISABLED ??= '1';

const tsx = ['--conditions=react-server', '--import', 'tsx'];
const env = { ...process.env, NODE_ENV: 'production' };

runOrExit(process.execPath, [...tsx, 'scripts/check-config.ts'], env);
runOrExit(process.execPath, [...tsx, 'scripts/migrate.ts'], env);

const { port, host } = listenAddress(process.env.APP_URL);
supervise([{ name: 'next start', ...nextCli('start', '--port', port, '--hostname', host), env }]);
