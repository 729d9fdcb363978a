import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { busMessageOf, type DeliveredMessage, type Trigger, type TriggerStore } from '@sluice/core';
import { renderIdempotencyKey } from './idempotency-key.ts';
import { routeMessages } from './route-batch.ts';
import type { RouteTrigger } from './route-trigger.ts';
import { routeTriggerOf } from './route-trigger.ts';
import { RouterTriggers } from './router-triggers.ts';
import { TenantSettings } from './tenant-settings.ts';
import { envelopeFixture } from './testing/envelope-fixture.ts';
import { TriggerIndex } from './trigger-index.ts';

const stored = (id: string, fields: Partial<Trigger> = {}): Trigger => ({
  id,
  tenant_id: 'ten_a',
  name: id,
  event_types: ['order.*'],
  condition: null,
  priority: null,
  action: { type: 'handler', name: 'noop' },
  enabled: true,
  created_at: '2026-06-11T13:00:00.000Z',
  updated_at: '2026-06-11T13:00:00.000Z',
  ...fields,
});

const routable = (trigger: Trigger): RouteTrigger => {
  const outcome = routeTriggerOf(trigger);
  assert.ok(outcome.ok);
  return outcome.trigger;
};

const delivered = (
  fields: Parameters<typeof envelopeFixture>[0],
  origin: 'user' | 'poll' = 'poll',
  position = '7.3',
): DeliveredMessage => ({
  ...busMessageOf(envelopeFixture(fields), { origin, position }),
  id: '1-0',
  redelivered: false,
});

describe('renderIdempotencyKey', () => {
  it('fills the trigger id, the entity key and envelope paths, and leaves the default to the store', () => {
    const envelope = envelopeFixture({ payload: { entity: { kind: 'order', id: '7' }, order: { n: 3 } } });
    const context = { trigger_id: 'trg_1', entity_key: 'order:7', envelope };
    assert.equal(
      renderIdempotencyKey('risk:{entity_key}:{payload.order.n}:{trigger_id}:{missing.x}', context),
      'risk:order:7:3:trg_1:',
    );
    assert.equal(renderIdempotencyKey('{event_id}', context), envelope.event_id);
    assert.equal(renderIdempotencyKey(null, context), undefined);
  });
});

describe('TriggerIndex.replaceTenant', () => {
  it("swaps one tenant's triggers and leaves the others", () => {
    const index = new TriggerIndex<RouteTrigger>();
    index.replaceAll([routable(stored('trg_a1')), routable(stored('trg_b1', { tenant_id: 'ten_b' }))]);
    const reload = index.replaceTenant('ten_a', [
      routable(stored('trg_a2', { event_types: ['order.created'] })),
      routable(stored('trg_b9', { tenant_id: 'ten_b' })),
    ]);
    assert.equal(reload.loaded, 1);
    assert.deepEqual(
      reload.rejected.map((r) => r.id),
      ['trg_b9'],
      'a trigger of another tenant is refused',
    );
    assert.deepEqual(
      index.match(envelopeFixture()).map((t) => t.id),
      ['trg_a2'],
    );
    assert.deepEqual(
      index.match(envelopeFixture({ tenant_id: 'ten_b' })).map((t) => t.id),
      ['trg_b1'],
    );
    index.replaceTenant('ten_a', []);
    assert.deepEqual(index.match(envelopeFixture()), []);
    assert.equal(index.size, 1);
  });
});

describe('routeMessages', () => {
  const triggers = new TriggerIndex<RouteTrigger>();
  triggers.replaceAll([
    routable(stored('trg_1')),
    routable(stored('trg_2', { priority: 'P1', condition: 'payload.total gt 10' })),
  ]);
  const match = (envelope: Parameters<typeof triggers.match>[0]) => triggers.match(envelope);

  it('makes jobs in message order, each with priority, entity key and position', () => {
    const routed = routeMessages(
      [
        delivered(
          {
            event_id: '0190a0b0-0000-7000-8000-000000000011',
            payload: { total: 50, entity: { kind: 'order', id: '9' } },
          },
          'poll',
          '7.1',
        ),
        delivered({ event_id: '0190a0b0-0000-7000-8000-000000000012', payload: { total: 1 } }, 'user', '7.2'),
        delivered({ event_id: '0190a0b0-0000-7000-8000-000000000013', event_type: 'refund.created' }),
      ],
      match,
    );
    assert.deepEqual(
      routed.jobs.map((j) => [j.event_id.slice(-2), j.trigger_id, j.priority, j.entity_key, j.position]),
      [
        ['11', 'trg_1', 'P4', 'order:9', '7.1'],
        ['11', 'trg_2', 'P1', 'order:9', '7.1'],
        ['12', 'trg_1', 'P1', null, '7.2'],
      ],
    );
    assert.equal(routed.matched, 2);
    assert.deepEqual(
      routed.unmatched.map((e) => e.event_type),
      ['refund.created'],
    );
  });

  it('skips quiet messages and bodies that disagree with their attributes', () => {
    const good = delivered({});
    const routed = routeMessages(
      [
        delivered({ mode: 'quiet' }),
        { ...good, body: 'not json' },
        { ...good, attributes: { ...good.attributes, tenant_id: 'ten_other' } },
        { ...good, attributes: { ...good.attributes, position: '' } },
      ],
      match,
    );
    assert.deepEqual(routed.jobs, []);
    assert.equal(routed.quiet, 1);
    assert.equal(routed.unreadable, 3);
  });
});

describe('RouterTriggers', () => {
  it('applies loads in the order asked: a tenant reload after a change is never undone by an older full load', async () => {
    let current: Trigger[] = [stored('trg_old')];
    let releaseFull: (() => void) | undefined;
    const store: Pick<TriggerStore, 'enabledOf' | 'enabledAfter'> = {
      async enabledAfter(after) {
        if (after !== null) return [];
        const seen = current;
        await new Promise<void>((resolve) => {
          releaseFull = resolve;
        });
        return seen;
      },
      async enabledOf(tenantId) {
        return current.filter((t) => t.tenant_id === tenantId);
      },
    };
    const rejected: string[] = [];
    const triggers = new RouterTriggers({ store, onRejected: (id) => rejected.push(id) });
    const full = triggers.loadAll();
    await new Promise((resolve) => setTimeout(resolve, 10));
    current = [stored('trg_new'), stored('trg_bad', { condition: 'payload.total gt' })];
    const reload = triggers.reloadTenant('ten_a');
    releaseFull?.();
    await full;
    await reload;
    assert.deepEqual(
      triggers.match(envelopeFixture()).map((t) => t.id),
      ['trg_new'],
    );
    assert.deepEqual(rejected, ['trg_bad']);
  });
});

describe('TenantSettings', () => {
  it('caches a tenant setting until its time-out or a change, and reads an unknown tenant as drop', async () => {
    let reads = 0;
    let now = 0;
    let value: 'drop' | 'dead_letter' = 'dead_letter';
    const settings = new TenantSettings({
      ttlMs: 1_000,
      now: () => now,
      tenancy: {
        async getTenant(id) {
          reads++;
          if (id !== 'ten_a') return null;
          return {
            id,
            name: 'A',
            reseller_id: null,
            unmatched_events: value,
            dead_letter_alert_threshold: null,
            timezone: 'UTC',
            allowed_actions: null,
            dry_run: false,
            created_at: '',
          };
        },
      },
    });
    assert.equal(await settings.unmatchedEvents('ten_a'), 'dead_letter');
    value = 'drop';
    assert.equal(await settings.unmatchedEvents('ten_a'), 'dead_letter', 'cached');
    settings.invalidate('ten_a');
    assert.equal(await settings.unmatchedEvents('ten_a'), 'drop');
    value = 'dead_letter';
    now = 2_000;
    assert.equal(await settings.unmatchedEvents('ten_a'), 'dead_letter', 'timed out');
    assert.equal(await settings.unmatchedEvents('ten_zz'), 'drop');
    assert.equal(reads, 4);
  });
});
