import { type Static, Type } from '@sinclair/typebox';
import { replayError } from '@sluice/control';
import { SluiceError } from '@sluice/core';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { optionalBody } from '../http/optional-body.ts';
import { listOf } from '../http/resource-schemas.ts';
import { answer, ElementResultSchema, empty, errors } from '../http/schemas.ts';

const Kind = Type.Union([Type.Literal('ingest'), Type.Literal('job')]);
const Time = Type.String({ format: 'date-time' });
/** What a bulk replay or a policy selects by (always among pending dead letters). */
export const ReplayFilterSchema = Type.Object(
  {
    kind: Type.Optional(Kind),
    connector: Type.Optional(Type.String({ minLength: 1 })),
    since: Type.Optional(Time),
    until: Type.Optional(Time),
    trigger_id: Type.Optional(Type.String({ minLength: 1 })),
  },
  { title: 'ReplayFilter', additionalProperties: false },
);
const ListQuery = Type.Object({
  status: Type.Optional(
    Type.Union([Type.Literal('pending'), Type.Literal('replayed'), Type.Literal('expired')]),
  ),
  kind: Type.Optional(Kind),
  connector: Type.Optional(Type.String({ minLength: 1 })),
  since: Type.Optional(Time),
  until: Type.Optional(Time),
  trigger_id: Type.Optional(Type.String({ minLength: 1 })),
  cursor: Type.Optional(Type.String()),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
});
const Params = Type.Object({ dead_letter_id: Type.String() });
const BulkReplay = Type.Object(
  {
    /** Which pending dead letters; at least one field. */
    filter: Type.Optional(ReplayFilterSchema),
    /** Replay at most this many, oldest id first. */
    limit: Type.Optional(Type.Integer({ minimum: 1 })),
    /** Count what would be replayed, change nothing. */
    dry_run: Type.Optional(Type.Boolean()),
    /** Replays per second; default SLUICE_REPLAY_RATE. */
    rate_per_second: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { title: 'BulkReplayRequest', additionalProperties: false },
);
const ReplayParams = Type.Object({ replay_id: Type.String() });

/** Deliveries that verified but could not be mapped: list, inspect, replay through the current mapping. */
export function deadLetterRoutes(ctx: Pick<AppContext, 'control' | 'store'>): FastifyPluginAsync {
  return async (app) => {
    const secured = { tags: ['dead letters'], security: [{ apiKey: [] }] };

    app.get<{ Querystring: Static<typeof ListQuery> }>(
      '/api/v1/dead-letters',
      {
        schema: {
          ...secured,
          operationId: 'listDeadLetters',
          summary: 'List dead letters',
          description: "The caller's dead letters.",
          querystring: ListQuery,
          response: {
            200: answer('One page of dead letters.', listOf('DeadLetter', { paged: true })),
            ...errors(400, 401),
          },
        },
      },
      async (request) => {
        const { tenantId } = request;
        const { cursor, limit, ...filter } = request.query;
        const page = await ctx.store.deadLetters.list(tenantId, filter, {
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
          operationId: 'getDeadLetter',
          summary: 'Get a dead letter',
          description: 'One dead letter, with the raw delivery.',
          params: Params,
          response: {
            200: answer('The dead letter.', Type.Object({ dead_letter: Type.Ref('DeadLetter') })),
            ...errors(401, 404),
          },
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
          operationId: 'replayDeadLetters',
          summary: 'Replay dead letters in bulk',
          description:
            "Replay the caller's pending dead letters matching `filter` (required, at least one field), paced at `rate_per_second`. `dry_run` answers the exact count. Up to 100 matches that pacing lets finish within 5 s run within the request (200 with replayed and failed); more run in the background (202 with a replay to follow at /api/v1/dead-letters/replays/{id}).",
          body: BulkReplay,
          response: {
            200: answer(
              'Replayed within the request, or counted (dry_run).',
              Type.Union([
                Type.Ref('BulkReplayResult'),
                Type.Object({ dry_run: Type.Literal(true), count: Type.Integer() }),
              ]),
            ),
            202: answer('Running in the background.', Type.Object({ replay: Type.Ref('BulkReplay') })),
            ...errors(400, 401, 422, 503),
          },
        },
      },
      async (request, reply) => {
        const { tenantId } = request;
        const body = request.body ?? {};
        const replay = {
          filter: body.filter,
          ...(body.limit === undefined ? {} : { limit: body.limit }),
          ...(body.rate_per_second === undefined ? {} : { rate_per_second: body.rate_per_second }),
        };
        if (body.dry_run === true) {
          return { dry_run: true, count: await ctx.control.replays.count(tenantId, replay) };
        }
        const started = await ctx.control.replays.start(tenantId, replay);
        if (started.mode === 'background') return reply.status(202).send({ replay: started.replay });
        return { replayed: started.replayed, failed: started.failed };
      },
    );

    app.get<{ Params: Static<typeof ReplayParams> }>(
      '/api/v1/dead-letters/replays/:replay_id',
      {
        schema: {
          ...secured,
          operationId: 'getBulkReplay',
          summary: 'Follow a bulk replay',
          description: 'The progress of a background bulk replay (kept by the process that runs it).',
          params: ReplayParams,
          response: {
            200: answer('The replay and its progress.', Type.Object({ replay: Type.Ref('BulkReplay') })),
            ...errors(401, 404),
          },
        },
      },
      async (request) => ({ replay: ctx.control.replays.get(request.tenantId, request.params.replay_id) }),
    );

    app.delete<{ Params: Static<typeof Params> }>(
      '/api/v1/dead-letters/:dead_letter_id',
      {
        schema: {
          ...secured,
          operationId: 'purgeDeadLetter',
          summary: 'Purge a dead letter',
          description: 'Purge a dead letter: it is deleted for good.',
          params: Params,
          response: { 204: empty('Purged.'), ...errors(401, 404) },
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
          operationId: 'replayDeadLetter',
          summary: 'Replay a dead letter',
          description:
            "Replay one dead letter: an ingest one runs through the connector's current mapping and is ingested; a job one queues its job again under the same idempotency key (the same webhook-id).",
          params: Params,
          response: {
            200: answer(
              'Replayed: the envelopes it became, or the job queued again.',
              Type.Union([
                Type.Object({
                  dead_letter: Type.Ref('DeadLetter'),
                  results: Type.Array(ElementResultSchema),
                }),
                Type.Object({ dead_letter: Type.Ref('DeadLetter'), job: Type.Ref('Job') }),
              ]),
            ),
            ...errors(401, 404, 409, 422, 503),
          },
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
        if (outcome.kind === 'requeued') return { dead_letter: outcome.deadLetter, job: outcome.job };
        return { dead_letter: outcome.deadLetter, results: outcome.results };
      },
    );
  };
}
