import { entityKey } from '../entity-key.ts';
import type { Envelope } from '../envelope.ts';
import type { CloudEventAttributeValue } from './cloudevent.ts';

/**
 * Envelope fields carried as CloudEvents extension attributes, with their attribute names
 * (lowercase `a-z0-9`, ≤ 20 characters). `event_id`, `event_type` and `payload` map to the core
 * attributes `id`, `type` and `data`; the envelope's own `source` is `sluicesource`, since the
 * CloudEvents `source` names the producing connection as a URI reference. `cloudevent` is the
 * original event's context, which the projection starts from.
 */
export const ENVELOPE_EXTENSIONS = {
  reseller_id: 'resellerid',
  tenant_id: 'tenantid',
  workspace_id: 'workspaceid',
  connection_id: 'connectionid',
  source: 'sluicesource',
  stream: 'stream',
  dedupe_key: 'dedupekey',
  correlation_id: 'correlationid',
  causation_id: 'causationid',
  trace_id: 'traceid',
  occurred_at: 'occurredat',
  received_at: 'receivedat',
  mode: 'mode',
  schema_version: 'schemaversion',
  agent_id: 'agentid',
  session_id: 'sessionid',
} as const satisfies Record<
  Exclude<keyof Envelope, 'event_id' | 'event_type' | 'payload' | 'cloudevent'>,
  string
>;

/** The envelope field an extension of {@link ENVELOPE_EXTENSIONS} carries. */
export type ExtensionField = keyof typeof ENVELOPE_EXTENSIONS;

/**
 * The envelope's `event_id`, set when `id` is the original CloudEvent's: its presence tells the inverse
 * that the event came in as a CloudEvent.
 */
export const EVENT_ID_EXTENSION = 'sluiceeventid';

/** `${kind}:${id}` of `payload.entity`, set when the payload names an entity. */
export const ENTITY_KEY_EXTENSION = 'entitykey';

/**
 * Extension names the platform sets. An original CloudEvent's extension of one of these names stays in
 * the envelope's `cloudevent`, but the projection carries the platform's value (or none): the tenant,
 * the connection and the rest come from the connection, never from the sender.
 */
export const RESERVED_EXTENSIONS: ReadonlySet<string> = new Set([
  ...Object.values(ENVELOPE_EXTENSIONS),
  EVENT_ID_EXTENSION,
  ENTITY_KEY_EXTENSION,
]);

/**
 * The context attributes of an envelope's CloudEvent, without data: what a CloudEvents SQL condition
 * sees. Named attributes are strings; extensions are strings, 32-bit integers or booleans.
 */
export interface CloudEventAttributes {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject?: string;
  readonly time?: string;
  readonly datacontenttype?: string;
  readonly dataschema?: string;
  readonly [attribute: string]: CloudEventAttributeValue | undefined;
}

/** The CloudEvents `source` of an envelope: the connection that produced it, under its tenant. */
export function cloudEventSource(envelope: Pick<Envelope, 'tenant_id' | 'connection_id'>): string {
  const tenant = encodeURIComponent(envelope.tenant_id);
  return `/sluice/tenants/${tenant}/connections/${encodeURIComponent(envelope.connection_id)}`;
}

/**
 * The envelope's CloudEvents context attributes: the ones {@link envelopeToCloudEvent} sends, which the
 * router's CloudEvents SQL conditions evaluate. An envelope that came in as a CloudEvent keeps the
 * original `id`, `source`, `subject`, `time`, `datacontenttype`, `dataschema` and extensions, unchanged,
 * and adds `sluiceeventid`. Any other envelope gets `id` = event_id, `source` = the connection URI,
 * `subject` = the entity key when the payload names one, `time` = occurred_at, else received_at, and
 * `datacontenttype` = `application/json`. Both get `type` = event_type, every non-null envelope field
 * as an extension (tenant, connection…) and `entitykey` when the payload names an entity. Null fields
 * are omitted, since CloudEvents attributes cannot be null.
 */
export function cloudEventAttributes(envelope: Envelope): CloudEventAttributes {
  const entity = entityKey(envelope.payload);
  const platform: Record<string, string> = {};
  for (const [field, attribute] of Object.entries(ENVELOPE_EXTENSIONS)) {
    const value = envelope[field as ExtensionField];
    if (value !== null) platform[attribute] = value;
  }
  if (entity !== null) platform[ENTITY_KEY_EXTENSION] = entity;

  const original = envelope.cloudevent;
  if (original === null) {
    return {
      specversion: '1.0',
      id: envelope.event_id,
      source: cloudEventSource(envelope),
      type: envelope.event_type,
      ...(entity === null ? {} : { subject: entity }),
      time: envelope.occurred_at ?? envelope.received_at,
      datacontenttype: 'application/json',
      ...platform,
    };
  }
  const extensions: Record<string, CloudEventAttributeValue> = {};
  for (const [name, value] of Object.entries(original.extensions)) {
    if (!RESERVED_EXTENSIONS.has(name)) extensions[name] = value;
  }
  return {
    specversion: '1.0',
    id: original.id,
    source: original.source,
    type: envelope.event_type,
    ...(original.subject === undefined ? {} : { subject: original.subject }),
    ...(original.time === undefined ? {} : { time: original.time }),
    ...(original.datacontenttype === undefined ? {} : { datacontenttype: original.datacontenttype }),
    ...(original.dataschema === undefined ? {} : { dataschema: original.dataschema }),
    ...extensions,
    ...platform,
    [EVENT_ID_EXTENSION]: envelope.event_id,
  };
}
