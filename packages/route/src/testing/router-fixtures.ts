import {
  type Bus,
  type BusMessage,
  busMessageOf,
  type Connection,
  type Job,
  type NewTrigger,
  type Origin,
  type Stores,
  type Tenant,
} from '@sluice/core';
import { preparedEnvelope } from '@sluice/store/testing';

const day = 24 * 3600 * 1000;

/** An enabled trigger of `tenant` on `event_types`, with an HTTP action; `overrides` change any field. */
export function newTrigger(
  tenant: Pick<Tenant, 'id'>,
  name: string,
  event_types: ReadonlyArray<string>,
  overrides: Partial<NewTrigger> = {},
): NewTrigger {
  return {
    tenant_id: tenant.id,
    name,
    event_types,
    condition: null,
    priority: null,
    action: { type: 'http', url: 'https://example.test/hook' },
    secret_ciphertext: null,
    enabled: true,
    ...overrides,
  };
}

/** Appends one envelope per item, in order, each in its own append (as separate deliveries would). */
export async function appendAll(
  store: Stores,
  connection: Connection,
  items: ReadonlyArray<{
    readonly n: string;
    readonly event_type?: string;
    readonly payload?: Record<string, unknown>;
    readonly origin?: Origin;
  }>,
): Promise<string[]> {
  const ids: string[] = [];
  for (const item of items) {
    const result = await store.events.append({
      connection,
      envelopes: [
        preparedEnvelope(connection, item.n, {
          ...(item.event_type === undefined ? {} : { event_type: item.event_type }),
          ...(item.payload === undefined ? {} : { payload: item.payload }),
        }),
      ],
      dedupeWindowMs: day,
      ...(item.origin === undefined ? {} : { origin: item.origin }),
    });
    if (result.status !== 'committed' || result.outcomes[0]?.status !== 'accepted')
      throw new Error(`append of ${item.n} did not commit: ${JSON.stringify(result)}`);
    ids.push(result.outcomes[0].event_id);
  }
  return ids;
}

/**
 * The bus messages of every committed row of `connections`, as a relay would publish them (waiting out a
 * commit horizon held back by other test files until `expected` rows are there).
 */
export async function pendingMessages(
  store: Stores,
  connections: ReadonlyArray<Connection>,
  expected: number,
): Promise<BusMessage[]> {
  const ids = new Set(connections.map((c) => c.id));
  for (let i = 0; i < 200; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 25));
    const claimed = (await store.outbox.claim({ owner: 'test-relay', limit: 1000, leaseMs: 0 })).filter((e) =>
      ids.has(e.connection_id),
    );
    if (claimed.length >= expected)
      return claimed.map((e) => busMessageOf(e.envelope, { origin: e.origin, position: e.position }));
  }
  throw new Error(`fewer than ${expected} outbox rows of ${[...ids].join(', ')} were committed`);
}

/** What a relay does, for tests of the router alone: publishes the pending rows. Returns how many. */
export async function publishPending(
  store: Stores,
  bus: Bus,
  connections: ReadonlyArray<Connection>,
  expected: number,
): Promise<number> {
  const messages = await pendingMessages(store, connections, expected);
  await bus.publish('envelopes', messages);
  return messages.length;
}

/** Every job of a tenant in creation order. */
export async function jobsOf(store: Stores, tenantId: string): Promise<Job[]> {
  const jobs: Job[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.jobs.list(
      tenantId,
      {},
      { limit: 500, ...(after === undefined ? {} : { after }) },
    );
    jobs.push(...page.items);
    if (page.next === null) return jobs;
    after = page.next;
  }
}

/** Polls `condition` every 10 ms; fails with `what` after `timeoutMs`. */
export async function eventually(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
