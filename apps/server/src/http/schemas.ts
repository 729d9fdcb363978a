import type { SwaggerTransform } from '@fastify/swagger';
import { type TSchema, Type } from '@sinclair/typebox';
import { ERROR_CODES } from '@sluice/core';
import { RESOURCE_SCHEMAS } from './resource-schemas.ts';

/** `{ error: { code, message, details? } }`, the body of every error response. */
export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.Union(Object.keys(ERROR_CODES).map((code) => Type.Literal(code))),
      message: Type.String(),
      details: Type.Optional(Type.Unknown()),
    }),
  },
  {
    $id: 'Error',
    title: 'Error',
    description: 'Every error: a stable code, a message naming what failed.',
  },
);

/** What each error status means, as the OpenAPI responses say it. */
const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: 'The request is malformed or fails its schema.',
  401: 'The API key is missing or not valid.',
  403: 'The key may not do this.',
  404: 'No such resource for the caller.',
  405: 'The path answers other methods.',
  409: 'The resource is in a state that does not allow this.',
  413: 'The body is larger than the limit.',
  415: 'The Content-Type is not accepted.',
  422: 'The request is well-formed but breaks a rule; every broken rule is listed.',
  429: 'Over the rate or quota; retry after Retry-After seconds.',
  503: 'Storage is unavailable; retry after Retry-After seconds.',
};

/**
 * The error statuses a route can answer with, for its OpenAPI response map. 503 is always among them:
 * every route that takes a key or reads anything asks the store, which may be unavailable.
 */
export function errors(...statuses: number[]): Record<number, TSchema> {
  return Object.fromEntries(
    [...new Set([...statuses, 503])].map((status) => [
      status,
      Type.Ref('Error', { description: ERROR_DESCRIPTIONS[status] ?? 'An error.' }),
    ]),
  );
}

/** A success answer for a route's response map: the body's schema and what the answer means. */
export function answer(description: string, schema: TSchema): TSchema {
  return { ...schema, description };
}

/** An answer with no body (204, or a 200 that only sets headers). */
export function empty(description: string): TSchema {
  return Type.Null({ description });
}

/**
 * For a body its workflow checks whole (every broken rule at once, as one 422): the route's own schema
 * only describes the fields loosely, and the document shows `documented`, the body's real shape, so that
 * generated clients type it. Goes in the route's `config`.
 */
export function documentBodyAs(documented: TSchema): { swaggerTransform: SwaggerTransform } {
  return {
    swaggerTransform: ({ schema, url }) => ({
      schema: { ...schema, body: documented },
      url,
    }),
  };
}

/** The tags operations are grouped by, in the order the docs show them. */
export const API_TAGS = [
  { name: 'health', description: 'Liveness, readiness and metrics.' },
  { name: 'connectors', description: 'The registered connectors.' },
  { name: 'tenants', description: 'Tenants, their API keys and workspaces.' },
  { name: 'connections', description: "A tenant's instances of connectors." },
  { name: 'ingest', description: 'Webhook deliveries and connection ingest URLs.' },
  { name: 'events', description: 'The emit API, envelope queries and the live tail.' },
  { name: 'dead letters', description: 'Dead letters, their replay and replay policies.' },
  { name: 'triggers', description: 'Triggers: which envelopes become jobs.' },
  { name: 'subscriptions', description: 'The CloudEvents Subscriptions API over triggers.' },
  { name: 'jobs', description: 'Jobs and their attempts.' },
  { name: 'streams', description: 'Poll streams and their backfills.' },
  { name: 'schedules', description: 'Cron schedules.' },
];

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
  { $id: 'IngestResponse', title: 'IngestResponse', description: 'Committed: one result per element.' },
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
  {
    $id: 'DeadLetteredResponse',
    title: 'DeadLetteredResponse',
    description: 'Verified but not mappable: kept as a dead letter; do not retry.',
  },
);

export const SHARED_SCHEMAS: ReadonlyArray<TSchema> = [
  ErrorResponse,
  IngestResponse,
  DeadLetteredResponse,
  ...RESOURCE_SCHEMAS,
];
