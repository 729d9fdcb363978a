import { type Connection, type Connector, SluiceError } from '@sluice/core';
import type { AppContext } from '../app-context.ts';

/** One of the tenant's own connections; the platform's internal connection counts as not found. */
export async function tenantConnection(ctx: AppContext, tenantId: string, id: string): Promise<Connection> {
  const connection = await ctx.store.getConnection(tenantId, id);
  if (connection === null || connection.connector_id === ctx.platform.connectorId) {
    throw new SluiceError('connection_not_found', `Connection "${id}" does not exist.`);
  }
  return connection;
}

/** A registered source connector; the platform's own connector counts as not registered. */
export function sourceConnector(ctx: AppContext, id: string): Connector {
  const connector = ctx.connectors.get(id);
  if (connector === null || connector.id === ctx.platform.connectorId) {
    throw new SluiceError('connector_not_found', `Connector "${id}" is not registered.`);
  }
  return connector;
}
