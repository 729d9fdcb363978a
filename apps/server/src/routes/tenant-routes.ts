import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { optionalBody } from '../http/optional-body.ts';
import { listOf } from '../http/resource-schemas.ts';
import { answer, errors } from '../http/schemas.ts';

const NewTenant = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    reseller_id: Type.Optional(Type.Union([Type.Null(), Type.String({ minLength: 1, maxLength: 100 })])),
  },
  { title: 'NewTenant', additionalProperties: false },
);
const TenantParams = Type.Object({ tenant_id: Type.String() });
const NewKey = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { title: 'NewApiKey', additionalProperties: false },
);
const TenantChanges = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    /** What the router does with a live event that matches none of the tenant's triggers. */
    unmatched_events: Type.Optional(Type.Union([Type.Literal('drop'), Type.Literal('dead_letter')])),
    /** Pending dead letters above which `dead_letters.threshold_crossed` is published; null turns it off. */
    dead_letter_alert_threshold: Type.Optional(Type.Union([Type.Null(), Type.Integer({ minimum: 0 })])),
    /** IANA time zone of business hours and cron schedules. */
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { title: 'TenantChanges', additionalProperties: false, minProperties: 1 },
);
const ActionPolicyChanges = Type.Object(
  {
    /** Action kinds the tenant's triggers and plans may use; null: the server's SLUICE_ALLOWED_ACTIONS. */
    allowed_actions: Type.Optional(
      Type.Union([Type.Null(), Type.Array(Type.String({ maxLength: 300 }), { maxItems: 200 })]),
    ),
    /** True: actions are planned and recorded as the job's result, nothing is sent or run. */
    dry_run: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
const NewWorkspace = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }) },
  { title: 'NewWorkspace', additionalProperties: false },
);

/** Tenants and their API keys (admin key), workspaces and the caller's own tenant (tenant key). */
export function tenantRoutes(ctx: Pick<AppContext, 'control' | 'store'>): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: Static<typeof NewTenant> }>(
      '/api/v1/tenants',
      {
        config: { auth: 'admin' },
        schema: {
          operationId: 'createTenant',
          summary: 'Create a tenant',
          tags: ['tenants'],
          description: 'Create a tenant and its first API key (admin key). The key is shown once.',
          security: [{ apiKey: [] }],
          body: NewTenant,
          response: {
            201: answer(
              'The tenant and its first API key, shown once.',
              Type.Object({ tenant: Type.Ref('Tenant'), api_key: Type.Ref('ApiKey') }),
            ),
            ...errors(400, 401, 403),
          },
        },
      },
      async (request, reply) => {
        return reply.status(201).send(await ctx.control.tenants.create(request.body));
      },
    );

    app.get(
      '/api/v1/tenants',
      {
        config: { auth: 'admin' },
        schema: {
          operationId: 'listTenants',
          summary: 'List tenants',
          tags: ['tenants'],
          description: 'All tenants (admin key).',
          security: [{ apiKey: [] }],
          response: { 200: answer('All tenants.', listOf('Tenant')), ...errors(401, 403) },
        },
      },
      async (_request) => {
        return { items: await ctx.store.tenancy.listTenants() };
      },
    );

    app.post<{ Params: Static<typeof TenantParams>; Body: Static<typeof NewKey> }>(
      '/api/v1/tenants/:tenant_id/api-keys',
      {
        config: { auth: 'admin' },
        preValidation: optionalBody,
        schema: {
          operationId: 'createApiKey',
          summary: 'Issue an API key',
          tags: ['tenants'],
          description:
            'Issue another API key for a tenant (admin key). The key is shown once; only its hash is kept.',
          security: [{ apiKey: [] }],
          params: TenantParams,
          body: NewKey,
          response: {
            201: answer('The new key, shown once.', Type.Object({ api_key: Type.Ref('ApiKey') })),
            ...errors(400, 401, 403, 404),
          },
        },
      },
      async (request, reply) => {
        const key = await ctx.control.tenants.issueKey(
          request.params.tenant_id,
          request.body?.name ?? 'api key',
        );
        return reply.status(201).send({ api_key: key });
      },
    );

    app.get(
      '/api/v1/tenant',
      {
        schema: {
          operationId: 'getTenant',
          summary: "Get the caller's tenant",
          tags: ['tenants'],
          description: "The caller's tenant.",
          security: [{ apiKey: [] }],
          response: {
            200: answer("The caller's tenant.", Type.Object({ tenant: Type.Ref('Tenant') })),
            ...errors(401),
          },
        },
      },
      async (request) => {
        const { tenantId } = request;
        return { tenant: await ctx.store.tenancy.getTenant(tenantId) };
      },
    );

    app.patch<{ Body: Static<typeof TenantChanges> }>(
      '/api/v1/tenant',
      {
        schema: {
          operationId: 'updateTenant',
          summary: "Change the caller's tenant",
          tags: ['tenants'],
          description:
            "Change the caller's tenant: its name, unmatched_events (drop: counted and dropped, the default; dead_letter: kept as a dead letter), dead_letter_alert_threshold, or timezone (IANA; business hours and cron schedules).",
          security: [{ apiKey: [] }],
          body: TenantChanges,
          response: {
            200: answer('The tenant as changed.', Type.Object({ tenant: Type.Ref('Tenant') })),
            ...errors(400, 401),
          },
        },
      },
      async (request) => ({ tenant: await ctx.control.tenants.update(request.tenantId, request.body) }),
    );

    app.patch<{ Params: Static<typeof TenantParams>; Body: Static<typeof ActionPolicyChanges> }>(
      '/api/v1/tenants/:tenant_id/action-policy',
      {
        config: { auth: 'admin' },
        schema: {
          operationId: 'setTenantActionPolicy',
          summary: "Set a tenant's action policy",
          tags: ['tenants'],
          description:
            "Set a tenant's action policy (admin key): allowed_actions, the action kinds its triggers and operators' plans may use (http, connector:<connector>.<action>, handler:<operator>, or a prefix ending in *, e.g. connector:*; null: the server's SLUICE_ALLOWED_ACTIONS), and dry_run (actions are planned and recorded as the job's result, nothing is sent or run). Checked when a trigger is created or changed, and when each job runs.",
          security: [{ apiKey: [] }],
          params: TenantParams,
          body: ActionPolicyChanges,
          response: {
            200: answer('The tenant with its new policy.', Type.Object({ tenant: Type.Ref('Tenant') })),
            ...errors(400, 401, 403, 404, 422),
          },
        },
      },
      async (request) => ({
        tenant: await ctx.control.tenants.update(request.params.tenant_id, request.body),
      }),
    );

    app.post<{ Body: Static<typeof NewWorkspace> }>(
      '/api/v1/workspaces',
      {
        schema: {
          operationId: 'createWorkspace',
          summary: 'Create a workspace',
          tags: ['tenants'],
          description: "Create a workspace in the caller's tenant.",
          security: [{ apiKey: [] }],
          body: NewWorkspace,
          response: {
            201: answer('The new workspace.', Type.Object({ workspace: Type.Ref('Workspace') })),
            ...errors(400, 401),
          },
        },
      },
      async (request, reply) => {
        const { tenantId } = request;
        return reply
          .status(201)
          .send({ workspace: await ctx.store.tenancy.createWorkspace(tenantId, request.body.name) });
      },
    );
  };
}
