import { useSyncExternalStore } from 'react';

/**
 * One ticking clock for the dashboard, so the countdown and the chart's "now" line read the
 * same second and move together. It ticks only while something on the page reads it.
 */

const TICK_MS = 1000;

let now: number | null = null;
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function tick(): void {
  now = Date.now() / 1000;
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) {
    tick();
    timer = setInterval(tick, TICK_MS);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size > 0) return;
    clearInterval(timer);
    // A time left from an earlier visit to the page would read as the present on the next
    // one, for one render: long enough for the countdown to think the token had expired.
    now = null;
  };
}

/**
 * The browser's time in epoch seconds, updated every second; null on the server and in the
 * first render, whose HTML must match the server's (the two clocks differ).
 */
export function useNowSeconds(): number | null {
  return useSyncExternalStore(
    subscribe,
    () => now,
    () => null,
  );
}
