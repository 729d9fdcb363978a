import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { BUILTIN_FUNCTIONS } from './builtin-functions.ts';
import { BUILTIN_TABLE, resolveFunction } from './function-table.ts';
import { type BinaryOperator, compile, type Expression, evaluate, parse, print } from './index.ts';

const KEYWORDS = new Set(['and', 'or', 'xor', 'not', 'like', 'in', 'exists', 'true', 'false']);
const OPERATORS: BinaryOperator[] = [
  '=',
  '!=',
  '<>',
  '<',
  '<=',
  '>',
  '>=',
  '+',
  '-',
  '*',
  '/',
  '%',
  'AND',
  'OR',
  'XOR',
];
const ARITHMETIC = new Set<string>(['+', '-', '*', '/', '%']);
const FUNCTION_NAMES = [...new Set(BUILTIN_FUNCTIONS.map((definition) => definition.name)), 'NOPE', 'MY_FN'];
const ERROR_KINDS = new Set([
  'math',
  'cast',
  'missingAttribute',
  'missingFunction',
  'functionEvaluation',
  'generic',
]);

const attributeName = fc
  .stringMatching(/^[a-z0-9]{1,8}$/)
  .filter((name) => /[a-z]/.test(name) && !KEYWORDS.has(name));
const names = fc.oneof(
  fc.constantFrom('id', 'source', 'type', 'subject', 'n', 'flag', 'text', 'absent'),
  attributeName,
);
// A string literal cannot end in a backslash: `'a\'` reads as an escaped quote.
const text = fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !s.endsWith('\\'));
const smallText = fc.oneof(text, fc.constantFrom('', 'true', 'FALSE', '42', '-7', 'a%b', 'x_y'));

const { expression: expressionArbitrary } = fc.letrec<{ expression: Expression }>((tie) => ({
  expression: fc.oneof(
    { maxDepth: 5, depthIdentifier: 'expression' },
    fc.oneof(
      fc.integer().map((value): Expression => ({ kind: 'literal', value })),
      fc.boolean().map((value): Expression => ({ kind: 'literal', value })),
      smallText.map((value): Expression => ({ kind: 'literal', value })),
      names.map((name): Expression => ({ kind: 'attribute', name })),
      names.map((name): Expression => ({ kind: 'exists', name })),
    ),
    tie('expression').map((operand): Expression => ({ kind: 'not', operand })),
    tie('expression').map((operand): Expression => ({ kind: 'negate', operand })),
    fc
      .tuple(fc.constantFrom(...OPERATORS), tie('expression'), tie('expression'))
      .map(([operator, left, right]): Expression => ({ kind: 'binary', operator, left, right })),
    fc
      .tuple(fc.boolean(), tie('expression'), smallText)
      .map(([negated, operand, pattern]): Expression => ({ kind: 'like', negated, operand, pattern })),
    fc
      .tuple(fc.boolean(), tie('expression'), fc.array(tie('expression'), { minLength: 1, maxLength: 3 }))
      .map(([negated, operand, set]): Expression => ({ kind: 'in', negated, operand, set })),
    fc
      .tuple(fc.constantFrom(...FUNCTION_NAMES), fc.array(tie('expression'), { maxLength: 3 }))
      .map(([name, args]): Expression => ({ kind: 'call', name, args })),
  ),
}));

const attributeValue = fc.oneof(fc.integer(), fc.boolean(), smallText, fc.constant(null), fc.double());
const eventArbitrary = fc
  .tuple(fc.dictionary(names, attributeValue, { maxKeys: 6 }), smallText)
  .map(([extensions, id]) => ({ specversion: '1.0', id, source: 's', type: 't', ...extensions }));

/** The type the spec gives a node's result, when it does not depend on the event. */
function staticType(expression: Expression): 'boolean' | 'number' | 'string' | undefined {
  switch (expression.kind) {
    case 'literal':
      return typeof expression.value as 'boolean' | 'number' | 'string';
    case 'attribute':
      return undefined;
    case 'negate':
      return 'number';
    case 'binary':
      return ARITHMETIC.has(expression.operator) ? 'number' : 'boolean';
    case 'call': {
      const returns = resolveFunction(BUILTIN_TABLE, expression.name, expression.args.length)?.returns;
      if (returns === undefined) return 'boolean';
      return returns === 'Integer' ? 'number' : returns === 'String' ? 'string' : 'boolean';
    }
    default:
      return 'boolean';
  }
}

test('parse never throws on arbitrary text', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' })), (input) => {
      const parsed = parse(input);
      if (!parsed.ok) assert.ok(parsed.error.position >= 0 && parsed.error.position <= input.length);
    }),
    { numRuns: 2000 },
  );
});

test('parse never throws on soups of CESQL tokens', () => {
  const token = fc.constantFrom(
    '(',
    ')',
    ',',
    'NOT',
    'AND',
    'or',
    'XOR',
    'LIKE',
    'IN',
    'EXISTS',
    'TRUE',
    'false',
    '-',
    '+',
    '*',
    '/',
    '%',
    '=',
    '!=',
    '<>',
    '<=',
    '<',
    '>',
    '>=',
    '1',
    '2147483648',
    "'s'",
    '"t\\"',
    "'",
    'id',
    'ABS',
    'CONCAT',
    '_',
    '\\',
    ' ',
  );
  fc.assert(
    fc.property(fc.array(token, { maxLength: 40 }), (tokens) => {
      parse(tokens.join(' '));
      parse(tokens.join(''));
    }),
    { numRuns: 3000 },
  );
});

test('evaluation never throws and returns a value of the type the spec gives', () => {
  fc.assert(
    fc.property(expressionArbitrary, eventArbitrary, (expression, event) => {
      const compiled = compile(expression);
      assert.ok(compiled.ok);
      const { value, errors } = evaluate(compiled.compiled, event);
      assert.ok(['boolean', 'number', 'string'].includes(typeof value));
      if (typeof value === 'number')
        assert.ok(Number.isInteger(value) && (value | 0) === value && !Object.is(value, -0));
      const expected = staticType(expression);
      if (expected !== undefined) assert.equal(typeof value, expected, print(expression));
      for (const error of errors) assert.ok(ERROR_KINDS.has(error.kind), error.kind);
    }),
    { numRuns: 3000 },
  );
});

test('print round-trips: parse(print(tree)) is the same tree', () => {
  fc.assert(
    fc.property(expressionArbitrary, (expression) => {
      const text = print(expression);
      const parsed = parse(text, { maxLength: 1e6 });
      assert.ok(parsed.ok, `${text}: ${parsed.ok ? '' : parsed.error.message}`);
      assert.deepStrictEqual(parsed.expression, expression, text);
    }),
    { numRuns: 3000 },
  );
});

test('printing a parsed expression is a fixed point', () => {
  fc.assert(
    fc.property(expressionArbitrary, (expression) => {
      const once = print(expression);
      const reparsed = parse(once, { maxLength: 1e6 });
      assert.ok(reparsed.ok);
      assert.equal(print(reparsed.expression), once);
    }),
    { numRuns: 500 },
  );
});
