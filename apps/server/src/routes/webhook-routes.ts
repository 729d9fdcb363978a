import { type Static, Type } from '@sinclair/typebox';
import type { Delivery, ReceiveOutcome } from '@sluice/receive';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { outcomeReply } from '../http/ingest-response.ts';
import { answer, errors } from '../http/schemas.ts';

/**
 * The delivery as its sender makes it. The body is read as raw bytes (the signature is over them) and
 * judged by the connector, so the schemas accept any body: they document, they do not validate.
 */
const DELIVERY_BODY = {
  required: true,
  content: Object.fromEntries(
    [
      'application/json',
      'application/cloudevents+json',
      'application/cloudevents-batch+json',
      'application/x-www-form-urlencoded',
    ].map((type) => [
      type,
      {
        schema: Type.Unknown({
          description:
            "The provider's payload, signed as its connector's scheme requires (CloudEvents where the connector declares them).",
        }),
      },
    ]),
  ),
};

const INGEST_ERRORS = errors(400, 401, 404, 409, 413, 415, 429, 503);

/** The receive step over HTTP: the body stays raw bytes, because signatures are over those bytes. */
export function webhookRoutes(ctx: Pick<AppContext, 'receiver' | 'metrics'>): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    const delivery = (request: FastifyRequest): Delivery => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (typeof value === 'string') headers[name] = value;
        else if (Array.isArray(value)) headers[name] = value.join(', ');
      }
      const body = request.body;
      return { rawBody: Buffer.isBuffer(body) ? body : Buffer.alloc(0), headers };
    };

    const reply = (res: FastifyReply, outcome: ReceiveOutcome) => {
      observe(res, outcome);
      const answer = outcomeReply(outcome);
      if (answer.status === 'error') throw answer.error;
      if (answer.status === 'answer') {
        // A handshake answer is the connector's own, outside the ingest response schemas.
        const text = typeof answer.body === 'string';
        return res
          .status(answer.code)
          .serializer((payload: unknown) => (text ? String(payload) : JSON.stringify(payload)))
          .type(text ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8')
          .send(answer.body);
      }
      return res.status(answer.status).send(answer.body);
    };

    /** The receive → commit latency, and a log line that names what the delivery became. */
    const observe = (res: FastifyReply, outcome: ReceiveOutcome) => {
      if (outcome.kind === 'ingested' && outcome.results.length > 0) {
        ctx.metrics.observeStage('receive_to_commit', res.elapsedTime);
        const [first] = outcome.results;
        res.log.debug(
          {
            tenant_id: outcome.connection.tenant_id,
            connection_id: outcome.connection.id,
            trace_id: outcome.trace_id,
            ...(outcome.results.length === 1
              ? { event_id: first?.event_id, outcome: first?.status }
              : { event_ids: outcome.results.map((result) => result.event_id) }),
          },
          'webhook ingested',
        );
      } else if (outcome.kind === 'dead_lettered') {
        ctx.metrics.noteCode(res.request, 'dead_lettered');
        res.log.info(
          {
            tenant_id: outcome.connection.tenant_id,
            connection_id: outcome.connection.id,
            dead_letter_id: outcome.deadLetter.id,
            failure: outcome.failure.code ?? outcome.failure.stage,
          },
          'webhook kept as a dead letter',
        );
      }
    };

    const responses = {
      200: answer('Verified, mapped and committed.', Type.Ref('IngestResponse')),
      202: answer('Verified but not mappable: kept as a dead letter.', Type.Ref('DeadLetteredResponse')),
      ...INGEST_ERRORS,
    };

    const TenantParams = Type.Object({ connector: Type.String(), tenant_id: Type.String() });
    app.post<{ Params: Static<typeof TenantParams> }>(
      '/api/v1/webhooks/:connector/:tenant_id',
      {
        schema: {
          tags: ['ingest'],
          security: [],
          operationId: 'receiveWebhook',
          summary: "Receive a provider's webhook",
          body: DELIVERY_BODY,
          description:
            "A provider's webhook for a tenant: verified against the tenant's connections of that connector, mapped and stored once.",
          params: TenantParams,
          response: responses,
        },
      },
      async (request, res) =>
        reply(
          res,
          await ctx.receiver.receiveForTenant(
            request.params.connector,
            request.params.tenant_id,
            delivery(request),
          ),
        ),
    );

    const ConnectionParams = Type.Object({ connection_id: Type.String() });
    app.post<{ Params: Static<typeof ConnectionParams> }>(
      '/api/v1/ingest/:connection_id',
      {
        schema: {
          tags: ['ingest'],
          security: [],
          operationId: 'ingestToConnection',
          summary: "Deliver to a connection's ingest URL",
          body: DELIVERY_BODY,
          description:
            "A connection's own ingest URL. Accepts CloudEvents (binary, structured, batch) where the connector declares them.",
          params: ConnectionParams,
          response: responses,
        },
      },
      async (request, res) =>
        reply(res, await ctx.receiver.receiveForConnection(request.params.connection_id, delivery(request))),
    );
  };
}
