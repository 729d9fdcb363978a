import { type TSchema, Type } from '@sinclair/typebox';
import {
  DEAD_LETTER_KINDS,
  DELIVERY_FORMATS,
  EnvelopeSchema,
  JOB_STATUSES,
  PRIORITIES,
  SINGLE_FLIGHT_MODES,
} from '@sluice/core';

/**
 * The resources the API answers with, as named OpenAPI components (each `$id` is its component name). They
 * describe what the handlers send; the field names and nullability follow the domain types in
 * `@sluice/core` and `@sluice/control`.
 */

import { literals, NullableString, NullableTime, Time } from './schema-parts.ts';
import { Backfill, CronSchedule, Stream } from './stream-schemas.ts';

export const Envelope = Type.Object(EnvelopeSchema.properties, {
  $id: 'Envelope',
  title: 'Envelope',
  description: 'The canonical event envelope.',
});

export const RateLimit = Type.Object(
  { per_second: Type.Integer(), burst: Type.Integer() },
  {
    $id: 'RateLimit',
    title: 'RateLimit',
    description: "A connection's own request rate on the ingest routes.",
  },
);

export const Connection = Type.Object(
  {
    id: Type.String(),
    tenant_id: Type.String(),
    reseller_id: NullableString,
    workspace_id: NullableString,
    connector_id: Type.String(),
    name: Type.String(),
    config: Type.Record(Type.String(), Type.Unknown(), { description: 'Secret fields are redacted.' }),
    status: literals(['active', 'retired']),
    rate_limit: Type.Union([Type.Ref('RateLimit'), Type.Null()], {
      description: 'Null: the server-wide default rate.',
    }),
    created_at: Time,
    retired_at: NullableTime,
    ingest_url: Type.String({ description: "The connection's own ingest URL." }),
    webhook_url: Type.String({ description: "The tenant's webhook URL for the connector." }),
  },
  { $id: 'Connection', title: 'Connection', description: "A tenant's instance of a connector." },
);

export const Tenant = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    reseller_id: NullableString,
    unmatched_events: literals(['drop', 'dead_letter']),
    dead_letter_alert_threshold: Type.Union([Type.Integer(), Type.Null()]),
    timezone: Type.String(),
    allowed_actions: Type.Union([Type.Array(Type.String()), Type.Null()], {
      description:
        'Action kinds its triggers may use (http, connector:<connector>.<action>, handler:<operator>, prefixes ending in *); null: the server default.',
    }),
    dry_run: Type.Boolean({ description: 'Actions are planned and recorded, nothing is sent.' }),
    created_at: Time,
  },
  { $id: 'Tenant', title: 'Tenant', description: 'A tenant: the unit of isolation.' },
);

export const ApiKey = Type.Object(
  {
    id: Type.String(),
    tenant_id: Type.String(),
    name: Type.String(),
    prefix: Type.String({ description: 'The first characters of the key, to recognise it in a list.' }),
    created_at: Time,
    revoked_at: NullableTime,
    key: Type.String({ description: 'The key itself: shown in this answer only, never again.' }),
  },
  { $id: 'ApiKey', title: 'ApiKey', description: 'A newly issued tenant API key.' },
);

export const Workspace = Type.Object(
  { id: Type.String(), tenant_id: Type.String(), name: Type.String(), created_at: Time },
  { $id: 'Workspace', title: 'Workspace' },
);

export const Connector = Type.Object(
  {
    id: Type.String(),
    version: Type.String(),
    description: Type.String(),
    streams: Type.Array(
      Type.Object({
        key: Type.String(),
        mode: Type.String({ description: 'webhook, poll or mqtt.' }),
        schedule: NullableString,
        topic: NullableString,
        events: Type.Array(Type.String()),
      }),
    ),
    verification: Type.Union([Type.String({ description: 'The signature scheme.' }), Type.Null()]),
    cloudevents: Type.Boolean(),
  },
  { $id: 'Connector', title: 'Connector', description: 'A registered connector.' },
);

const HttpActionFields = {
  type: Type.Literal('http'),
  url: Type.String(),
  format: Type.Optional(literals(DELIVERY_FORMATS)),
  headers: Type.Optional(Type.Record(Type.String(), Type.String())),
};

/**
 * A trigger's action types, as a trigger shows them; `withSecret` adds the http action's `secret`, which a
 * create or change may send but no answer shows.
 */
export function triggerActionVariants(options: { withSecret?: boolean } = {}) {
  return [
    Type.Object({
      ...HttpActionFields,
      ...(options.withSecret === true
        ? {
            secret: Type.Optional(Type.String({ description: 'Generated (and returned once) when absent.' })),
          }
        : {}),
    }),
    Type.Object({ type: Type.Literal('handler'), name: Type.String() }),
    Type.Object({
      type: Type.Literal('connector'),
      connection_id: Type.String(),
      action: Type.String(),
      input: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    }),
  ];
}

const TriggerAction = Type.Union(triggerActionVariants(), {
  description: 'What the trigger does with a matching envelope; secrets are left out.',
});

export const Trigger = Type.Object(
  {
    id: Type.String(),
    tenant_id: Type.String(),
    name: Type.String(),
    event_types: Type.Array(Type.String()),
    condition: Type.Unknown({ description: 'The condition as written (AST, text or {sql}), or null.' }),
    priority: Type.Union([literals(PRIORITIES), Type.Null()]),
    action: TriggerAction,
    enabled: Type.Boolean(),
    single_flight: Type.Optional(literals(SINGLE_FLIGHT_MODES)),
    retry: Type.Optional(
      Type.Union([
        Type.Object({
          max_attempts: Type.Integer(),
          initial_delay_ms: Type.Integer(),
          max_delay_ms: Type.Integer(),
          timeout_ms: Type.Integer(),
        }),
        Type.Null(),
      ]),
    ),
    idempotency_key: Type.Optional(NullableString),
    created_at: Time,
    updated_at: Time,
  },
  {
    $id: 'Trigger',
    title: 'Trigger',
    description: 'Envelopes whose type matches a pattern and whose condition holds become jobs.',
  },
);

export const Job = Type.Object(
  {
    id: Type.String(),
    tenant_id: Type.String(),
    trigger_id: Type.String(),
    event_id: Type.String(),
    connection_id: Type.String(),
    priority: literals(PRIORITIES),
    entity_key: NullableString,
    position: Type.String({ description: 'The commit position of the event.' }),
    status: literals(JOB_STATUSES),
    idempotency_key: Type.Optional(Type.String()),
    created_at: Time,
    attempts: Type.Array(
      Type.Object({
        started_at: Time,
        status_code: Type.Union([Type.Integer(), Type.Null()]),
        latency_ms: Type.Union([Type.Number(), Type.Null()]),
        error: NullableString,
      }),
    ),
  },
  { $id: 'Job', title: 'Job', description: 'The work one matching trigger makes of one event.' },
);

export const DeadLetter = Type.Object(
  {
    id: Type.String(),
    tenant_id: Type.String(),
    kind: literals(DEAD_LETTER_KINDS),
    job_id: NullableString,
    connector: Type.String(),
    connection_id: NullableString,
    event_payload: Type.Object({
      body_base64: Type.String(),
      headers: Type.Record(Type.String(), Type.String()),
      content_type: NullableString,
    }),
    error_message: Type.String(),
    error_context: Type.Record(Type.String(), Type.Unknown()),
    created_at: Time,
    retry_count: Type.Integer(),
    status: literals(['pending', 'replayed', 'expired']),
  },
  {
    $id: 'DeadLetter',
    title: 'DeadLetter',
    description: 'A delivery that could not become envelopes (ingest), or a job that failed for good (job).',
  },
);

const ReplayFilter = Type.Object({
  kind: Type.Optional(literals(DEAD_LETTER_KINDS)),
  connector: Type.Optional(Type.String()),
  since: Type.Optional(Time),
  until: Type.Optional(Time),
  trigger_id: Type.Optional(Type.String()),
});

export const DeadLetterPolicy = Type.Object(
  {
    id: Type.String(),
    tenant_id: Type.String(),
    name: Type.String(),
    filter: ReplayFilter,
    every_seconds: Type.Integer(),
    max_replays: Type.Integer(),
    created_at: Time,
    last_run_at: NullableTime,
  },
  { $id: 'DeadLetterPolicy', title: 'DeadLetterPolicy', description: 'An automated replay policy.' },
);

const FailedReplay = Type.Object({
  id: Type.String(),
  error: Type.Object({ code: Type.String(), message: Type.String() }),
});

export const BulkReplay = Type.Object(
  {
    id: Type.String(),
    tenant_id: Type.String(),
    status: literals(['running', 'succeeded', 'failed']),
    total: Type.Integer(),
    done: Type.Integer(),
    failed: Type.Integer(),
    rate_per_second: Type.Number(),
    started_at: Time,
    finished_at: NullableTime,
    errors: Type.Array(FailedReplay, { description: 'The first failures (at most 100).' }),
    error: NullableString,
  },
  { $id: 'BulkReplay', title: 'BulkReplay', description: 'A background bulk replay and its progress.' },
);

export const BulkReplayResult = Type.Object(
  {
    replayed: Type.Array(
      Type.Union([
        Type.Object({ id: Type.String(), event_ids: Type.Array(Type.String()) }),
        Type.Object({ id: Type.String(), job_id: Type.String() }),
      ]),
    ),
    failed: Type.Array(FailedReplay),
  },
  {
    $id: 'BulkReplayResult',
    title: 'BulkReplayResult',
    description: 'A bulk replay run within the request.',
  },
);

export const Subscription = Type.Object(
  {
    id: Type.String({ description: 'The trigger id.' }),
    protocol: Type.Literal('HTTP'),
    sink: Type.String(),
    types: Type.Array(Type.String()),
    filters: Type.Optional(Type.Array(Type.Record(Type.String(), Type.Unknown()))),
    protocolsettings: Type.Object({
      method: Type.Literal('POST'),
      headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    }),
    config: Type.Record(Type.String(), Type.String()),
  },
  {
    $id: 'Subscription',
    title: 'Subscription',
    description: 'A CloudEvents subscription: the face of a trigger with an http action.',
  },
);

export const RESOURCE_SCHEMAS: ReadonlyArray<TSchema> = [
  Envelope,
  RateLimit,
  Connection,
  Tenant,
  ApiKey,
  Workspace,
  Connector,
  Trigger,
  Job,
  DeadLetter,
  DeadLetterPolicy,
  BulkReplay,
  BulkReplayResult,
  Subscription,
  Stream,
  CronSchedule,
  Backfill,
];

/** A list answer: `{ items }`, with `next_cursor` (null on the last page) when it pages. */
export function listOf(ref: string, options: { paged?: boolean } = {}): TSchema {
  return Type.Object({
    items: Type.Array(Type.Ref(ref)),
    ...(options.paged === true
      ? {
          next_cursor: Type.Union([Type.String(), Type.Null()], {
            description: 'Pass as cursor for the next page.',
          }),
        }
      : {}),
  });
}
