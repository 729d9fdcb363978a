import type {
  ClaimedJob,
  Connection,
  JobAttempt,
  JobQueue,
  NewJob,
  Priority,
  SingleFlightMode,
  Stores,
  Trigger,
} from '@sluice/core';
import type { SqlClient } from '../sql-client.ts';
import { createTestConnection, preparedEnvelope } from './fixtures.ts';

/** A tenant with a connection and a few stored envelopes that queue tests hang jobs on. */
export interface QueueWorld {
  readonly tenant_id: string;
  readonly connection: Connection;
  readonly events: ReadonlyArray<string>;
}

export async function queueWorld(store: Stores, name: string, events = 4): Promise<QueueWorld> {
  const connection = await createTestConnection(store, name);
  const envelopes = Array.from({ length: events }, (_, i) => preparedEnvelope(connection, `${name}-${i}`));
  const result = await store.events.append({ connection, envelopes, dedupeWindowMs: 60_000 });
  if (result.status !== 'committed')
    throw new Error(`the world's envelopes were not stored: ${result.status}`);
  return { tenant_id: connection.tenant_id, connection, events: result.outcomes.map((o) => o.event_id) };
}

export interface JobShape {
  readonly entity_key?: string | null;
  readonly priority?: Priority;
  readonly trigger_id?: string;
  /** Index into the world's events; 0 when absent. */
  readonly event?: number;
}

/** Job `n` of `world`: its position sorts by `n`, its trigger is `trg_q${n}` unless given. */
export function queueJob(world: QueueWorld, n: number, shape: JobShape = {}): NewJob {
  return {
    tenant_id: world.tenant_id,
    trigger_id: shape.trigger_id ?? `trg_q${n}`,
    event_id: world.events[shape.event ?? 0] as string,
    connection_id: world.connection.id,
    priority: shape.priority ?? 'P2',
    entity_key: shape.entity_key === undefined ? 'order:1' : shape.entity_key,
    position: `${1000 + n}.${n}`,
  };
}

/** A trigger of `world`'s tenant with a single-flight mode. */
export function modeTrigger(store: Stores, world: QueueWorld, mode: SingleFlightMode): Promise<Trigger> {
  return store.triggers.create({
    tenant_id: world.tenant_id,
    name: `${mode} trigger`,
    event_types: ['order.*'],
    condition: null,
    priority: null,
    action: { type: 'handler', name: 'audit' },
    secret_ciphertext: null,
    enabled: true,
    single_flight: mode,
  });
}

export const attemptAt = (now: Date, statusCode: number | null = 200): JobAttempt => ({
  started_at: now.toISOString(),
  status_code: statusCode,
  latency_ms: 12,
  error: statusCode === null || statusCode >= 400 ? 'the target failed' : null,
});

/** Finishes every job of `claimed` as succeeded. */
export async function succeedAll(
  queue: JobQueue,
  owner: string,
  claimed: ReadonlyArray<ClaimedJob>,
  now: Date,
): Promise<void> {
  for (const item of claimed) {
    const done = await queue.finish(owner, item.job.id, {
      kind: 'succeeded',
      attempt: attemptAt(now),
      result: { ok: true },
      result_ttl_ms: 60_000,
    });
    if (!done) throw new Error(`${owner} no longer held ${item.job.id}`);
  }
}

/** Ends every unfinished job, so one test's jobs never reach the next test's claims (claims span tenants). */
export async function clearQueue(client: SqlClient): Promise<void> {
  await client.query(
    `UPDATE jobs SET status = 'skipped', head = false, lease_owner = NULL, lease_until = NULL
      WHERE status IN ('queued', 'running', 'retrying')`,
  );
}

/** A claim request with a 30 s lease. */
export const claimOf = (owner: string, limit: number, tenantConcurrency?: number) => ({
  owner,
  limit,
  leaseMs: 30_000,
  ...(tenantConcurrency === undefined ? {} : { tenantConcurrency }),
});
