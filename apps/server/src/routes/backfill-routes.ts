import { type Static, Type } from '@sinclair/typebox';
import { type Backfill, SluiceError } from '@sluice/core';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { answer, errors } from '../http/schemas.ts';

const NewBackfill = Type.Object(
  {
    stream: Type.String({ minLength: 1 }),
    since: Type.String({ format: 'date-time' }),
    until: Type.Optional(Type.String({ format: 'date-time' })),
    mode: Type.Union([Type.Literal('quiet'), Type.Literal('live')]),
  },
  { title: 'NewBackfill', additionalProperties: false },
);
const ConnectionParams = Type.Object({ connection_id: Type.String() });
const BackfillAnswer = Type.Object({ backfill: Type.Ref('Backfill') });
const BackfillParams = Type.Object({ connection_id: Type.String(), backfill_id: Type.String() });

const view = (backfill: Backfill) => ({
  id: backfill.id,
  connection_id: backfill.connection_id,
  stream: backfill.stream,
  since: backfill.since,
  until: backfill.until,
  mode: backfill.mode,
  status: backfill.status,
  counts: backfill.counts,
  error: backfill.error,
  rate_limited_until: backfill.rate_limited_until,
  created_at: backfill.created_at,
  updated_at: backfill.updated_at,
});

/** Backfills of a connection's poll stream: start one over a window, follow its progress. */
export function backfillRoutes(ctx: Pick<AppContext, 'backfills' | 'store' | 'now'>): FastifyPluginAsync {
  return async (app) => {
    const secured = { tags: ['backfills'], security: [{ apiKey: [] }] };

    app.post<{ Params: Static<typeof ConnectionParams>; Body: Static<typeof NewBackfill> }>(
      '/api/v1/connections/:connection_id/backfills',
      {
        schema: {
          ...secured,
          operationId: 'createBackfill',
          summary: 'Start a backfill',
          description:
            "Runs the stream's poll handler over [since, until) in the background. Quiet envelopes are stored, never routed; live ones route at P4. A re-run emits nothing new.",
          params: ConnectionParams,
          body: NewBackfill,
          response: {
            202: answer('Started; follow it with getBackfill.', BackfillAnswer),
            ...errors(400, 401, 404, 409, 422),
          },
        },
      },
      async (request, reply) => {
        const { stream, since, until, mode } = request.body;
        const end = until ?? ctx.now().toISOString();
        if (Date.parse(since) >= Date.parse(end)) {
          throw new SluiceError('invalid_request', '`since` must be before `until`.', {
            details: { since, until: end },
          });
        }
        const backfill = await ctx.backfills.create(request.tenantId, request.params.connection_id, {
          stream,
          since: new Date(since).toISOString(),
          until: new Date(end).toISOString(),
          mode,
        });
        reply.code(202);
        return { backfill: view(backfill) };
      },
    );

    app.get<{ Params: Static<typeof BackfillParams> }>(
      '/api/v1/connections/:connection_id/backfills/:backfill_id',
      {
        schema: {
          ...secured,
          operationId: 'getBackfill',
          summary: 'Follow a backfill',
          description: 'A backfill and its progress: status running, completed or failed, with the counts.',
          params: BackfillParams,
          response: { 200: answer('The backfill and its progress.', BackfillAnswer), ...errors(401, 404) },
        },
      },
      async (request) => {
        const backfill = await ctx.store.backfills.get(request.tenantId, request.params.backfill_id);
        if (backfill === null || backfill.connection_id !== request.params.connection_id) {
          throw new SluiceError(
            'backfill_not_found',
            `Backfill "${request.params.backfill_id}" does not exist.`,
          );
        }
        return { backfill: view(backfill) };
      },
    );
  };
}
