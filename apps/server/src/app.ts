import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { SluiceError } from '@sluice/core';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyServerOptions,
  type RouteOptions,
} from 'fastify';
import type { AppContext } from './app-context.ts';
import { installAuth } from './http/auth.ts';
import { clientErrorHandler, frameworkErrors, hasNul } from './http/client-errors.ts';
import { installErrorHandlers } from './http/error-handler.ts';
import { lazyValidators } from './http/lazy-validators.ts';
import { DEFAULT_DRAIN_TIMEOUT_MS, installRefusedBodyDrain } from './http/refused-body.ts';
import { requestIdOf } from './http/request-id.ts';
import { installResponseCheck } from './http/response-check.ts';
import { API_TAGS, SHARED_SCHEMAS } from './http/schemas.ts';
import { backfillRoutes } from './routes/backfill-routes.ts';
import { connectionRoutes } from './routes/connection-routes.ts';
import { connectorRoutes } from './routes/connector-routes.ts';
import { dashboardRoutes } from './routes/dashboard-routes.ts';
import { deadLetterPolicyRoutes } from './routes/dead-letter-policy-routes.ts';
import { deadLetterRoutes } from './routes/dead-letter-routes.ts';
import { eventRoutes } from './routes/event-routes.ts';
import { eventStreamRoute } from './routes/event-stream-route.ts';
import { healthRoutes } from './routes/health-routes.ts';
import { ingestStatsRoutes } from './routes/ingest-stats-routes.ts';
import { jobRoutes } from './routes/job-routes.ts';
import { scheduleRoutes } from './routes/schedule-routes.ts';
import { streamRoutes } from './routes/stream-routes.ts';
import { subscriptionRoutes } from './routes/subscription-routes.ts';
import { tenantRoutes } from './routes/tenant-routes.ts';
import { testDeliveryRoutes } from './routes/test-delivery-routes.ts';
import { triggerRoutes } from './routes/trigger-routes.ts';
import { webhookRoutes } from './routes/webhook-routes.ts';

export type App = FastifyInstance;

/**
 * The HTTP API over an `AppContext`: every route, the error contract and the OpenAPI document. With
 * `api: false` (a process that runs no receiver) only health, readiness and metrics are served.
 */
export async function buildApp(
  ctx: AppContext,
  options: {
    logger?: FastifyServerOptions['logger'];
    loggerInstance?: FastifyBaseLogger;
    api?: boolean;
    /** Check every success answer against its documented schema (tests: the document cannot drift). */
    checkResponses?: boolean;
    /** Called for each route as it is registered (the OpenAPI completeness test lists them). */
    onRoute?: (route: RouteOptions) => void;
  } = {},
): Promise<App> {
  const app = Fastify({
    ...(options.loggerInstance === undefined
      ? { logger: options.logger ?? false }
      : { loggerInstance: options.loggerInstance }),
    bodyLimit: ctx.config.bodyLimitBytes,
    trustProxy: false,
    genReqId: requestIdOf,
    requestIdLogLabel: 'request_id',
    clientErrorHandler,
    frameworkErrors,
    // Coercion tries an anyOf's branches in order and keeps what it changed: a nullable field lists
    // Type.Null() first, or null becomes 0, "" or [""].
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
    schemaController: { compilersFactory: { buildValidator: lazyValidators() } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  if (options.onRoute !== undefined) app.addHook('onRoute', options.onRoute);

  // The API speaks JSON only: a text/plain body is refused with 415, not parsed as a string and judged
  // against a JSON schema. The webhook routes install their own raw-body parsers.
  app.removeContentTypeParser('text/plain');
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  if (options.checkResponses === true) installResponseCheck(app, SHARED_SCHEMAS);
  installErrorHandlers(app, ctx.metrics);
  installAuth(app, { tenancy: ctx.store.tenancy, adminKey: ctx.config.adminKey });
  installRefusedBodyDrain(app, {
    drainBytes: ctx.config.bodyDrainBytes,
    drainTimeoutMs: DEFAULT_DRAIN_TIMEOUT_MS,
  });
  // The hooks every request runs are synchronous (callback style): an async hook costs a promise and a
  // microtask turn per request for work that never waits.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  app.addHook('preValidation', (request, _reply, done) => {
    if (hasNul(request.params) || hasNul(request.query)) {
      done(
        new SluiceError('invalid_request', 'The URL holds a NUL character (%00); no id or filter has one.'),
      );
    } else if (request.routeOptions.config.checksNulInBody !== true && hasNul(request.body)) {
      done(new SluiceError('invalid_request', 'The body holds a NUL character (\\u0000); no field may.'));
    } else {
      done();
    }
  });
  app.addHook('onResponse', (request, reply, done) => {
    const labels = {
      route: request.routeOptions.url ?? 'unmatched',
      method: request.method,
      status: String(reply.statusCode),
    };
    ctx.metrics.httpRequests.observe(labels, reply.elapsedTime / 1000);
    ctx.metrics.countRequest(request, labels);
    done();
  });
  // Response schemas document the API and are checked against real answers in tests; the handlers build
  // each view themselves, so answers are serialized as they are: a slip in a schema can never drop a
  // field or turn a null into "" on the wire.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Sluice API',
        version: '1',
        description: 'Multi-tenant event ingestion: webhooks, the emit API, envelopes and their live tail.',
      },
      servers: [{ url: ctx.config.publicUrl ?? '/', description: 'This server' }],
      tags: API_TAGS,
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'A tenant API key or the admin key.' },
        },
      },
    },
    // Shared schemas become components under their `$id` (Envelope, Connection, Error, …).
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => String(json['$id'] ?? `def-${i}`) },
  });
  // Interactive docs from the plugin's own assets: no CDN.
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { validatorUrl: null },
    theme: { title: 'Sluice API' },
  });
  await app.register(healthRoutes(ctx));
  if (options.api === false) return app;
  await app.register(connectorRoutes(ctx));
  await app.register(tenantRoutes(ctx));
  await app.register(connectionRoutes(ctx));
  await app.register(testDeliveryRoutes(ctx));
  await app.register(webhookRoutes(ctx));
  await app.register(eventRoutes(ctx));
  await app.register(eventStreamRoute(ctx));
  await app.register(deadLetterRoutes(ctx));
  await app.register(deadLetterPolicyRoutes(ctx));
  await app.register(triggerRoutes(ctx));
  await app.register(subscriptionRoutes(ctx));
  await app.register(jobRoutes(ctx));
  await app.register(streamRoutes(ctx));
  await app.register(scheduleRoutes(ctx));
  await app.register(backfillRoutes(ctx));
  await app.register(ingestStatsRoutes(ctx));
  await app.register(dashboardRoutes());
  // Running backfills are aborted (and stay `running`, to resume at the next start).
  app.addHook('onClose', () => ctx.backfills.stop());
  return app;
}
