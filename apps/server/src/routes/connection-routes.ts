import { type Static, Type } from '@sinclair/typebox';
import { type Connection, newId, SluiceError } from '@sluice/core';
import { generateSecret } from '@sluice/signatures';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { tenantOf } from '../http/auth.ts';
import { optionalBody } from '../http/optional-body.ts';
import { errors } from '../http/schemas.ts';
import { sourceConnector, tenantConnection } from '../http/tenant-resources.ts';
import { openConfig, redactConfig, sealConfig } from '../services/connection-config.ts';

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
    workspace_id: Type.Optional(Type.Union([Type.String(), Type.Null()])),
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
export function connectionRoutes(ctx: AppContext): FastifyPluginAsync {
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
        const tenantId = await tenantOf(request, ctx.store, ctx.config.adminKey);
        const connector = sourceConnector(ctx, request.body.connector_id);
        const supplied = request.body.secret;
        const secret = supplied ?? generateSecret(connector.webhook?.verify.scheme ?? 'hmac-sha256');
        const id = newId('connection');
        const connection = await ctx.store.createConnection({
          id,
          tenant_id: tenantId,
          workspace_id: request.body.workspace_id ?? null,
          connector_id: connector.id,
          name: request.body.name ?? connector.id,
          config: sealConfig(ctx.secretBox, connector, id, request.body.config ?? {}),
          secret_ciphertext: ctx.secretBox.seal(secret, id),
          rate_limit: request.body.rate_limit ?? null,
        });
        ctx.receiver.invalidate();
        await ctx.platform.emit(tenantId, {
          event_type: 'connection.established',
          dedupe_key: `connection:${id}:established`,
          payload: { entity: { kind: 'connection', id }, connector_id: connector.id, name: connection.name },
        });
        return reply.status(201).send({
          connection: view(connection),
          ...(supplied === undefined ? { secret } : {}),
        });
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
        const tenantId = await tenantOf(request, ctx.store, ctx.config.adminKey);
        const filter = {
          ...(request.query.connector_id === undefined ? {} : { connector_id: request.query.connector_id }),
          ...(request.query.status === undefined ? {} : { status: request.query.status }),
        };
        const all = await ctx.store.listConnections(tenantId, filter);
        return { items: all.filter((c) => c.connector_id !== ctx.platform.connectorId).map(view) };
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
      async (request) => {
        const tenantId = await tenantOf(request, ctx.store, ctx.config.adminKey);
        return { connection: view(await tenantConnection(ctx, tenantId, request.params.connection_id)) };
      },
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
      async (request) => {
        const tenantId = await tenantOf(request, ctx.store, ctx.config.adminKey);
        const connection = await tenantConnection(ctx, tenantId, request.params.connection_id);
        const updated = await ctx.store.updateConnection(tenantId, connection.id, {
          ...(request.body.name === undefined ? {} : { name: request.body.name }),
          ...(request.body.rate_limit === undefined ? {} : { rate_limit: request.body.rate_limit }),
        });
        if (updated === null)
          throw new SluiceError('connection_not_found', `Connection "${connection.id}" does not exist.`);
        ctx.receiver.invalidate();
        return { connection: view(updated) };
      },
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
      async (request) => {
        const tenantId = await tenantOf(request, ctx.store, ctx.config.adminKey);
        const connection = await tenantConnection(ctx, tenantId, request.params.connection_id);
        const connector = sourceConnector(ctx, connection.connector_id);
        let result: { ok: boolean; message?: string };
        if (connector.probe === null) {
          result = { ok: true, message: 'The connector has no health probe.' };
        } else {
          try {
            result = await connector.probe(openConfig(ctx.secretBox, connection.id, connection.config));
          } catch (error) {
            result = { ok: false, message: error instanceof Error ? error.message : String(error) };
          }
        }
        if (!result.ok) {
          await ctx.platform.emit(tenantId, {
            event_type: 'integration.failed',
            dedupe_key: `connection:${connection.id}:probe_failed:${ctx.now().getTime()}`,
            payload: {
              entity: { kind: 'connection', id: connection.id },
              operation: 'health_probe',
              message: result.message ?? 'probe failed',
            },
          });
        }
        return { connection_id: connection.id, ok: result.ok, message: result.message ?? null };
      },
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
      async (request) => {
        const tenantId = await tenantOf(request, ctx.store, ctx.config.adminKey);
        const before = await tenantConnection(ctx, tenantId, request.params.connection_id);
        const retired = await ctx.store.retireConnection(tenantId, before.id);
        ctx.receiver.invalidate();
        if (retired === null)
          throw new SluiceError('connection_not_found', `Connection "${before.id}" does not exist.`);
        if (before.status === 'active') {
          await ctx.platform.emit(tenantId, {
            event_type: 'connection.retired',
            dedupe_key: `connection:${before.id}:retired`,
            payload: { entity: { kind: 'connection', id: before.id }, connector_id: before.connector_id },
          });
        }
        return { connection: view(retired) };
      },
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
      async (request) => {
        const tenantId = await tenantOf(request, ctx.store, ctx.config.adminKey);
        const connection = await tenantConnection(ctx, tenantId, request.params.connection_id);
        if (connection.status !== 'active') {
          throw new SluiceError('connection_retired', `Connection "${connection.id}" is retired.`);
        }
        const connector = sourceConnector(ctx, connection.connector_id);
        const supplied = request.body?.secret;
        const secret = supplied ?? generateSecret(connector.webhook?.verify.scheme ?? 'hmac-sha256');
        const overlapUntil = new Date(
          ctx.now().getTime() + (request.body?.overlap_seconds ?? 24 * 3600) * 1000,
        );
        const created = await ctx.store.rotateSecret(
          tenantId,
          connection.id,
          ctx.secretBox.seal(secret, connection.id),
          overlapUntil,
        );
        ctx.receiver.invalidate();
        await ctx.platform.emit(tenantId, {
          event_type: 'credential.rotated',
          dedupe_key: `connection:${connection.id}:credential_rotated:${created.id}`,
          payload: {
            entity: { kind: 'connection', id: connection.id },
            previous_expires_at: overlapUntil.toISOString(),
          },
        });
        return {
          connection_id: connection.id,
          previous_secret_expires_at: overlapUntil.toISOString(),
          ...(supplied === undefined ? { secret } : {}),
        };
      },
    );
  };
}
