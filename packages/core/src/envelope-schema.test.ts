import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import type { Emission } from './emission.ts';
import type { Envelope } from './envelope.ts';
import { ENVELOPE_FIELDS } from './envelope.ts';
import { EmissionSchema, EnvelopeSchema, emissionJsonSchema, envelopeJsonSchema } from './envelope-schema.ts';

const envelope: Envelope = {
  event_id: '0190f2a4-7b1c-7d3e-8f00-123456789abc',
  reseller_id: null,
  tenant_id: 'ten_1',
  workspace_id: 'wsp_1',
  connection_id: 'con_1',
  source: 'cn-magento',
  event_type: 'order.created',
  stream: 'orders',
  dedupe_key: 'magento:order:42:created',
  correlation_id: 'corr-1',
  causation_id: null,
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  occurred_at: '2026-06-11T09:03:02Z',
  received_at: '2026-06-11T09:03:02.123Z',
  mode: 'live',
  schema_version: '1',
  payload: { entity: { kind: 'order', id: '42' }, total: 12.5 },
  agent_id: null,
  session_id: null,
  cloudevent: null,
};

const emission: Emission = {
  source: 'cn-magento',
  event_type: 'order.created',
  dedupe_key: 'magento:order:42:created',
  payload: { entity: { kind: 'order', id: '42' } },
};

describe('EnvelopeSchema', () => {
  it('accepts a valid envelope, with occurred_at set or null', () => {
    assert.equal(Value.Check(EnvelopeSchema, envelope), true);
    assert.equal(Value.Check(EnvelopeSchema, { ...envelope, occurred_at: null, mode: 'quiet' }), true);
  });

  it('names exactly the envelope fields', () => {
    assert.deepEqual(Object.keys(EnvelopeSchema.properties).sort(), [...ENVELOPE_FIELDS].sort());
    assert.deepEqual([...(EnvelopeSchema.required ?? [])].sort(), [...ENVELOPE_FIELDS].sort());
  });

  it('rejects a missing field', () => {
    const { trace_id: _, ...missing } = envelope;
    assert.equal(Value.Check(EnvelopeSchema, missing), false);
    assert.equal(Value.Errors(EnvelopeSchema, missing).First()?.path, '/trace_id');
  });

  it('rejects an extra field', () => {
    assert.equal(Value.Check(EnvelopeSchema, { ...envelope, entity_key: 'order:42' }), false);
  });

  it('rejects wrong types and values', () => {
    assert.equal(Value.Check(EnvelopeSchema, { ...envelope, payload: 'not an object' }), false);
    assert.equal(Value.Check(EnvelopeSchema, { ...envelope, tenant_id: 7 }), false);
    assert.equal(Value.Check(EnvelopeSchema, { ...envelope, mode: 'loud' }), false);
    assert.equal(Value.Check(EnvelopeSchema, { ...envelope, received_at: 'yesterday' }), false);
    assert.equal(Value.Check(EnvelopeSchema, { ...envelope, reseller_id: undefined }), false);
  });

  it('holds the original CloudEvent’s context attributes, or null', () => {
    const cloudevent = {
      specversion: '1.0',
      id: 'A-42',
      source: '/shops/eu-1',
      type: 'order.created',
      subject: 'orders/42',
      time: '2026-06-11T11:03:02+02:00',
      extensions: { region: 'eu', attempt: 3, urgent: true },
    };
    assert.equal(Value.Check(EnvelopeSchema, { ...envelope, cloudevent }), true);
    const bad = (change: object) =>
      Value.Check(EnvelopeSchema, { ...envelope, cloudevent: { ...cloudevent, ...change } });
    assert.equal(bad({ extensions: { Region: 'eu' } }), false);
    assert.equal(bad({ extensions: { deep: { a: 1 } } }), false);
    assert.equal(bad({ extensions: { big: 2 ** 31 } }), false);
    assert.equal(bad({ time: 'yesterday' }), false);
    assert.equal(bad({ region: 'eu' }), false);
    assert.equal(bad({ id: '' }), false);
    const doc = envelopeJsonSchema() as { properties: Record<string, { anyOf: unknown[] }> };
    assert.equal(doc.properties['cloudevent']?.anyOf.length, 2);
  });
});

describe('EmissionSchema', () => {
  it('accepts a minimal and a full emission', () => {
    assert.equal(Value.Check(EmissionSchema, emission), true);
    const full: Emission = {
      ...emission,
      stream: 'orders',
      correlation_id: 'corr-1',
      occurred_at: null,
      agent_id: 'agent-1',
      session_id: null,
      causation_id: null,
    };
    assert.equal(Value.Check(EmissionSchema, full), true);
  });

  it('rejects a non-object payload, empty strings and names breaking the naming rules', () => {
    assert.equal(Value.Check(EmissionSchema, { ...emission, payload: [1, 2] }), false);
    assert.equal(Value.Check(EmissionSchema, { ...emission, payload: null }), false);
    assert.equal(Value.Check(EmissionSchema, { ...emission, event_type: '' }), false);
    assert.equal(Value.Check(EmissionSchema, { ...emission, event_type: 'OrderCreated' }), false);
    assert.equal(Value.Check(EmissionSchema, { ...emission, source: 'CN Magento' }), false);
    assert.equal(Value.Check(EmissionSchema, { ...emission, dedupe_key: '' }), false);
    assert.equal(Value.Check(EmissionSchema, { ...emission, stream: 'Orders' }), false);
  });

  it('caps dedupe_key at 512 characters', () => {
    assert.equal(Value.Check(EmissionSchema, { ...emission, dedupe_key: 'k'.repeat(512) }), true);
    assert.equal(Value.Check(EmissionSchema, { ...emission, dedupe_key: 'k'.repeat(513) }), false);
  });

  it('rejects platform fields a connector does not own', () => {
    assert.equal(Value.Check(EmissionSchema, { ...emission, event_id: envelope.event_id }), false);
  });
});

describe('JSON Schema documents', () => {
  it('are plain draft 2020-12 documents with a stable $id', () => {
    const doc = envelopeJsonSchema();
    assert.equal(doc['$schema'], 'https://json-schema.org/draft/2020-12/schema');
    assert.equal(doc['$id'], 'https://sluice.dev/schemas/envelope/1.json');
    assert.equal(doc['additionalProperties'], false);
    assert.deepEqual(JSON.parse(JSON.stringify(doc)), doc);
    assert.equal(Object.getOwnPropertySymbols(doc).length, 0);
    assert.equal(emissionJsonSchema()['$id'], 'https://sluice.dev/schemas/emission/1.json');
  });

  it('returns a fresh document each call', () => {
    assert.notEqual(envelopeJsonSchema(), envelopeJsonSchema());
  });
});
