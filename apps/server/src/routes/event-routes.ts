import { context, propagation } from '@opentelemetry/api';
import { type Static, Type } from '@sinclair/typebox';
import { EmissionSchema, type EnvelopeMode, SluiceError, traceIdFromTraceparent } from '@sluice/core';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { EnvelopeFilterQuery, filterOf } from '../http/envelope-query.ts';
import { ingestResponse } from '../http/ingest-response.ts';
import { listOf } from '../http/resource-schemas.ts';
import { answer, documentBodyAs, errors } from '../http/schemas.ts';

const EmitBody = Type.Object(
  {
    connection_id: Type.String({ minLength: 1 }),
    emission: Type.Optional(Type.Unknown({ description: 'One emission' })),
    emissions: Type.Optional(Type.Array(Type.Unknown(), { description: 'A batch of up to 500, atomic' })),
    mode: Type.Optional(Type.Union([Type.Literal('live'), Type.Literal('quiet')])),
  },
  { title: 'Emit', additionalProperties: false },
);
/** The emit body with its emissions' real shape, for the document (ingest checks each, with its rule). */
const EmitInput = Type.Object(
  {
    ...EmitBody.properties,
    emission: Type.Optional(EmissionSchema),
    emissions: Type.Optional(
      Type.Array(EmissionSchema, { minItems: 1, maxItems: 500, description: 'A batch of up to 500, atomic' }),
    ),
  },
  { title: 'Emit', additionalProperties: false, description: 'Exactly one of emission or emissions.' },
);
const ListQuery = Type.Composite([
  EnvelopeFilterQuery,
  Type.Object({
    cursor: Type.Optional(Type.String()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
    order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  }),
]);
const EventParams = Type.Object({ event_id: Type.String() });

/** The emit API (operators and SDKs, priority P1) and envelope queries. */
export function eventRoutes(
  ctx: Pick<AppContext, 'control' | 'ingestor' | 'quota' | 'store' | 'metrics'>,
): FastifyPluginAsync {
  return async (app) => {
    const secured = { tags: ['events'], security: [{ apiKey: [] }] };

    app.post<{ Body: Static<typeof EmitBody> }>(
      '/api/v1/events',
      {
        config: { ...documentBodyAs(EmitInput), checksNulInBody: true },
        schema: {
          ...secured,
          operationId: 'emitEvents',
          summary: 'Emit events',
          description:
            'Emit one emission or an atomic batch (≤ 500) through a connection of the caller. 200 only after commit.',
          body: EmitBody,
          response: {
            200: answer('Committed.', Type.Ref('IngestResponse')),
            ...errors(400, 401, 404, 409, 413, 415, 422, 429, 503),
          },
        },
      },
      async (request, reply) => {
        const { tenantId } = request;
        const { connection_id, emission, emissions, mode } = request.body;
        if ((emission === undefined) === (emissions === undefined)) {
          throw new SluiceError('invalid_request', 'Send exactly one of "emission" or "emissions".');
        }
        const connection = await ctx.control.connections.get(tenantId, connection_id);
        ctx.quota.admit(connection);
        const traceparent = request.headers.traceparent;
        const traceId = traceIdFromTraceparent(typeof traceparent === 'string' ? traceparent : undefined);
        // The ingest span continues the caller's trace (tracing on; the API's no-op otherwise).
        const result = await context.with(propagation.extract(context.active(), request.headers), () =>
          ctx.ingestor.ingest(connection, emissions ?? [emission], {
            mode: (mode ?? 'live') as EnvelopeMode,
            // The emit API is a user acting: its jobs default to P1.
            origin: 'user',
            ...(traceId === null ? {} : { trace_id: traceId }),
          }),
        );
        if (result.status === 'rejected') {
          const { code, message, details } = result.rejection;
          throw new SluiceError(code, message, details === undefined ? {} : { details });
        }
        if (result.status === 'committed') ctx.metrics.observeStage('receive_to_commit', reply.elapsedTime);
        return ingestResponse(connection.id, result.status === 'committed' ? result.results : []);
      },
    );

    app.get<{ Querystring: Static<typeof ListQuery> }>(
      '/api/v1/events',
      {
        schema: {
          ...secured,
          operationId: 'listEvents',
          summary: 'Query envelopes',
          description:
            "The caller's envelopes, filtered, in time order, one page at a time (pass next_cursor as cursor).",
          querystring: ListQuery,
          response: {
            200: answer('One page of envelopes.', listOf('Envelope', { paged: true })),
            ...errors(400, 401),
          },
        },
      },
      async (request) => {
        const { tenantId } = request;
        const { cursor, limit, order } = request.query;
        const page = await ctx.store.events.query(tenantId, filterOf(request.query), {
          limit: limit ?? 100,
          ...(cursor === undefined ? {} : { after: cursor }),
          ...(order === undefined ? {} : { order }),
        });
        return { items: page.items, next_cursor: page.next };
      },
    );

    app.get<{ Params: Static<typeof EventParams> }>(
      '/api/v1/events/:event_id',
      {
        schema: {
          ...secured,
          operationId: 'getEvent',
          summary: 'Get an envelope',
          description: 'One envelope of the caller.',
          params: EventParams,
          response: {
            200: answer('The envelope.', Type.Object({ event: Type.Ref('Envelope') })),
            ...errors(401, 404),
          },
        },
      },
      async (request) => {
        const { tenantId } = request;
        const envelope = await ctx.store.events.get(tenantId, request.params.event_id);
        if (envelope === null)
          throw new SluiceError('event_not_found', `Event "${request.params.event_id}" does not exist.`);
        return { event: envelope };
      },
    );
  };
}
