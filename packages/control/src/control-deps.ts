import type { ChangeFeed, Connector, Stores } from '@sluice/core';
import type { Ingestor, PlatformEvents } from '@sluice/ingest';
import type { SecretBox } from './secret-box.ts';

/** What the control workflows stand on; wired once by the app that runs them. */
export interface ControlDeps {
  readonly stores: Stores;
  readonly connectors: { get(id: string): Connector | null };
  readonly ingestor: Ingestor;
  readonly platform: PlatformEvents;
  readonly secretBox: SecretBox;
  readonly changes: ChangeFeed;
  readonly now: () => Date;
}
