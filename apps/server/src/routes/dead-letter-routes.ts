import { type Static, Type } from '@sinclair/typebox';
import { SluiceError } from '@sluice/core';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { tenantOf } from '../http/auth.ts';
import { errors } from '../http/schemas.ts';

const ListQuery = Type.Object({
  status: Type.Optional(
    Type.Union([Type.Literal('pending'), Type.Literal('replayed'), Type.Literal('expired')]),
  ),
  cursor: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
const Params = Type.Object({ dead_letter_id: Type.String() });

/** Deliveries that verified but could not be mapped: list, inspect, replay through the current mapping. */
export function deadLetterRoutes(ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    const secured = { tags: ['dead letters'], security: [{ apiKey: [] }] };

    app.get<{ Querystring: Static<typeof ListQuery> }>(
      '/api/v1/dead-letters',
      {
        schema: {
          ...secured,
          description: "The caller's dead letters.",
          querystring: ListQuery,
          response: errors(400, 401),
        },
      },
      async (request) => {
        const tenantId = await tenantOf(request, ctx.store, ctx.config.adminKey);
        const { status, cursor, limit } = request.query;
        const page = await ctx.store.listDeadLetters(tenantId, status === undefined ? {} : { status }, {
          limit: limit ?? 100,
          ...(cursor === undefined ? {} : { after: cursor }),
        });
        return { items: page.items, next_cursor: page.next };
      },
    );

    app.get<{ Params: Static<typeof Params> }>(
      '/api/v1/dead-letters/:dead_letter_id',
      {
        schema: {
          ...secured,
          description: 'One dead letter, with the raw delivery.',
          params: Params,
          response: errors(401, 404),
        },
      },
      async (request) => {
        const tenantId = await tenantOf(request, ctx.store, ctx.config.adminKey);
        const deadLetter = await ctx.store.getDeadLetter(tenantId, request.params.dead_letter_id);
        if (deadLetter === null) {
          throw new SluiceError(
            'dead_letter_not_found',
            `Dead letter "${request.params.dead_letter_id}" does not exist.`,
          );
        }
        return { dead_letter: deadLetter };
      },
    );

    app.post<{ Params: Static<typeof Params> }>(
      '/api/v1/dead-letters/:dead_letter_id/replay',
      {
        schema: {
          ...secured,
          description:
            "Run the delivery through the connector's current mapping again and ingest what it yields.",
          params: Params,
          response: errors(401, 404, 409, 422, 503),
        },
      },
      async (request) => {
        const tenantId = await tenantOf(request, ctx.store, ctx.config.adminKey);
        const { deadLetter, results } = await ctx.receiver.replay(tenantId, request.params.dead_letter_id);
        return { dead_letter: deadLetter, results };
      },
    );
  };
}
