import { type Static, Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { listOf } from '../http/resource-schemas.ts';
import { answer, empty, errors } from '../http/schemas.ts';

const NewSchedule = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    schedule: Type.String({ minLength: 1, maxLength: 200 }),
    timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { title: 'NewCronSchedule', additionalProperties: false },
);
const Params = Type.Object({ schedule_id: Type.String() });

/** A tenant's cron schedules: the built-in `cron` source emits `cron.tick` on each slot. */
export function scheduleRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    const secured = { tags: ['schedules'], security: [{ apiKey: [] }] };

    app.post<{ Body: Static<typeof NewSchedule> }>(
      '/api/v1/schedules',
      {
        schema: {
          ...secured,
          operationId: 'createSchedule',
          summary: 'Create a cron schedule',
          description:
            'Create a cron schedule (five or six fields; timezone IANA, the tenant time zone by default). Each slot emits one cron.tick (source cron, dedupe key <schedule id>:<slot>), routed at P3.',
          body: NewSchedule,
          response: {
            201: answer('The new schedule.', Type.Object({ schedule: Type.Ref('CronSchedule') })),
            ...errors(400, 401, 409),
          },
        },
      },
      async (request, reply) => {
        const schedule = await ctx.control.schedules.create(request.tenantId, request.body);
        return reply.code(201).send({ schedule });
      },
    );

    app.get(
      '/api/v1/schedules',
      {
        schema: {
          ...secured,
          operationId: 'listSchedules',
          summary: 'List cron schedules',
          description: "The caller's cron schedules.",
          response: { 200: answer("The caller's cron schedules.", listOf('CronSchedule')), ...errors(401) },
        },
      },
      async (request) => ({ items: await ctx.control.schedules.list(request.tenantId) }),
    );

    app.delete<{ Params: Static<typeof Params> }>(
      '/api/v1/schedules/:schedule_id',
      {
        schema: {
          ...secured,
          operationId: 'deleteSchedule',
          summary: 'Delete a cron schedule',
          description: 'Delete a cron schedule.',
          params: Params,
          response: { 204: empty('Deleted.'), ...errors(401, 404) },
        },
      },
      async (request, reply) => {
        await ctx.control.schedules.delete(request.tenantId, request.params.schedule_id);
        return reply.code(204).send();
      },
    );
  };
}
