import { defineConfig } from 'prisma/config';

// Only `prisma generate` uses this file. Migrations are applied by scripts/migrate.ts
// (no schema-engine download); see docs/DATABASE.md.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
