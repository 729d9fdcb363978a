import { type Static, Type } from '@sinclair/typebox';
import type { IngestMinute } from '@sluice/core';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { errors } from '../http/schemas.ts';

const MINUTE_MS = 60_000;

const StatsQuery = Type.Object({
  minutes: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 1440, default: 60, description: 'How many minutes back.' }),
  ),
});

const IngestMinuteSchema = Type.Object({
  minute: Type.String({ format: 'date-time', description: "The minute's start." }),
  envelopes: Type.Integer({ minimum: 0, description: 'Envelopes received in the minute.' }),
  routed_p50_ms: Type.Union([Type.Number(), Type.Null()], {
    description: 'Median receipt → job created, in ms, over the jobs of the minute; null without jobs.',
  }),
  routed_p95_ms: Type.Union([Type.Number(), Type.Null()], {
    description: '95th percentile receipt → job created, in ms; null without jobs.',
  }),
});

const IngestStatsResponse = Type.Object(
  {
    since: Type.String({ format: 'date-time' }),
    until: Type.String({ format: 'date-time' }),
    bucket_seconds: Type.Literal(60),
    items: Type.Array(IngestMinuteSchema),
  },
  { description: 'One item per minute of the window, oldest first; a quiet minute counts 0.' },
);

/** Every minute of `[since, until)`, each with the store's aggregate or zero. */
export function fillMinutes(
  since: Date,
  until: Date,
  found: ReadonlyArray<IngestMinute>,
): ReadonlyArray<IngestMinute> {
  const byMinute = new Map(found.map((minute) => [minute.minute, minute]));
  const minutes: IngestMinute[] = [];
  for (let at = since.getTime(); at < until.getTime(); at += MINUTE_MS) {
    const minute = new Date(at).toISOString();
    minutes.push(byMinute.get(minute) ?? { minute, envelopes: 0, routed_p50_ms: null, routed_p95_ms: null });
  }
  return minutes;
}

/** The caller's ingest per minute (the dashboard's throughput and latency chart). */
export function ingestStatsRoutes(ctx: Pick<AppContext, 'store' | 'now'>): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: Static<typeof StatsQuery> }>(
      '/api/v1/stats/ingest',
      {
        schema: {
          operationId: 'getIngestStats',
          summary: 'Ingest throughput and routing latency per minute',
          description:
            "The caller's envelopes received per minute over the last `minutes` (default 60, the current minute included), and per minute the median and 95th percentile of receipt → job created over those envelopes' jobs.",
          tags: ['stats'],
          security: [{ apiKey: [] }],
          querystring: StatsQuery,
          response: { 200: IngestStatsResponse, ...errors(400, 401) },
        },
      },
      async (request) => {
        const minutes = request.query.minutes ?? 60;
        // Whole minutes, ending with the one in progress.
        const until = new Date(Math.floor(ctx.now().getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
        const since = new Date(until.getTime() - minutes * MINUTE_MS);
        const found = await ctx.store.ingestStats.perMinute(request.tenantId, { since, until });
        return {
          since: since.toISOString(),
          until: until.toISOString(),
          bucket_seconds: 60 as const,
          items: fillMinutes(since, until, found),
        };
      },
    );
  };
}
