/** A fresh, migrated SQLite database in a temporary folder, for tests that need a real one. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDb, type Db } from './client';
import { migrate } from './migrate';

export interface TestDb {
  readonly db: Db;
  readonly url: string;
  close(): Promise<void>;
}

export function createTestDb(): TestDb {
  const dir = mkdtempSync(join(tmpdir(), 'renewal-test-'));
  const url = `file:${join(dir, 'test.db')}`;
  migrate(url);
  const db = createDb(url);
  return {
    db,
    url,
    async close() {
      await db.$disconnect();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
