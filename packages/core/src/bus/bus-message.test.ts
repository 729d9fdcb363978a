import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Envelope } from '../envelope.ts';
import { busMessageOf } from './bus-message.ts';

const envelope: Envelope = {
  event_id: '0190f3a2-1c2d-7e3f-8a4b-5c6d7e8f9a0b',
  reseller_id: null,
  tenant_id: 'tnt_1',
  workspace_id: null,
  connection_id: 'con_1',
  source: 'shop',
  event_type: 'order.created',
  stream: 'order_created',
  dedupe_key: 'shop:order:1:created',
  correlation_id: 'corr-1',
  causation_id: null,
  trace_id: '0af7651916cd43dd8448eb211c80319c',
  occurred_at: null,
  received_at: '2026-06-11T09:03:02.000Z',
  mode: 'quiet',
  schema_version: '1',
  payload: { entity: { kind: 'order', id: '1' } },
  agent_id: null,
  session_id: null,
  cloudevent: null,
};

describe('busMessageOf', () => {
  it('keys by connection, mirrors the filterable attributes, origin and position, and carries the envelope JSON', () => {
    const message = busMessageOf(envelope, {
      origin: 'poll',
      position: '00000000000000000042.00000000000000000007',
    });
    assert.equal(message.key, 'con_1');
    assert.deepEqual(message.attributes, {
      event_id: envelope.event_id,
      event_type: 'order.created',
      tenant_id: 'tnt_1',
      connection_id: 'con_1',
      trace_id: envelope.trace_id,
      correlation_id: 'corr-1',
      schema_version: '1',
      mode: 'quiet',
      origin: 'poll',
      position: '00000000000000000042.00000000000000000007',
    });
    assert.deepEqual(JSON.parse(message.body), envelope);
  });
});
