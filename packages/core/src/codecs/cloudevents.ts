import { Buffer } from 'node:buffer';
import { Value } from '@sinclair/typebox/value';
import type { Emission } from '../emission.ts';
import { entityKey } from '../entity-key.ts';
import type { Envelope } from '../envelope.ts';
import { DEDUPE_KEY_MAX_LENGTH, EnvelopeSchema } from '../envelope-schema.ts';
import { type CloudEvent, invalidCloudEvent, isJsonContentType } from './cloudevent.ts';
import { validateCloudEvent } from './cloudevent-validator.ts';

/**
 * Envelope fields carried as CloudEvents extension attributes, with their attribute names
 * (lowercase `a-z0-9`, ≤ 20 characters). `event_id`, `event_type` and `payload` map to the core
 * attributes `id`, `type` and `data`; the envelope's own `source` is `sluicesource`, since the
 * CloudEvents `source` names the producing connection as a URI reference.
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
} as const satisfies Record<Exclude<keyof Envelope, 'event_id' | 'event_type' | 'payload'>, string>;

type ExtensionField = keyof typeof ENVELOPE_EXTENSIONS;

const NULLABLE = new Set<ExtensionField>([
  'reseller_id',
  'workspace_id',
  'causation_id',
  'occurred_at',
  'agent_id',
  'session_id',
]);

/** The CloudEvents `source` of an envelope: the connection that produced it, under its tenant. */
export function cloudEventSource(envelope: Pick<Envelope, 'tenant_id' | 'connection_id'>): string {
  const tenant = encodeURIComponent(envelope.tenant_id);
  return `/sluice/tenants/${tenant}/connections/${encodeURIComponent(envelope.connection_id)}`;
}

/**
 * Project an envelope onto a structured-mode CloudEvent: `id` = event_id, `source` = the connection
 * URI, `type` = event_type, `subject` = the entity key when the payload names one, `time` =
 * occurred_at, else received_at, `data` = payload, and every other field as an extension.
 * Null fields are omitted, since CloudEvents attributes cannot be null.
 */
export function envelopeToCloudEvent(envelope: Envelope): CloudEvent {
  const extensions: Record<string, string> = {};
  for (const [field, attribute] of Object.entries(ENVELOPE_EXTENSIONS)) {
    const value = envelope[field as ExtensionField];
    if (value !== null) extensions[attribute] = value;
  }
  const subject = entityKey(envelope.payload);
  return {
    specversion: '1.0',
    id: envelope.event_id,
    source: cloudEventSource(envelope),
    type: envelope.event_type,
    ...(subject === null ? {} : { subject }),
    time: envelope.occurred_at ?? envelope.received_at,
    datacontenttype: 'application/json',
    ...extensions,
    data: envelope.payload,
  };
}

/**
 * The inverse of {@link envelopeToCloudEvent}: lossless for every valid envelope (an absent nullable
 * extension is null). Throws `invalid_cloudevent` naming the missing or invalid attribute.
 */
export function cloudEventToEnvelope(event: CloudEvent): Envelope {
  const checked = validateCloudEvent(event);
  if (!checked.ok) throw checked.error;
  const ce = checked.value;
  const fields: Record<string, unknown> = {};
  for (const [field, attribute] of Object.entries(ENVELOPE_EXTENSIONS)) {
    const value = ce[attribute];
    if (value === undefined && !NULLABLE.has(field as ExtensionField)) {
      throw invalidCloudEvent(
        `missing extension attribute '${attribute}' (envelope field ${field})`,
        attribute,
      );
    }
    fields[field] = value ?? null;
  }
  const envelope = {
    event_id: ce.id,
    reseller_id: fields['reseller_id'],
    tenant_id: fields['tenant_id'],
    workspace_id: fields['workspace_id'],
    connection_id: fields['connection_id'],
    source: fields['source'],
    event_type: ce.type,
    stream: fields['stream'],
    dedupe_key: fields['dedupe_key'],
    correlation_id: fields['correlation_id'],
    causation_id: fields['causation_id'],
    trace_id: fields['trace_id'],
    occurred_at: fields['occurred_at'],
    received_at: fields['received_at'],
    mode: fields['mode'],
    schema_version: fields['schema_version'],
    payload: dataObject(ce),
    agent_id: fields['agent_id'],
    session_id: fields['session_id'],
  };
  const error = Value.Errors(EnvelopeSchema, envelope).First();
  if (error !== undefined) {
    const field = error.path.split('/')[1] ?? '';
    const attribute = attributeOf(field);
    throw invalidCloudEvent(
      `attribute '${attribute}' is not a valid envelope ${field}: ${error.message}`,
      attribute,
    );
  }
  return envelope as Envelope;
}

/**
 * Map a CloudEvent received from a source onto an emission of connector `source`: type → event_type,
 * `${ce.source}:${ce.id}` → dedupe_key (source + id is unique per the CloudEvents spec), data →
 * payload (must be a JSON object), time → occurred_at, and the `correlationid` and `stream`
 * extensions when present. Throws `invalid_cloudevent` naming the attribute at fault.
 */
export function cloudEventToEmission(event: CloudEvent, options: { readonly source: string }): Emission {
  const checked = validateCloudEvent(event);
  if (!checked.ok) throw checked.error;
  const ce = checked.value;
  const dedupeKey = `${ce.source}:${ce.id}`;
  if (dedupeKey.length > DEDUPE_KEY_MAX_LENGTH) {
    throw invalidCloudEvent(
      `'source' and 'id' together exceed ${DEDUPE_KEY_MAX_LENGTH} characters and cannot form a dedupe key`,
      'id',
    );
  }
  const correlationId = ce['correlationid'];
  const stream = ce['stream'];
  return {
    source: options.source,
    event_type: ce.type,
    dedupe_key: dedupeKey,
    payload: dataObject(ce),
    occurred_at: ce.time ?? null,
    ...(typeof correlationId === 'string' && correlationId !== '' ? { correlation_id: correlationId } : {}),
    ...(typeof stream === 'string' && stream !== '' ? { stream } : {}),
  };
}

/** The event's data as a JSON object: `data`, or `data_base64` declared as JSON. */
function dataObject(ce: CloudEvent): Record<string, unknown> {
  let data: unknown = ce.data;
  const contentType = ce.datacontenttype ?? 'application/json';
  if (ce.data_base64 !== undefined) {
    if (ce.datacontenttype === undefined || !isJsonContentType(ce.datacontenttype)) {
      throw invalidCloudEvent(
        "'data_base64' must be declared JSON by 'datacontenttype' to be a payload",
        'data',
      );
    }
    try {
      data = JSON.parse(Buffer.from(ce.data_base64, 'base64').toString('utf8'));
    } catch {
      throw invalidCloudEvent("'data_base64' does not decode to JSON", 'data_base64');
    }
  } else if (!isJsonContentType(contentType)) {
    throw invalidCloudEvent(
      `'datacontenttype' ${contentType} is not JSON; the payload must be a JSON object`,
      'data',
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw invalidCloudEvent(`'data' must be a JSON object, got ${kindOf(data)}`, 'data');
  }
  return data as Record<string, unknown>;
}

function kindOf(data: unknown): string {
  if (data === undefined) return 'no data';
  if (data === null) return 'null';
  return Array.isArray(data) ? 'an array' : `a ${typeof data}`;
}

function attributeOf(field: string): string {
  if (field === 'event_id') return 'id';
  if (field === 'event_type') return 'type';
  if (field === 'payload') return 'data';
  return ENVELOPE_EXTENSIONS[field as ExtensionField] ?? field;
}
