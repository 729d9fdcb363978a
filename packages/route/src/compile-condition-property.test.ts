import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition, ConditionLeaf, Envelope } from '@sluice/core';
import fc from 'fast-check';
import { compileCondition } from './compile-condition.ts';
import { validateCondition } from './condition-ast.ts';
import { envelopeFixture } from './testing/envelope-fixture.ts';

/** The README's semantics, written plainly: the reference the compiled predicates are checked against. */
function evaluate(condition: Condition, envelope: Envelope): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluate(c, envelope));
  if ('any' in condition) return condition.any.some((c) => evaluate(c, envelope));
  if ('not' in condition) return !evaluate(condition.not, envelope);
  if ('sql' in condition) throw new Error('no sql here');
  return holds(condition, read(envelope, condition.path));
}

function read(envelope: Envelope, path: string): unknown {
  let value: unknown = envelope;
  for (const segment of path.split('.')) {
    if (Array.isArray(value)) value = /^(0|[1-9][0-9]*)$/.test(segment) ? value[Number(segment)] : undefined;
    else if (typeof value === 'object' && value !== null && Object.hasOwn(value, segment))
      value = (value as Record<string, unknown>)[segment];
    else return undefined;
  }
  return value;
}

function holds({ op, value }: ConditionLeaf, actual: unknown): boolean {
  const scalar = actual === null || ['string', 'number', 'boolean'].includes(typeof actual);
  switch (op) {
    case 'eq':
      return scalar && actual === value;
    case 'neq':
      return !(scalar && actual === value);
    case 'gt':
    case 'lt': {
      if (typeof actual !== typeof value || (typeof actual !== 'number' && typeof actual !== 'string'))
        return false;
      return op === 'gt' ? (actual as number) > (value as number) : (actual as number) < (value as number);
    }
    case 'in':
      return scalar && (value as unknown[]).some((v) => v === actual);
    case 'contains':
      if (typeof actual === 'string') return typeof value === 'string' && actual.includes(value);
      return Array.isArray(actual) && actual.some((v) => v === value);
    case 'exists':
      return actual !== undefined && actual !== null;
  }
}

const KEYS = ['a', 'b', '0', '1'];
const atom = fc.oneof(
  fc.constantFrom('x', 'xy', 'y', ''),
  fc.integer({ min: -2, max: 2 }),
  fc.boolean(),
  fc.constant(null),
);
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'payload' },
    atom,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('v'), { maxKeys: 3, noNullPrototype: true }),
  ),
})).v;
const envelope = fc
  .dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 4, noNullPrototype: true })
  .map((payload) => envelopeFixture({ payload }));

const path = fc
  .array(fc.constantFrom(...KEYS, '01', 'length', 'constructor'), { minLength: 1, maxLength: 4 })
  .map((segments) => `payload.${segments.join('.')}`);
const leaf: fc.Arbitrary<Condition> = fc
  .tuple(
    path,
    fc.constantFrom('eq', 'neq', 'gt', 'lt', 'in', 'contains', 'exists' as const),
    atom,
    fc.array(atom, { minLength: 1, maxLength: 3 }),
  )
  .map(([p, op, v, list]): Condition => {
    if (op === 'exists') return { path: p, op };
    if (op === 'in') return { path: p, op, value: list as ConditionLeaf['value'] & unknown[] };
    if (op === 'gt' || op === 'lt')
      return { path: p, op, value: typeof v === 'number' || typeof v === 'string' ? v : 0 };
    return { path: p, op, value: v as string | number | boolean | null };
  });
const condition = fc.letrec<{ c: Condition }>((tie) => ({
  c: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'condition' },
    leaf,
    fc.array(tie('c'), { minLength: 2, maxLength: 3 }).map((all) => ({ all })),
    fc.array(tie('c'), { minLength: 2, maxLength: 4 }).map((any) => ({ any })),
    tie('c').map((not) => ({ not })),
  ),
})).c;

describe('compileCondition: properties', () => {
  it('agrees with a plain evaluation of the documented semantics', () => {
    fc.assert(
      fc.property(condition, fc.array(envelope, { minLength: 1, maxLength: 5 }), (ast, envelopes) => {
        assert.ok(validateCondition(ast).ok);
        const compiled = compileCondition(ast);
        assert.ok(compiled.ok);
        for (const e of envelopes)
          assert.equal(compiled.matches(e), evaluate(ast, e), JSON.stringify(e.payload));
      }),
      { numRuns: 3000 },
    );
  });
});
