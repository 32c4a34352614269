import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createServer, connect, type Server, type Socket } from 'node:net';
import pg from 'pg';
import { testDatabaseKinds, useTestDb } from '../../db/test-db';
import { followSessionEnds, type SessionEnds } from './session-ends';

/** Resolves once `check` holds, polling every 20 ms; rejects after `timeoutMs`. */
async function eventually(check: () => boolean, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

for (const kind of testDatabaseKinds()) {
describe(`sessions ended anywhere, on ${kind}`, () => {
  const testDb = useTestDb(kind);

  let count = 0;
  async function liveSession(): Promise<string> {
    count += 1;
    const id = `sid-${kind}-${count}`;
    const user = await testDb.db.user.upsert({ where: { id: 'u1' }, create: { id: 'u1', issuer: 'https://idp.test/', subject: 'alice' }, update: {} });
    await testDb.db.session.create({ data: { id, userId: user.id, absoluteExpiresAt: new Date(Date.now() + 3_600_000) } });
    return id;
  }
  const revoke = (id: string) => testDb.db.session.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date(), revokedReason: 'signed_out' } });
  const endsOf = async (id: string) => (await testDb.db.sessionEnd.findMany({ where: { sessionId: id } })).length;

  test('the database logs every end, whatever wrote it: revoking a live session, removing a live row; never one already over', async () => {
    const revoked = await liveSession();
    await revoke(revoked);
    await testDb.db.session.update({ where: { id: revoked }, data: { revokedReason: 'again', revokedAt: new Date() } });
    assert.equal(await endsOf(revoked), 1);
    const removed = await liveSession();
    await testDb.db.session.delete({ where: { id: removed } });
    assert.equal(await endsOf(removed), 1);
    await testDb.db.session.delete({ where: { id: revoked } });
    assert.equal(await endsOf(revoked), 1);
    const live = await liveSession();
    await testDb.db.session.update({ where: { id: live }, data: { lastSeenAt: new Date() } });
    assert.equal(await endsOf(live), 0);
  });

  test('a process hears of an end within a second, once, and not of ends from before it started', async () => {
    const earlier = await liveSession();
    await revoke(earlier);
    const heard: string[] = [];
    const ends = followSessionEnds({ db: testDb.db, onEnded: (id) => heard.push(id), pollMs: 200, onProblem: (error) => assert.fail(String(error)) });
    try {
      await new Promise((resolve) => setTimeout(resolve, 400));
      heard.length = 0;
      const id = await liveSession();
      await revoke(id);
      await eventually(() => heard.includes(id), 1000, `the end of ${id}`);
      await new Promise((resolve) => setTimeout(resolve, 600));
      assert.deepEqual(heard, [id]);
    } finally {
      await ends.stop();
    }
  });

  test('an end that committed late, behind a newer one already heard of, is heard of too', async () => {
    const heard: string[] = [];
    const ends = followSessionEnds({ db: testDb.db, onEnded: (id) => heard.push(id), pollMs: 100 });
    try {
      const first = await liveSession();
      await revoke(first);
      await eventually(() => heard.includes(first), 1000, 'the newer end');
      const newest = await testDb.db.sessionEnd.aggregate({ _max: { atMs: true } });
      await testDb.db.sessionEnd.create({ data: { sessionId: 'late', atMs: newest._max.atMs! - 5_000n } });
      await eventually(() => heard.includes('late'), 1000, 'the late end');
    } finally {
      await ends.stop();
    }
  });

  if (kind !== 'postgresql') return;

  /** Ends the listener's connection from the server's side, as a restart or an operator would. */
  async function killListener(): Promise<number> {
    const admin = new pg.Client({ connectionString: testDb.url });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'renewal-session-ends' AND datname = current_database()`,
      );
      return rowCount ?? 0;
    } finally {
      await admin.end();
    }
  }

  describe('PostgreSQL pushes', () => {
    let ends: SessionEnds;
    const heard: string[] = [];
    // Reads so rare that only the listener, or its catch-up after a reconnect, can deliver.
    before(async () => {
      ends = followSessionEnds({ db: testDb.db, listenUrl: testDb.url, onEnded: (id) => heard.push(id), pollMs: 600_000 });
      await eventually(() => ends.listening(), 5000, 'the listener connects');
    });
    after(() => ends.stop());

    test('an end is heard at commit, on the listener', async () => {
      const id = await liveSession();
      await revoke(id);
      await eventually(() => heard.includes(id), 1000, `the notification for ${id}`);
    });

    test('its pings keep the feed current though it reads every 10 minutes', async () => {
      await new Promise((resolve) => setTimeout(resolve, 6000));
      assert.ok(Date.now() - ends.heardUntil() < 6000, `heard until ${Date.now() - ends.heardUntil()} ms ago`);
    });

    test('with its connection killed, the listener reconnects and catches up on the ends it missed', async () => {
      assert.equal(await killListener(), 1);
      await eventually(() => !ends.listening(), 2000, 'the listener notices');
      const missed = await liveSession();
      await revoke(missed);
      await eventually(() => ends.listening(), 5000, 'the listener reconnects');
      await eventually(() => heard.includes(missed), 2000, `the catch-up read finds ${missed}`);
      const id = await liveSession();
      await revoke(id);
      await eventually(() => heard.includes(id), 1000, 'notifications flow again');
    });
  });

  /**
   * A TCP hop to PostgreSQL that can go silent, as a cut network does (nothing passes,
   * nothing closes), or deaf, as a transaction pooler is to LISTEN: everything passes but
   * the notifications (protocol messages of type 'A').
   */
  async function silenceableHop(): Promise<{ url: string; silent: boolean; deaf: boolean; close(): Promise<void> }> {
    const target = new URL(testDb.url);
    const sockets = new Set<Socket>();
    const hop = { url: '', silent: false, deaf: false, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
    const server: Server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      sockets.add(client).add(upstream);
      for (const socket of [client, upstream]) socket.on('error', () => undefined);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.on('data', (chunk: Buffer) => {
        if (!hop.silent) upstream.write(chunk);
      });
      let pending = Buffer.alloc(0);
      upstream.on('data', (chunk: Buffer) => {
        if (hop.silent) return;
        pending = Buffer.concat([pending, chunk]);
        // Whole messages only: a type byte and a length that counts itself.
        while (pending.length >= 5 && pending.length >= 1 + pending.readUInt32BE(1)) {
          const size = 1 + pending.readUInt32BE(1);
          const message = pending.subarray(0, size);
          pending = pending.subarray(size);
          if (!(hop.deaf && message[0] === 0x41)) client.write(message);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = new URL(testDb.url);
    url.host = `127.0.0.1:${(server.address() as { port: number }).port}`;
    hop.url = url.toString();
    const close = hop.close;
    hop.close = async () => {
      for (const socket of sockets) socket.destroy();
      await close();
    };
    return hop;
  }

  test('a listener that answers but does not hear its notifications (a transaction pooler) never counts, and is dropped', async () => {
    const hop = await silenceableHop();
    hop.deaf = true;
    const problems: string[] = [];
    const ends = followSessionEnds({ db: testDb.db, listenUrl: hop.url, onEnded: () => undefined, pollMs: 600_000, onProblem: (error) => problems.push(String(error)) });
    try {
      await eventually(() => ends.listening(), 5000, 'the listener connects');
      // Its first ping is answered at 5 s; its notification is given up on at 8 s.
      await new Promise((resolve) => setTimeout(resolve, 6500));
      assert.ok(ends.listening());
      assert.ok(Date.now() - ends.heardUntil() > 6000, 'its answered ping does not make the feed current');
      await eventually(() => problems.some((problem) => problem.includes('did not hear its own notification')), 5000, 'it is dropped, saying why');
    } finally {
      await ends.stop();
      await hop.close();
    }
  });

  test('a listener whose network goes silent stops counting at once, is dropped after its unanswered ping, and catches up', async () => {
    const hop = await silenceableHop();
    const heard: string[] = [];
    const ends = followSessionEnds({ db: testDb.db, listenUrl: hop.url, onEnded: (id) => heard.push(id), pollMs: 600_000 });
    try {
      await eventually(() => ends.listening() && Date.now() - ends.heardUntil() < 1500, 8000, 'the listener connects and hears itself');
      hop.silent = true;
      const missed = await liveSession();
      await revoke(missed);
      await eventually(() => Date.now() - ends.heardUntil() > 5500, 8000, 'the feed falls behind');
      await eventually(() => !ends.listening(), 12_000, 'the unanswered ping drops the listener');
      hop.silent = false;
      await eventually(() => ends.listening() && Date.now() - ends.heardUntil() < 1500, 10_000, 'it reconnects and is current again');
      assert.ok(heard.includes(missed), 'the end it could not hear was read on reconnecting');
    } finally {
      await ends.stop();
      await hop.close();
    }
  });
});
}
