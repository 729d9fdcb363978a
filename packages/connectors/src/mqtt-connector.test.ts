import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MQTT_TOPIC_HEADER } from '@sluice/core';
import { runMapping } from '@sluice/map';
import { deliveryOf } from './fixtures/map-input.ts';
import { mqttConnector } from './mqtt-connector.ts';
import { parseTopic } from './mqtt-topic.ts';

const TOPIC = 'sites/hq/gateways/bacnet-gw-7/zones/12/temperature';
const TS = Date.parse('2026-11-30T08:15:42.250Z');

const message = (body: unknown, topic = TOPIC, config: Record<string, unknown> = {}) =>
  deliveryOf(body, { [MQTT_TOPIC_HEADER]: topic }, config);

describe('mqtt connector', () => {
  it('declares one subscribe stream and seals the password', () => {
    assert.deepEqual(
      mqttConnector.streams.map((s) => [s.key, s.mode]),
      [['readings', 'subscribe']],
    );
    assert.equal(mqttConnector.eventTypes.get('reading.recorded'), 'readings');
    assert.deepEqual(mqttConnector.secretConfig, ['password']);
    assert.equal(mqttConnector.webhook, null);
  });

  it('maps a reading: source from the gateway, entity from the zone, a sample-time bucket in the dedupe key', () => {
    const result = runMapping(mqttConnector, message({ value: 21.5, unit: 'degC', ts: TS }));
    assert.deepEqual(result, {
      ok: true,
      emissions: [
        {
          source: 'bacnet-gw-7',
          event_type: 'reading.recorded',
          dedupe_key: `bacnet-gw-7:12:temperature:${Math.floor(TS / 1000)}`,
          occurred_at: '2026-11-30T08:15:42.250Z',
          payload: {
            entity: { kind: 'zone', id: '12' },
            gateway: 'bacnet-gw-7',
            site: 'hq',
            measurement: 'temperature',
            value: 21.5,
            unit: 'degC',
            sampled_at: '2026-11-30T08:15:42.250Z',
            topic: TOPIC,
          },
        },
      ],
    });
  });

  it('puts readings of one bucket on one key, whatever their sub-bucket jitter, and the next bucket on another', () => {
    const key = (ts: number | string, config = {}) => {
      const result = runMapping(mqttConnector, message({ value: 1, ts }, TOPIC, config));
      assert.ok(result.ok);
      return result.emissions[0]?.dedupe_key;
    };
    const base = Date.parse('2026-11-30T08:15:00.000Z');
    assert.equal(key(base + 100, { bucket_seconds: 60 }), key(base + 59_900, { bucket_seconds: 60 }));
    assert.notEqual(key(base, { bucket_seconds: 60 }), key(base + 60_000, { bucket_seconds: 60 }));
    // Epoch seconds and RFC 3339 name the same sample as epoch ms.
    assert.equal(key(base / 1000), key(base));
    assert.equal(key('2026-11-30T08:15:00Z'), key(base));
  });

  it('reads a configured topic template', () => {
    const config = { topic_template: 'plant/{gateway}/{zone}/{measurement}' };
    const result = runMapping(
      mqttConnector,
      message({ value: 3, ts: TS }, 'plant/modbus-2/boiler/pressure', config),
    );
    assert.ok(result.ok);
    assert.equal(result.emissions[0]?.source, 'modbus-2');
    assert.deepEqual(result.emissions[0]?.payload['entity'], { kind: 'zone', id: 'boiler' });
    assert.throws(() => parseTopic('plant/{gateway}/{measurement}', 'plant/a/b'), /names no \{zone\}/);
  });

  it('maps a device batch (seed 004 shape) to one reading per item', () => {
    const batch = {
      event_id: 'evt-1',
      schema_version: '1.1',
      event_type: 'reading',
      stream: 'readings',
      provider: 'bacnet',
      sources: [],
      devices: [],
      tenant_id: 't',
      connection_id: 'c',
      emitted_at: TS,
      data: [
        { value: 21.5, unit: 'degC', timestamp: TS },
        { value: 40, unit: '%', timestamp: TS, measurement: 'humidity' },
        { value: 22, unit: 'degC', timestamp: TS, zone: '13' },
      ],
    };
    const result = runMapping(mqttConnector, message(batch));
    assert.ok(result.ok);
    const bucket = Math.floor(TS / 1000);
    assert.deepEqual(
      result.emissions.map((e) => e.dedupe_key),
      [
        `bacnet-gw-7:12:temperature:${bucket}`,
        `bacnet-gw-7:12:humidity:${bucket}`,
        `bacnet-gw-7:13:temperature:${bucket}`,
      ],
    );
  });

  it('fails (a dead letter) on what does not map, naming why', () => {
    const failure = (body: unknown, topic = TOPIC, config = {}) => {
      const result = runMapping(mqttConnector, message(body, topic, config));
      assert.equal(result.ok, false);
      return result.ok ? '' : result.error.message;
    };
    assert.match(failure({ unit: 'degC', ts: TS }), /needs a value/);
    assert.match(failure({ value: 1 }), /no sample time/);
    assert.match(failure({ value: 1, ts: 'yesterday' }), /unreadable sample time/);
    assert.match(failure({ value: 1, ts: TS }, 'sites/hq/zones/12'), /does not fit the template/);
    assert.match(
      failure({ value: 1, ts: TS }, 'sites/hq/gateways/GW 7/zones/12/t'),
      /not a stable lowercase id/,
    );
    assert.match(failure([1, 2]), /must be an object|object/);
    assert.match(failure({ data: [] }), /no data items/);
    assert.match(failure({ value: 1, ts: TS }, TOPIC, { bucket_seconds: 0 }), /bucket_seconds/);
  });
});
