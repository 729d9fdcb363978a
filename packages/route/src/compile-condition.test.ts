import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Envelope } from '@sluice/core';
import { compileCondition, type EnvelopePredicate } from './compile-condition.ts';
import type { SqlHook } from './sql-hook.ts';
import { envelopeFixture } from './testing/envelope-fixture.ts';

const compile = (condition: unknown, sql?: SqlHook): EnvelopePredicate => {
  const result = compileCondition(condition, { sql });
  assert.ok(result.ok, result.ok ? '' : result.problems.map((p) => p.message).join('\n'));
  return result.matches;
};
const order = envelopeFixture({
  source: 'cn-shop',
  payload: {
    entity: { kind: 'order', id: '42' },
    total: 150,
    price: '150',
    status: 'paid',
    tags: ['vip', 'eu', 3],
    note: 'gift wrap please',
    empty: null,
    lines: [{ sku: 'A-1' }, { sku: 'B-2' }],
  },
});
const holds = (condition: unknown, envelope: Envelope = order): boolean => compile(condition)(envelope);

describe('compileCondition: leaves', () => {
  it('compares with eq and neq by type, never coercing', () => {
    assert.equal(holds({ path: 'payload.total', op: 'eq', value: 150 }), true);
    assert.equal(holds({ path: 'payload.total', op: 'eq', value: '150' }), false);
    assert.equal(holds({ path: 'payload.price', op: 'eq', value: 150 }), false);
    assert.equal(holds({ path: 'payload.empty', op: 'eq', value: null }), true);
    assert.equal(holds({ path: 'payload.missing', op: 'eq', value: null }), false);
    assert.equal(holds({ path: 'payload.status', op: 'neq', value: 'refunded' }), true);
    assert.equal(holds({ path: 'payload.missing', op: 'neq', value: 'refunded' }), true);
    assert.equal(holds({ path: 'source', op: 'eq', value: 'cn-shop' }), true);
    assert.equal(holds({ path: 'payload.entity.id', op: 'eq', value: '42' }), true);
  });

  it('orders only two numbers or two strings with gt and lt', () => {
    assert.equal(holds({ path: 'payload.total', op: 'gt', value: 100 }), true);
    assert.equal(holds({ path: 'payload.total', op: 'gt', value: 150 }), false);
    assert.equal(holds({ path: 'payload.total', op: 'lt', value: 151 }), true);
    assert.equal(holds({ path: 'payload.price', op: 'gt', value: 100 }), false);
    assert.equal(holds({ path: 'payload.total', op: 'gt', value: '100' }), false);
    assert.equal(holds({ path: 'payload.status', op: 'gt', value: 'open' }), true);
    assert.equal(holds({ path: 'payload.status', op: 'lt', value: 'open' }), false);
    assert.equal(holds({ path: 'payload.missing', op: 'lt', value: 1 }), false);
  });

  it('tests membership with in, for scalars only', () => {
    assert.equal(holds({ path: 'payload.status', op: 'in', value: ['paid', 'shipped'] }), true);
    assert.equal(holds({ path: 'payload.status', op: 'in', value: ['shipped'] }), false);
    assert.equal(holds({ path: 'payload.total', op: 'in', value: ['150'] }), false);
    assert.equal(holds({ path: 'payload.empty', op: 'in', value: [null] }), true);
    assert.equal(holds({ path: 'payload.tags', op: 'in', value: ['vip'] }), false);
  });

  it('finds substrings and array elements with contains', () => {
    assert.equal(holds({ path: 'payload.note', op: 'contains', value: 'wrap' }), true);
    assert.equal(holds({ path: 'payload.note', op: 'contains', value: 'box' }), false);
    assert.equal(holds({ path: 'payload.tags', op: 'contains', value: 'eu' }), true);
    assert.equal(holds({ path: 'payload.tags', op: 'contains', value: 3 }), true);
    assert.equal(holds({ path: 'payload.tags', op: 'contains', value: '3' }), false);
    assert.equal(holds({ path: 'payload.total', op: 'contains', value: 1 }), false);
  });

  it('treats exists as present and not null', () => {
    assert.equal(holds({ path: 'payload.total', op: 'exists' }), true);
    assert.equal(holds({ path: 'payload.empty', op: 'exists' }), false);
    assert.equal(holds({ path: 'payload.total.deeper', op: 'exists' }), false);
    assert.equal(holds({ path: 'causation_id', op: 'exists' }), false);
  });

  it('indexes arrays by decimal segments and never reads inherited properties', () => {
    assert.equal(holds({ path: 'payload.lines.1.sku', op: 'eq', value: 'B-2' }), true);
    assert.equal(holds({ path: 'payload.lines.2.sku', op: 'exists' }), false);
    assert.equal(holds({ path: 'payload.lines.length', op: 'exists' }), false);
    assert.equal(holds({ path: 'payload.lines.01.sku', op: 'exists' }), false);
    assert.equal(holds({ path: 'payload.constructor', op: 'exists' }), false);
    assert.equal(holds({ path: 'payload.note.length', op: 'exists' }), false);
    const deep = envelopeFixture({ payload: { a: { b: { c: { d: { e: 1 } } } } } });
    assert.equal(holds({ path: 'payload.a.b.c.d.e', op: 'eq', value: 1 }, deep), true);
    assert.equal(holds({ path: 'payload.a.b.x.d.e', op: 'eq', value: 1 }, deep), false);
  });
});

describe('compileCondition: combinators', () => {
  const big = { path: 'payload.total', op: 'gt', value: 100 };
  const paid = { path: 'payload.status', op: 'eq', value: 'paid' };
  const eu = { path: 'payload.tags', op: 'contains', value: 'us' };
  it('combines with all, any and not', () => {
    assert.equal(holds({ all: [big, paid] }), true);
    assert.equal(holds({ all: [big, paid, eu] }), false);
    assert.equal(holds({ any: [eu, paid] }), true);
    assert.equal(holds({ any: [eu, { not: paid }] }), false);
    assert.equal(holds({ any: [eu, { not: paid }, big] }), true);
    assert.equal(holds({ not: { all: [big, eu] } }), true);
  });
});

describe('compileCondition: CloudEvents SQL', () => {
  it('reports sql_unavailable without a hook', () => {
    const result = compileCondition({ all: [{ sql: 'a = 1' }, { path: 'source', op: 'exists' }] });
    assert.ok(!result.ok);
    assert.deepEqual(
      result.problems.map((p) => [p.path, p.rule]),
      [['condition.all[0].sql', 'sql_unavailable']],
    );
  });

  it('compiles sql once through the hook and reports its problems at the field', () => {
    const compiled: string[] = [];
    const hook: SqlHook = (text) => {
      compiled.push(text);
      if (text === 'broken(') return { ok: false, problem: { message: 'unexpected end at column 8' } };
      return { ok: true, matches: (envelope) => envelope.source === text };
    };
    const matches = compile(
      { any: [{ sql: 'cn-shop' }, { path: 'payload.total', op: 'lt', value: 0 }] },
      hook,
    );
    assert.equal(matches(order), true);
    assert.equal(matches(envelopeFixture({ source: 'cn-other' })), false);
    assert.deepEqual(compiled, ['cn-shop']);
    const broken = compileCondition({ not: { sql: 'broken(' } }, { sql: hook });
    assert.ok(!broken.ok);
    assert.equal(
      broken.problems[0]?.message,
      'condition.not.sql: rule sql_invalid: unexpected end at column 8',
    );
  });
});
