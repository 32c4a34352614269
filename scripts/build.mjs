// `npm run build`: `next build` without Next.js's telemetry, as `npm run dev` and
// `npm start` run. Only the project's own scripts opt out: whoever runs `next build`
// themselves sees Next's notice and keeps their own choice (`next telemetry`).
import { nextCli, runOrExit } from './processes.mjs';

process.env.NEXT_TELEMETRY_DISABLED ??= '1';
const { command, args } = nextCli('build', ...process.argv.slice(2));
runOrExit(command, args);
