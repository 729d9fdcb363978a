import type { Envelope, Trigger, TriggerStore } from '@sluice/core';
import type { TriggerProblem } from './compile-trigger.ts';
import { type RouteTrigger, routeTriggerOf } from './route-trigger.ts';
import type { SqlHook } from './sql-hook.ts';
import { TriggerIndex } from './trigger-index.ts';

export interface RouterTriggersOptions {
  readonly store: Pick<TriggerStore, 'enabledOf' | 'enabledAfter'>;
  /** The CloudEvents SQL engine for `{sql}` conditions. */
  readonly sql?: SqlHook | undefined;
  /** Triggers per page of the full load; 1,000 by default. */
  readonly pageSize?: number;
  /** Told of each stored trigger the index cannot hold (a condition that no longer compiles). */
  readonly onRejected?: (id: string, problems: ReadonlyArray<TriggerProblem>) => void;
}

/**
 * The router's copy of every enabled trigger, in a {@link TriggerIndex}. Loads run one at a time in the
 * order they were asked for, so a tenant reloaded after a change is never overwritten by a full load that
 * read the store before it.
 */
export class RouterTriggers {
  readonly #options: RouterTriggersOptions;
  readonly #index: TriggerIndex<RouteTrigger>;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #dirty = new Set<string>();
  #drainQueued = false;

  constructor(options: RouterTriggersOptions) {
    this.#options = options;
    this.#index = new TriggerIndex<RouteTrigger>({ sql: options.sql });
  }

  /** Triggers held. */
  get size(): number {
    return this.#index.size;
  }

  /** The enabled triggers of the envelope's tenant whose pattern and condition hold, by id. */
  match(envelope: Envelope): RouteTrigger[] {
    return this.#index.match(envelope);
  }

  /** Reads every tenant's enabled triggers a page at a time and swaps them in at once. */
  loadAll(): Promise<number> {
    return this.#enqueue(async () => {
      const all: RouteTrigger[] = [];
      const pageSize = this.#options.pageSize ?? 1_000;
      let after: string | null = null;
      for (;;) {
        const page: ReadonlyArray<Trigger> = await this.#options.store.enabledAfter(after, pageSize);
        all.push(...this.#routable(page));
        if (page.length < pageSize) break;
        after = page.at(-1)?.id ?? null;
      }
      const reload = this.#index.replaceAll(all);
      this.#rejected(reload.rejected);
      return reload.loaded;
    });
  }

  /** Reloads one tenant's triggers (after a change); reloads asked for while one runs are merged. */
  reloadTenant(tenantId: string): Promise<void> {
    this.#dirty.add(tenantId);
    if (this.#drainQueued) return this.#queue.then(() => undefined);
    this.#drainQueued = true;
    return this.#enqueue(async () => {
      this.#drainQueued = false;
      const tenants = [...this.#dirty];
      this.#dirty.clear();
      for (const [i, tenant] of tenants.entries()) {
        let triggers: ReadonlyArray<Trigger>;
        try {
          triggers = await this.#options.store.enabledOf(tenant);
        } catch (error) {
          // Kept for the next reload; until then these tenants keep what they had (the full load repairs it).
          for (const rest of tenants.slice(i)) this.#dirty.add(rest);
          throw error;
        }
        const reload = this.#index.replaceTenant(tenant, this.#routable(triggers));
        this.#rejected(reload.rejected);
      }
    });
  }

  /** Waits for every load asked for so far. */
  async settled(): Promise<void> {
    await this.#queue.catch(() => undefined);
  }

  #routable(triggers: ReadonlyArray<Trigger>): RouteTrigger[] {
    const routable: RouteTrigger[] = [];
    for (const trigger of triggers) {
      const outcome = routeTriggerOf(trigger);
      if (outcome.ok) routable.push(outcome.trigger);
      else this.#options.onRejected?.(outcome.id, outcome.problems);
    }
    return routable;
  }

  #rejected(rejected: ReadonlyArray<{ id: string; problems: ReadonlyArray<TriggerProblem> }>): void {
    for (const { id, problems } of rejected) this.#options.onRejected?.(id, problems);
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.catch(() => undefined).then(task);
    this.#queue = run;
    return run;
  }
}
