import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { answer, documentBodyAs, empty, errors } from '../http/schemas.ts';

/**
 * A subscription per the CloudEvents Subscriptions API; checked whole by the workflows (`422
 * subscription_invalid` with every field and rule), so the schema only describes it.
 */
const SubscriptionBody = Type.Object(
  {
    protocol: Type.Optional(Type.Unknown({ description: 'Required: "HTTP" (the only protocol offered).' })),
    sink: Type.Optional(Type.Unknown({ description: 'Required: the http(s) URL deliveries are POSTed to.' })),
    types: Type.Optional(Type.Unknown({ description: 'Event types (or globs); all when absent.' })),
    source: Type.Optional(Type.Unknown({ description: 'Only events whose CloudEvents source is this.' })),
    filters: Type.Optional(
      Type.Unknown({
        description: 'Filters, all of which must hold: exact, prefix, suffix, all, any, not, sql.',
      }),
    ),
    protocolsettings: Type.Optional(Type.Unknown({ description: '{headers?, method?: "POST"}' })),
    config: Type.Optional(
      Type.Unknown({
        description: 'Strings: name, enabled ("true"/"false"), priority, format, secret, condition.',
      }),
    ),
  },
  { title: 'SubscriptionInput', additionalProperties: true },
);
/** The subscription body as the workflows accept it (the document shows this; see `documentBodyAs`). */
export const SubscriptionInput = Type.Object(
  {
    id: Type.Optional(Type.String({ description: "On replace: the subscription's own id." })),
    protocol: Type.Literal('HTTP', { description: 'The only protocol offered.' }),
    sink: Type.String({ description: 'The http(s) URL deliveries are POSTed to.' }),
    types: Type.Optional(
      Type.Array(Type.String(), { description: 'Event types (or globs); all when absent.' }),
    ),
    source: Type.Optional(Type.String({ description: 'Only events whose CloudEvents source is this.' })),
    filters: Type.Optional(
      Type.Array(Type.Record(Type.String(), Type.Unknown()), {
        description:
          'Filters, all of which must hold: {exact|prefix|suffix: {attribute: value}}, {all|any: [filter]}, {not: filter}, {sql: "…"}.',
      }),
    ),
    protocolsettings: Type.Optional(
      Type.Object({
        method: Type.Optional(Type.Literal('POST')),
        headers: Type.Optional(Type.Record(Type.String(), Type.String())),
      }),
    ),
    config: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'name, enabled ("true"/"false"), priority, format, secret, condition.',
      }),
    ),
  },
  { title: 'SubscriptionInput', additionalProperties: false },
);
const Params = Type.Object({ id: Type.String() });

/** The CloudEvents Subscriptions API over the caller's triggers with an http action. */
export function subscriptionRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    const secured = { tags: ['subscriptions'], security: [{ apiKey: [] }] };
    const subscriptions = ctx.control.subscriptions;

    app.get(
      '/api/v1/subscriptions',
      {
        schema: {
          ...secured,
          operationId: 'listSubscriptions',
          summary: 'List subscriptions',
          description: "The caller's subscriptions (triggers with an http action), as a JSON array.",
          response: {
            200: answer("The caller's subscriptions.", Type.Array(Type.Ref('Subscription'))),
            ...errors(401),
          },
        },
      },
      async (request) => subscriptions.list(request.tenantId),
    );

    app.post<{ Body: Static<typeof SubscriptionBody> }>(
      '/api/v1/subscriptions',
      {
        config: documentBodyAs(SubscriptionInput),
        schema: {
          ...secured,
          operationId: 'createSubscription',
          summary: 'Create a subscription',
          description:
            'Create a subscription (a trigger with an http action). A generated signing secret is returned once, as config.secret.',
          body: SubscriptionBody,
          response: {
            201: answer(
              'The new subscription; a generated secret once, as config.secret.',
              Type.Ref('Subscription'),
            ),
            ...errors(400, 401, 422),
          },
        },
      },
      async (request, reply) => {
        const subscription = await subscriptions.create(request.tenantId, request.body);
        return reply
          .status(201)
          .header('location', `/api/v1/subscriptions/${subscription.id}`)
          .send(subscription);
      },
    );

    app.options(
      '/api/v1/subscriptions',
      {
        schema: {
          ...secured,
          operationId: 'describeSubscriptions',
          summary: 'Methods of the subscriptions collection',
          description: 'The methods of this endpoint.',
          response: { 200: empty('The methods, in Allow.'), ...errors(401) },
        },
      },
      async (_request, reply) => reply.status(200).header('allow', 'GET,POST,OPTIONS').send(),
    );

    app.get<{ Params: Static<typeof Params> }>(
      '/api/v1/subscriptions/:id',
      {
        schema: {
          ...secured,
          operationId: 'getSubscription',
          summary: 'Get a subscription',
          description: 'One subscription.',
          params: Params,
          response: { 200: answer('The subscription.', Type.Ref('Subscription')), ...errors(401, 404) },
        },
      },
      async (request) => subscriptions.get(request.tenantId, request.params.id),
    );

    app.put<{ Params: Static<typeof Params>; Body: Static<typeof SubscriptionBody> }>(
      '/api/v1/subscriptions/:id',
      {
        config: documentBodyAs(SubscriptionInput),
        schema: {
          ...secured,
          operationId: 'replaceSubscription',
          summary: 'Replace a subscription',
          description: 'Replace a subscription whole; a signing secret not given is kept.',
          params: Params,
          body: SubscriptionBody,
          response: {
            200: answer('The subscription as replaced.', Type.Ref('Subscription')),
            ...errors(400, 401, 404, 422),
          },
        },
      },
      async (request) => subscriptions.replace(request.tenantId, request.params.id, request.body),
    );

    app.delete<{ Params: Static<typeof Params> }>(
      '/api/v1/subscriptions/:id',
      {
        schema: {
          ...secured,
          operationId: 'deleteSubscription',
          summary: 'Delete a subscription',
          description: 'Delete a subscription (and so its trigger).',
          params: Params,
          response: { 200: empty('Deleted.'), ...errors(401, 404) },
        },
      },
      async (request, reply) => {
        await subscriptions.delete(request.tenantId, request.params.id);
        return reply.status(200).send();
      },
    );

    app.options<{ Params: Static<typeof Params> }>(
      '/api/v1/subscriptions/:id',
      {
        schema: {
          ...secured,
          operationId: 'describeSubscription',
          summary: 'Methods of a subscription',
          description: 'The methods of this endpoint.',
          params: Params,
          response: { 200: empty('The methods, in Allow.'), ...errors(401, 404) },
        },
      },
      async (request, reply) => {
        await subscriptions.get(request.tenantId, request.params.id);
        return reply.status(200).header('allow', 'GET,PUT,DELETE,OPTIONS').send();
      },
    );
  };
}
