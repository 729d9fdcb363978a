import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { listOf } from '../http/resource-schemas.ts';
import { answer, empty, errors } from '../http/schemas.ts';
import { ReplayFilterSchema } from './dead-letter-routes.ts';

const NewPolicy = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    filter: ReplayFilterSchema,
    every_seconds: Type.Integer({ minimum: 60 }),
    max_replays: Type.Integer({ minimum: 1, maximum: 1000 }),
  },
  { title: 'NewDeadLetterPolicy', additionalProperties: false },
);
const Params = Type.Object({ policy_id: Type.String() });

/** Automated replay policies of the caller's dead letters. */
export function deadLetterPolicyRoutes(ctx: Pick<AppContext, 'control'>): FastifyPluginAsync {
  return async (app) => {
    const secured = { tags: ['dead letters'], security: [{ apiKey: [] }] };

    app.post<{ Body: Static<typeof NewPolicy> }>(
      '/api/v1/dead-letter-policies',
      {
        schema: {
          ...secured,
          operationId: 'createDeadLetterPolicy',
          summary: 'Create a replay policy',
          description:
            'Create a replay policy: every every_seconds, pending dead letters matching filter are replayed, each until it has been replayed max_replays times.',
          body: NewPolicy,
          response: {
            201: answer('The new policy.', Type.Object({ policy: Type.Ref('DeadLetterPolicy') })),
            ...errors(400, 401, 409, 422),
          },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send({ policy: await ctx.control.replayPolicies.create(request.tenantId, request.body) }),
    );

    app.get(
      '/api/v1/dead-letter-policies',
      {
        schema: {
          ...secured,
          operationId: 'listDeadLetterPolicies',
          summary: 'List replay policies',
          description: "The caller's replay policies.",
          response: {
            200: answer("The caller's replay policies.", listOf('DeadLetterPolicy')),
            ...errors(401),
          },
        },
      },
      async (request) => ({ items: await ctx.control.replayPolicies.list(request.tenantId) }),
    );

    app.get<{ Params: Static<typeof Params> }>(
      '/api/v1/dead-letter-policies/:policy_id',
      {
        schema: {
          ...secured,
          operationId: 'getDeadLetterPolicy',
          summary: 'Get a replay policy',
          description: 'One replay policy.',
          params: Params,
          response: {
            200: answer('The policy.', Type.Object({ policy: Type.Ref('DeadLetterPolicy') })),
            ...errors(401, 404),
          },
        },
      },
      async (request) => ({
        policy: await ctx.control.replayPolicies.get(request.tenantId, request.params.policy_id),
      }),
    );

    app.delete<{ Params: Static<typeof Params> }>(
      '/api/v1/dead-letter-policies/:policy_id',
      {
        schema: {
          ...secured,
          operationId: 'deleteDeadLetterPolicy',
          summary: 'Delete a replay policy',
          description: 'Delete a replay policy.',
          params: Params,
          response: { 204: empty('Deleted.'), ...errors(401, 404) },
        },
      },
      async (request, reply) => {
        await ctx.control.replayPolicies.delete(request.tenantId, request.params.policy_id);
        return reply.status(204).send();
      },
    );
  };
}
