import type { BusAdapter } from '@sluice/bus-redis/testing';
import { type Bus, type ChangeFeed, InProcessChangeFeed, type JobStore, type Stores } from '@sluice/core';
import type { StoreAdapter, TestDatabase } from '@sluice/store/testing';
import { Router, type RouterOptions, type RouteStats } from '../router.ts';

/** A router over a real store and a real bus, and what it reported. */
export interface RouterHarness {
  readonly store: Stores;
  readonly bus: Bus;
  readonly changes: ChangeFeed;
  readonly stats: RouteStats[];
  readonly errors: unknown[];
  /** Trigger ids the routers left out, as reported. */
  readonly rejected: string[];
  /** Starts a router (several may run, as several processes would). */
  router(
    options?: Partial<RouterOptions> & { readonly jobs?: Pick<JobStore, 'createMany'> },
  ): Promise<Router>;
  /** Says the tenant's triggers changed, as the API does, and waits until every router reloaded them. */
  changed(tenantId: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens a fresh database and bus for one test file. */
export async function openRouterHarness(
  storeAdapter: StoreAdapter,
  busAdapter: BusAdapter,
): Promise<RouterHarness> {
  const db: TestDatabase = await storeAdapter.open();
  const store = db.store();
  await store.maintenance.migrate();
  const testBus = await busAdapter.open({ leaseTtlMs: 900 });
  const changes = new InProcessChangeFeed();
  const routers: Router[] = [];
  const stats: RouteStats[] = [];
  const errors: unknown[] = [];
  const rejected: string[] = [];
  return {
    rejected,
    store,
    bus: testBus.bus,
    changes,
    stats,
    errors,
    async router(options = {}) {
      const router = new Router({
        bus: routers.length === 0 ? testBus.bus : testBus.peer(),
        triggers: store.triggers,
        jobs: store.jobs,
        outbox: store.outbox,
        tenancy: store.tenancy,
        deadLetters: store.deadLetters,
        connections: store.connections,
        changes,
        consumer: `router-${routers.length + 1}`,
        blockMs: 50,
        retryDelayMs: 50,
        onBatch: (batch) => stats.push(batch),
        onError: (error) => errors.push(error),
        onRejected: (id) => rejected.push(id),
        ...options,
      });
      await router.start();
      routers.push(router);
      return router;
    },
    async changed(tenantId) {
      await changes.publish({ kind: 'trigger', tenant_id: tenantId, id: 'trg_test' });
      for (const router of routers) await router.triggers.settled();
    },
    async close() {
      for (const router of routers) await router.stop();
      await testBus.close();
      await changes.close();
      await db.drop();
    },
  };
}

/** The sum of one counter over every batch reported so far. */
export function total(
  stats: ReadonlyArray<RouteStats>,
  field: Exclude<keyof RouteStats, 'relayToJobMs'>,
): number {
  return stats.reduce((sum, batch) => sum + batch[field], 0);
}
