import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { unhandledErrorLines } from './server-errors';

test('a failed run shows the errors no handler of ours logged, not our own log lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'soak-logs-'));
  writeFileSync(
    join(dir, 'app-3201.log'),
    [
      '{"level":30,"event":"refresh","msg":"refresh"}',
      'renewal: recent events could not be read: ',
      'Invalid `prisma.auditEvent.findMany()` invocation:',
      'Database error. Code: `57P01`. Message: `terminating connection due to administrator command`',
      ' ⨯ Error: the database system is shutting down',
      '    at async Dashboard (.next/server/app/(protected)/dashboard/page.js:1:2)',
      "  digest: '2417853947'",
      'serve: listening on http://127.0.0.1:3201',
      'PrismaClientKnownRequestError: ',
      'Invalid `prisma.session.findUnique()` invocation:',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'idp.log'), 'Error: not an app log\n');
  assert.deepEqual(unhandledErrorLines(dir), [
    'app-3201.log:  ⨯ Error: the database system is shutting down',
    'app-3201.log:     at async Dashboard (.next/server/app/(protected)/dashboard/page.js:1:2)',
    "app-3201.log:   digest: '2417853947'",
    'app-3201.log: PrismaClientKnownRequestError: ',
    'app-3201.log: Invalid `prisma.session.findUnique()` invocation:',
  ]);
  assert.deepEqual(unhandledErrorLines(join(dir, 'missing')), []);
});
