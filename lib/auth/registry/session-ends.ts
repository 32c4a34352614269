import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Db } from '../../db/client';

/**
 * Sessions ended anywhere, pushed to this process: how a sign-out handled by one instance
 * is refused by the others within a second, instead of when their cached verdict expires.
 *
 * Database triggers (migration 0005) log every session that ends, whatever wrote it, in
 * the SessionEnd table. Each process reads what is new twice a second — one indexed query
 * for all sessions, whatever their number. On PostgreSQL it also LISTENs, on a connection
 * of its own, on the channel the trigger notifies at commit, and so hears of an end at
 * once; while it listens, it reads only once a minute (for ends whose notification it could
 * not have heard). A lost listener (a restart, pg_terminate_backend, the network) is
 * reconnected with back-off and reads what it missed; meanwhile the reads go back to twice
 * a second, so no end is missed. An end is heard of again at most a few times (the reads overlap, to
 * see transactions that committed late); forgetting a verdict twice costs one registry
 * read.
 *
 * `heardUntil()` says how far the feed is known to be complete, so that a cached verdict
 * is trusted only while it is: a read covers every end committed before it began; a live
 * listener covers every end since it began listening, up to its last answered ping: an
 * empty query every 5 s on its connection, answered after the notifications pending
 * there (an idle backend sends them as they come). A listener whose connection died
 * silently stops answering, and so stops counting. PostgreSQL counts each ping as a
 * transaction, though it does no work: every 5 s rather than every second keeps that
 * fixed cost under the batched writes' (docs/SCALING.md), at the price of an end going
 * unheard up to 9 s when a connection dies without a word.
 *
 * A connection that answers but does not hear — one through a pool that hands its
 * server connection to others between transactions (PgBouncer in transaction mode) — is
 * caught by a NOTIFY on a channel of this process's own, sent when the listener connects
 * and every minute: until it is heard back the listener does not count, and if it is not
 * heard within 8 s the listener is dropped, with a log line that says why.
 */
export interface SessionEndsOptions {
  readonly db: Db;
  /** PostgreSQL: where to LISTEN; SQLite: undefined (one machine, the reads suffice). */
  readonly listenUrl?: string;
  /** Called for each session that ended, at least once. */
  onEnded(sessionId: string): void;
  /** How often to read while not listening (default 500 ms). */
  readonly pollMs?: number;
  /** Called when a read or the listener fails; the feed carries on. */
  onProblem?(error: unknown): void;
}

export interface SessionEnds {
  /** Whether the PostgreSQL listener is connected (false on SQLite). */
  listening(): boolean;
  /** Epoch ms before which every end has been passed to onEnded (0: nothing known yet). */
  heardUntil(): number;
  stop(): Promise<void>;
}

const SESSION_ENDED_CHANNEL = 'renewal_session_ended';
/** How far back each read looks, in the database's clock, for ends that committed late. */
const OVERLAP_MS = 10_000;
/**
 * How often to read while the listener hears every end that commits: a backstop only (the
 * pings prove the listener hears), and the one cost that does not follow sessions ended:
 * one query per instance per interval (docs/SCALING.md).
 */
const LISTENING_READ_MS = 60_000;
/** How often a live listener proves its connection is alive, and that it hears its own notifications; how long each may take. */
const PING_MS = 5_000;
const HEARING_CHECK_MS = 60_000;
const PING_TIMEOUT_MS = 5_000;
const HEARING_TIMEOUT_MS = 8_000;
const READ_BATCH = 1000;
const RECONNECT_MAX_MS = 30_000;

export function followSessionEnds(options: SessionEndsOptions): SessionEnds {
  const pollMs = options.pollMs ?? 500;
  const problem = (error: unknown) => options.onProblem?.(error);
  /** Ends already passed on, by id, with when they happened. */
  const seen = new Map<number, number>();
  let horizon: number | undefined;
  let stopped = false;
  let reading: Promise<void> | undefined;
  let readAgain = false;
  let lastReadAt = 0;
  /** When the last read that succeeded began: every end committed before then was heard. */
  let readUntil = 0;
  let listener: pg.Client | undefined;
  let connected = false;
  /** When the listener began listening, and when the last ping it heard back was sent. */
  let listeningSince = 0;
  let pingedAt = 0;
  /** This process's own channel for pings, and how many it sent. */
  const pingChannel = `renewal_listener_${randomBytes(8).toString('hex')}`;
  let pings = 0;
  let retryMs = 500;
  let reconnect: NodeJS.Timeout | undefined;

  async function readNew(): Promise<void> {
    const startedAt = Date.now();
    lastReadAt = startedAt;
    if (horizon === undefined) {
      const newest = await options.db.sessionEnd.aggregate({ _max: { atMs: true } });
      horizon = Number(newest._max.atMs ?? 0) - OVERLAP_MS;
    }
    let newest = horizon + OVERLAP_MS;
    let after = 0;
    for (;;) {
      const rows = await options.db.sessionEnd.findMany({ where: { atMs: { gt: BigInt(horizon) }, id: { gt: after } }, orderBy: { id: 'asc' }, take: READ_BATCH });
      for (const row of rows) {
        newest = Math.max(newest, Number(row.atMs));
        if (seen.has(row.id)) continue;
        seen.set(row.id, Number(row.atMs));
        options.onEnded(row.sessionId);
      }
      if (rows.length < READ_BATCH) break;
      after = rows.at(-1)!.id;
    }
    horizon = Math.max(horizon, newest - OVERLAP_MS);
    for (const [id, atMs] of seen) if (atMs <= horizon) seen.delete(id);
    readUntil = Math.max(readUntil, startedAt);
  }

  function heardUntil(): number {
    // The listener's span counts only once a read has covered what came before it.
    const listenerCovers = connected && readUntil >= listeningSince;
    return listenerCovers ? Math.max(readUntil, pingedAt) : readUntil;
  }

  /** One read at a time; a tick that finds one running asks for another after it (it may have begun too early). */
  function tick(): Promise<void> {
    if (reading) {
      readAgain = true;
      return reading;
    }
    reading = readNew()
      .catch(problem)
      .finally(() => {
        reading = undefined;
        if (readAgain && !stopped) {
          readAgain = false;
          void tick();
        }
      });
    return reading;
  }

  const timer = setInterval(() => {
    if (!connected || Date.now() - lastReadAt >= LISTENING_READ_MS) void tick();
  }, pollMs);
  timer.unref();

  void tick();

  async function listen(url: string): Promise<void> {
    const client = new pg.Client({ connectionString: url, application_name: 'renewal-session-ends' });
    listener = client;
    let pinger: NodeJS.Timeout | undefined;
    /** Whether this connection has heard a notification of its own, and the one sent and not yet heard. */
    let hears = false;
    let awaited: { readonly nonce: string; readonly sentAt: number } | undefined;
    let lastCheckAt = 0;
    let hearingTimeout: NodeJS.Timeout | undefined;
    const checkHearing = () => {
      if (awaited || Date.now() - lastCheckAt < HEARING_CHECK_MS) return;
      lastCheckAt = Date.now();
      const sent = { nonce: String(++pings), sentAt: lastCheckAt };
      awaited = sent;
      hearingTimeout = setTimeout(() => {
        if (awaited === sent) lost(new Error(`the listener did not hear its own notification within ${HEARING_TIMEOUT_MS} ms: connect it to PostgreSQL directly or through a session-mode pool, not PgBouncer in transaction mode (docs/SCALING.md)`));
      }, HEARING_TIMEOUT_MS);
      hearingTimeout.unref();
      client.query(`NOTIFY ${pingChannel}, '${sent.nonce}'`).catch(() => undefined);
    };
    /** A ping unanswered in PING_TIMEOUT_MS means a connection that died without a word (a network cut): reconnect. */
    const ping = async () => {
      checkHearing();
      const sentAt = Date.now();
      let timeout: NodeJS.Timeout | undefined;
      const unanswered = new Promise<'unanswered'>((resolve) => {
        timeout = setTimeout(() => resolve('unanswered'), PING_TIMEOUT_MS);
        timeout.unref();
      });
      try {
        const answer = await Promise.race([client.query(';'), unanswered]);
        if (answer === 'unanswered') lost(new Error(`the listener did not answer a ping within ${PING_TIMEOUT_MS} ms`));
        else if (listener === client && hears) pingedAt = Math.max(pingedAt, sentAt);
      } catch {
        // The connection's own error and end events report it and reconnect.
      } finally {
        clearTimeout(timeout);
      }
    };
    const lost = (error?: unknown) => {
      if (error) problem(error);
      clearInterval(pinger);
      clearTimeout(hearingTimeout);
      if (listener !== client) return;
      listener = undefined;
      connected = false;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (stopped) return;
      reconnect = setTimeout(() => void listen(url), retryMs);
      reconnect.unref();
      retryMs = Math.min(retryMs * 2, RECONNECT_MAX_MS);
    };
    client.on('error', lost);
    client.on('end', () => lost());
    client.on('notification', (message) => {
      if (message.channel === SESSION_ENDED_CHANNEL && message.payload) options.onEnded(message.payload);
      const heard = awaited;
      if (message.channel === pingChannel && heard && message.payload === heard.nonce) {
        hears = true;
        if (listener === client) pingedAt = Math.max(pingedAt, heard.sentAt);
        awaited = undefined;
      }
    });
    try {
      await client.connect();
      if (stopped) {
        await client.end();
        return;
      }
      // The listener must not keep a process alive: a test, a script, a shutdown.
      (client as unknown as { connection?: { stream?: { unref?(): void } } }).connection?.stream?.unref?.();
      await client.query(`LISTEN ${SESSION_ENDED_CHANNEL}; LISTEN ${pingChannel}`);
      connected = listener === client;
      listeningSince = Date.now();
      pingedAt = 0;
      retryMs = 500;
      pinger = setInterval(() => void ping(), PING_MS);
      pinger.unref();
      checkHearing();
      // Ends that committed while nobody listened.
      void tick();
    } catch (error) {
      lost(error);
    }
  }

  if (options.listenUrl) void listen(options.listenUrl);

  return {
    listening: () => connected,
    heardUntil,
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(reconnect);
      const client = listener;
      listener = undefined;
      connected = false;
      await Promise.all([reading, client?.end().catch(() => undefined)]);
    },
  };
}
