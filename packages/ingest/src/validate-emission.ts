import {
  CLOUDEVENT_CONTEXT_MAX_BYTES,
  type CloudEventContext,
  type Connector,
  type Emission,
  type ErrorCode,
  isEventType,
  isSourceId,
  PLATFORM_CONNECTOR_ID,
} from '@sluice/core';
import { validateCloudEventContext } from '@sluice/core/codecs';
import { resolveStream } from '@sluice/map';
import type { IngestLimits } from './ingest-limits.ts';

/** Why one element of a batch was refused: its index, the field, the rule it broke. */
export interface EmissionViolation {
  readonly index: number;
  readonly field: string;
  readonly rule: string;
  readonly code: ErrorCode;
  readonly message: string;
}

export type ValidatedEmission = Emission & {
  readonly stream: string;
  readonly occurred_at: string | null;
  readonly cloudevent: CloudEventContext | null;
};

export type EmissionCheck =
  | { readonly ok: true; readonly emission: ValidatedEmission }
  | { readonly ok: false; readonly violation: EmissionViolation };

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const KNOWN_FIELDS = new Set([
  'source',
  'event_type',
  'dedupe_key',
  'payload',
  'stream',
  'correlation_id',
  'occurred_at',
  'agent_id',
  'session_id',
  'causation_id',
  'cloudevent',
]);

/** `\u0000` in JSON text, not preceded by an escaping backslash. */
const ESCAPED_NUL = /(?<!\\)(?:\\\\)*\\u0000/;

const optionalString = (value: unknown): boolean =>
  value === undefined || value === null || typeof value === 'string';

/**
 * Checks one emission against the contract and the connector's declarations; returns the emission with
 * its stream resolved and `occurred_at` normalized to ISO 8601, or the first rule it breaks.
 */
export function validateEmission(
  raw: unknown,
  index: number,
  connector: Connector,
  limits: IngestLimits,
): EmissionCheck {
  const fail = (
    field: string,
    rule: string,
    message: string,
    code: ErrorCode = 'emission_invalid',
  ): EmissionCheck => ({
    ok: false,
    violation: { index, field, rule, code, message: `Emission ${index}: ${message}` },
  });
  if (!isPlainObject(raw)) return fail('', 'object', 'must be a JSON object.');
  for (const key of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(key)) {
      return fail(
        key,
        'known_field',
        `"${key}" is not an emission field (platform fields are stamped, never sent).`,
      );
    }
  }
  const { source, event_type, dedupe_key, payload, stream, correlation_id, occurred_at } = raw;
  if (typeof source !== 'string' || !isSourceId(source)) {
    return fail(
      'source',
      'source_id',
      `source must be a stable lowercase id like "cn-magento"; got ${JSON.stringify(source)}.`,
    );
  }
  // Receipts (run.completed, webhook.delivered, …) are published on their platform topics by source: only
  // the platform's own connector may speak as it, or a tenant could forge receipts for its subscribers.
  if (source === PLATFORM_CONNECTOR_ID && connector.id !== PLATFORM_CONNECTOR_ID) {
    return fail(
      'source',
      'source_reserved',
      `source "${PLATFORM_CONNECTOR_ID}" is reserved for the platform's own events; use your connector's id.`,
    );
  }
  if (typeof event_type !== 'string' || !isEventType(event_type)) {
    return fail(
      'event_type',
      'dotted_noun_verb',
      `event_type must be dotted noun.verb; got ${JSON.stringify(event_type)}.`,
    );
  }
  if (stream !== undefined && typeof stream !== 'string') {
    return fail(
      'stream',
      'string',
      `stream must be a stream key when present; got ${JSON.stringify(stream)}.`,
    );
  }
  const resolved = resolveStream(connector, stream === undefined ? { event_type } : { event_type, stream });
  if (!resolved.ok) {
    switch (resolved.rule) {
      case 'event_type_undeclared':
        return fail(
          'event_type',
          'declared',
          `event_type "${event_type}" is not declared by connector "${connector.id}".`,
          'event_type_undeclared',
        );
      case 'stream_undeclared':
        return fail('stream', 'declared', `${resolved.message}.`, 'event_type_undeclared');
      case 'stream_event_type_mismatch':
        return fail('stream', 'declares_event_type', `${resolved.message}.`, 'event_type_undeclared');
    }
  }
  if (typeof dedupe_key !== 'string' || dedupe_key.length === 0) {
    return fail(
      'dedupe_key',
      'required',
      'dedupe_key must be a non-empty string derived from source identifiers.',
    );
  }
  if (dedupe_key.length > limits.maxDedupeKeyLength) {
    return fail(
      'dedupe_key',
      'max_length',
      `dedupe_key is longer than ${limits.maxDedupeKeyLength} characters.`,
    );
  }
  if (!isPlainObject(payload)) return fail('payload', 'object', 'payload must be a JSON object.');
  const json = JSON.stringify(payload);
  // PostgreSQL text and jsonb cannot hold U+0000; refuse it here, with a name, rather than at commit.
  const nulInPayload = ESCAPED_NUL.test(json);
  if (nulInPayload || dedupe_key.includes('\u0000')) {
    const field = nulInPayload ? 'payload' : 'dedupe_key';
    return fail(field, 'no_nul', `${field} must not contain the character U+0000.`);
  }
  const size = Buffer.byteLength(json);
  if (size > limits.maxPayloadBytes) {
    return fail(
      'payload',
      'max_bytes',
      `payload is ${size} bytes; the limit is ${limits.maxPayloadBytes}.`,
      'emission_too_large',
    );
  }
  for (const field of ['correlation_id', 'agent_id', 'session_id', 'causation_id'] as const) {
    const value = raw[field];
    if (!optionalString(value) || (typeof value === 'string' && (value.length === 0 || value.length > 256))) {
      return fail(field, 'string', `${field} must be a string of 1–256 characters when present.`);
    }
  }
  let occurredAt: string | null = null;
  if (occurred_at !== undefined && occurred_at !== null) {
    const parsed = typeof occurred_at === 'string' ? new Date(occurred_at) : null;
    if (parsed === null || Number.isNaN(parsed.getTime())) {
      return fail(
        'occurred_at',
        'iso8601',
        `occurred_at must be an ISO 8601 timestamp; got ${JSON.stringify(occurred_at)}.`,
      );
    }
    occurredAt = parsed.toISOString();
  }
  const cloudevent = checkCloudEvent(raw['cloudevent'], event_type);
  if (!cloudevent.ok) return fail('cloudevent', cloudevent.rule, cloudevent.message);
  return {
    ok: true,
    emission: {
      ...(raw as unknown as Emission),
      ...(typeof correlation_id === 'string' ? { correlation_id } : {}),
      stream: resolved.stream,
      occurred_at: occurredAt,
      cloudevent: cloudevent.context,
    },
  };
}

/**
 * The original CloudEvent's context of an emission, when it has one: a valid context, of the emission's
 * `event_type`, within {@link CLOUDEVENT_CONTEXT_MAX_BYTES} and free of U+0000 (which jsonb cannot hold).
 */
function checkCloudEvent(
  value: unknown,
  eventType: string,
):
  | { readonly ok: true; readonly context: CloudEventContext | null }
  | { readonly ok: false; readonly rule: string; readonly message: string } {
  if (value === undefined || value === null) return { ok: true, context: null };
  const checked = validateCloudEventContext(value);
  if (!checked.ok) return { ok: false, rule: 'cloudevent_context', message: checked.error.message };
  const context = checked.value;
  if (context.type !== eventType) {
    const message = `cloudevent.type ${JSON.stringify(context.type)} must be the event_type "${eventType}".`;
    return { ok: false, rule: 'matches_event_type', message };
  }
  const json = JSON.stringify(context);
  if (ESCAPED_NUL.test(json)) {
    return { ok: false, rule: 'no_nul', message: 'cloudevent must not contain the character U+0000.' };
  }
  const size = Buffer.byteLength(json);
  if (size > CLOUDEVENT_CONTEXT_MAX_BYTES) {
    const message = `cloudevent is ${size} bytes; the limit is ${CLOUDEVENT_CONTEXT_MAX_BYTES}.`;
    return { ok: false, rule: 'max_bytes', message };
  }
  return { ok: true, context };
}
