/**
 * Reads Prometheus's text exposition format, as far as the checks of what the app exports
 * need (e2e/telemetry.spec.ts, the soak's cross-check): the sum of the samples of one
 * metric whose labels include the given ones.
 */
export function sumSamples(exposition: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)/.exec(line);
    if (!match || match[1] !== name) continue;
    const text = match[2] ?? '';
    if (Object.entries(labels).every(([key, value]) => text.includes(`${key}="${value}"`))) sum += Number(match[3]);
  }
  return sum;
}
