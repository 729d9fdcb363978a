import type {
  AppendInput,
  Connection,
  HttpAction,
  Job,
  NewTrigger,
  RetryPolicy,
  Stores,
  Trigger,
} from '@sluice/core';
import { createTestConnection, preparedEnvelope } from '@sluice/store/testing';
import { TEST_SECRET } from './envelope-fixture.ts';

/** A tenant with a connection whose jobs the executor tests run. */
export interface ExecutorWorld {
  readonly store: Stores;
  readonly connection: Connection;
  /** Stores `count` envelopes of entity `entity` and makes one job per envelope for `trigger`. */
  jobsFor(
    trigger: Trigger,
    count: number,
    options?: { entity?: string; key?: (i: number) => string },
  ): Promise<Job[]>;
  /** An http trigger to `url`, its secret the tests' `TEST_SECRET`. */
  httpTrigger(url: string, extra?: Partial<NewTrigger> & { retry?: RetryPolicy }): Promise<Trigger>;
  /** A platform event as the server's `PlatformEvents.fact` would prepare it, on the world's connection. */
  fact(tenantId: string, event: import('@sluice/core').PlatformEventInput): Promise<AppendInput>;
}

let counter = 0;
/** Every world's connection by tenant: one executor claims across tenants, so facts look theirs up here. */
const connections = new Map<string, Connection>();

/** A platform event as the server's `PlatformEvents.fact` prepares it, on its tenant's world connection. */
export async function worldFact(
  tenantId: string,
  event: import('@sluice/core').PlatformEventInput,
): Promise<AppendInput> {
  const connection = connections.get(tenantId);
  if (connection === undefined) throw new Error(`no world of tenant ${tenantId}`);
  return {
    connection,
    dedupeWindowMs: 60_000,
    envelopes: [
      preparedEnvelope(connection, event.dedupe_key, {
        source: 'sluice',
        event_type: event.event_type,
        stream: 'platform',
        dedupe_key: event.dedupe_key,
        causation_id: event.causation_id ?? null,
        ...(event.correlation_id === undefined ? {} : { correlation_id: event.correlation_id }),
        payload: { ...event.payload, entity: event.entity },
      }),
    ],
  };
}

export async function executorWorld(store: Stores, name: string): Promise<ExecutorWorld> {
  const connection = await createTestConnection(store, name);
  connections.set(connection.tenant_id, connection);
  return {
    store,
    connection,
    async httpTrigger(url, extra = {}) {
      const action: HttpAction = { type: 'http', url };
      return store.triggers.create({
        tenant_id: connection.tenant_id,
        name: `deliver to ${url}`,
        event_types: ['order.*'],
        condition: null,
        priority: null,
        action,
        secret_ciphertext: `sealed:${TEST_SECRET}`,
        enabled: true,
        ...extra,
      });
    },
    async jobsFor(trigger, count, options = {}) {
      const entity = options.entity ?? `order-${++counter}`;
      const envelopes = Array.from({ length: count }, (_, i) =>
        preparedEnvelope(connection, `${entity}-${i}-${++counter}`, {
          payload: { entity: { kind: 'order', id: entity }, n: i },
        }),
      );
      const result = await store.events.append({ connection, envelopes, dedupeWindowMs: 60_000 });
      if (result.status !== 'committed') throw new Error(`envelopes not stored: ${result.status}`);
      const base = ++counter * 10_000;
      await store.jobs.createMany(
        result.outcomes.map((outcome, i) => ({
          tenant_id: connection.tenant_id,
          trigger_id: trigger.id,
          event_id: outcome.event_id,
          connection_id: connection.id,
          priority: 'P2' as const,
          entity_key: `order:${entity}`,
          position: `${base + i}.${base + i}`,
          ...(options.key === undefined ? {} : { idempotency_key: options.key(i) }),
        })),
      );
      const jobs: Job[] = [];
      for (const outcome of result.outcomes) {
        const page = await store.jobs.list(
          connection.tenant_id,
          { event_id: outcome.event_id },
          { limit: 10 },
        );
        jobs.push(...page.items.filter((job) => job.trigger_id === trigger.id));
      }
      return jobs;
    },
    fact: worldFact,
  };
}

/** The `secretOf` the tests wire: the world's triggers carry `sealed:<secret>` as their ciphertext. */
export async function openTestSecret(
  store: Stores,
  tenantId: string,
  triggerId: string,
): Promise<string | null> {
  const sealed = await store.triggers.sealedSecret(tenantId, triggerId);
  return sealed === null ? null : sealed.replace(/^sealed:/, '');
}

/** Polls `check` every 20 ms until it holds, or fails after `ms`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  ms = 10_000,
  what = 'condition',
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
