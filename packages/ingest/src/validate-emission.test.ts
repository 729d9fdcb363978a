import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineConnector } from '@sluice/map';
import { DEFAULT_INGEST_LIMITS, type IngestLimits } from './ingest-limits.ts';
import { type EmissionCheck, validateEmission } from './validate-emission.ts';

const connector = defineConnector({
  id: 'shop-orders',
  streams: [
    { key: 'orders', mode: 'webhook', events: ['order.created', 'order.updated'] },
    { key: 'customers', mode: 'webhook', events: ['customer.created'] },
  ],
  webhook: { verify: { scheme: 'shopify' } },
  map: () => null,
});

const limits: IngestLimits = { ...DEFAULT_INGEST_LIMITS, maxPayloadBytes: 64, maxDedupeKeyLength: 16 };

const valid = {
  source: 'shop',
  event_type: 'order.created',
  dedupe_key: 'shop:order:1',
  payload: { id: 1 },
};

const check = (raw: unknown, index = 0): EmissionCheck => validateEmission(raw, index, connector, limits);

/** Asserts `raw` is refused on `field` by `rule` with `code`, and returns the message. */
function refused(raw: unknown, field: string, rule: string, code = 'emission_invalid'): string {
  const result = check(raw, 3);
  assert.equal(result.ok, false, `expected a violation of ${field}/${rule}`);
  if (result.ok) return '';
  assert.deepEqual(
    { index: result.violation.index, field: result.violation.field, rule: result.violation.rule },
    { index: 3, field, rule },
  );
  assert.equal(result.violation.code, code);
  assert.match(result.violation.message, /^Emission 3: /);
  return result.violation.message;
}

describe('validateEmission', () => {
  it('accepts a valid emission and resolves its stream from the event type', () => {
    const result = check(valid);
    assert.deepEqual(result, {
      ok: true,
      emission: { ...valid, stream: 'orders', occurred_at: null, cloudevent: null },
    });
  });

  it('accepts an explicit stream that declares the event type', () => {
    const result = check({ ...valid, event_type: 'customer.created', stream: 'customers' });
    assert.equal(result.ok && result.emission.stream, 'customers');
  });

  it('normalizes occurred_at to ISO 8601 in UTC and keeps the optional ids', () => {
    const result = check({
      ...valid,
      occurred_at: '2026-06-11T09:00:00-04:00',
      correlation_id: 'corr-1',
      agent_id: 'agent-1',
      session_id: null,
    });
    assert.ok(result.ok);
    assert.equal(result.emission.occurred_at, '2026-06-11T13:00:00.000Z');
    assert.equal(result.emission.correlation_id, 'corr-1');
    assert.equal(result.emission.agent_id, 'agent-1');
  });

  it('refuses anything but a JSON object', () => {
    for (const raw of [null, 'order', 42, [valid]]) refused(raw, '', 'object');
  });

  it('refuses a field the contract does not know, such as a platform field', () => {
    const message = refused({ ...valid, tenant_id: 't1' }, 'tenant_id', 'known_field');
    assert.match(message, /"tenant_id" is not an emission field/);
  });

  it('refuses a source that is not a stable lowercase id', () => {
    for (const source of ['Shop', 'shop orders', '', 7, undefined]) {
      refused({ ...valid, source }, 'source', 'source_id');
    }
  });

  it('refuses an event type that is not dotted noun.verb', () => {
    for (const event_type of ['created', 'Order.Created', 'order.', 3]) {
      refused({ ...valid, event_type }, 'event_type', 'dotted_noun_verb');
    }
  });

  it('refuses an event type the connector does not declare, even with a declared stream', () => {
    const message = refused(
      { ...valid, event_type: 'order.shipped' },
      'event_type',
      'declared',
      'event_type_undeclared',
    );
    assert.match(message, /event_type "order.shipped" is not declared by connector "shop-orders"/);
    refused(
      { ...valid, event_type: 'order.shipped', stream: 'orders' },
      'event_type',
      'declared',
      'event_type_undeclared',
    );
  });

  it('refuses a stream the connector does not declare', () => {
    const message = refused({ ...valid, stream: 'payments' }, 'stream', 'declared', 'event_type_undeclared');
    assert.match(message, /declares no stream "payments"/);
  });

  it('refuses a declared stream that does not declare the event type', () => {
    const message = refused(
      { ...valid, stream: 'customers' },
      'stream',
      'declares_event_type',
      'event_type_undeclared',
    );
    assert.match(
      message,
      /stream "customers" does not declare event type "order.created" \(declared on "orders"\)/,
    );
  });

  it('refuses a stream that is not a string', () => {
    for (const stream of [null, 1, ['orders']]) refused({ ...valid, stream }, 'stream', 'string');
  });

  it('requires a non-empty dedupe key within the length limit', () => {
    for (const dedupe_key of [undefined, '', 12]) refused({ ...valid, dedupe_key }, 'dedupe_key', 'required');
    assert.equal(check({ ...valid, dedupe_key: 'k'.repeat(16) }).ok, true);
    const message = refused({ ...valid, dedupe_key: 'k'.repeat(17) }, 'dedupe_key', 'max_length');
    assert.match(message, /longer than 16 characters/);
  });

  it('requires an object payload', () => {
    for (const payload of [undefined, null, 'x', [1]]) refused({ ...valid, payload }, 'payload', 'object');
  });

  it('refuses U+0000 in the payload or the dedupe key, but not an escaped backslash before u0000', () => {
    refused({ ...valid, payload: { note: 'a\u0000b' } }, 'payload', 'no_nul');
    refused({ ...valid, payload: { nested: { ['k\u0000']: 1 } } }, 'payload', 'no_nul');
    refused({ ...valid, dedupe_key: 'k\u0000' }, 'dedupe_key', 'no_nul');
    // The text `\u0000` (a backslash, then "u0000") is six ordinary characters.
    assert.equal(check({ ...valid, payload: { note: '\\u0000' } }).ok, true);
  });

  it('refuses a payload over the byte limit, counting bytes of its JSON', () => {
    // {"s":"…"} is 8 bytes of JSON around the string.
    assert.equal(check({ ...valid, payload: { s: 'x'.repeat(56) } }).ok, true);
    const message = refused(
      { ...valid, payload: { s: 'x'.repeat(57) } },
      'payload',
      'max_bytes',
      'emission_too_large',
    );
    assert.match(message, /payload is 65 bytes; the limit is 64/);
    // Multi-byte characters count by their UTF-8 bytes: 'é' is 2.
    refused({ ...valid, payload: { s: 'é'.repeat(29) } }, 'payload', 'max_bytes', 'emission_too_large');
  });

  it('requires the optional ids to be strings of 1 to 256 characters when present', () => {
    for (const field of ['correlation_id', 'agent_id', 'session_id', 'causation_id']) {
      assert.equal(check({ ...valid, [field]: null }).ok, true, `${field} may be null`);
      assert.equal(check({ ...valid, [field]: 'x'.repeat(256) }).ok, true, `${field} may be 256 long`);
      for (const value of ['', 'x'.repeat(257), 5, {}])
        refused({ ...valid, [field]: value }, field, 'string');
    }
  });

  it("refuses the platform's own source from any other connector, so receipts cannot be forged", () => {
    const message = refused(
      { ...valid, source: 'sluice', event_type: 'run.completed' },
      'source',
      'source_reserved',
    );
    assert.match(message, /reserved for the platform/);
    const platform = defineConnector({
      id: 'sluice',
      streams: [{ key: 'platform', mode: 'webhook', events: ['run.completed'] }],
      webhook: { verify: { scheme: 'shopify' } },
      map: () => null,
    });
    const own = validateEmission(
      { ...valid, source: 'sluice', event_type: 'run.completed' },
      0,
      platform,
      limits,
    );
    assert.equal(own.ok, true);
  });

  it('requires occurred_at to be an ISO 8601 timestamp when present', () => {
    assert.equal(check({ ...valid, occurred_at: null }).ok, true);
    for (const occurred_at of ['yesterday', 1718096400000, '2026-13-45T00:00:00Z']) {
      refused({ ...valid, occurred_at }, 'occurred_at', 'iso8601');
    }
  });
});
