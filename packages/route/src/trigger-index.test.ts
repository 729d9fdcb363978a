import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlHook } from './sql-hook.ts';
import { envelopeFixture } from './testing/envelope-fixture.ts';
import type { RoutableTrigger } from './trigger.ts';
import { TriggerIndex } from './trigger-index.ts';

interface Trigger extends RoutableTrigger {
  readonly name: string;
}

const trigger = (id: string, event_types: string[], fields: Partial<Trigger> = {}): Trigger => ({
  id,
  tenant_id: 'ten_a',
  name: id,
  event_types,
  enabled: true,
  ...fields,
});
const ids = (index: TriggerIndex<Trigger>, fields: Parameters<typeof envelopeFixture>[0] = {}): string[] =>
  index.match(envelopeFixture(fields)).map((t) => t.id);
const indexOf = (...triggers: Trigger[]): TriggerIndex<Trigger> => {
  const index = new TriggerIndex<Trigger>();
  for (const t of triggers) assert.deepEqual(index.upsert(t), { ok: true });
  return index;
};

describe('TriggerIndex.match', () => {
  it('returns the triggers whose pattern matches the type, by id, each once', () => {
    const index = indexOf(
      trigger('t5', ['order.created']),
      trigger('t3', ['order.*', 'order.created', '*.created', '*', 'order.*.x']),
      trigger('t1', ['*.created']),
      trigger('t4', ['*']),
      trigger('t2', ['customer.*']),
      trigger('t6', ['order.*.refunded']),
      trigger('t7', ['order.updated']),
    );
    assert.deepEqual(ids(index), ['t1', 't3', 't4', 't5']);
    assert.deepEqual(ids(index, { event_type: 'order.payment.refunded' }), ['t3', 't4', 't6']);
    assert.deepEqual(ids(index, { event_type: 'customer.created' }), ['t1', 't2', 't3', 't4']);
    assert.deepEqual(ids(index, { event_type: 'invoice.paid' }), ['t3', 't4']);
  });

  it('looks only at the envelope tenant', () => {
    const index = indexOf(trigger('a', ['*']), trigger('b', ['*'], { tenant_id: 'ten_b' }));
    assert.deepEqual(ids(index), ['a']);
    assert.deepEqual(ids(index, { tenant_id: 'ten_b' }), ['b']);
    assert.deepEqual(ids(index, { tenant_id: 'ten_c' }), []);
  });

  it('matches nothing for a quiet (backfill) envelope', () => {
    const index = indexOf(trigger('a', ['*']));
    assert.deepEqual(ids(index, { mode: 'quiet' }), []);
    assert.deepEqual(ids(index, { mode: 'live' }), ['a']);
  });

  it('keeps only triggers whose condition holds, and skips disabled ones', () => {
    const index = indexOf(
      trigger('big', ['order.*'], {
        condition: {
          all: [
            { path: 'payload.total', op: 'gt', value: 100 },
            { path: 'payload.status', op: 'in', value: ['paid', 'shipped'] },
          ],
        },
      }),
      trigger('any', ['order.*'], { condition: null }),
      trigger('off', ['order.*'], { enabled: false }),
    );
    assert.deepEqual(ids(index, { payload: { total: 150, status: 'paid' } }), ['any', 'big']);
    assert.deepEqual(ids(index, { payload: { total: 150, status: 'open' } }), ['any']);
    assert.deepEqual(ids(index, { payload: { total: 50, status: 'paid' } }), ['any']);
    assert.equal(index.size, 3);
  });
});

describe('TriggerIndex edits', () => {
  it('applies upsert and remove live, including a move to another tenant and a disable', () => {
    const index = indexOf(trigger('t1', ['order.created']), trigger('t2', ['order.*']));
    assert.deepEqual(ids(index), ['t1', 't2']);
    index.upsert(trigger('t1', ['order.updated']));
    assert.deepEqual(ids(index), ['t2']);
    assert.deepEqual(ids(index, { event_type: 'order.updated' }), ['t1', 't2']);
    index.upsert(trigger('t2', ['order.*'], { tenant_id: 'ten_b' }));
    assert.deepEqual(ids(index), []);
    assert.deepEqual(ids(index, { tenant_id: 'ten_b' }), ['t2']);
    index.upsert(trigger('t2', ['order.*'], { tenant_id: 'ten_b', enabled: false }));
    assert.deepEqual(ids(index, { tenant_id: 'ten_b' }), []);
    assert.equal(index.remove('t2'), true);
    assert.equal(index.remove('t2'), false);
    assert.equal(index.remove('t1'), true);
    assert.equal(index.size, 0);
    assert.deepEqual(ids(index, { event_type: 'order.updated' }), []);
  });

  it('refuses an invalid trigger with every problem and keeps the version it had', () => {
    const index = indexOf(trigger('t1', ['order.created']));
    const outcome = index.upsert(
      trigger('t1', ['order*', 'order.created'], {
        condition: { path: 'payload.x', op: 'equals', value: 1 } as never,
      }),
    );
    assert.ok(!outcome.ok);
    assert.deepEqual(
      outcome.problems.map((p) => `${p.path}: ${p.rule}`),
      ['event_types[0]: event_type_pattern', 'condition.op: op_unknown'],
    );
    assert.deepEqual(ids(index), ['t1']);
    const none = index.upsert(trigger('t2', []));
    assert.ok(!none.ok);
    assert.equal(none.problems[0]?.rule, 'event_types_size');
  });

  it('replaces everything at once, listing the rejected triggers', () => {
    const index = indexOf(trigger('old', ['*']));
    const reload = index.replaceAll([
      trigger('n1', ['order.created']),
      trigger('bad', ['Order.Created']),
      trigger('n2', ['*.created'], { tenant_id: 'ten_b' }),
    ]);
    assert.equal(reload.loaded, 2);
    assert.deepEqual(
      reload.rejected.map((r) => r.id),
      ['bad'],
    );
    assert.deepEqual(ids(index), ['n1']);
    assert.deepEqual(ids(index, { tenant_id: 'ten_b' }), ['n2']);
  });

  it('routes {sql} conditions through the injected engine', () => {
    const sql: SqlHook = (text) =>
      text === 'bad'
        ? { ok: false, problem: { message: 'nope' } }
        : { ok: true, matches: (e) => e.source === text };
    const withSql = new TriggerIndex<Trigger>({ sql });
    assert.deepEqual(withSql.upsert(trigger('s', ['*'], { condition: { sql: 'cn-shop' } })), { ok: true });
    assert.deepEqual(ids(withSql), ['s']);
    assert.deepEqual(ids(withSql, { source: 'cn-other' }), []);
    const bad = withSql.upsert(trigger('b', ['*'], { condition: { sql: 'bad' } }));
    assert.ok(!bad.ok);
    assert.equal(bad.problems[0]?.rule, 'sql_invalid');
    const without = new TriggerIndex<Trigger>().upsert(
      trigger('s', ['*'], { condition: { sql: 'cn-shop' } }),
    );
    assert.ok(!without.ok);
    assert.equal(without.problems[0]?.rule, 'sql_unavailable');
  });
});
