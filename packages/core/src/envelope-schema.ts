import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { CloudEventContext } from './cloudevent-context.ts';
import type { Emission } from './emission.ts';
import type { Envelope } from './envelope.ts';
import { EVENT_TYPE_PATTERN, SOURCE_PATTERN, STREAM_KEY_PATTERN } from './naming.ts';

/** RFC 3339 timestamp (the ISO 8601 profile CloudEvents and JSON Schema `date-time` use). */
export const TIMESTAMP_PATTERN = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** A UUID in canonical lowercase form (event ids are UUIDv7). */
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** W3C trace id: 32 lowercase hex characters. */
const TRACE_ID_PATTERN = /^[0-9a-f]{32}$/;

/** The longest dedupe key accepted (the store indexes it). */
export const DEDUPE_KEY_MAX_LENGTH = 512;

const Id = Type.String({ minLength: 1 });
const NullableId = Type.Union([Id, Type.Null()]);
const Timestamp = Type.String({ pattern: TIMESTAMP_PATTERN.source });
const EventType = Type.String({ pattern: EVENT_TYPE_PATTERN.source });
const Source = Type.String({ pattern: SOURCE_PATTERN.source });
const StreamKey = Type.String({ pattern: STREAM_KEY_PATTERN.source });
const DedupeKey = Type.String({ minLength: 1, maxLength: DEDUPE_KEY_MAX_LENGTH });
const Payload = Type.Record(Type.String(), Type.Unknown(), {
  description: 'The normalized observation; `payload.entity = { kind, id }` names what it is about.',
});

/** A CloudEvents extension attribute name: lowercase letters and digits. */
export const CLOUDEVENT_ATTRIBUTE_NAME_PATTERN = /^[a-z0-9]+$/;

const Attribute = Type.String({ minLength: 1 });

/** The context attributes of a CloudEvent that came in (see {@link CloudEventContext}). */
export const CloudEventContextSchema = Type.Object(
  {
    specversion: Type.Literal('1.0'),
    id: Attribute,
    source: Attribute,
    type: Attribute,
    subject: Type.Optional(Attribute),
    time: Type.Optional(Timestamp),
    datacontenttype: Type.Optional(Attribute),
    dataschema: Type.Optional(Attribute),
    extensions: Type.Record(
      Type.String({ pattern: CLOUDEVENT_ATTRIBUTE_NAME_PATTERN.source }),
      Type.Union([
        Type.String(),
        Type.Integer({ minimum: -2_147_483_648, maximum: 2_147_483_647 }),
        Type.Boolean(),
      ]),
      { additionalProperties: false },
    ),
  },
  {
    additionalProperties: false,
    title: 'CloudEventContext',
    description:
      'The context attributes of the CloudEvent the envelope came in as, unchanged; extensions by name.',
  },
);

const NullableCloudEvent = Type.Union([CloudEventContextSchema, Type.Null()]);

/** The envelope (DESIGN.md §2) as a TypeBox schema; field names are exactly those of {@link Envelope}. */
export const EnvelopeSchema = Type.Object(
  {
    event_id: Type.String({ pattern: UUID_PATTERN.source, description: 'UUIDv7 assigned at ingest.' }),
    reseller_id: NullableId,
    tenant_id: Id,
    workspace_id: NullableId,
    connection_id: Id,
    source: Source,
    event_type: EventType,
    stream: StreamKey,
    dedupe_key: DedupeKey,
    correlation_id: Id,
    causation_id: NullableId,
    trace_id: Type.String({ pattern: TRACE_ID_PATTERN.source }),
    occurred_at: Type.Union([Timestamp, Type.Null()]),
    received_at: Timestamp,
    mode: Type.Union([Type.Literal('live'), Type.Literal('quiet')]),
    schema_version: Id,
    payload: Payload,
    agent_id: NullableId,
    session_id: NullableId,
    cloudevent: NullableCloudEvent,
  },
  { additionalProperties: false, title: 'Envelope' },
);

/** What a connector's mapping returns (see {@link Emission}); the emit API validates against it. */
export const EmissionSchema = Type.Object(
  {
    source: Source,
    event_type: EventType,
    dedupe_key: DedupeKey,
    payload: Payload,
    stream: Type.Optional(StreamKey),
    correlation_id: Type.Optional(Id),
    occurred_at: Type.Optional(Type.Union([Timestamp, Type.Null()])),
    agent_id: Type.Optional(NullableId),
    session_id: Type.Optional(NullableId),
    causation_id: Type.Optional(NullableId),
    cloudevent: Type.Optional(NullableCloudEvent),
  },
  { additionalProperties: false, title: 'Emission' },
);

// Compile-time proof that the schemas and the kernel interfaces describe the same shape.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const envelopeSchemaMatches: Same<Static<typeof EnvelopeSchema>, Envelope> = true;
const emissionSchemaMatches: Same<Static<typeof EmissionSchema>, Emission> = true;
const cloudEventSchemaMatches: Same<Static<typeof CloudEventContextSchema>, CloudEventContext> = true;
void envelopeSchemaMatches;
void emissionSchemaMatches;
void cloudEventSchemaMatches;

/** A plain JSON Schema document (draft 2020-12), free of TypeBox's symbol keys. */
export type JsonSchemaDocument = Readonly<Record<string, unknown>>;

const SCHEMA_BASE_URL = 'https://sluice.dev/schemas';

function toDocument(schema: TSchema, id: string): JsonSchemaDocument {
  const plain = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: id, ...plain };
}

/** The envelope's JSON Schema document, as served by the HTTP API and referenced from OpenAPI. */
export function envelopeJsonSchema(): JsonSchemaDocument {
  return toDocument(EnvelopeSchema, `${SCHEMA_BASE_URL}/envelope/1.json`);
}

/** The emission's JSON Schema document. */
export function emissionJsonSchema(): JsonSchemaDocument {
  return toDocument(EmissionSchema, `${SCHEMA_BASE_URL}/emission/1.json`);
}
