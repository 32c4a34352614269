import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

test('docs/TESTING.md quotes e2e/flows/example.spec.ts as it is', () => {
  const blocks = [...read('docs/TESTING.md').matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
  assert.ok(blocks.includes(read('e2e/flows/example.spec.ts')), 'the "Write your own flow" example differs from e2e/flows/example.spec.ts: copy the file into the doc');
});
