import { type Static, Type } from '@sinclair/typebox';
import { isEventId } from '@sluice/core';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { tenantOf } from '../http/auth.ts';
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
 * The live tail as Server-Sent Events: each new envelope matching the filters, as `id`/`event`/`data`.
 * Resumable: a client that reconnects with `Last-Event-ID` gets everything after that event. Without one,
 * the tail starts at the newest envelope. It reads the store, so it sees every process's writes.
 */
export function eventStreamRoute(ctx: AppContext): FastifyPluginAsync {
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
          security: [{ apiKey: [] }],
          description:
            'Live tail (text/event-stream) with the same filters as GET /api/v1/events; resumable with Last-Event-ID.',
          querystring: StreamQuery,
          response: errors(400, 401),
        },
      },
      async (request, reply) => {
        const tenantId = await tenantOf(request, ctx.store, ctx.config.adminKey);
        const filter = filterOf(request.query);
        const header = request.headers['last-event-id'];
        const resumeFrom =
          typeof header === 'string' && header.length > 0 ? header : request.query.last_event_id;
        // Runs before the stream opens, so a bad filter is still a 400, not an error frame on every poll.
        const newest = await ctx.store.queryEnvelopes(tenantId, filter, { limit: 1, order: 'desc' });
        let cursor =
          resumeFrom !== undefined && isEventId(resumeFrom) ? resumeFrom : newest.items[0]?.event_id;

        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        res.write(': connected\n\n');

        let open = true;
        let lastWrite = Date.now();
        request.raw.on('close', () => {
          open = false;
        });
        while (open && !closing) {
          try {
            const page = await ctx.store.queryEnvelopes(tenantId, filter, {
              limit: 100,
              ...(cursor === undefined ? {} : { after: cursor }),
            });
            for (const envelope of page.items) {
              res.write(`id: ${envelope.event_id}\nevent: envelope\ndata: ${JSON.stringify(envelope)}\n\n`);
              cursor = envelope.event_id;
              lastWrite = Date.now();
            }
            if (page.next !== null) continue;
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
