import { isDeepStrictEqual } from 'node:util';
import { Value } from '@sinclair/typebox/value';
import type { Emission } from '../emission.ts';
import type { EntityRef, Envelope } from '../envelope.ts';
import { DEDUPE_KEY_MAX_LENGTH, TIMESTAMP_PATTERN } from '../envelope-schema.ts';
import { SluiceError } from '../errors.ts';
import {
  DEVICE_BATCH_SCHEMA_VERSION,
  type DeviceBatch,
  DeviceBatchSchema,
  type DeviceBatchSource,
  type DeviceDataItem,
  type DeviceRecord,
} from './device-batch-schema.ts';

/** Item fields tried, in order, for the item's own id when no `itemId` option is given. */
export const DEVICE_ITEM_ID_FIELDS = ['id', 'provider_record_id', 'provider_id'] as const;

/** Item fields tried, in order, for the source's timestamp (epoch ms or RFC 3339). */
export const DEVICE_ITEM_TIME_FIELDS = ['timestamp', 'start_time', 'recorded_at', 'time'] as const;

export interface DeviceBatchInboundOptions {
  /** The connector's source id for every emission. */
  readonly source: string;
  /** The item's own id, when it is in none of {@link DEVICE_ITEM_ID_FIELDS}; replaces that lookup. */
  readonly itemId?: (item: DeviceDataItem) => string | number | undefined;
  /** The emitted event type for the batch's `event_type`, e.g. `activity` → `activity.recorded`. */
  readonly eventType?: (batchEventType: string) => string;
}

/**
 * One emission per data item, in order: payload = the item plus `entity = { kind: 'device', id }`
 * from its `device_id` (an `entity` of the item's own wins), dedupe_key =
 * `${provider}:${event_type}:${item id}`, occurred_at from the item's timestamp, stream from the
 * batch. The batch shape is checked at run time; a bad batch or an item without an id throws
 * `validation_failed` naming the path.
 */
export function deviceBatchToEmissions(batch: DeviceBatch, options: DeviceBatchInboundOptions): Emission[] {
  const error = Value.Errors(DeviceBatchSchema, batch).First();
  if (error !== undefined) {
    throw invalidBatch(`Device batch field ${error.path} is invalid: ${error.message}.`, error.path);
  }
  const eventType = options.eventType?.(batch.event_type) ?? batch.event_type;
  return batch.data.map((item, index) => {
    const id = itemIdOf(item, options);
    if (id === undefined) {
      const fields = DEVICE_ITEM_ID_FIELDS.join(', ');
      throw invalidBatch(
        `Device batch item /data/${index} has no id (looked for ${fields}).`,
        `/data/${index}`,
      );
    }
    const dedupeKey = `${batch.provider}:${batch.event_type}:${id}`;
    if (dedupeKey.length > DEDUPE_KEY_MAX_LENGTH) {
      throw invalidBatch(
        `Device batch item /data/${index} has an id too long for a dedupe key.`,
        `/data/${index}`,
      );
    }
    const entity = deviceEntityOf(item);
    return {
      source: options.source,
      event_type: eventType,
      dedupe_key: dedupeKey,
      stream: batch.stream,
      occurred_at: occurredAtOf(item),
      payload: entity === null || 'entity' in item ? item : { ...item, entity },
    };
  });
}

/** Batch-level fields the envelopes do not carry; `devices` defaults to the items' device ids. */
export interface DeviceBatchMeta {
  readonly event_id: string;
  readonly provider: string;
  /** Epoch ms. */
  readonly emitted_at: number;
  readonly schema_version?: string;
  /** The batch's `event_type` when it differs from the envelopes' (the inverse of `eventType`). */
  readonly event_type?: string;
  readonly sources?: ReadonlyArray<DeviceBatchSource>;
  readonly devices?: ReadonlyArray<DeviceRecord>;
  readonly user_id?: string;
  readonly external_user_ref?: string;
}

/**
 * Gather envelopes of one event type, tenant, connection and stream into a device batch, in order,
 * each payload a data item again (the `entity` derived from `device_id` removed).
 * Throws `validation_failed` for no envelopes or envelopes that disagree.
 */
export function envelopesToDeviceBatch(
  envelopes: ReadonlyArray<Envelope>,
  meta: DeviceBatchMeta,
): DeviceBatch {
  const first = envelopes[0];
  if (first === undefined) throw invalidBatch('A device batch needs at least one envelope.', '/data');
  for (const [index, envelope] of envelopes.entries()) {
    for (const field of ['event_type', 'tenant_id', 'connection_id', 'stream'] as const) {
      if (envelope[field] !== first[field]) {
        const message = `Envelope ${index} has ${field} ${JSON.stringify(envelope[field])}; a device batch holds only ${JSON.stringify(first[field])}.`;
        throw new SluiceError('validation_failed', message, {
          details: { index, field, expected: first[field], actual: envelope[field] },
        });
      }
    }
  }
  const data = envelopes.map((envelope) => toDataItem(envelope.payload));
  return {
    event_id: meta.event_id,
    schema_version: meta.schema_version ?? DEVICE_BATCH_SCHEMA_VERSION,
    event_type: meta.event_type ?? first.event_type,
    stream: first.stream,
    provider: meta.provider,
    sources: meta.sources ?? [],
    devices: meta.devices ?? devicesOf(data),
    tenant_id: first.tenant_id,
    ...(meta.user_id === undefined ? {} : { user_id: meta.user_id }),
    ...(meta.external_user_ref === undefined ? {} : { external_user_ref: meta.external_user_ref }),
    connection_id: first.connection_id,
    emitted_at: meta.emitted_at,
    data,
  };
}

function itemIdOf(item: DeviceDataItem, options: DeviceBatchInboundOptions): string | undefined {
  const candidates =
    options.itemId === undefined ? DEVICE_ITEM_ID_FIELDS.map((field) => item[field]) : [options.itemId(item)];
  for (const value of candidates) {
    if (
      (typeof value === 'string' && value !== '') ||
      (typeof value === 'number' && Number.isFinite(value))
    ) {
      return String(value);
    }
  }
  return undefined;
}

function deviceEntityOf(item: DeviceDataItem): EntityRef | null {
  const deviceId = item['device_id'];
  return typeof deviceId === 'string' && deviceId !== '' ? { kind: 'device', id: deviceId } : null;
}

function occurredAtOf(item: DeviceDataItem): string | null {
  for (const field of DEVICE_ITEM_TIME_FIELDS) {
    const value = item[field];
    if (typeof value === 'string' && TIMESTAMP_PATTERN.test(value)) return value;
    if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
  }
  return null;
}

function toDataItem(payload: Readonly<Record<string, unknown>>): DeviceDataItem {
  if (!isDeepStrictEqual(payload['entity'], deviceEntityOf(payload))) return payload;
  const { entity: _, ...item } = payload;
  return item;
}

function devicesOf(data: ReadonlyArray<DeviceDataItem>): DeviceRecord[] {
  const ids = new Set<string>();
  for (const item of data) {
    const deviceId = item['device_id'];
    if (typeof deviceId === 'string' && deviceId !== '') ids.add(deviceId);
  }
  return [...ids].map((device_id) => ({ device_id, name: null, model: null, provider_device_id: null }));
}

function invalidBatch(message: string, path: string): SluiceError {
  return new SluiceError('validation_failed', message, { details: { path } });
}
