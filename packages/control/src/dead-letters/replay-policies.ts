import { type DeadLetterPolicy, SluiceError, type Stores } from '@sluice/core';
import type { BulkReplays } from './bulk-replay.ts';
import { checkReplayFilter, type ReplayFilter } from './replay-filter.ts';

export interface NewReplayPolicy {
  readonly name: string;
  readonly filter: ReplayFilter | undefined;
  readonly every_seconds: number;
  readonly max_replays: number;
}

/** The shortest interval a policy may have. */
export const MIN_POLICY_SECONDS = 60;

/**
 * Automated replay policies: every `every_seconds`, each pending dead letter matching the filter is
 * replayed, paced, until its `retry_count` reaches `max_replays`. `runDue` is the worker's pass; several
 * processes may run it, each policy interval is taken by one.
 */
export class ReplayPolicies {
  readonly #stores: Stores;
  readonly #bulk: BulkReplays;
  readonly #ratePerSecond: number;

  constructor(stores: Stores, bulk: BulkReplays, options: { ratePerSecond?: number } = {}) {
    this.#stores = stores;
    this.#bulk = bulk;
    this.#ratePerSecond = options.ratePerSecond ?? 10;
  }

  async create(tenantId: string, input: NewReplayPolicy): Promise<DeadLetterPolicy> {
    const filter = checkReplayFilter(input.filter);
    if (!Number.isInteger(input.every_seconds) || input.every_seconds < MIN_POLICY_SECONDS) {
      throw new SluiceError(
        'validation_failed',
        `every_seconds must be an integer of at least ${MIN_POLICY_SECONDS}.`,
        {
          details: { field: 'every_seconds', value: input.every_seconds },
        },
      );
    }
    if (!Number.isInteger(input.max_replays) || input.max_replays < 1) {
      throw new SluiceError('validation_failed', 'max_replays must be an integer of at least 1.', {
        details: { field: 'max_replays', value: input.max_replays },
      });
    }
    const policy = await this.#stores.deadLetterPolicies.create({
      tenant_id: tenantId,
      name: input.name,
      filter,
      every_seconds: input.every_seconds,
      max_replays: input.max_replays,
    });
    if (policy === null) throw new SluiceError('conflict', `A replay policy named "${input.name}" exists.`);
    return policy;
  }

  list(tenantId: string): Promise<ReadonlyArray<DeadLetterPolicy>> {
    return this.#stores.deadLetterPolicies.list(tenantId);
  }

  async get(tenantId: string, id: string): Promise<DeadLetterPolicy> {
    const policy = await this.#stores.deadLetterPolicies.get(tenantId, id);
    if (policy === null) throw notFound(id);
    return policy;
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.#stores.deadLetterPolicies.delete(tenantId, id))) throw notFound(id);
  }

  /** Runs every policy whose interval has passed at `now`; the number of replays it made. */
  async runDue(now: Date, limit = 50): Promise<number> {
    let replays = 0;
    for (const policy of await this.#stores.deadLetterPolicies.takeDue(now, limit)) {
      const filter = { ...policy.filter, status: 'pending' as const, retry_count_below: policy.max_replays };
      const count = await this.#stores.deadLetters.count(policy.tenant_id, filter);
      replays += await this.#bulk.run(policy.tenant_id, filter, count, this.#ratePerSecond, {
        replayed: () => {},
        failed: () => {},
      });
    }
    return replays;
  }
}

function notFound(id: string): SluiceError {
  return new SluiceError('dead_letter_policy_not_found', `Replay policy "${id}" does not exist.`);
}
