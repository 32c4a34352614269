/**
 * oidc-provider, imported without its "Unsupported runtime" warning: it names every Node
 * older than its newest LTS line, and the dev IdP is supported and tested on Node 20.19+
 * (README, "Node versions"). Only that one line is dropped; every other warning stays.
 */
const warn = console.warn;
console.warn = (...args: unknown[]) => {
  if (!String(args[0]).includes('oidc-provider WARNING: Unsupported runtime')) warn(...args);
};
let loaded: typeof import('oidc-provider');
try {
  loaded = await import('oidc-provider');
} finally {
  console.warn = warn;
}

export const { default: Provider, errors } = loaded;
export type { Configuration } from 'oidc-provider';
