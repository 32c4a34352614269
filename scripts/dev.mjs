// `npm run dev`: migrations, the dev IdP (unless OIDC_ISSUER points elsewhere) and `next dev`.
import nextEnv from '@next/env';
import { listenAddress, nextCli, runOrExit, supervise } from './processes.mjs';

// The same .env files Next.js reads, so migrations and the dev IdP see the app's settings.
nextEnv.loadEnvConfig(process.cwd(), true);
process.env.NEXT_TELEMETRY_DISABLED ??= '1';

const appUrl = process.env.APP_URL ?? 'http://localhost:3000';
const usesDevIdp = !process.env.OIDC_ISSUER;
const tsx = ['--conditions=react-server', '--import', 'tsx'];

runOrExit(process.execPath, [...tsx, 'scripts/migrate.ts']);

const { port, host } = listenAddress(appUrl);
const children = [{ name: 'next dev', ...nextCli('dev', '--port', port, '--hostname', host) }];
if (usesDevIdp) {
  children.unshift(
    { name: 'dev IdP', command: process.execPath, args: ['--import', 'tsx', 'idp/server.ts'], env: { ...process.env, APP_URL: appUrl } },
    { name: 'notes API', command: process.execPath, args: ['--import', 'tsx', 'resource/server.ts'], env: process.env },
  );
}
supervise(children);

console.log(`
  Renewal is starting at ${appUrl}
  ${usesDevIdp ? `Dev IdP at http://127.0.0.1:${process.env.DEV_IDP_PORT ?? 4000}: sign in as alice / password or bob / password
  Notes API at http://127.0.0.1:${process.env.RESOURCE_PORT ?? 4001} (checks the access tokens the app sends it)` : `IdP: ${process.env.OIDC_ISSUER}`}
`);
