import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = new URL('../src/', import.meta.url).pathname;
const MAX_LINES = 300; // past this a module usually holds more than one job: split it along the jobs

function modules(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : []));
}

test(`no module in src/ has more than ${MAX_LINES} lines`, () => {
  const files = modules(SRC);
  assert.ok(files.length > 10, files);
  const long = files.map((f) => [relative(SRC, f), readFileSync(f, 'utf8').split('\n').length - 1]).filter(([, n]) => n > MAX_LINES);
  assert.deepEqual(long, []);
});
