import { type Static, Type } from '@sinclair/typebox';
import { replayError } from '@sluice/control';
import { SluiceError } from '@sluice/core';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { optionalBody } from '../http/optional-body.ts';
import { errors } from '../http/schemas.ts';

const ListQuery = Type.Object({
  status: Type.Optional(
    Type.Union([Type.Literal('pending'), Type.Literal('replayed'), Type.Literal('expired')]),
  ),
  cursor: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
const Params = Type.Object({ dead_letter_id: Type.String() });
const BulkReplay = Type.Object(
  {
    /** Replay at most this many pending dead letters, oldest first. */
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100 })),
    /** Only those of this connector. */
    connector: Type.Optional(Type.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

/** Deliveries that verified but could not be mapped: list, inspect, replay through the current mapping. */
export function deadLetterRoutes(ctx: Pick<AppContext, 'control' | 'store'>): FastifyPluginAsync {
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
        const { tenantId } = request;
        const { status, cursor, limit } = request.query;
        const page = await ctx.store.deadLetters.list(tenantId, status === undefined ? {} : { status }, {
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
        const { tenantId } = request;
        return { dead_letter: await ctx.control.deadLetters.get(tenantId, request.params.dead_letter_id) };
      },
    );

    app.post<{ Body: Static<typeof BulkReplay> }>(
      '/api/v1/dead-letters/replay',
      {
        preValidation: optionalBody,
        schema: {
          ...secured,
          description:
            "Replay the caller's pending dead letters, oldest first (at most `limit`), each through the current mapping. One failing replay does not stop the others.",
          body: BulkReplay,
          response: errors(400, 401, 503),
        },
      },
      async (request) => {
        const { tenantId } = request;
        return ctx.control.deadLetters.replayMany(tenantId, {
          limit: request.body?.limit ?? 100,
          ...(request.body?.connector === undefined ? {} : { connector: request.body.connector }),
        });
      },
    );

    app.delete<{ Params: Static<typeof Params> }>(
      '/api/v1/dead-letters/:dead_letter_id',
      {
        schema: {
          ...secured,
          description: 'Purge a dead letter: it is deleted for good.',
          params: Params,
          response: errors(401, 404),
        },
      },
      async (request, reply) => {
        const { tenantId } = request;
        await ctx.control.deadLetters.purge(tenantId, request.params.dead_letter_id);
        return reply.status(204).send();
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
        const { tenantId } = request;
        const outcome = await ctx.control.deadLetters.replay(tenantId, request.params.dead_letter_id);
        if (outcome.kind === 'failed') {
          const { code, message } = replayError(outcome.failure);
          const { stage, rule, index } = outcome.failure;
          throw new SluiceError(code, message, { details: { stage, rule, index } });
        }
        return { dead_letter: outcome.deadLetter, results: outcome.results };
      },
    );
  };
}
