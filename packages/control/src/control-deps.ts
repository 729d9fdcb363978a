import type { ChangeFeed, Connector, Stores } from '@sluice/core';
import type { Ingestor, PlatformEvents } from '@sluice/ingest';
import type { SecretBox } from './secret-box.ts';
import type { StreamWorkflows } from './streams/stream-workflows.ts';

/** What the control workflows stand on; wired once by the app that runs them. */
export interface ControlDeps {
  readonly stores: Stores;
  /** The registered connectors; `notFound` words the error for an unknown id, with the near names. */
  readonly connectors: { get(id: string): Connector | null; notFound(id: string): string };
  readonly ingestor: Ingestor;
  readonly platform: PlatformEvents;
  readonly secretBox: SecretBox;
  readonly changes: ChangeFeed;
  readonly now: () => Date;
  /** What probes reach providers with: the server's guarded fetch; the global `fetch` if absent. */
  readonly fetch?: typeof fetch;
  /** Keeps poll-stream schedules with connections; poll streams are not scheduled without it. */
  readonly streams?: Pick<StreamWorkflows, 'connectionCreated' | 'connectionRetired'>;
}
