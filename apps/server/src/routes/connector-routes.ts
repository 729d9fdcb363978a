import { type Connector, CRON_CONNECTOR_ID, PLATFORM_CONNECTOR_ID } from '@sluice/core';
import type { FastifyPluginAsync } from 'fastify';
import type { AppContext } from '../app-context.ts';
import { listOf } from '../http/resource-schemas.ts';
import { answer, errors } from '../http/schemas.ts';

/** A connector as the catalog shows it: streams with mode, schedule and topic, and how it verifies. */
export function describeConnector(connector: Connector) {
  return {
    id: connector.id,
    version: connector.version,
    description: connector.description,
    streams: connector.streams.map((stream) => ({
      key: stream.key,
      mode: stream.mode,
      schedule: stream.schedule ?? null,
      topic: stream.topic ?? null,
      events: stream.events,
    })),
    verification: connector.webhook?.verify.scheme ?? null,
    cloudevents: connector.webhook?.cloudevents ?? false,
  };
}

export function connectorRoutes(ctx: Pick<AppContext, 'connectors'>): FastifyPluginAsync {
  return async (app) => {
    app.get(
      '/api/v1/connectors',
      {
        config: { auth: 'any' },
        schema: {
          operationId: 'listConnectors',
          summary: 'List connectors',
          tags: ['connectors'],
          description: 'The registered connectors: version, streams and verification scheme.',
          security: [{ apiKey: [] }],
          response: { 200: answer('The registered connectors.', listOf('Connector')), ...errors(401) },
        },
      },
      async (_request) => {
        return {
          items: ctx.connectors
            .list()
            .filter(
              (connector) => connector.id !== PLATFORM_CONNECTOR_ID && connector.id !== CRON_CONNECTOR_ID,
            )
            .map(describeConnector),
        };
      },
    );
  };
}
