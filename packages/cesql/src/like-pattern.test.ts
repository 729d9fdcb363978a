import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compileLike } from './like-pattern.ts';

/** A reference matcher built the obvious way, trusted only on short inputs. */
function referenceLike(pattern: string, value: string): boolean {
  let source = '';
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    const next = chars[i + 1];
    if (ch === '\\' && (next === '%' || next === '_')) {
      source += next;
      i++;
    } else if (ch === '%') source += '.*';
    else if (ch === '_') source += '.';
    else source += ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'su').test(value);
}

test('LIKE agrees with a reference matcher on small alphabets', () => {
  const alphabet = fc.constantFrom('a', 'b', '%', '_', '\\', '😀');
  const text = fc.array(alphabet, { maxLength: 10 }).map((chars) => chars.join(''));
  fc.assert(
    fc.property(text, text, (pattern, value) => {
      assert.equal(compileLike(pattern)(value), referenceLike(pattern, value), `${value} LIKE ${pattern}`);
    }),
    { numRuns: 3000 },
  );
});

test('a pattern that makes a backtracking matcher explode stays fast', () => {
  const value = 'a'.repeat(20000);
  const pattern = `${'%a'.repeat(30)}%b`;
  const started = performance.now();
  assert.equal(compileLike(pattern)(value), false);
  assert.ok(performance.now() - started < 1000, 'LIKE took longer than a second');
});

test('_ matches one code point, not one UTF-16 unit', () => {
  assert.equal(compileLike('a_c')('a😀c'), true);
  assert.equal(compileLike('a__c')('a😀c'), false);
});

test('a backslash escapes only % and _; otherwise it is itself', () => {
  assert.equal(compileLike('a\\%')('a%'), true);
  assert.equal(compileLike('a\\%')('ab'), false);
  assert.equal(compileLike('a\\c')('a\\c'), true);
  assert.equal(compileLike('a\\c')('ac'), false);
  assert.equal(compileLike('a\\')('a\\'), true);
});
