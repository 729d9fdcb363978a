import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Envelope } from './envelope.ts';
import { checkIdempotencyTemplate, renderIdempotencyKey } from './idempotency-key.ts';

const envelope = {
  event_id: '0190f2a4-7b1c-7d3e-8f00-123456789abc',
  tenant_id: 'ten_1',
  connection_id: 'con_1',
  event_type: 'order.created',
  source: 'shop',
  dedupe_key: 'shop:order:42',
  correlation_id: 'corr-1',
  payload: { entity: { kind: 'order', id: '42' }, customer: { id: 7 } },
} as unknown as Envelope;

describe('idempotency-key templates', () => {
  it('renders the default as {trigger_id}:{event_id}', () => {
    assert.equal(renderIdempotencyKey(null, 'trg_1', envelope), `trg_1:${envelope.event_id}`);
  });

  it('renders envelope fields, the entity key and payload paths', () => {
    assert.equal(
      renderIdempotencyKey('order-risk:{entity_key}:hold', 'trg_1', envelope),
      'order-risk:order:42:hold',
    );
    assert.equal(
      renderIdempotencyKey(
        '{tenant_id}/{payload.customer.id}/{payload.missing}/{event_type}',
        'trg_1',
        envelope,
      ),
      'ten_1/7//order.created',
    );
  });

  it('accepts known placeholders and refuses unknown ones and unpaired braces', () => {
    assert.deepEqual(checkIdempotencyTemplate('order-risk:{entity_key}:{payload.a.b}'), []);
    assert.equal(checkIdempotencyTemplate('x:{entity}').length, 1);
    assert.match(checkIdempotencyTemplate('x:{entity}')[0] ?? '', /\{entity\} is not a placeholder/);
    assert.equal(checkIdempotencyTemplate('x:{event_id').length, 1);
    assert.equal(checkIdempotencyTemplate('').length, 1);
  });
});
