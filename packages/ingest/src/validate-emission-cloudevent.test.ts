import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineConnector } from '@sluice/map';
import { DEFAULT_INGEST_LIMITS } from './ingest-limits.ts';
import { validateEmission } from './validate-emission.ts';

const connector = defineConnector({
  id: 'cn-shop',
  streams: [{ key: 'orders', mode: 'webhook', events: ['order.created'] }],
  webhook: { verify: { scheme: 'shopify' } },
  map: () => null,
});

const cloudevent = {
  specversion: '1.0',
  id: 'evt-1',
  source: '/shops/eu-1',
  type: 'order.created',
  subject: 'orders/1',
  extensions: { region: 'eu' },
} as const;

const emission = {
  source: 'cn-shop',
  event_type: 'order.created',
  dedupe_key: '/shops/eu-1:evt-1',
  payload: { id: 1 },
  cloudevent,
};

const check = (raw: unknown) => validateEmission(raw, 0, connector, DEFAULT_INGEST_LIMITS);

function refusedOn(raw: unknown, rule: string): void {
  const result = check(raw);
  assert.ok(!result.ok, `expected cloudevent/${rule}`);
  assert.deepEqual([result.violation.field, result.violation.rule], ['cloudevent', rule]);
  assert.equal(result.violation.code, 'emission_invalid');
}

describe('validateEmission: the original CloudEvent', () => {
  it('keeps a valid context, null attributes dropped, and null when there is none', () => {
    const kept = check({ ...emission, cloudevent: { ...cloudevent, dataschema: null } });
    assert.ok(kept.ok);
    assert.deepEqual(kept.emission.cloudevent, cloudevent);
    const none = check({ ...emission, cloudevent: null });
    assert.ok(none.ok);
    assert.equal(none.emission.cloudevent, null);
  });

  it('refuses an invalid context, one of another type, U+0000 and an oversized one', () => {
    refusedOn({ ...emission, cloudevent: { ...cloudevent, id: '' } }, 'cloudevent_context');
    refusedOn({ ...emission, cloudevent: { ...cloudevent, tenant: 'x' } }, 'cloudevent_context');
    refusedOn({ ...emission, cloudevent: { ...cloudevent, type: 'order.updated' } }, 'matches_event_type');
    refusedOn({ ...emission, cloudevent: { ...cloudevent, subject: 'a\u0000b' } }, 'no_nul');
    const big = { ...cloudevent, extensions: { blob: 'x'.repeat(20_000) } };
    refusedOn({ ...emission, cloudevent: big }, 'max_bytes');
  });
});
