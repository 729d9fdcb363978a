import { type Static, Type } from '@sinclair/typebox';
import { redactConfig } from '@sluice/control';
import type { Connection } from '@sluice/core';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { optionalBody } from '../http/optional-body.ts';
import { listOf } from '../http/resource-schemas.ts';
import { answer, errors } from '../http/schemas.ts';

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
  { title: 'NewConnection', additionalProperties: false },
);
const ConnectionChanges = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    rate_limit: Type.Optional(RateLimitBody),
  },
  { title: 'ConnectionChanges', additionalProperties: false, minProperties: 1 },
);
const Params = Type.Object({ connection_id: Type.String() });
const ConnectionAnswer = Type.Object({ connection: Type.Ref('Connection') });
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
  { title: 'SecretRotation', additionalProperties: false },
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
          operationId: 'createConnection',
          summary: 'Create a connection',
          description:
            'Create a connection. Returns its ingest URL, and the signing secret once when it was generated here.',
          body: NewConnection,
          response: {
            201: answer(
              'The connection, and its signing secret once when generated here.',
              Type.Object({ connection: Type.Ref('Connection'), secret: Type.Optional(Type.String()) }),
            ),
            ...errors(400, 401, 404, 422),
          },
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
          operationId: 'listConnections',
          summary: 'List connections',
          description: "The caller's connections.",
          querystring: ListQuery,
          response: { 200: answer("The caller's connections.", listOf('Connection')), ...errors(400, 401) },
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
          operationId: 'getConnection',
          summary: 'Get a connection',
          description: 'One connection. Its secret is never returned.',
          params: Params,
          response: { 200: answer('The connection.', ConnectionAnswer), ...errors(401, 404) },
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
          operationId: 'updateConnection',
          summary: 'Change a connection',
          description:
            'Rename a connection or set its own rate limit (null: back to the server-wide default).',
          params: Params,
          body: ConnectionChanges,
          response: { 200: answer('The connection as changed.', ConnectionAnswer), ...errors(400, 401, 404) },
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
          operationId: 'testConnection',
          summary: 'Test a connection',
          description: "Run the connector's health probe; a failure is published as integration.failed.",
          params: Params,
          response: {
            200: answer(
              "The probe's result.",
              Type.Object({
                connection_id: Type.String(),
                ok: Type.Boolean(),
                message: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
            ...errors(401, 404),
          },
        },
      },
      async (request) => ctx.control.connections.test(request.tenantId, request.params.connection_id),
    );

    app.post<{ Params: Static<typeof Params> }>(
      '/api/v1/connections/:connection_id/retire',
      {
        schema: {
          ...secured,
          operationId: 'retireConnection',
          summary: 'Retire a connection',
          description: 'Retire a connection: it accepts nothing afterwards.',
          params: Params,
          response: { 200: answer('The retired connection.', ConnectionAnswer), ...errors(401, 404) },
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
          operationId: 'rotateConnectionSecret',
          summary: 'Rotate the signing secret',
          description:
            'Rotate the signing secret. The previous secret keeps verifying for overlap_seconds (default 24 h). A generated secret is returned once.',
          params: Params,
          body: Rotate,
          response: {
            200: answer(
              'Rotated; a generated secret is returned once.',
              Type.Object({
                connection_id: Type.String(),
                previous_secret_expires_at: Type.String({ format: 'date-time' }),
                secret: Type.Optional(Type.String()),
              }),
            ),
            ...errors(400, 401, 404, 409),
          },
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
