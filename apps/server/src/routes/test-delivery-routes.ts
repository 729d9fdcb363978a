import { type Static, Type } from '@sinclair/typebox';
import { SluiceError } from '@sluice/core';
import { signWebhook } from '@sluice/signatures';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { outcomeReply } from '../http/ingest-response.ts';
import { errors } from '../http/schemas.ts';

const Params = Type.Object({ connection_id: Type.String() });
const TestDelivery = Type.Object(
  {
    /** The exact body bytes, as text (JSON for most connectors). */
    body: Type.String({ maxLength: 1024 * 1024 }),
    /** The provider's other headers (a topic, an event name); the signature headers are made here. */
    headers: Type.Optional(
      Type.Record(Type.String({ pattern: '^[A-Za-z0-9-]{1,128}$' }), Type.String({ maxLength: 4096 }), {
        maxProperties: 64,
      }),
    ),
  },
  { additionalProperties: false },
);
const HandshakeAnswer = Type.Object({
  status: Type.Literal('answered'),
  connection_id: Type.String(),
  code: Type.Integer(),
  answer: Type.Unknown(),
});

/**
 * `POST /api/v1/connections/{id}/test-deliveries`: a delivery signed here with the connection's current
 * secret, the way its connector's provider signs, then received through the connection's ingest path
 * (verify → map → ingest) as if the provider had sent it. What `sluice trigger` sends, so a tenant can try
 * a connection without holding its secret; the caller's key could emit through the connection anyway.
 */
export function testDeliveryRoutes(
  ctx: Pick<AppContext, 'control' | 'connectors' | 'store' | 'secretBox' | 'receiver' | 'now'>,
): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Params: Static<typeof Params>; Body: Static<typeof TestDelivery> }>(
      '/api/v1/connections/:connection_id/test-deliveries',
      {
        schema: {
          operationId: 'sendTestDelivery',
          summary: 'Send a test delivery signed with the connection secret',
          description:
            "Signs the body with the connection's current secret as its connector's provider would, and receives it through the connection's ingest URL: the answer is the ingest answer (200 ingested, 202 dead-lettered).",
          tags: ['connections'],
          security: [{ apiKey: [] }],
          params: Params,
          body: TestDelivery,
          response: {
            200: Type.Union([Type.Ref('IngestResponse'), HandshakeAnswer]),
            202: Type.Ref('DeadLetteredResponse'),
            ...errors(400, 401, 404, 409, 413, 429, 503),
          },
        },
      },
      async (request, reply) => {
        const { connection_id: id } = request.params;
        const connection = await ctx.control.connections.get(request.tenantId, id);
        const verify = ctx.connectors.get(connection.connector_id)?.webhook?.verify;
        if (verify === undefined) {
          throw new SluiceError(
            'connector_not_found',
            `Connector "${connection.connector_id}" receives no webhooks, so it takes no test deliveries.`,
          );
        }
        const now = ctx.now();
        const secrets = await ctx.store.connections.liveSecrets(request.tenantId, id, now);
        const current = secrets.find((s) => s.expires_at === null) ?? secrets[0];
        if (current === undefined) {
          throw new SluiceError(
            'conflict',
            `Connection "${id}" has no live signing secret; rotate it first.`,
          );
        }
        const rawBody = Buffer.from(request.body.body);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        for (const [name, value] of Object.entries(request.body.headers ?? {}))
          headers[name.toLowerCase()] = value;
        const signed = signWebhook(verify, {
          secret: ctx.secretBox.open(current.ciphertext, id),
          rawBody,
          nowMs: now.getTime(),
        });
        const answer = outcomeReply(
          await ctx.receiver.receiveForConnection(id, { rawBody, headers: { ...headers, ...signed } }),
        );
        if (answer.status === 'error') throw answer.error;
        if (answer.status === 'answer') {
          return { status: 'answered' as const, connection_id: id, code: answer.code, answer: answer.body };
        }
        return reply.status(answer.status).send(answer.body);
      },
    );
  };
}
