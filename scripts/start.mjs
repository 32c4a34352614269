// `npm start`: checks the configuration, applies pending migrations, then `next start`.
import { listenAddress, runOrExit, supervise } from './processes.mjs';

const tsx = ['--conditions=react-server', '--import', 'tsx'];
const env = { ...process.env, NODE_ENV: 'production' };

runOrExit(process.execPath, [...tsx, 'scripts/check-config.ts'], env);
runOrExit(process.execPath, [...tsx, 'scripts/migrate.ts'], env);

const { port, host } = listenAddress(process.env.APP_URL);
supervise([{ name: 'next start', command: 'npx', args: ['next', 'start', '--port', port, '--hostname', host], env }]);
