import { type Static, Type } from '@sinclair/typebox';
import { JOB_STATUSES } from '@sluice/core';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { listOf } from '../http/resource-schemas.ts';
import { answer, errors } from '../http/schemas.ts';

const ListQuery = Type.Object({
  trigger_id: Type.Optional(Type.String({ minLength: 1 })),
  event_id: Type.Optional(Type.String({ minLength: 1 })),
  status: Type.Optional(Type.Union(JOB_STATUSES.map((status) => Type.Literal(status)))),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  cursor: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
const Params = Type.Object({ job_id: Type.String() });

/** Jobs the router made of matching events: list by trigger, event and status; one with its attempts. */
export function jobRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    const secured = { tags: ['jobs'], security: [{ apiKey: [] }] };

    app.get<{ Querystring: Static<typeof ListQuery> }>(
      '/api/v1/jobs',
      {
        schema: {
          ...secured,
          operationId: 'listJobs',
          summary: 'List jobs',
          description: "The caller's jobs in creation order (or newest first with order=desc).",
          querystring: ListQuery,
          response: { 200: answer('One page of jobs.', listOf('Job', { paged: true })), ...errors(400, 401) },
        },
      },
      async (request) => {
        const { trigger_id, event_id, status, order, cursor, limit } = request.query;
        const page = await ctx.control.jobs.list(
          request.tenantId,
          {
            ...(trigger_id === undefined ? {} : { trigger_id }),
            ...(event_id === undefined ? {} : { event_id }),
            ...(status === undefined ? {} : { status }),
          },
          {
            limit: limit ?? 100,
            ...(order === undefined ? {} : { order }),
            ...(cursor === undefined ? {} : { after: cursor }),
          },
        );
        return { items: page.items, next_cursor: page.next };
      },
    );

    app.get<{ Params: Static<typeof Params> }>(
      '/api/v1/jobs/:job_id',
      {
        schema: {
          ...secured,
          operationId: 'getJob',
          summary: 'Get a job',
          description: 'One job, with its attempts.',
          params: Params,
          response: {
            200: answer('The job with its attempts.', Type.Object({ job: Type.Ref('Job') })),
            ...errors(401, 404),
          },
        },
      },
      async (request) => ({ job: await ctx.control.jobs.get(request.tenantId, request.params.job_id) }),
    );
  };
}
