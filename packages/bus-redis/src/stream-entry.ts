import {
  type BusAttributes,
  type BusMessage,
  type DeliveredMessage,
  ORIGINS,
  type Origin,
} from '@sluice/core';

const ATTRIBUTE_FIELDS = [
  'event_id',
  'event_type',
  'tenant_id',
  'connection_id',
  'trace_id',
  'correlation_id',
  'schema_version',
  'mode',
  'origin',
  'position',
] as const satisfies ReadonlyArray<keyof BusAttributes>;

/** A message as the field/value list of one stream entry: the key, each attribute, then the body. */
export function encodeEntry(message: BusMessage): string[] {
  const fields = ['key', message.key];
  const { attributes } = message;
  for (const name of ATTRIBUTE_FIELDS) fields.push(name, attributes[name]);
  if (attributes.traceparent !== undefined) fields.push('traceparent', attributes.traceparent);
  if (attributes.relayed_at !== undefined) fields.push('relayed_at', String(attributes.relayed_at));
  fields.push('body', message.body);
  return fields;
}

/** The message of a stream entry's field/value list; fields it does not carry read as empty. */
export function decodeEntry(
  id: string,
  fields: ReadonlyArray<string>,
  redelivered: boolean,
): DeliveredMessage {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i] ?? '', fields[i + 1] ?? '');
  const text = (name: string): string => values.get(name) ?? '';
  const relayedAt = values.has('relayed_at') ? Number(text('relayed_at')) : Number.NaN;
  return {
    id,
    redelivered,
    key: text('key'),
    attributes: {
      event_id: text('event_id'),
      event_type: text('event_type'),
      tenant_id: text('tenant_id'),
      connection_id: text('connection_id'),
      trace_id: text('trace_id'),
      correlation_id: text('correlation_id'),
      schema_version: text('schema_version'),
      mode: text('mode') === 'quiet' ? 'quiet' : 'live',
      origin: originOf(text('origin')),
      position: text('position'),
      ...(values.has('traceparent') ? { traceparent: text('traceparent') } : {}),
      ...(Number.isFinite(relayedAt) ? { relayed_at: relayedAt } : {}),
    },
    body: text('body'),
  };
}

/** An origin as written; an entry without one (or with an unknown one) reads as `webhook`, the default. */
function originOf(text: string): Origin {
  return (ORIGINS as ReadonlyArray<string>).includes(text) ? (text as Origin) : 'webhook';
}

/** One entry of an `XREADGROUP` reply: its id, and its fields or null when the entry was trimmed away. */
export interface RawEntry {
  readonly id: string;
  readonly fields: ReadonlyArray<string> | null;
}

/** Parses an `XREADGROUP` reply (`[[stream, [[id, fields | null], ...]], ...]` or null) by stream key. */
export function parseReadReply(reply: unknown): Map<string, RawEntry[]> {
  const streams = new Map<string, RawEntry[]>();
  if (!Array.isArray(reply)) return streams;
  for (const stream of reply) {
    if (!Array.isArray(stream) || typeof stream[0] !== 'string' || !Array.isArray(stream[1])) continue;
    const entries: RawEntry[] = [];
    for (const entry of stream[1]) {
      if (!Array.isArray(entry) || typeof entry[0] !== 'string') continue;
      const fields = Array.isArray(entry[1]) ? entry[1].map(String) : null;
      entries.push({ id: entry[0], fields });
    }
    streams.set(stream[0], entries);
  }
  return streams;
}
