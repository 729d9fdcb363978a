import type { Connector } from '@sluice/core';
import { InvalidArgumentError } from 'commander';

/** A shipped connector by id; an unknown id names the near ones. */
export async function shippedConnector(id: string): Promise<Connector> {
  const [{ exampleConnectors }, { ConnectorRegistry }] = await Promise.all([
    import('@sluice/connectors'),
    import('@sluice/map'),
  ]);
  const registry = new ConnectorRegistry(exampleConnectors);
  const connector = registry.get(id);
  if (connector === null) throw new InvalidArgumentError(registry.notFound(id));
  return connector;
}

/** A shipped connector that receives webhooks, and how it verifies them. */
export async function webhookConnector(
  id: string,
): Promise<{ readonly connector: Connector; readonly verify: NonNullable<Connector['webhook']>['verify'] }> {
  const connector = await shippedConnector(id);
  if (connector.webhook === null) {
    throw new InvalidArgumentError(`Connector "${connector.id}" receives no webhooks, so nothing to sign.`);
  }
  return { connector, verify: connector.webhook.verify };
}
