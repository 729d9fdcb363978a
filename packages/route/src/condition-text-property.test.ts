import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { validateCondition } from './condition-ast.ts';
import { printCondition } from './condition-printer.ts';
import { parseCondition } from './condition-text.ts';
import { anyString, condition } from './testing/condition-arbitraries.ts';

const VOCABULARY = [
  '(',
  ')',
  '[',
  ']',
  ',',
  ' ',
  'and',
  'or',
  'not',
  'sql',
  'payload.a',
  'source',
  'payloads.x',
  'eq',
  'in',
  'gt',
  'exists',
  'contains',
  '"x"',
  '"',
  '\\',
  '1',
  '-',
  '-0',
  '1e999',
  'true',
  'null',
  '.',
];

/** Checks the result's shape: a valid condition, or an error whose column lies inside the text. */
function assertWellFormed(text: string): void {
  const result = parseCondition(text);
  if (result.ok) {
    assert.ok(validateCondition(result.condition, { sql: true }).ok);
    return;
  }
  const { column, message } = result.error;
  assert.ok(Number.isInteger(column) && column >= 1 && column <= text.length + 1, `column ${column}`);
  assert.ok(message.startsWith(`column ${column}: `), message);
}

describe('condition text: properties', () => {
  it('parse(print(ast)) deep-equals ast', () => {
    fc.assert(
      fc.property(condition, (ast) => {
        fc.pre(validateCondition(ast, { sql: true }).ok);
        const text = printCondition(ast);
        const parsed = parseCondition(text);
        assert.ok(parsed.ok, `${text}\n${parsed.ok ? '' : parsed.error.message}`);
        assert.deepStrictEqual(parsed.condition, ast);
      }),
      { numRuns: 2000 },
    );
  });

  it('never throws on arbitrary text, and always answers with a result', () => {
    fc.assert(fc.property(anyString, assertWellFormed), { numRuns: 2000 });
  });

  it('never throws on soups of its own tokens', () => {
    const soup = fc.array(fc.constantFrom(...VOCABULARY), { maxLength: 30 }).map((parts) => parts.join(' '));
    const glued = fc.array(fc.constantFrom(...VOCABULARY), { maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(fc.property(fc.oneof(soup, glued), assertWellFormed), { numRuns: 3000 });
  });

  it('never throws on printed conditions cut or spliced anywhere', () => {
    const mutated = fc.tuple(condition, fc.nat(), fc.nat(), anyString).map(([ast, cut, at, insert]) => {
      const text = printCondition(ast);
      const i = at % (text.length + 1);
      return `${text.slice(0, i)}${insert}${text.slice(i + (cut % 4))}`;
    });
    fc.assert(fc.property(mutated, assertWellFormed), { numRuns: 2000 });
  });
});
