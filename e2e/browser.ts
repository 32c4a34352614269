import { chromium } from '@playwright/test';
import { existsSync } from 'node:fs';

/**
 * Which Chromium the end-to-end suite drives: PLAYWRIGHT_CHROMIUM_EXECUTABLE if set,
 * else Playwright's own browser if installed, else Debian's /usr/bin/chromium.
 * Returns undefined for Playwright's own browser.
 */
export function chromiumExecutable(): string | undefined {
  const override = process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE;
  if (override) {
    if (!existsSync(override)) throw new Error(`PLAYWRIGHT_CHROMIUM_EXECUTABLE points at ${override}, which does not exist.`);
    return override;
  }
  try {
    if (existsSync(chromium.executablePath())) return undefined;
  } catch {
    // Playwright has no browser of its own here; look for the system one.
  }
  for (const candidate of ['/usr/bin/chromium', '/usr/bin/chromium-browser']) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(
    'No Chromium found for the end-to-end tests. Install one of:\n' +
      '  - Debian/Ubuntu: sudo apt-get install chromium\n' +
      '  - Playwright\'s own: npx playwright install chromium\n' +
      'or set PLAYWRIGHT_CHROMIUM_EXECUTABLE=/path/to/chrome.',
  );
}
