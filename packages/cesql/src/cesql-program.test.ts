import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile, defineFunctions, type EventAttributes, evaluate, matches } from './index.ts';

const EVENT = { specversion: '1.0', id: 'e1', source: 'urn:test', type: 'order.created' };

function run(text: string, event: EventAttributes = EVENT, functions = {}) {
  const compiled = compile(text, functions);
  assert.ok(compiled.ok, compiled.ok ? '' : compiled.error.message);
  const { value, errors } = evaluate(compiled.compiled, event);
  return { value, kinds: errors.map((error) => error.kind) };
}

test('an operand that failed makes every enclosing operator return its zero value', () => {
  assert.deepEqual(run('NOT (missing = 2)'), { value: false, kinds: ['missingAttribute'] });
  assert.deepEqual(run('(1 / 0 = 0) OR TRUE'), { value: false, kinds: ['math'] });
  assert.deepEqual(run('LENGTH(missing) + 1'), { value: 0, kinds: ['missingAttribute'] });
  assert.deepEqual(run("CONCAT('a', missing)"), { value: '', kinds: ['missingAttribute'] });
});

test('errors an operator raises itself come with the value the spec defines', () => {
  assert.deepEqual(run("'abc' + 1"), { value: 1, kinds: ['cast'] });
  assert.deepEqual(run('NOT 10'), { value: true, kinds: ['cast'] });
  assert.deepEqual(run('ABS(-2147483648)'), { value: 2147483647, kinds: ['math'] });
});

test('32-bit overflow saturates with a math error', () => {
  assert.deepEqual(run('2147483647 + 1'), { value: 2147483647, kinds: ['math'] });
  assert.deepEqual(run('-2147483648 - 1'), { value: -2147483648, kinds: ['math'] });
  assert.deepEqual(run('65536 * 65536'), { value: 2147483647, kinds: ['math'] });
  assert.deepEqual(run('-2147483648 / -1'), { value: 2147483647, kinds: ['math'] });
  assert.deepEqual(run('- -2147483648'), { value: 2147483647, kinds: ['math'] });
  assert.deepEqual(run('-2147483648 % -1'), { value: 0, kinds: [] });
  assert.deepEqual(run('-7 / 2'), { value: -3, kinds: [] });
  assert.deepEqual(run('-7 % 2'), { value: -1, kinds: [] });
  assert.ok(Object.is(run('-1 / 2').value, 0), 'a negative zero leaked');
});

test('= casts the left operand to the right operand’s type', () => {
  assert.deepEqual(run("'01' = 1"), { value: true, kinds: [] });
  assert.deepEqual(run("1 = '01'"), { value: false, kinds: [] });
  assert.deepEqual(run('1 = TRUE'), { value: false, kinds: ['cast'] });
  assert.deepEqual(run('TRUE = 1'), { value: true, kinds: [] });
});

test('IN casts the set to the left operand’s type', () => {
  assert.deepEqual(run("5 IN ('5', 'x')"), { value: true, kinds: ['cast'] });
  assert.deepEqual(run("'5' NOT IN (5)"), { value: false, kinds: [] });
  assert.deepEqual(run('1 IN (missing, 1)'), { value: false, kinds: ['missingAttribute'] });
});

test('attribute values: integers stay Integers, everything else becomes a String', () => {
  const event = {
    ...EVENT,
    count: 42,
    big: 2 ** 40,
    ratio: 0.5,
    flag: false,
    when: new Date('2024-01-02T03:04:05Z'),
    blob: new Uint8Array([1, 2, 3]),
    gone: null,
  };
  assert.deepEqual(run('count + 1', event), { value: 43, kinds: [] });
  assert.deepEqual(run('big', event), { value: '1099511627776', kinds: [] });
  assert.deepEqual(run('ratio', event), { value: '0.5', kinds: [] });
  assert.deepEqual(run('NOT flag', event), { value: true, kinds: [] });
  assert.deepEqual(run('when', event), { value: '2024-01-02T03:04:05.000Z', kinds: [] });
  assert.deepEqual(run('blob', event), { value: 'AQID', kinds: [] });
  assert.deepEqual(run('EXISTS gone', event), { value: false, kinds: [] });
  assert.deepEqual(run('constructor', event), { value: false, kinds: ['missingAttribute'] });
});

test('string functions count code points', () => {
  assert.deepEqual(run("LENGTH('a😀b')"), { value: 3, kinds: [] });
  assert.deepEqual(run("SUBSTRING('a😀b', 2, 1)"), { value: '😀', kinds: [] });
  assert.deepEqual(run("RIGHT('a😀', 1)"), { value: '😀', kinds: [] });
  assert.deepEqual(run("TRIM('\u00a0\u2003 x \u3000')"), { value: 'x', kinds: [] });
  assert.deepEqual(run("SUBSTRING('abc', 1, -1)"), { value: '', kinds: ['functionEvaluation'] });
});

test('an unknown function or arity is false with a missing-function error', () => {
  assert.deepEqual(run('NOPE(1)'), { value: false, kinds: ['missingFunction'] });
  assert.deepEqual(run("LENGTH('a', 'b')"), { value: false, kinds: ['missingFunction'] });
});

test('matches() passes only a true value with no error', () => {
  const ok = compile("type LIKE 'order.%' AND source = 'urn:test'");
  assert.ok(ok.ok);
  assert.equal(matches(ok.compiled, EVENT), true);
  assert.equal(matches(ok.compiled, { ...EVENT, type: 'invoice.paid' }), false);
  const failing = compile('NOT 10');
  assert.ok(failing.ok);
  assert.equal(matches(failing.compiled, EVENT), false);
  const integer = compile('1');
  assert.ok(integer.ok);
  assert.equal(matches(integer.compiled, EVENT), false);
});

test('user functions: cast arguments, guarded results, overloading rules', () => {
  const defined = defineFunctions([
    {
      name: 'starts_with',
      parameters: ['String', 'String'],
      returns: 'Boolean',
      implementation: ([text, prefix]) => String(text).startsWith(String(prefix)),
    },
    { name: 'BOOM', parameters: [], returns: 'Integer', implementation: () => Number.NaN },
    {
      name: 'THROWS',
      parameters: [],
      returns: 'String',
      implementation: () => {
        throw new Error('no');
      },
    },
  ]);
  assert.ok(defined.ok);
  const functions = { functions: defined.table };
  assert.deepEqual(run("STARTS_WITH(type, 'order')", EVENT, functions), { value: true, kinds: [] });
  assert.deepEqual(run('starts_with(123, 1)', EVENT, functions), { value: true, kinds: [] });
  assert.deepEqual(run('BOOM()', EVENT, functions), { value: 0, kinds: ['functionEvaluation'] });
  assert.deepEqual(run('THROWS()', EVENT, functions), { value: '', kinds: ['functionEvaluation'] });

  const clash = defineFunctions([
    { name: 'LENGTH', parameters: ['Integer'], returns: 'Integer', implementation: () => 0 },
    { name: 'V', parameters: ['String'], variadic: 'String', returns: 'String', implementation: () => '' },
    { name: 'V', parameters: ['String'], returns: 'String', implementation: () => '' },
    { name: 'bad1', parameters: [], returns: 'String', implementation: () => '' },
  ]);
  assert.ok(!clash.ok);
  assert.equal(clash.problems.length, 3, clash.problems.join('\n'));
});

test('evaluation never throws, even on a hostile event', () => {
  const compiled = compile('hostile = 1 AND id = 1');
  assert.ok(compiled.ok);
  const hostile = new Proxy(
    {},
    {
      getOwnPropertyDescriptor() {
        throw new Error('trap');
      },
    },
  );
  assert.deepEqual(evaluate(compiled.compiled, hostile).value, false);
  assert.deepEqual(evaluate(compiled.compiled, { hostile: Object.create(null) }).errors[0]?.kind, 'generic');
});

test('compile checks a hand-built tree instead of trusting it', () => {
  const bad = [
    { kind: 'literal', value: 1.5 },
    { kind: 'attribute', name: 'Upper' },
    { kind: 'in', negated: false, operand: { kind: 'literal', value: 1 }, set: [] },
    {
      kind: 'binary',
      operator: '**',
      left: { kind: 'literal', value: 1 },
      right: { kind: 'literal', value: 1 },
    },
    { kind: 'mystery' },
  ];
  for (const tree of bad) {
    const compiled = compile(tree as never);
    assert.ok(!compiled.ok, JSON.stringify(tree));
  }
  let deep: unknown = { kind: 'literal', value: true };
  for (let i = 0; i < 100000; i++) deep = { kind: 'not', operand: deep };
  const compiled = compile(deep as never);
  assert.ok(!compiled.ok);
  assert.match(compiled.error.message, /deeper than 128/);
});
