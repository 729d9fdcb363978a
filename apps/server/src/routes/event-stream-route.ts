import { type Static, Type } from '@sinclair/typebox';
import { isEventId } from '@sluice/core';
import { isPosition } from '@sluice/store';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { EnvelopeFilterQuery, filterOf } from '../http/envelope-query.ts';
import { toSluiceError } from '../http/error-handler.ts';
import { errors } from '../http/schemas.ts';

const StreamQuery = Type.Composite([
  EnvelopeFilterQuery,
  Type.Object({
    last_event_id: Type.Optional(
      Type.String({ description: 'Resume after this event (or send Last-Event-ID)' }),
    ),
  }),
]);

const KEEPALIVE_MS = 15_000;

/**
 * The live tail as Server-Sent Events: each new envelope matching the filters, as `id`/`event`/`data`,
 * where `id` is the envelope's commit-ordered position. It reads the store by position, so it sees every
 * process's writes exactly once, also when transactions commit out of the order their ids were minted.
 * Resumable: a client that reconnects with `Last-Event-ID` (a position, or an event id) gets everything
 * committed after it. Without one, the tail starts at what commits from now on.
 */
export function eventStreamRoute(ctx: Pick<AppContext, 'store' | 'tailIntervalMs'>): FastifyPluginAsync {
  return async (app) => {
    // Open tails end when the server closes, so shutdown does not wait for clients to hang up.
    let closing = false;
    app.addHook('preClose', async () => {
      closing = true;
    });
    app.get<{ Querystring: Static<typeof StreamQuery> }>(
      '/api/v1/events/stream',
      {
        schema: {
          tags: ['events'],
          operationId: 'tailEvents',
          summary: 'Tail envelopes live',
          security: [{ apiKey: [] }],
          description:
            'Live tail (text/event-stream) with the same filters as GET /api/v1/events; resumable with Last-Event-ID.',
          querystring: StreamQuery,
          response: {
            200: {
              description:
                'Server-Sent Events: `event: envelope` with the envelope as `data` and its position as `id`; `event: error` with an error body; comments as keepalives.',
              content: { 'text/event-stream': { schema: Type.String() } },
            },
            ...errors(400, 401),
          },
        },
      },
      async (request, reply) => {
        const { tenantId } = request;
        const filter = filterOf(request.query);
        const header = request.headers['last-event-id'];
        const resumeFrom =
          typeof header === 'string' && header.length > 0 ? header : request.query.last_event_id;
        // Runs before the stream opens, so a bad filter is still a 400, not an error frame on every poll.
        await ctx.store.events.query(tenantId, filter, { limit: 1 });
        let position = await startPosition(ctx, tenantId, resumeFrom);

        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        // A HEAD (which Fastify serves for every GET) has no body to stream: headers, then the end.
        if (request.method === 'HEAD') {
          res.end();
          return;
        }
        res.write(': connected\n\n');

        let open = true;
        let lastWrite = Date.now();
        request.raw.on('close', () => {
          open = false;
        });
        while (open && !closing) {
          try {
            const page = await ctx.store.events.readAfter(tenantId, position, filter, 100);
            for (const { position: at, envelope } of page.items) {
              res.write(`id: ${at}\nevent: envelope\ndata: ${JSON.stringify(envelope)}\n\n`);
              lastWrite = Date.now();
            }
            position = page.position;
            if (page.items.length === 100) continue;
          } catch (error) {
            const { code, message } = toSluiceError(error);
            res.write(`event: error\ndata: ${JSON.stringify({ error: { code, message } })}\n\n`);
          }
          if (Date.now() - lastWrite > KEEPALIVE_MS) {
            res.write(': keepalive\n\n');
            lastWrite = Date.now();
          }
          await new Promise((resolve) => setTimeout(resolve, ctx.tailIntervalMs));
        }
        res.end();
      },
    );
  };
}

/** Where a tail starts: after a position or an event the client names, else at what commits from now on. */
async function startPosition(
  ctx: Pick<AppContext, 'store' | 'tailIntervalMs'>,
  tenantId: string,
  resumeFrom: string | undefined,
): Promise<string> {
  if (resumeFrom !== undefined && isPosition(resumeFrom)) return resumeFrom;
  if (resumeFrom !== undefined && isEventId(resumeFrom)) {
    const position = await ctx.store.events.positionOf(tenantId, resumeFrom);
    if (position !== null) return position;
  }
  return ctx.store.events.head();
}
