import { type Static, Type } from '@sinclair/typebox';
import { PRIORITIES, SINGLE_FLIGHT_MODES } from '@sluice/core';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { listOf, triggerActionVariants } from '../http/resource-schemas.ts';
import { answer, documentBodyAs, empty, errors } from '../http/schemas.ts';

/**
 * The body is checked whole by the trigger workflows, so that every broken rule comes back at once as
 * `422 trigger_invalid` with its field path and rule; the schema only describes the fields.
 */
const TriggerBody = Type.Object(
  {
    name: Type.Optional(Type.Unknown({ description: 'Required on create: 1–200 characters.' })),
    event_types: Type.Optional(
      Type.Unknown({
        description: 'Required on create: 1–32 event-type globs: order.created, order.*, *.created, *.',
      }),
    ),
    condition: Type.Optional(
      Type.Unknown({
        description:
          'The condition AST ({path, op, value}, {all}, {any}, {not}), its text form ("payload.total gt 100 and …"), {sql: "<CloudEvents SQL>"}, or null.',
      }),
    ),
    priority: Type.Optional(
      Type.Unknown({ description: 'P1, P2, P3 or P4; null: the default for the origin.' }),
    ),
    action: Type.Optional(
      Type.Unknown({
        description:
          'Required on create: {type: "http", url, secret?, format?, headers?}, {type: "handler", name} or {type: "connector", connection_id, action, input?}.',
      }),
    ),
    enabled: Type.Optional(Type.Unknown({ description: 'true (default) or false.' })),
    single_flight: Type.Optional(
      Type.Unknown({
        description:
          'queue (default: wait behind the running job of the same entity), skip (drop it) or latest (replace the waiting one).',
      }),
    ),
    retry: Type.Optional(
      Type.Unknown({
        description:
          '{max_attempts (1–50, default 8), initial_delay_ms (default 1000), max_delay_ms (default 3600000), timeout_ms (100–120000, default 10000)}, every field optional; null: the defaults.',
      }),
    ),
    idempotency_key: Type.Optional(
      Type.Unknown({
        description:
          'A template for the key side effects are made under (webhook-id), e.g. "order-risk:{entity_key}:hold"; placeholders {trigger_id} {event_id} {tenant_id} {connection_id} {entity_key} {event_type} {source} {dedupe_key} {correlation_id} {payload.<path>}. Null: {trigger_id}:{event_id}.',
      }),
    ),
  },
  { additionalProperties: true },
);
/** The trigger body as the workflows accept it (the document shows this; see `documentBodyAs`). */
export const TriggerInput = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Required on create.' })),
    event_types: Type.Optional(
      Type.Array(Type.String(), {
        minItems: 1,
        maxItems: 32,
        description: 'Required on create. Event-type globs: order.created, order.*, *.created, *.',
      }),
    ),
    condition: Type.Optional(
      Type.Union(
        [
          Type.String({ description: 'The text form: "payload.total gt 100 and …".' }),
          Type.Object({ sql: Type.String() }, { description: 'CloudEvents SQL.' }),
          Type.Record(Type.String(), Type.Unknown(), {
            description: 'The condition AST: {path, op, value}, {all}, {any}, {not}.',
          }),
          Type.Null(),
        ],
        { description: 'Null: every envelope of a matching type.' },
      ),
    ),
    priority: Type.Optional(
      Type.Union([Type.Union(PRIORITIES.map((p) => Type.Literal(p))), Type.Null()], {
        description: 'Null: the default for the origin.',
      }),
    ),
    action: Type.Optional(
      Type.Union(triggerActionVariants({ withSecret: true }), { description: 'Required on create.' }),
    ),
    enabled: Type.Optional(Type.Boolean({ description: 'Default true.' })),
    single_flight: Type.Optional(Type.Union(SINGLE_FLIGHT_MODES.map((m) => Type.Literal(m)))),
    retry: Type.Optional(
      Type.Union([
        Type.Object({
          max_attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 50 })),
          initial_delay_ms: Type.Optional(Type.Integer()),
          max_delay_ms: Type.Optional(Type.Integer()),
          timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000 })),
        }),
        Type.Null(),
      ]),
    ),
    idempotency_key: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { title: 'TriggerInput', additionalProperties: false },
);
const Params = Type.Object({ trigger_id: Type.String() });
const TriggerAnswer = Type.Object({
  trigger: Type.Ref('Trigger'),
  secret: Type.Optional(Type.String({ description: 'A generated signing secret, shown once.' })),
});
const ListQuery = Type.Object({
  enabled: Type.Optional(Type.Boolean()),
  /** Triggers with a pattern matching this event type. */
  event_type: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
  cursor: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});

/** Triggers: create (the signing secret once), list, get, change, delete. */
export function triggerRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    const secured = { tags: ['triggers'], security: [{ apiKey: [] }] };

    app.post<{ Body: Static<typeof TriggerBody> }>(
      '/api/v1/triggers',
      {
        config: documentBodyAs(TriggerInput),
        schema: {
          ...secured,
          operationId: 'createTrigger',
          summary: 'Create a trigger',
          description:
            'Create a trigger. An http action without a secret gets one generated, returned here once as `secret`.',
          body: TriggerBody,
          response: {
            201: answer('The trigger, and a generated signing secret once.', TriggerAnswer),
            ...errors(400, 401, 422),
          },
        },
      },
      async (request, reply) => {
        const { trigger, secret } = await ctx.control.triggers.create(request.tenantId, request.body);
        return reply.status(201).send({ trigger, ...(secret === undefined ? {} : { secret }) });
      },
    );

    app.get<{ Querystring: Static<typeof ListQuery> }>(
      '/api/v1/triggers',
      {
        schema: {
          ...secured,
          operationId: 'listTriggers',
          summary: 'List triggers',
          description: "The caller's triggers in creation order.",
          querystring: ListQuery,
          response: {
            200: answer('One page of triggers.', listOf('Trigger', { paged: true })),
            ...errors(400, 401),
          },
        },
      },
      async (request) => {
        const { enabled, event_type, cursor, limit } = request.query;
        const page = await ctx.control.triggers.list(
          request.tenantId,
          {
            ...(enabled === undefined ? {} : { enabled }),
            ...(event_type === undefined ? {} : { event_type }),
          },
          { limit: limit ?? 100, ...(cursor === undefined ? {} : { after: cursor }) },
        );
        return { items: page.items, next_cursor: page.next };
      },
    );

    app.get<{ Params: Static<typeof Params> }>(
      '/api/v1/triggers/:trigger_id',
      {
        schema: {
          ...secured,
          operationId: 'getTrigger',
          summary: 'Get a trigger',
          description: 'One trigger. Its signing secret is never returned.',
          params: Params,
          response: {
            200: answer('The trigger.', Type.Object({ trigger: Type.Ref('Trigger') })),
            ...errors(401, 404),
          },
        },
      },
      async (request) => ({
        trigger: await ctx.control.triggers.get(request.tenantId, request.params.trigger_id),
      }),
    );

    app.patch<{ Params: Static<typeof Params>; Body: Static<typeof TriggerBody> }>(
      '/api/v1/triggers/:trigger_id',
      {
        config: documentBodyAs(TriggerInput),
        schema: {
          ...secured,
          operationId: 'updateTrigger',
          summary: 'Change a trigger',
          description:
            'Change the fields given (null clears condition and priority). A new action replaces the old; an http action keeps its secret unless a new one is given.',
          params: Params,
          body: TriggerBody,
          response: {
            200: answer('The trigger as changed, and a generated signing secret once.', TriggerAnswer),
            ...errors(400, 401, 404, 422),
          },
        },
      },
      async (request) => {
        const { trigger, secret } = await ctx.control.triggers.update(
          request.tenantId,
          request.params.trigger_id,
          request.body,
        );
        return { trigger, ...(secret === undefined ? {} : { secret }) };
      },
    );

    app.delete<{ Params: Static<typeof Params> }>(
      '/api/v1/triggers/:trigger_id',
      {
        schema: {
          ...secured,
          operationId: 'deleteTrigger',
          summary: 'Delete a trigger',
          description: 'Delete a trigger for good; its jobs stay.',
          params: Params,
          response: { 204: empty('Deleted.'), ...errors(401, 404) },
        },
      },
      async (request, reply) => {
        await ctx.control.triggers.delete(request.tenantId, request.params.trigger_id);
        return reply.status(204).send();
      },
    );
  };
}
