import type { Store } from '@sluice/core';
import type { Ingestor } from '@sluice/ingest';
import type { ConnectorRegistry } from '@sluice/map';
import type { WebhookReceiver } from '@sluice/receive';
import type { Config } from './config.ts';
import type { ConnectionQuota } from './services/connection-quota.ts';
import type { Metrics } from './services/metrics.ts';
import type { PlatformEvents } from './services/platform-events.ts';
import type { SecretBox } from './services/secret-box.ts';

/** Everything a route needs, wired once in `main.ts` (or a test). Routes hold no state of their own. */
export interface AppContext {
  readonly config: Config;
  readonly store: Store;
  readonly connectors: ConnectorRegistry;
  readonly ingestor: Ingestor;
  readonly secretBox: SecretBox;
  readonly quota: ConnectionQuota;
  readonly platform: PlatformEvents;
  readonly receiver: WebhookReceiver;
  readonly metrics: Metrics;
  readonly now: () => Date;
  /** How often the live tail looks for new envelopes, in ms. */
  readonly tailIntervalMs: number;
}
