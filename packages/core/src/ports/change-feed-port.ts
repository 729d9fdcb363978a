/** A control-plane change other processes may be holding a stale copy of. */
export interface Change {
  readonly kind: 'connection' | 'secret' | 'api_key' | 'trigger' | 'tenant';
  readonly tenant_id: string;
  readonly id: string;
}

export type ChangeListener = (change: Change) => void;

/**
 * Change notifications for the control plane: a process that changes a connection, a secret or a trigger
 * says so, and every process's caches and indexes drop or reload what changed. Never used on the ingest
 * path. Delivery is best effort (a notification may be lost when a process reconnects), so caches keep
 * a time-out as the fallback.
 */
export interface ChangeFeed {
  /** Tells every subscriber in every process, this one included. */
  publish(change: Change): Promise<void>;
  /** Calls `listener` for every change from now on; returns a function that unsubscribes. */
  subscribe(listener: ChangeListener): () => void;
  close(): Promise<void>;
}
