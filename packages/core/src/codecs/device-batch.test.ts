import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Value } from '@sinclair/typebox/value';
import type { Emission } from '../emission.ts';
import type { Envelope } from '../envelope.ts';
import { EmissionSchema, EnvelopeSchema } from '../envelope-schema.ts';
import { SluiceError } from '../errors.ts';
import { deviceBatchToEmissions, envelopesToDeviceBatch } from './device-batch.ts';
import type { DeviceBatch } from './device-batch-schema.ts';
import { FIXTURE_ENVELOPES } from './envelope-fixtures.ts';

const batch: DeviceBatch = {
  event_id: '550e8400-e29b-41d4-a716-446655440000',
  schema_version: '1.1',
  event_type: 'activity',
  stream: 'session',
  provider: 'fitbit',
  sources: [{ provider_notification_id: 'notif-abc123', fetched_at: 1742585000000 }],
  devices: [{ device_id: 'dev-001', name: 'Charge 6', model: 'FB423', provider_device_id: 'dev-001' }],
  tenant_id: 'tenant-uuid',
  user_id: 'user-uuid',
  external_user_ref: 'your-user-123',
  connection_id: 'conn-uuid',
  emitted_at: 1742585400000,
  data: [
    {
      id: 'act-1',
      device_id: 'dev-001',
      start_time: 1742584000000,
      steps: 1200,
      zones: [{ name: 'fat burn' }],
    },
    {
      id: 'act-2',
      device_id: null,
      start_time: '2025-03-21T19:30:00Z',
      steps: 80,
      note: 'Laufen 🏃 – Grüße',
    },
    { provider_record_id: 9001, device_id: 'dev-001', steps: 5, entity: { kind: 'session', id: 's-1' } },
  ],
};

const options = { source: 'nexus', eventType: (type: string) => `${type}.recorded` };

const invalid = (error: unknown): boolean => {
  assert.ok(error instanceof SluiceError);
  assert.equal(error.code, 'validation_failed');
  return true;
};

/** What ingest would do: stamp the platform fields onto each emission. */
function stamp(emissions: ReadonlyArray<Emission>): Envelope[] {
  const template = FIXTURE_ENVELOPES[1]!;
  return emissions.map((emission, index) => ({
    ...template,
    event_id: `0190f2a4-7b1c-7d3e-8f00-00000000000${index}`,
    tenant_id: batch.tenant_id,
    connection_id: batch.connection_id,
    source: emission.source,
    event_type: emission.event_type,
    stream: emission.stream ?? 'default',
    dedupe_key: emission.dedupe_key,
    occurred_at: emission.occurred_at ?? null,
    payload: emission.payload,
  }));
}

describe('deviceBatchToEmissions', () => {
  it('makes one valid emission per data item, in order', () => {
    const emissions = deviceBatchToEmissions(batch, options);
    assert.equal(emissions.length, 3);
    for (const emission of emissions) assert.equal(Value.Check(EmissionSchema, emission), true);
    assert.deepEqual(
      emissions.map((emission) => emission.dedupe_key),
      ['fitbit:activity:act-1', 'fitbit:activity:act-2', 'fitbit:activity:9001'],
    );
    assert.deepEqual(emissions[0], {
      source: 'nexus',
      event_type: 'activity.recorded',
      dedupe_key: 'fitbit:activity:act-1',
      stream: 'session',
      occurred_at: '2025-03-21T19:06:40.000Z',
      payload: { ...batch.data[0], entity: { kind: 'device', id: 'dev-001' } },
    });
  });

  it('takes the entity from device_id only, and leaves an item entity of its own alone', () => {
    const [first, second, third] = deviceBatchToEmissions(batch, options);
    assert.deepEqual(first?.payload['entity'], { kind: 'device', id: 'dev-001' });
    assert.equal('entity' in (second?.payload ?? {}), false);
    assert.deepEqual(third?.payload['entity'], { kind: 'session', id: 's-1' });
  });

  it('reads occurred_at from an RFC 3339 or epoch-ms timestamp, else null', () => {
    const occurred = deviceBatchToEmissions(batch, options).map((emission) => emission.occurred_at);
    assert.deepEqual(occurred, ['2025-03-21T19:06:40.000Z', '2025-03-21T19:30:00Z', null]);
  });

  it('keeps the provider event type without an eventType option, and takes ids from itemId', () => {
    const withKey = { ...batch, data: [{ log_id: 77, device_id: 'dev-001' }] };
    const [emission] = deviceBatchToEmissions(withKey, {
      source: 'nexus',
      itemId: (item) => item['log_id'] as number,
    });
    assert.equal(emission?.event_type, 'activity');
    assert.equal(emission?.dedupe_key, 'fitbit:activity:77');
  });

  it('rejects an item without an id, naming it', () => {
    const noId = { ...batch, data: [batch.data[0]!, { device_id: 'dev-001', steps: 1 }] };
    assert.throws(() => deviceBatchToEmissions(noId, options), /\/data\/1 has no id/);
  });

  it('rejects a malformed batch, naming the field', () => {
    const noData = { ...batch, data: [] };
    assert.throws(() => deviceBatchToEmissions(noData, options), invalid);
    const badItem = { ...batch, data: ['not an object'] } as unknown as DeviceBatch;
    assert.throws(() => deviceBatchToEmissions(badItem, options), /\/data\/0/);
    const { provider: _, ...noProvider } = batch;
    assert.throws(() => deviceBatchToEmissions(noProvider as DeviceBatch, options), /\/provider/);
  });
});

describe('envelopesToDeviceBatch', () => {
  const meta = {
    event_id: batch.event_id,
    provider: batch.provider,
    emitted_at: batch.emitted_at,
    schema_version: batch.schema_version,
    event_type: batch.event_type,
    sources: batch.sources,
    devices: batch.devices,
    user_id: 'user-uuid',
    external_user_ref: 'your-user-123',
  };

  it('round-trips batch → emissions → envelopes → batch, keeping data items and order', () => {
    const envelopes = stamp(deviceBatchToEmissions(batch, options));
    for (const envelope of envelopes) assert.equal(Value.Check(EnvelopeSchema, envelope), true);
    assert.deepEqual(envelopesToDeviceBatch(envelopes, meta), batch);
  });

  it('defaults schema version, sources, devices and event type', () => {
    const envelopes = stamp(deviceBatchToEmissions(batch, options));
    const outbound = envelopesToDeviceBatch(envelopes, {
      event_id: 'e-2',
      provider: 'fitbit',
      emitted_at: 1,
    });
    assert.equal(outbound.schema_version, '1.1');
    assert.equal(outbound.event_type, 'activity.recorded');
    assert.deepEqual(outbound.sources, []);
    assert.deepEqual(outbound.devices, [
      { device_id: 'dev-001', name: null, model: null, provider_device_id: null },
    ]);
    assert.equal('user_id' in outbound, false);
    assert.deepEqual(outbound.data, batch.data);
  });

  it('rejects envelopes of mixed event types, naming the first stray one', () => {
    const envelopes = stamp(deviceBatchToEmissions(batch, options));
    const mixed = [envelopes[0]!, { ...envelopes[1]!, event_type: 'sleep.recorded' }, envelopes[2]!];
    assert.throws(
      () => envelopesToDeviceBatch(mixed, meta),
      (error: unknown) => {
        assert.ok(error instanceof SluiceError);
        assert.equal(error.code, 'validation_failed');
        assert.deepEqual(error.details, {
          index: 1,
          field: 'event_type',
          expected: 'activity.recorded',
          actual: 'sleep.recorded',
        });
        return true;
      },
    );
  });

  it('rejects envelopes of another tenant or connection, and an empty list', () => {
    const envelopes = stamp(deviceBatchToEmissions(batch, options));
    assert.throws(
      () => envelopesToDeviceBatch([envelopes[0]!, { ...envelopes[1]!, tenant_id: 'x' }], meta),
      invalid,
    );
    const otherConnection = { ...envelopes[1]!, connection_id: 'x' };
    assert.throws(() => envelopesToDeviceBatch([envelopes[0]!, otherConnection], meta), /connection_id/);
    assert.throws(() => envelopesToDeviceBatch([], meta), invalid);
  });
});
