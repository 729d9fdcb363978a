import { type Emission, isSourceId, type MapInput, MQTT_TOPIC_HEADER } from '@sluice/core';
import { DEVICE_ITEM_TIME_FIELDS } from '@sluice/core/codecs';
import { defineConnector } from '@sluice/map';
import { DEFAULT_TOPIC_TEMPLATE, parseTopic, type TopicParts } from './mqtt-topic.ts';
import { recordOf } from './source-fields.ts';

const ID = 'mqtt';

/** The one event type: a sensor reading at its sample time. */
export const MQTT_READING_EVENT_TYPE = 'reading.recorded';

/** Default bucket of the sample time in the dedupe key, in seconds. */
export const DEFAULT_BUCKET_SECONDS = 1;

type Body = Record<string, unknown>;

/** The mapping's part of a connection's config (the broker session's part is the gateway's). */
interface MappingConfig {
  readonly template: string;
  readonly bucketMs: number;
}

function mappingConfigOf(config: Readonly<Record<string, unknown>>): MappingConfig {
  const template = config['topic_template'] ?? DEFAULT_TOPIC_TEMPLATE;
  if (typeof template !== 'string' || template === '') {
    throw new Error(`${ID}: topic_template must be a non-empty string, got ${JSON.stringify(template)}`);
  }
  const seconds = config['bucket_seconds'] ?? DEFAULT_BUCKET_SECONDS;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 1 || seconds > 86_400) {
    throw new Error(
      `${ID}: bucket_seconds must be a whole number from 1 to 86400, got ${JSON.stringify(seconds)}`,
    );
  }
  return { template, bucketMs: seconds * 1000 };
}

/**
 * One MQTT message → its readings. The topic (header `mqtt-topic`) names the gateway, the zone and the
 * measurement through `topic_template`; the body is one reading `{value, unit, ts}` or a device batch
 * (seed 004 shape) with one reading per item. Every reading's dedupe key is
 * `<gateway>:<zone>:<measurement>:<bucket>`, the bucket being the reading's own sample time divided by
 * `bucket_seconds`, so a gateway that replays after a reconnect produces duplicates, not new events.
 * A message that fits none of this throws, and becomes a dead letter.
 */
export function mapMqttMessage(input: MapInput): Emission[] {
  const topic = input.headers[MQTT_TOPIC_HEADER];
  if (topic === undefined || topic === '') throw new Error(`${ID}: the message has no topic`);
  const config = mappingConfigOf(input.config);
  const parts = parseTopic(config.template, topic);
  if (!isSourceId(parts.gateway) || parts.gateway.includes(':')) {
    throw new Error(
      `${ID}: gateway id ${JSON.stringify(parts.gateway)} is not a stable lowercase id (e.g. "bacnet-gw-7")`,
    );
  }
  const body = recordOf(ID, 'the message body', input.body);
  if (Array.isArray(body['data'])) {
    if (body['data'].length === 0) throw new Error(`${ID}: the device batch has no data items`);
    return body['data'].map((item, index) =>
      reading(parts, topic, config, recordOf(ID, `data item ${index}`, item), `data item ${index}`),
    );
  }
  return [reading(parts, topic, config, body, 'the reading')];
}

function reading(
  parts: TopicParts,
  topic: string,
  config: MappingConfig,
  item: Body,
  what: string,
): Emission {
  const value = item['value'];
  if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'string') {
    throw new Error(
      `${ID}: ${what} needs a value (a number, boolean or string), got ${JSON.stringify(value)}`,
    );
  }
  const sampledMs = sampleTimeOf(item, what);
  const zone = typeof item['zone'] === 'string' && item['zone'] !== '' ? item['zone'] : parts.zone;
  const measurement =
    typeof item['measurement'] === 'string' && item['measurement'] !== ''
      ? item['measurement']
      : parts.measurement;
  const bucket = Math.floor(sampledMs / config.bucketMs);
  const { gateway: _gateway, zone: _zone, measurement: _measurement, ...site } = parts.segments;
  return {
    source: parts.gateway,
    event_type: MQTT_READING_EVENT_TYPE,
    dedupe_key: `${parts.gateway}:${zone}:${measurement}:${bucket}`,
    occurred_at: new Date(sampledMs).toISOString(),
    payload: {
      entity: { kind: 'zone', id: zone },
      gateway: parts.gateway,
      ...site,
      measurement,
      value,
      unit: typeof item['unit'] === 'string' ? item['unit'] : null,
      sampled_at: new Date(sampledMs).toISOString(),
      topic,
    },
  };
}

/** `ts` or a device-batch time field: epoch ms, epoch seconds (below 1e11), or RFC 3339. */
function sampleTimeOf(item: Body, what: string): number {
  for (const field of ['ts', ...DEVICE_ITEM_TIME_FIELDS]) {
    const raw = item[field];
    if (raw === undefined) continue;
    const ms =
      typeof raw === 'number' && Number.isFinite(raw)
        ? raw < 1e11
          ? raw * 1000
          : raw
        : typeof raw === 'string'
          ? Date.parse(raw)
          : Number.NaN;
    if (!Number.isFinite(ms) || ms <= 0) {
      throw new Error(`${ID}: ${what} has an unreadable sample time ${field}=${JSON.stringify(raw)}`);
    }
    return Math.trunc(ms);
  }
  throw new Error(`${ID}: ${what} has no sample time (ts, ${DEVICE_ITEM_TIME_FIELDS.join(', ')})`);
}

/**
 * Sensor gateways over MQTT. The gateway worker holds one persistent session per connection and hands each
 * message here; `password` is sealed at rest.
 */
export const mqttConnector = defineConnector({
  id: ID,
  version: '1.0.0',
  description:
    'Sensor gateways over MQTT: one reading per zone and measurement, deduplicated by sample time.',
  streams: [{ key: 'readings', mode: 'subscribe', events: [MQTT_READING_EVENT_TYPE] }],
  map: mapMqttMessage,
  secretConfig: ['password'],
});
