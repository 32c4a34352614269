import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Controls for the end-to-end suite, mounted only with RESOURCE_TEST_CONTROLS=1 and
 * answering loopback callers only: fail with 503, reject the next requests' tokens
 * (as after a key rotation or a revocation the app cannot see), and count requests.
 */
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export function createTestControls() {
  let failing = false;
  let rejectNext = 0;
  let stats = { served: 0, unauthorized: 0 };

  function send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  }

  return {
    failing: () => failing,
    /** True for each of the next `rejectNext` requests. */
    rejectingNext(): boolean {
      if (rejectNext === 0) return false;
      rejectNext -= 1;
      return true;
    },
    count(kind: keyof typeof stats): void {
      stats[kind] += 1;
    },
    async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
      if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) return send(res, 403, { error: 'loopback only' });
      const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
      const route = `${req.method} ${path}`;
      if (route === 'GET /__test/stats') return send(res, 200, { ...stats, failing, rejectNext });
      if (route === 'POST /__test/reset') {
        failing = false;
        rejectNext = 0;
        stats = { served: 0, unauthorized: 0 };
        return send(res, 200, { ok: true });
      }
      if (route === 'POST /__test/fail') {
        failing = query.get('on') !== '0';
        return send(res, 200, { failing });
      }
      if (route === 'POST /__test/reject-next') {
        rejectNext = Number(query.get('count') ?? '1') || 1;
        return send(res, 200, { rejectNext });
      }
      return send(res, 404, { error: 'unknown test control' });
    },
  };
}

export type TestControls = ReturnType<typeof createTestControls>;
