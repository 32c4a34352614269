/**
 * The soak's one source of randomness, seeded (SOAK_SEED) so that a failing run's schedule
 * — which browsers end their sessions and when, think times, fan-out, aborts, the load
 * balancer's picks — can be played again. Timing on a shared machine still varies, so a
 * replay repeats the schedule, not every interleaving.
 */

/** mulberry32: small, fast, and good enough to draw a schedule from. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let next = mulberry32(1);

/** Seeds the generator; every draw after this follows from `seed`. */
export function seedRandom(seed: number): void {
  next = mulberry32(seed);
}

/** A fresh seed for a run that was given none. */
export function freshSeed(): number {
  return Math.floor(Math.random() * 2 ** 31);
}

/** A draw in [0, 1). */
export function random(): number {
  return next();
}

export const between = (min: number, max: number) => min + random() * (max - min);
export const intBetween = (min: number, max: number) => Math.floor(between(min, max + 1));
export const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
