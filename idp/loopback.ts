import type { IncomingMessage } from 'node:http';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Did the request come from this machine? The IdP's dev-only pages and test controls
 * answer nobody else, even if DEV_IDP_ISSUER puts the IdP behind another name.
 */
export function fromLoopback(req: IncomingMessage): boolean {
  return LOOPBACK.has(req.socket.remoteAddress ?? '');
}
