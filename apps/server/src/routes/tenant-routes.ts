import { type Static, Type } from '@sinclair/typebox';
import { SluiceError } from '@sluice/core';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { requireAdmin, tenantOf } from '../http/auth.ts';
import { optionalBody } from '../http/optional-body.ts';
import { errors } from '../http/schemas.ts';
import { generateApiKey } from '../services/api-keys.ts';

const NewTenant = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    reseller_id: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()])),
  },
  { additionalProperties: false },
);
const TenantParams = Type.Object({ tenant_id: Type.String() });
const NewKey = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { additionalProperties: false },
);
const NewWorkspace = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false },
);

/** Tenants and their API keys (admin key), workspaces and the caller's own tenant (tenant key). */
export function tenantRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    const issueKey = async (tenantId: string, name: string) => {
      const { key, prefix, hash } = generateApiKey();
      const record = await ctx.store.createApiKey({ tenant_id: tenantId, name, prefix, hash });
      return { ...record, key };
    };

    app.post<{ Body: Static<typeof NewTenant> }>(
      '/api/v1/tenants',
      {
        schema: {
          tags: ['tenants'],
          description: 'Create a tenant and its first API key (admin key). The key is shown once.',
          security: [{ apiKey: [] }],
          body: NewTenant,
          response: errors(400, 401, 403),
        },
      },
      async (request, reply) => {
        await requireAdmin(request, ctx.store, ctx.config.adminKey);
        const tenant = await ctx.store.createTenant({
          name: request.body.name,
          reseller_id: request.body.reseller_id ?? null,
        });
        const apiKey = await issueKey(tenant.id, 'default');
        return reply.status(201).send({ tenant, api_key: apiKey });
      },
    );

    app.get(
      '/api/v1/tenants',
      {
        schema: {
          tags: ['tenants'],
          description: 'All tenants (admin key).',
          security: [{ apiKey: [] }],
          response: errors(401, 403),
        },
      },
      async (request) => {
        await requireAdmin(request, ctx.store, ctx.config.adminKey);
        return { items: await ctx.store.listTenants() };
      },
    );

    app.post<{ Params: Static<typeof TenantParams>; Body: Static<typeof NewKey> }>(
      '/api/v1/tenants/:tenant_id/api-keys',
      {
        preValidation: optionalBody,
        schema: {
          tags: ['tenants'],
          description:
            'Issue another API key for a tenant (admin key). The key is shown once; only its hash is kept.',
          security: [{ apiKey: [] }],
          params: TenantParams,
          body: NewKey,
          response: errors(400, 401, 403, 404),
        },
      },
      async (request, reply) => {
        await requireAdmin(request, ctx.store, ctx.config.adminKey);
        const tenant = await ctx.store.getTenant(request.params.tenant_id);
        if (tenant === null)
          throw new SluiceError('tenant_not_found', `Tenant "${request.params.tenant_id}" does not exist.`);
        return reply
          .status(201)
          .send({ api_key: await issueKey(tenant.id, request.body?.name ?? 'api key') });
      },
    );

    app.get(
      '/api/v1/tenant',
      {
        schema: {
          tags: ['tenants'],
          description: "The caller's tenant.",
          security: [{ apiKey: [] }],
          response: errors(401),
        },
      },
      async (request) => {
        const tenantId = await tenantOf(request, ctx.store, ctx.config.adminKey);
        return { tenant: await ctx.store.getTenant(tenantId) };
      },
    );

    app.post<{ Body: Static<typeof NewWorkspace> }>(
      '/api/v1/workspaces',
      {
        schema: {
          tags: ['tenants'],
          description: "Create a workspace in the caller's tenant.",
          security: [{ apiKey: [] }],
          body: NewWorkspace,
          response: errors(400, 401),
        },
      },
      async (request, reply) => {
        const tenantId = await tenantOf(request, ctx.store, ctx.config.adminKey);
        return reply
          .status(201)
          .send({ workspace: await ctx.store.createWorkspace(tenantId, request.body.name) });
      },
    );
  };
}
