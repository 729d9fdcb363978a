import type { DeadLetterFilter, DeadLetterPolicy } from '../dead-letter.ts';

export interface NewDeadLetterPolicy {
  readonly tenant_id: string;
  readonly name: string;
  readonly filter: DeadLetterFilter;
  readonly every_seconds: number;
  readonly max_replays: number;
}

/** Automated replay policies, every read and write scoped by tenant except `due` (the worker's). */
export interface DeadLetterPolicyStore {
  /** Null when the tenant already has a policy of that name. */
  create(input: NewDeadLetterPolicy): Promise<DeadLetterPolicy | null>;
  get(tenantId: string, id: string): Promise<DeadLetterPolicy | null>;
  list(tenantId: string): Promise<ReadonlyArray<DeadLetterPolicy>>;
  /** False when the tenant has no such policy. */
  delete(tenantId: string, id: string): Promise<boolean>;
  /**
   * Takes up to `limit` policies, across tenants, whose interval has passed at `now`, and marks them run
   * at `now` in the same statement, so two workers never take one policy for one interval.
   */
  takeDue(now: Date, limit: number): Promise<ReadonlyArray<DeadLetterPolicy>>;
}
