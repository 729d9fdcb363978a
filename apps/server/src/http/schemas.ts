import { type TSchema, Type } from '@sinclair/typebox';
import { CloudEventContextSchema, ERROR_CODES } from '@sluice/core';

/** `{ error: { code, message, details? } }`, the body of every error response. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(Object.keys(ERROR_CODES).map((code) => Type.Literal(code))),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  { $id: 'ErrorResponse', description: 'Every error: a stable code, a message naming what failed.' },
);

/** The error statuses a route can answer with, for its OpenAPI response map. */
export function errors(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(statuses.map((status) => [status, Type.Ref('ErrorResponse')]));
}

export const EnvelopeResponse = Type.Object(
  {
    event_id: Type.String({ format: 'uuid' }),
    reseller_id: Type.Union([Type.String(), Type.Null()]),
    tenant_id: Type.String(),
    workspace_id: Type.Union([Type.String(), Type.Null()]),
    connection_id: Type.String(),
    source: Type.String(),
    event_type: Type.String(),
    stream: Type.String(),
    dedupe_key: Type.String(),
    correlation_id: Type.String(),
    causation_id: Type.Union([Type.String(), Type.Null()]),
    trace_id: Type.String(),
    occurred_at: Type.Union([Type.String(), Type.Null()]),
    received_at: Type.String(),
    mode: Type.Union([Type.Literal('live'), Type.Literal('quiet')]),
    schema_version: Type.String(),
    payload: Type.Record(Type.String(), Type.Unknown()),
    agent_id: Type.Union([Type.String(), Type.Null()]),
    session_id: Type.Union([Type.String(), Type.Null()]),
    cloudevent: Type.Union([CloudEventContextSchema, Type.Null()]),
  },
  { $id: 'Envelope', description: 'The canonical event envelope.' },
);

export const ElementResultSchema = Type.Object({
  index: Type.Integer(),
  status: Type.Union([Type.Literal('accepted'), Type.Literal('duplicate')]),
  event_id: Type.String(),
});

export const IngestResponse = Type.Object(
  {
    status: Type.Literal('ok'),
    connection_id: Type.String(),
    accepted: Type.Integer(),
    duplicates: Type.Integer(),
    results: Type.Array(ElementResultSchema),
  },
  { $id: 'IngestResponse' },
);

export const DeadLetteredResponse = Type.Object(
  {
    status: Type.Literal('dead_lettered'),
    connection_id: Type.String(),
    dead_letter_id: Type.String(),
    /** Why the mapping could not handle it; the delivery waits in the dead letters. */
    failure: Type.Object({
      stage: Type.Union([Type.Literal('map'), Type.Literal('cloudevents'), Type.Literal('ingest')]),
      message: Type.String(),
      rule: Type.Optional(Type.String()),
      index: Type.Optional(Type.Integer()),
    }),
  },
  { $id: 'DeadLetteredResponse' },
);

export const ConnectionResponse = Type.Object(
  {
    id: Type.String(),
    tenant_id: Type.String(),
    reseller_id: Type.Union([Type.String(), Type.Null()]),
    workspace_id: Type.Union([Type.String(), Type.Null()]),
    connector_id: Type.String(),
    name: Type.String(),
    config: Type.Record(Type.String(), Type.Unknown()),
    status: Type.Union([Type.Literal('active'), Type.Literal('retired')]),
    created_at: Type.String(),
    retired_at: Type.Union([Type.String(), Type.Null()]),
    ingest_url: Type.String(),
    webhook_url: Type.String(),
  },
  { $id: 'Connection' },
);

export const SHARED_SCHEMAS: ReadonlyArray<TSchema> = [
  ErrorResponse,
  EnvelopeResponse,
  IngestResponse,
  DeadLetteredResponse,
  ConnectionResponse,
];
