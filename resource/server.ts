/**
 * The notes API: a small resource server beside the dev IdP, reached by the app only over
 * HTTP. Its routes are in handler.ts; this file reads the settings and listens.
 */
import { createServer } from 'node:http';
import { createNotesApi } from './handler.js';
import { NotesStore } from './notes-store.js';
import { readSettings } from './settings.js';
import { createTestControls } from './test-controls.js';
import { createTokenVerifier } from './verify-token.js';

const settings = readSettings();
const controls = settings.testControls ? createTestControls() : undefined;
const server = createServer(
  createNotesApi({
    verifier: createTokenVerifier(settings.issuer, settings.audience, settings.scope),
    store: new NotesStore(),
    controls,
  }),
);

server.listen(settings.port, settings.host, () => {
  console.log(`notes API: http://${settings.host}:${settings.port} (tokens from ${settings.issuer}, audience ${settings.audience}${controls ? ', test controls on' : ''})`);
});

function stop(): void {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
