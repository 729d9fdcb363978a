import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defineConnector } from './define-connector.ts';
import { resolveStream } from './resolve-stream.ts';

const connector = defineConnector({
  id: 'stripe-like',
  streams: [
    { key: 'events', mode: 'webhook', events: ['charge.succeeded', 'customer.created'] },
    { key: 'customers', mode: 'poll', events: ['customer.synced'] },
  ],
  webhook: { verify: { scheme: 'stripe' } },
  map: () => null,
  poll: { customers: async () => ({ emissions: [], cursor: null, hasMore: false }) },
});

describe('resolveStream', () => {
  it('finds the stream that declares the event type', () => {
    assert.deepEqual(resolveStream(connector, { event_type: 'customer.synced' }), {
      ok: true,
      stream: 'customers',
    });
    assert.deepEqual(resolveStream(connector, { event_type: 'charge.succeeded' }), {
      ok: true,
      stream: 'events',
    });
  });

  it('accepts an explicit stream that declares the event type', () => {
    assert.deepEqual(resolveStream(connector, { event_type: 'customer.created', stream: 'events' }), {
      ok: true,
      stream: 'events',
    });
  });

  it('rejects an undeclared event type', () => {
    const result = resolveStream(connector, { event_type: 'payout.paid' });
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.rule, 'event_type_undeclared');
  });

  it('reports an undeclared event type before the stream it names', () => {
    const result = resolveStream(connector, { event_type: 'payout.paid', stream: 'customers' });
    assert.equal(!result.ok && result.rule, 'event_type_undeclared');
  });

  it('rejects an undeclared stream', () => {
    const result = resolveStream(connector, { event_type: 'charge.succeeded', stream: 'charges' });
    assert.equal(!result.ok && result.rule, 'stream_undeclared');
  });

  it('rejects a declared stream that does not declare the event type', () => {
    const result = resolveStream(connector, { event_type: 'customer.created', stream: 'customers' });
    assert.equal(!result.ok && result.rule, 'stream_event_type_mismatch');
    assert.match(
      !result.ok ? result.message : '',
      /stream "customers" does not declare event type "customer.created"/,
    );
  });
});
