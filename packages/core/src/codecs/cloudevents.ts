import { Buffer } from 'node:buffer';
import { Value } from '@sinclair/typebox/value';
import type { Emission } from '../emission.ts';
import type { Envelope } from '../envelope.ts';
import { DEDUPE_KEY_MAX_LENGTH, EnvelopeSchema } from '../envelope-schema.ts';
import { type CloudEvent, invalidCloudEvent, isJsonContentType } from './cloudevent.ts';
import {
  cloudEventAttributes,
  ENVELOPE_EXTENSIONS,
  EVENT_ID_EXTENSION,
  type ExtensionField,
  RESERVED_EXTENSIONS,
} from './cloudevent-attributes.ts';
import { cloudEventContextOf } from './cloudevent-context-codec.ts';
import { validateCloudEvent } from './cloudevent-validator.ts';

const NULLABLE = new Set<ExtensionField>([
  'reseller_id',
  'workspace_id',
  'causation_id',
  'occurred_at',
  'agent_id',
  'session_id',
]);

/**
 * Project an envelope onto a structured-mode CloudEvent: its context attributes
 * ({@link cloudEventAttributes}: the original CloudEvent's, unchanged, when it came in as one) and
 * `data` = payload.
 */
export function envelopeToCloudEvent(envelope: Envelope): CloudEvent {
  return { ...cloudEventAttributes(envelope), data: envelope.payload };
}

/**
 * The inverse of {@link envelopeToCloudEvent}: lossless for every valid envelope (an absent nullable
 * extension is null) whose original CloudEvent, if any, has no extension of a reserved name. With
 * `sluiceeventid` the event came in as a CloudEvent: `id` is the original's, and the original context
 * (every attribute but the reserved extensions and data) becomes `cloudevent`. Throws
 * `invalid_cloudevent` naming the missing or invalid attribute.
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
  const eventId = ce[EVENT_ID_EXTENSION];
  const cloudevent = eventId === undefined ? null : originalContext(ce);
  const envelope = {
    event_id: eventId ?? ce.id,
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
    cloudevent,
  };
  const error = Value.Errors(EnvelopeSchema, envelope).First();
  if (error !== undefined) {
    const field = error.path.split('/')[1] ?? '';
    const attribute = field === 'event_id' && eventId !== undefined ? EVENT_ID_EXTENSION : attributeOf(field);
    throw invalidCloudEvent(
      `attribute '${attribute}' is not a valid envelope ${field}: ${error.message}`,
      attribute,
    );
  }
  return envelope as Envelope;
}

/** The original CloudEvent's context in a projection: its attributes but the reserved extensions. */
function originalContext(ce: CloudEvent): Envelope['cloudevent'] {
  const attributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(ce)) {
    if (!RESERVED_EXTENSIONS.has(name)) attributes[name] = value;
  }
  return cloudEventContextOf(attributes as CloudEvent);
}

/**
 * Map a CloudEvent received from a source onto an emission of connector `source`: type → event_type,
 * `${ce.source}:${ce.id}` → dedupe_key (source + id is unique per the CloudEvents spec), data →
 * payload (must be a JSON object), time → occurred_at, the `correlationid` and `stream` extensions
 * when present, and every context attribute, as sent, → `cloudevent`. Throws `invalid_cloudevent`
 * naming the attribute at fault.
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
    cloudevent: cloudEventContextOf(ce),
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
