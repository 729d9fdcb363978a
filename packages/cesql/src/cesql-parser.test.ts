import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from './cesql-parser.ts';
import type { Expression } from './expression-ast.ts';

function tree(text: string): Expression {
  const parsed = parse(text);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.message);
  return parsed.expression;
}

function parseError(text: string, limits = {}) {
  const parsed = parse(text, limits);
  assert.ok(!parsed.ok, `expected a parse error for ${text.slice(0, 40)}`);
  return parsed.error;
}

const a = { kind: 'attribute', name: 'a' } as const;
const b = { kind: 'attribute', name: 'b' } as const;
const c = { kind: 'attribute', name: 'c' } as const;

test('a parse error names the column of the offending token', () => {
  const error = parseError('x LIKE 123');
  assert.equal(error.position, 7);
  assert.match(error.message, /column 8/);
  assert.equal(parseError('ABC(').position, 4);
  assert.equal(parseError("'open").position, 0);
  assert.equal(parseError('a # b').position, 2);
});

test('AND, OR and XOR share one level and associate to the left (spec 3.6)', () => {
  assert.deepEqual(tree('a OR b AND c'), {
    kind: 'binary',
    operator: 'AND',
    left: { kind: 'binary', operator: 'OR', left: a, right: b },
    right: c,
  });
});

test('LIKE binds tighter than arithmetic, NOT tighter than LIKE (spec 3.6)', () => {
  assert.deepEqual(tree("a + b LIKE 'x'"), {
    kind: 'binary',
    operator: '+',
    left: a,
    right: { kind: 'like', negated: false, operand: b, pattern: 'x' },
  });
  assert.deepEqual(tree("NOT a LIKE 'x'"), {
    kind: 'like',
    negated: false,
    operand: { kind: 'not', operand: a },
    pattern: 'x',
  });
  assert.deepEqual(tree("a NOT LIKE 'x'"), { kind: 'like', negated: true, operand: a, pattern: 'x' });
});

test('the most negative Integer is one literal; one past either bound is a parse error', () => {
  assert.deepEqual(tree('-2147483648'), { kind: 'literal', value: -2147483648 });
  assert.deepEqual(tree('+7'), { kind: 'literal', value: 7 });
  assert.deepEqual(tree('--7'), { kind: 'negate', operand: { kind: 'literal', value: -7 } });
  assert.match(parseError('2147483648').message, /32 bits/);
  assert.match(parseError('-2147483649').message, /32 bits/);
});

test('keywords, attributes and functions are case-insensitive', () => {
  assert.deepEqual(tree('ExIsTs SOURCE'), { kind: 'exists', name: 'source' });
  assert.deepEqual(tree('concat_Ws(X)'), {
    kind: 'call',
    name: 'CONCAT_WS',
    args: [{ kind: 'attribute', name: 'x' }],
  });
});

test('string literals escape only their own quote', () => {
  assert.deepEqual(tree(`'it\\'s' = "say \\"hi\\" \\n"`), {
    kind: 'binary',
    operator: '=',
    left: { kind: 'literal', value: "it's" },
    right: { kind: 'literal', value: 'say "hi" \\n' },
  });
});

test('malformed attribute and function names are parse errors', () => {
  assert.match(parseError('my_attr = 1').message, /attribute name/);
  assert.match(parseError('f1(2)').message, /function name/);
  assert.match(parseError('EXISTS (a)').message, /EXISTS/);
  assert.match(parseError('a IN ()').message, /unexpected/);
  assert.match(parseError('and').message, /keyword/);
});

test('hostile nesting and length give parse errors, not stack overflows', () => {
  assert.match(
    parseError(`${'('.repeat(100000)}1${')'.repeat(100000)}`, { maxLength: 1e6 }).message,
    /deeper/,
  );
  assert.match(parseError(`${'NOT '.repeat(50000)}TRUE`, { maxLength: 1e6 }).message, /deeper/);
  assert.match(parseError(`1${' + 1'.repeat(300)}`).message, /deeper/);
  assert.match(parseError('1'.padEnd(9000, ' ')).message, /limit is 8192/);
  assert.ok(parse(`1${' + 1'.repeat(100)}`).ok);
  // A raised limit is capped where recursion stays safe.
  const deep = `${'('.repeat(5000)}1${')'.repeat(5000)}`;
  assert.match(parseError(deep, { maxLength: 1e6, maxDepth: 1e9 }).message, /deeper than 1000/);
});
