/**
 * Log lines about failures that repeat on every request or every read (an IdP refusing
 * this client, a database that is down): each distinct line at most once a minute, so the
 * log says what is wrong without drowning everything else.
 */
const lastLogged = new Map<string, number>();
const REPEAT_AFTER_MS = 60_000;

export function logOncePerMinute(line: string, options: { level?: 'error' | 'warn'; now?: number } = {}): void {
  const now = options.now ?? Date.now();
  const last = lastLogged.get(line);
  if (last !== undefined && now - last < REPEAT_AFTER_MS) return;
  if (lastLogged.size > 1000) lastLogged.clear();
  lastLogged.set(line, now);
  console[options.level ?? 'error'](`renewal: ${line}`);
}
