import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { errors } from '../http/schemas.ts';

/** Liveness, readiness (the store answers) and the OpenAPI document. */
export function healthRoutes(ctx: Pick<AppContext, 'metrics' | 'store'>): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/healthz',
      { schema: { description: 'Live while the process answers.', tags: ['health'] } },
      async () => ({ status: 'ok' }),
    );
    app.get(
      '/readyz',
      {
        schema: {
          description: 'Ready when the store answers.',
          tags: ['health'],
          response: { ...errors(503) },
        },
      },
      async () => {
        await ctx.store.maintenance.ping();
        return { status: 'ready' };
      },
    );
    app.get(
      '/metrics',
      { schema: { description: 'Prometheus metrics.', tags: ['health'] } },
      async (_request, reply) => {
        reply.header('content-type', ctx.metrics.registry.contentType);
        return ctx.metrics.registry.metrics();
      },
    );
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  };
}
