import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Condition, Envelope } from '@sluice/core';
import fc from 'fast-check';
import { type CompiledTrigger, compileTrigger } from './compile-trigger.ts';
import { parseEventTypePattern } from './event-type-pattern.ts';
import { envelopeFixture } from './testing/envelope-fixture.ts';
import type { RoutableTrigger } from './trigger.ts';
import { TriggerIndex } from './trigger-index.ts';
import { scanTriggers } from './trigger-scan.ts';

const TENANTS = ['ten_a', 'ten_b', 'ten_c'];
const SEGMENTS = ['order', 'line', 'created', 'paid'];

const pattern = fc
  .array(fc.constantFrom(...SEGMENTS, '*'), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join('.'))
  .filter((text) => parseEventTypePattern(text).ok);
const eventType = fc
  .array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 4 })
  .map((p) => p.join('.'));

const n = fc.integer({ min: 0, max: 3 });
const leaf: fc.Arbitrary<Condition> = fc.oneof(
  n.map((value) => ({ path: 'payload.n', op: 'gt' as const, value })),
  fc
    .subarray(['a', 'b', 'c'], { minLength: 1 })
    .map((value) => ({ path: 'payload.s', op: 'in' as const, value })),
  n.map((value) => ({ not: { path: 'payload.n', op: 'eq' as const, value } })),
);
const condition = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  leaf,
  fc.tuple(leaf, leaf).map((any) => ({ any })),
);

const trigger: fc.Arbitrary<RoutableTrigger> = fc.record({
  id: fc.constantFrom('t0', 't1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9'),
  tenant_id: fc.constantFrom(...TENANTS),
  event_types: fc.array(pattern, { minLength: 1, maxLength: 3 }),
  condition,
  enabled: fc.boolean(),
});
const envelope: fc.Arbitrary<Envelope> = fc
  .record({
    tenant_id: fc.constantFrom(...TENANTS),
    event_type: eventType,
    n,
    s: fc.constantFrom('a', 'b', 'c'),
  })
  .map(({ tenant_id, event_type, n, s }) => envelopeFixture({ tenant_id, event_type, payload: { n, s } }));

type Operation =
  | { readonly kind: 'upsert'; readonly trigger: RoutableTrigger }
  | { readonly kind: 'remove'; readonly id: string }
  | { readonly kind: 'replaceAll'; readonly triggers: RoutableTrigger[] };
const operation: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 6, arbitrary: trigger.map((t) => ({ kind: 'upsert' as const, trigger: t })) },
  {
    weight: 2,
    arbitrary: fc.constantFrom('t0', 't1', 't2', 't3').map((id) => ({ kind: 'remove' as const, id })),
  },
  {
    weight: 1,
    arbitrary: fc
      .uniqueArray(trigger, { selector: (t) => t.id, maxLength: 6 })
      .map((triggers) => ({ kind: 'replaceAll' as const, triggers })),
  },
);

const compiled = (model: Map<string, RoutableTrigger>): Array<CompiledTrigger<RoutableTrigger>> =>
  [...model.values()].map((t) => {
    const result = compileTrigger(t);
    assert.ok(result.ok);
    return result.compiled;
  });

describe('TriggerIndex: properties', () => {
  it('returns exactly what a brute-force scan returns, after any sequence of edits', () => {
    fc.assert(
      fc.property(
        fc.array(operation, { minLength: 1, maxLength: 25 }),
        fc.array(envelope, { minLength: 1, maxLength: 12 }),
        (operations, envelopes) => {
          const index = new TriggerIndex<RoutableTrigger>();
          const model = new Map<string, RoutableTrigger>();
          for (const op of operations) {
            if (op.kind === 'upsert') {
              assert.deepEqual(index.upsert(op.trigger), { ok: true });
              model.set(op.trigger.id, op.trigger);
            } else if (op.kind === 'remove') {
              assert.equal(index.remove(op.id), model.delete(op.id));
            } else {
              assert.deepEqual(index.replaceAll(op.triggers).rejected, []);
              model.clear();
              for (const t of op.triggers) model.set(t.id, t);
            }
            assert.equal(index.size, model.size);
            const reference = compiled(model);
            for (const e of envelopes) assert.deepStrictEqual(index.match(e), scanTriggers(reference, e));
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
