import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ENVELOPE_FIELDS } from '../envelope.ts';
import { FIXTURE_ENVELOPES } from './envelope-fixtures.ts';
import {
  attributesOf,
  fromIntegrationEvent,
  INTEGRATION_ATTRIBUTE_NAMES,
  toIntegrationEvent,
} from './integration-event.ts';

const [complete, sparse] = FIXTURE_ENVELOPES;

const camel = (field: string): string =>
  field.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

describe('toIntegrationEvent', () => {
  it('camelCases every envelope field and nothing else', () => {
    const event = toIntegrationEvent(complete!);
    assert.deepEqual(Object.keys(event).sort(), ENVELOPE_FIELDS.map(camel).sort());
    for (const field of ENVELOPE_FIELDS) {
      assert.deepEqual(event[camel(field) as keyof typeof event], complete![field], field);
    }
  });

  it('carries the seed fields with the values of the envelope', () => {
    const event = toIntegrationEvent(complete!);
    assert.equal(event.eventId, '0190f2a4-7b1c-7d3e-8f00-123456789abc');
    assert.equal(event.eventType, 'order.fulfilled');
    assert.equal(event.traceId, '4bf92f3577b34da6a3ce929d0e0e4736');
    assert.equal(event.causationId, '0190f2a4-7b1c-7d3e-8f00-000000000001');
    assert.equal(toIntegrationEvent(sparse!).occurredAt, null);
  });

  it('round-trips every fixture through fromIntegrationEvent and JSON', () => {
    for (const envelope of FIXTURE_ENVELOPES) {
      const wire = JSON.parse(JSON.stringify(toIntegrationEvent(envelope)));
      assert.deepEqual(fromIntegrationEvent(wire), envelope);
    }
  });
});

describe('attributesOf', () => {
  it('mirrors the filterable fields as strings', () => {
    assert.deepEqual(attributesOf(complete!), {
      'sluice-event-type': 'order.fulfilled',
      'sluice-tenant-id': 'ten_01',
      'sluice-connection-id': 'con_01',
      'sluice-source': 'operator:jenny',
      'sluice-stream': 'orders',
      'sluice-mode': 'quiet',
      'sluice-trace-id': '4bf92f3577b34da6a3ce929d0e0e4736',
      'sluice-correlation-id': 'corr-3a6e1d40',
      'sluice-schema-version': '1',
      'sluice-entity-key': 'order:42',
    });
  });

  it('leaves out the entity key when the payload names none, and uses only the declared names', () => {
    const attributes = attributesOf(sparse!);
    assert.equal('sluice-entity-key' in attributes, false);
    for (const envelope of FIXTURE_ENVELOPES) {
      for (const [name, value] of Object.entries(attributesOf(envelope))) {
        assert.ok((INTEGRATION_ATTRIBUTE_NAMES as ReadonlyArray<string>).includes(name), name);
        assert.equal(typeof value, 'string');
      }
    }
  });
});
