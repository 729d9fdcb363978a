import { type Envelope, SCHEMA_VERSION } from '@sluice/core';

/** Fields a test or benchmark sets; everything else gets a fixed, valid value. */
export type EnvelopeFields = Partial<Omit<Envelope, 'payload'>> & {
  readonly payload?: Record<string, unknown>;
};

/** A complete live envelope of `tenant_id` `ten_a` and type `order.created`, with the given fields. */
export function envelopeFixture(fields: EnvelopeFields = {}): Envelope {
  return {
    event_id: '0190a0b0-0000-7000-8000-000000000001',
    reseller_id: null,
    tenant_id: 'ten_a',
    workspace_id: null,
    connection_id: 'con_a',
    source: 'cn-shop',
    event_type: 'order.created',
    stream: 'orders',
    dedupe_key: 'shop:order:1:created',
    correlation_id: '0190a0b0-0000-7000-8000-000000000002',
    causation_id: null,
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    occurred_at: null,
    received_at: '2026-06-11T13:00:00.000Z',
    mode: 'live',
    schema_version: SCHEMA_VERSION,
    payload: { entity: { kind: 'order', id: '1' } },
    agent_id: null,
    session_id: null,
    cloudevent: null,
    ...fields,
  };
}
