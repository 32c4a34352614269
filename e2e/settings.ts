/** Ports and settings of the servers the end-to-end suite starts (loopback only). */
export const APP_PORT = 3100;
export const IDP_PORT = 4100;
export const APP_URL = `http://localhost:${APP_PORT}`;
export const IDP_URL = `http://127.0.0.1:${IDP_PORT}`;
/** Short access tokens so the suite can watch them expire. */
export const ACCESS_TOKEN_TTL = 6;
/** The app under test keeps its registry here; wiped at the start of every run. */
export const E2E_DATABASE_FILE = 'data/e2e.db';
