import type { Envelope } from '../envelope.ts';

/** Every field set, operator fields included, occurred_at known. */
const complete: Envelope = {
  event_id: '0190f2a4-7b1c-7d3e-8f00-123456789abc',
  reseller_id: 'rsl_01',
  tenant_id: 'ten_01',
  workspace_id: 'wsp_01',
  connection_id: 'con_01',
  source: 'operator:jenny',
  event_type: 'order.fulfilled',
  stream: 'orders',
  dedupe_key: 'magento:order:42:fulfilled',
  correlation_id: 'corr-3a6e1d40',
  causation_id: '0190f2a4-7b1c-7d3e-8f00-000000000001',
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  occurred_at: '2026-06-11T09:03:02Z',
  received_at: '2026-06-11T09:03:02.123Z',
  mode: 'quiet',
  schema_version: '1',
  payload: { entity: { kind: 'order', id: '42' }, total: 12.5, paid: true },
  agent_id: 'agent-7',
  session_id: 'sess-9',
  cloudevent: null,
};

/** Every nullable field null, and no entity in the payload. */
const sparse: Envelope = {
  event_id: '0190f2a4-7b1c-7d3e-8f00-123456789abd',
  reseller_id: null,
  tenant_id: 'ten_02',
  workspace_id: null,
  connection_id: 'con_02',
  source: 'cron',
  event_type: 'schedule.ticked',
  stream: 'ticks',
  dedupe_key: 'cron:tick:2026-06-11T09:00',
  correlation_id: 'corr-2',
  causation_id: null,
  trace_id: '0af7651916cd43dd8448eb211c80319c',
  occurred_at: null,
  received_at: '2026-06-11T09:00:00.000Z',
  mode: 'live',
  schema_version: '1',
  payload: {},
  agent_id: null,
  session_id: null,
  cloudevent: null,
};

/** Non-ASCII in ids, keys and payload, characters that need percent-encoding in headers. */
const unicode: Envelope = {
  ...sparse,
  event_id: '0190f2a4-7b1c-7d3e-8f00-123456789abe',
  tenant_id: 'ten_zürich',
  connection_id: 'con/東京 "main"',
  dedupe_key: 'shop:order:Ω-7 100%:created',
  correlation_id: 'corr 😀 €',
  occurred_at: '2026-06-11T11:03:02.5+02:00',
  payload: { entity: { kind: 'customer', id: 'ünïcødé 東京' }, note: 'Grüße 😀\n"quoted"', emoji: '🎉' },
};

/** Deeply nested payload with arrays, nulls and numbers. */
const nested: Envelope = {
  ...complete,
  event_id: '0190f2a4-7b1c-7d3e-8f00-123456789abf',
  reseller_id: null,
  agent_id: null,
  session_id: null,
  payload: {
    entity: { kind: 'zone', id: 'hvac-3' },
    readings: [
      { at: 1742585400000, values: [21.5, 21.7, null], meta: { unit: '°C', flags: [] } },
      { at: 1742585460000, values: [], meta: { unit: '°C', flags: ['stale', 'estimated'] } },
    ],
    deep: { a: { b: { c: { d: [[1, [2, [3]]]] } } } },
    empty: null,
  },
};

/** Came in as a CloudEvent: the sender's context attributes kept, its time as sent. */
const arrived: Envelope = {
  ...sparse,
  event_id: '0190f2a4-7b1c-7d3e-8f00-123456789ac0',
  source: 'cloudevents',
  event_type: 'order.fulfilled',
  stream: 'orders',
  dedupe_key: '/shops/eu-1:A-42',
  occurred_at: '2026-06-11T09:03:02.000Z',
  payload: { entity: { kind: 'order', id: '42' }, total: 12.5 },
  cloudevent: {
    specversion: '1.0',
    id: 'A-42',
    source: '/shops/eu-1',
    type: 'order.fulfilled',
    subject: 'orders/42',
    time: '2026-06-11T11:03:02+02:00',
    datacontenttype: 'application/json',
    dataschema: 'https://example.com/schemas/order.json',
    extensions: { region: 'eu-west', traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
  },
};

/** Envelopes the codec tests round-trip: nulls, unicode, nested payloads, an original CloudEvent. */
export const FIXTURE_ENVELOPES: ReadonlyArray<Envelope> = [complete, sparse, unicode, nested, arrived];
