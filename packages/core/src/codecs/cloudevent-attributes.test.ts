import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Emission } from '../emission.ts';
import type { Envelope } from '../envelope.ts';
import type { CloudEvent } from './cloudevent.ts';
import {
  cloudEventAttributes,
  ENTITY_KEY_EXTENSION,
  EVENT_ID_EXTENSION,
  RESERVED_EXTENSIONS,
} from './cloudevent-attributes.ts';
import { cloudEventToEmission, cloudEventToEnvelope, envelopeToCloudEvent } from './cloudevents.ts';
import { decodeHttp, encodeBatch, encodeBinary, encodeStructured } from './cloudevents-http.ts';
import { FIXTURE_ENVELOPES } from './envelope-fixtures.ts';

const [complete, , , , arrived] = FIXTURE_ENVELOPES;

/** What ingest stamps on an emission, with fixed platform values. */
function stamped(emission: Emission, eventId: string): Envelope {
  return {
    event_id: eventId,
    reseller_id: null,
    tenant_id: 'ten_01',
    workspace_id: null,
    connection_id: 'con_01',
    source: emission.source,
    event_type: emission.event_type,
    stream: emission.stream ?? 'events',
    dedupe_key: emission.dedupe_key,
    correlation_id: emission.correlation_id ?? 'corr-1',
    causation_id: null,
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    occurred_at: emission.occurred_at ?? null,
    received_at: '2026-06-11T09:03:03.000Z',
    mode: 'live',
    schema_version: '1',
    payload: emission.payload,
    agent_id: null,
    session_id: null,
    cloudevent: emission.cloudevent ?? null,
  };
}

const sent: CloudEvent = {
  specversion: '1.0',
  id: 'evt-9',
  source: 'urn:shop:eu-1',
  type: 'order.shipped',
  subject: 'orders/9',
  time: '2026-06-11T11:03:02.25+02:00',
  datacontenttype: 'application/vnd.shop.order+json',
  dataschema: 'https://example.com/order.json',
  region: 'eu-west',
  attempt: 3,
  urgent: true,
  data: { entity: { kind: 'order', id: '9' }, carrier: 'DHL' },
};

describe('cloudEventAttributes', () => {
  it('gives an envelope that came in the original id, source, subject, time and extensions', () => {
    const attributes = cloudEventAttributes(arrived!);
    const original = arrived!.cloudevent!;
    assert.equal(attributes.id, original.id);
    assert.equal(attributes.source, original.source);
    assert.equal(attributes.type, arrived!.event_type);
    assert.equal(attributes.subject, 'orders/42');
    assert.equal(attributes.time, '2026-06-11T11:03:02+02:00');
    assert.equal(attributes.datacontenttype, 'application/json');
    assert.equal(attributes.dataschema, 'https://example.com/schemas/order.json');
    assert.equal(attributes['region'], 'eu-west');
    assert.equal(attributes['traceparent'], original.extensions['traceparent']);
    assert.equal(attributes[EVENT_ID_EXTENSION], arrived!.event_id);
    assert.equal(attributes['tenantid'], arrived!.tenant_id);
    assert.equal(attributes['connectionid'], arrived!.connection_id);
    assert.equal(attributes[ENTITY_KEY_EXTENSION], 'order:42');
    assert.equal('data' in attributes, false);
  });

  it('adds no subject, time or content type the original did not have', () => {
    const { subject: _s, time: _t, datacontenttype: _d, ...bare } = arrived!.cloudevent!;
    const attributes = cloudEventAttributes({ ...arrived!, cloudevent: bare });
    for (const name of ['subject', 'time', 'datacontenttype']) assert.equal(name in attributes, false, name);
    assert.equal(attributes['occurredat'], arrived!.occurred_at);
  });

  it('keeps the platform’s extensions over an original extension of a reserved name', () => {
    const spoofed = {
      ...arrived!,
      cloudevent: {
        ...arrived!.cloudevent!,
        extensions: {
          tenantid: 'ten_other',
          causationid: 'x',
          entitykey: 'y',
          sluiceeventid: 'z',
          ok: 'kept',
        },
      },
    };
    const attributes = cloudEventAttributes(spoofed);
    assert.equal(attributes['tenantid'], arrived!.tenant_id);
    assert.equal('causationid' in attributes, false);
    assert.equal(attributes[ENTITY_KEY_EXTENSION], 'order:42');
    assert.equal(attributes[EVENT_ID_EXTENSION], arrived!.event_id);
    assert.equal(attributes['ok'], 'kept');
    assert.ok(RESERVED_EXTENSIONS.has('tenantid') && RESERVED_EXTENSIONS.has('connectionid'));
  });

  it('projects any other envelope as before, with the entity key as an extension too', () => {
    const attributes = cloudEventAttributes(complete!);
    assert.equal(attributes.id, complete!.event_id);
    assert.equal(attributes.source, '/sluice/tenants/ten_01/connections/con_01');
    assert.equal(attributes.subject, 'order:42');
    assert.equal(attributes[ENTITY_KEY_EXTENSION], 'order:42');
    assert.equal(EVENT_ID_EXTENSION in attributes, false);
    assert.deepEqual(envelopeToCloudEvent(complete!), { ...attributes, data: complete!.payload });
  });
});

describe('a CloudEvent in and out', () => {
  const modes = [
    ['structured', encodeStructured(sent)],
    ['batch', encodeBatch([sent])],
    ['binary', encodeBinary(sent)],
  ] as const;

  for (const [mode, message] of modes) {
    it(`gives back every attribute and the data of a ${mode}-mode event`, () => {
      const decoded = decodeHttp(message.headers, message.body);
      assert.ok(decoded.ok, decoded.ok ? '' : decoded.error.message);
      const emission = cloudEventToEmission(decoded.value.events[0]!, { source: 'cn-shop' });
      const envelope = stamped(emission, '0190f2a4-7b1c-7d3e-8f00-00000000000a');
      const back = envelopeToCloudEvent(envelope);
      // Binary mode carries every attribute as a header, so integers and booleans come back as text.
      const expected = mode === 'binary' ? { ...sent, attempt: '3', urgent: 'true' } : sent;
      for (const [name, value] of Object.entries(expected)) assert.deepEqual(back[name], value, name);
      assert.equal(back[EVENT_ID_EXTENSION], envelope.event_id);
      assert.equal(back['tenantid'], 'ten_01');
      assert.deepEqual(cloudEventToEnvelope(back), envelope);
      const again = decodeHttp(encodeStructured(back).headers, encodeStructured(back).body);
      assert.ok(again.ok);
      assert.deepEqual(again.value.events[0], back);
    });
  }

  it('keeps a sender’s tenantid extension with the envelope but never sends it as the tenant', () => {
    const emission = cloudEventToEmission({ ...sent, tenantid: 'ten_other' }, { source: 'cn-shop' });
    assert.equal(emission.cloudevent?.extensions['tenantid'], 'ten_other');
    const back = envelopeToCloudEvent(stamped(emission, '0190f2a4-7b1c-7d3e-8f00-00000000000b'));
    assert.equal(back['tenantid'], 'ten_01');
  });
});
