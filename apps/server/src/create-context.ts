import type { Connector, Store } from '@sluice/core';
import { createIngestor } from '@sluice/ingest';
import { ConnectorRegistry } from '@sluice/map';
import { WebhookReceiver } from '@sluice/receive';
import type { FastifyBaseLogger } from 'fastify';
import type { AppContext } from './app-context.ts';
import type { Config } from './config.ts';
import { openConfig } from './services/connection-config.ts';
import { ConnectionQuota } from './services/connection-quota.ts';
import { Metrics } from './services/metrics.ts';
import { PlatformEvents, SYSTEM_TENANT_ID } from './services/platform-events.ts';
import type { SecretBox } from './services/secret-box.ts';

export interface ContextOptions {
  readonly config: Config;
  readonly store: Store;
  /** The connectors to serve; the platform connector must be among them. */
  readonly connectors: ReadonlyArray<Connector>;
  readonly platformConnectorId: string;
  readonly secretBox: SecretBox;
  readonly now?: () => Date;
  readonly tailIntervalMs?: number;
  readonly log?: Pick<FastifyBaseLogger, 'warn'>;
  /** Process metrics (CPU, memory, event loop) in /metrics too; off in tests. */
  readonly defaultMetrics?: boolean;
}

/** Wires the services every route shares. The one place where they are constructed. */
export function createContext(options: ContextOptions): AppContext {
  const { config, store, secretBox } = options;
  const now = options.now ?? (() => new Date());
  const metrics = new Metrics({ defaultMetrics: options.defaultMetrics ?? true });
  const connectors = new ConnectorRegistry(options.connectors);
  const platformConnector = connectors.require(options.platformConnectorId);
  const ingestor = createIngestor({
    store,
    connectors,
    now,
    limits: { maxPayloadBytes: config.maxPayloadBytes, dedupeWindowMs: config.dedupeWindowMs },
    onCommitted: (results) => metrics.countResults(results),
    onMissingEntity: ({ connection_id, event_type, index }) => {
      metrics.missingEntity.inc({ event_type });
      options.log?.warn(
        { connection_id, event_type, index },
        'emission has no payload.entity; single-flight cannot serialize its side effects',
      );
    },
  });
  const quota = new ConnectionQuota({
    rate: config.connectionRate,
    burst: config.connectionBurst,
    now: () => now().getTime(),
  });
  const platform = new PlatformEvents({ store, ingestor, connector: platformConnector, secretBox });
  const receiver = new WebhookReceiver({
    store,
    connectors,
    ingestor,
    quota,
    now,
    internalConnectors: new Set([platformConnector.id]),
    configOf: (connection) => openConfig(secretBox, connection.id, connection.config),
    async secretsOf(connection, at) {
      const sealed = await store.liveSecrets(connection.tenant_id, connection.id, at);
      return sealed.map((secret) => ({
        secret: secretBox.open(secret.ciphertext, connection.id),
        expiresAt: secret.expires_at === null ? null : new Date(secret.expires_at),
      }));
    },
    async onDeadLetter(deadLetter, connector, connection) {
      metrics.deadLetters.inc({ connector: connector.id });
      // The dead letter is the durable record and is committed; failing the request now would only make
      // the sender retry into a second dead letter. The platform event is best effort.
      try {
        await platform.emit(connection.tenant_id, {
          event_type: 'webhook.dead_lettered',
          dedupe_key: `dead_letter:${deadLetter.id}`,
          payload: {
            entity: { kind: 'dead_letter', id: deadLetter.id },
            connection_id: connection.id,
            connector: connector.id,
            error_message: deadLetter.error_message,
          },
        });
      } catch (error) {
        options.log?.warn(
          { err: error, dead_letter_id: deadLetter.id },
          'webhook.dead_lettered was not published',
        );
      }
    },
  });
  return {
    config,
    store,
    connectors,
    ingestor,
    secretBox,
    quota,
    platform,
    receiver,
    metrics,
    now,
    tailIntervalMs: options.tailIntervalMs ?? 250,
  };
}

/** Publishes `provider.registered` for every connector in the catalog, once per connector version. */
export async function registerProviders(ctx: AppContext): Promise<void> {
  await ctx.platform.ensureSystemTenant();
  for (const connector of ctx.connectors.list()) {
    if (connector.id === ctx.platform.connectorId) continue;
    // The dedupe key guards concurrent starts; it expires, so a restart after the dedupe window checks
    // the stored facts instead of publishing the same registration again.
    if (await isRegistered(ctx, connector)) continue;
    await ctx.platform.emit(SYSTEM_TENANT_ID, {
      event_type: 'provider.registered',
      dedupe_key: `provider:${connector.id}:${connector.version}`,
      payload: {
        entity: { kind: 'provider', id: connector.id },
        version: connector.version,
        streams: connector.streams.map((s) => s.key),
        verification: connector.webhook?.verify.scheme ?? null,
      },
    });
  }
}

async function isRegistered(ctx: AppContext, connector: Connector): Promise<boolean> {
  let after: string | undefined;
  do {
    const page = await ctx.store.queryEnvelopes(
      SYSTEM_TENANT_ID,
      { event_type: 'provider.registered', entity: `provider:${connector.id}` },
      { limit: 100, ...(after === undefined ? {} : { after }) },
    );
    if (page.items.some((envelope) => envelope.payload['version'] === connector.version)) return true;
    after = page.next ?? undefined;
  } while (after !== undefined);
  return false;
}
