import { type Static, Type } from '@sinclair/typebox';

/** Version of the device batch shape written when the caller names none. */
export const DEVICE_BATCH_SCHEMA_VERSION = '1.1';

/** A provider notification that triggered the fetch. */
export interface DeviceBatchSource {
  readonly provider_notification_id: string | null;
  /** Epoch ms. */
  readonly fetched_at: number;
}

/** A device the batch's data items refer to by `device_id`. */
export interface DeviceRecord {
  readonly device_id: string;
  readonly name: string | null;
  readonly model: string | null;
  readonly provider_device_id: string | null;
}

/** One self-contained observation: its own id, timestamps and fields; `device_id` null when unattributed. */
export type DeviceDataItem = Readonly<Record<string, unknown>>;

/**
 * The device/wearable batch: one `event_type` for every item of `data[]`, with the devices and
 * provider notifications they came from. `emitted_at` is epoch ms.
 */
export interface DeviceBatch {
  readonly event_id: string;
  readonly schema_version: string;
  readonly event_type: string;
  readonly stream: string;
  readonly provider: string;
  readonly sources: ReadonlyArray<DeviceBatchSource>;
  readonly devices: ReadonlyArray<DeviceRecord>;
  readonly tenant_id: string;
  readonly user_id?: string;
  readonly external_user_ref?: string;
  readonly connection_id: string;
  readonly emitted_at: number;
  readonly data: ReadonlyArray<DeviceDataItem>;
}

const Text = Type.String({ minLength: 1 });
const NullableText = Type.Union([Type.String(), Type.Null()]);

/** The device batch as a TypeBox schema; providers may add fields, so extra properties pass. */
export const DeviceBatchSchema = Type.Object(
  {
    event_id: Text,
    schema_version: Text,
    event_type: Text,
    stream: Text,
    provider: Text,
    sources: Type.Array(Type.Object({ provider_notification_id: NullableText, fetched_at: Type.Integer() })),
    devices: Type.Array(
      Type.Object({
        device_id: Text,
        name: NullableText,
        model: NullableText,
        provider_device_id: NullableText,
      }),
    ),
    tenant_id: Text,
    user_id: Type.Optional(Type.String()),
    external_user_ref: Type.Optional(Type.String()),
    connection_id: Text,
    emitted_at: Type.Integer(),
    data: Type.Array(Type.Record(Type.String(), Type.Unknown()), { minItems: 1 }),
  },
  { title: 'DeviceBatch' },
);

// Compile-time proof that a value passing the schema is a DeviceBatch, with the same field names.
type Assignable<From, To> = [From] extends [To] ? true : false;
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
const deviceBatchSchemaMatches: Assignable<Static<typeof DeviceBatchSchema>, DeviceBatch> &
  SameKeys<Static<typeof DeviceBatchSchema>, DeviceBatch> = true;
void deviceBatchSchemaMatches;
