import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { compile, evaluate } from './index.ts';

// <repo>/../shared/conformance/cesql: the official TCK sits beside the repository, never inside it.
const TCK_DIR = fileURLToPath(new URL('../../../../shared/conformance/cesql/', import.meta.url));

interface TckCase {
  name: string;
  expression: string;
  result?: boolean | number | string;
  error?: string;
  event?: Record<string, unknown>;
  eventOverrides?: Record<string, unknown>;
}

interface TckFile {
  name: string;
  tests: TckCase[];
}

// Any valid event serves when a case gives none: only the required attributes.
const BASE_EVENT = { specversion: '1.0', id: 'tck-id', source: 'tck://source', type: 'tck.type' };

const files = readdirSync(TCK_DIR)
  .filter((file) => file.endsWith('.yaml'))
  .sort();
let total = 0;
let passed = 0;

test('the TCK is present', () => {
  assert.ok(files.length >= 18, `expected the 18 TCK files in ${TCK_DIR}, found ${files.length}`);
});

for (const file of files) {
  const text = readFileSync(`${TCK_DIR}${file}`, 'utf8');
  const suite = parseYaml(text) as TckFile;
  // Expressions such as `TRUE` or `0` would load as YAML booleans and numbers: read them as written.
  const verbatim = parseYaml(text, { schema: 'failsafe' }) as { tests: Array<{ expression: string }> };
  describe(`${file}: ${suite.name}`, () => {
    suite.tests.forEach((tck, i) => {
      total++;
      const expression = verbatim.tests[i]?.expression ?? '';
      test(tck.name, () => {
        runCase({ ...tck, expression });
        passed++;
      });
    });
  });
}

function runCase(tck: TckCase): void {
  const compiled = compile(tck.expression);
  if (!compiled.ok) {
    assert.equal(tck.error, 'parse', `unexpected parse error: ${compiled.error.message}`);
    return;
  }
  assert.notEqual(tck.error, 'parse', 'expected a parse error');
  const event = tck.event ?? { ...BASE_EVENT, ...tck.eventOverrides };
  const { value, errors } = evaluate(compiled.compiled, event);
  if (tck.result !== undefined) assert.deepEqual(value, tck.result);
  const kinds = [...new Set(errors.map((error) => error.kind))];
  assert.deepEqual(kinds, tck.error === undefined ? [] : [tck.error], JSON.stringify(errors));
}

after(() => {
  console.log(`CESQL TCK: ${passed}/${total}`);
});
