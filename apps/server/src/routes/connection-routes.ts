import { type Static, Type } from '@sinclair/typebox';
import { redactConfig } from '@sluice/control';
import type { Connection } from '@sluice/core';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { optionalBody } from '../http/optional-body.ts';
import { errors } from '../http/schemas.ts';

/** A connection's own request rate on the ingest routes; null or absent: the server-wide default. */
const RateLimitBody = Type.Union([
  Type.Object(
    {
      per_second: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
      burst: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
    },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
const NewConnection = Type.Object(
  {
    connector_id: Type.String({ minLength: 1 }),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    workspace_id: Type.Optional(Type.Union([Type.Null(), Type.String()])),
    /** The provider's own signing secret (a Stripe `whsec_…`, a GitHub or Shopify app secret); generated when absent. */
    secret: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })),
    rate_limit: Type.Optional(RateLimitBody),
  },
  { additionalProperties: false },
);
const ConnectionChanges = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    rate_limit: Type.Optional(RateLimitBody),
  },
  { additionalProperties: false, minProperties: 1 },
);
const Params = Type.Object({ connection_id: Type.String() });
const ListQuery = Type.Object({
  connector_id: Type.Optional(Type.String()),
  status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('retired')])),
});
const Rotate = Type.Object(
  {
    secret: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })),
    /** How long the previous secret keeps verifying. */
    overlap_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 24 * 3600, default: 24 * 3600 })),
  },
  { additionalProperties: false },
);

/** Connections: create (→ ingest URL, secret once), list, get, test, retire, rotate the secret. */
export function connectionRoutes(ctx: Pick<AppContext, 'config' | 'control'>): FastifyPluginAsync {
  return async (app) => {
    const base = ctx.config.publicUrl ?? `http://${ctx.config.host}:${ctx.config.port}`;
    const view = (connection: Connection) => ({
      ...connection,
      config: redactConfig(connection.config),
      ingest_url: `${base}/api/v1/ingest/${connection.id}`,
      webhook_url: `${base}/api/v1/webhooks/${connection.connector_id}/${connection.tenant_id}`,
    });
    const secured = { tags: ['connections'], security: [{ apiKey: [] }] };

    app.post<{ Body: Static<typeof NewConnection> }>(
      '/api/v1/connections',
      {
        schema: {
          ...secured,
          description:
            'Create a connection. Returns its ingest URL, and the signing secret once when it was generated here.',
          body: NewConnection,
          response: errors(400, 401, 404, 422),
        },
      },
      async (request, reply) => {
        const { connection, secret } = await ctx.control.connections.create({
          tenant_id: request.tenantId,
          ...request.body,
        });
        return reply
          .status(201)
          .send({ connection: view(connection), ...(secret === undefined ? {} : { secret }) });
      },
    );

    app.get<{ Querystring: Static<typeof ListQuery> }>(
      '/api/v1/connections',
      {
        schema: {
          ...secured,
          description: "The caller's connections.",
          querystring: ListQuery,
          response: errors(400, 401),
        },
      },
      async (request) => {
        const filter = {
          ...(request.query.connector_id === undefined ? {} : { connector_id: request.query.connector_id }),
          ...(request.query.status === undefined ? {} : { status: request.query.status }),
        };
        return { items: (await ctx.control.connections.list(request.tenantId, filter)).map(view) };
      },
    );

    app.get<{ Params: Static<typeof Params> }>(
      '/api/v1/connections/:connection_id',
      {
        schema: {
          ...secured,
          description: 'One connection. Its secret is never returned.',
          params: Params,
          response: errors(401, 404),
        },
      },
      async (request) => ({
        connection: view(await ctx.control.connections.get(request.tenantId, request.params.connection_id)),
      }),
    );

    app.patch<{ Params: Static<typeof Params>; Body: Static<typeof ConnectionChanges> }>(
      '/api/v1/connections/:connection_id',
      {
        schema: {
          ...secured,
          description:
            'Rename a connection or set its own rate limit (null: back to the server-wide default).',
          params: Params,
          body: ConnectionChanges,
          response: errors(400, 401, 404),
        },
      },
      async (request) => ({
        connection: view(
          await ctx.control.connections.update(request.tenantId, request.params.connection_id, {
            ...(request.body.name === undefined ? {} : { name: request.body.name }),
            ...(request.body.rate_limit === undefined ? {} : { rate_limit: request.body.rate_limit }),
          }),
        ),
      }),
    );

    app.post<{ Params: Static<typeof Params> }>(
      '/api/v1/connections/:connection_id/test',
      {
        schema: {
          ...secured,
          description: "Run the connector's health probe; a failure is published as integration.failed.",
          params: Params,
          response: errors(401, 404),
        },
      },
      async (request) => ctx.control.connections.test(request.tenantId, request.params.connection_id),
    );

    app.post<{ Params: Static<typeof Params> }>(
      '/api/v1/connections/:connection_id/retire',
      {
        schema: {
          ...secured,
          description: 'Retire a connection: it accepts nothing afterwards.',
          params: Params,
          response: errors(401, 404),
        },
      },
      async (request) => ({
        connection: view(
          await ctx.control.connections.retire(request.tenantId, request.params.connection_id),
        ),
      }),
    );

    app.post<{ Params: Static<typeof Params>; Body: Static<typeof Rotate> }>(
      '/api/v1/connections/:connection_id/rotate-secret',
      {
        preValidation: optionalBody,
        schema: {
          ...secured,
          description:
            'Rotate the signing secret. The previous secret keeps verifying for overlap_seconds (default 24 h). A generated secret is returned once.',
          params: Params,
          body: Rotate,
          response: errors(400, 401, 404, 409),
        },
      },
      async (request) =>
        ctx.control.connections.rotateSecret(request.tenantId, request.params.connection_id, {
          ...(request.body?.secret === undefined ? {} : { secret: request.body.secret }),
          ...(request.body?.overlap_seconds === undefined
            ? {}
            : { overlapSeconds: request.body.overlap_seconds }),
        }),
    );
  };
}
