/**
 * One line per session event — a sign-in, a renewal, an adoption, a refusal, an end —
 * as the audit trail records it: JSON in production (for a log pipeline), readable in
 * development. Each line has the event, the session's handle (a hash of its id, the one
 * the sessions page uses: never the id itself, which is a bearer secret inside the
 * cookie), the reason, and the trace id when a trace is being recorded. pino: fast, and
 * writes JSON lines without a formatter of our own.
 */
import { trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export interface LoggedEvent {
  readonly event: string;
  readonly session?: string;
  readonly reason?: string;
}

const globalForLog = globalThis as unknown as { renewalEventLog?: Logger };

function createLogger(): Logger {
  const level = process.env.LOG_LEVEL?.trim() || 'info';
  if (process.env.NODE_ENV === 'production') return pino({ level, base: { service: 'renewal' }, timestamp: pino.stdTimeFunctions.isoTime });
  return pino({ level }, pretty({ sync: true, colorize: process.stdout.isTTY === true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss' }));
}

export function logEvent(entry: LoggedEvent): void {
  const logger = (globalForLog.renewalEventLog ??= createLogger());
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  logger.info({ ...entry, ...(traceId ? { trace_id: traceId } : {}) }, entry.event);
}
