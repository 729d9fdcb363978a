import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { answer, errors } from '../http/schemas.ts';

/**
 * Liveness, readiness and the OpenAPI document. Ready means the store answers and, embedded, can write its
 * data directory (`StoreMaintenance.ping`), so a full or read-only disk is 503 before an ingest fails on it.
 */
export function healthRoutes(ctx: Pick<AppContext, 'metrics' | 'store'>): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/healthz',
      {
        schema: {
          operationId: 'getHealth',
          summary: 'Liveness',
          description: 'Live while the process answers.',
          tags: ['health'],
          security: [],
          response: { 200: answer('The process is live.', Type.Object({ status: Type.Literal('ok') })) },
        },
      },
      async () => ({ status: 'ok' }),
    );
    app.get(
      '/readyz',
      {
        schema: {
          operationId: 'getReadiness',
          summary: 'Readiness',
          description:
            'Ready when the store answers and, in embedded mode, its data directory takes a write (a full or read-only disk is 503).',
          tags: ['health'],
          security: [],
          response: {
            200: answer('The store answers and can write.', Type.Object({ status: Type.Literal('ready') })),
            ...errors(503),
          },
        },
      },
      async () => {
        await ctx.store.maintenance.ping();
        return { status: 'ready' };
      },
    );
    app.get(
      '/metrics',
      {
        schema: {
          operationId: 'getMetrics',
          summary: 'Prometheus metrics',
          description: 'Prometheus metrics in the text exposition format.',
          tags: ['health'],
          security: [],
          response: {
            200: {
              description: 'The metrics.',
              content: { 'text/plain': { schema: Type.String() } },
            },
          },
        },
      },
      async (_request, reply) => {
        reply.header('content-type', ctx.metrics.registry.contentType);
        return ctx.metrics.registry.metrics();
      },
    );
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  };
}
