import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PostgresChangeFeed, type SqlClient, SqlStores } from '@sluice/store';
import { TEST_DATABASE_URL } from '@sluice/store/testing';
import { Redis } from 'ioredis';
import { openServerModeWorld } from './testing/server-mode-world.ts';
import { killHard, type ServerProcess, startServerProcess } from './testing/server-process.ts';

const CONNECTIONS = 3;
const REQUESTS_PER_CONNECTION = 40;
const EMISSIONS_PER_REQUEST = 5;
const TOTAL = CONNECTIONS * REQUESTS_PER_CONNECTION * EMISSIONS_PER_REQUEST;

/**
 * Server mode split by stage: a receiver, two relay-only and two router-only processes over one PostgreSQL
 * and one Redis. Mid-stream a relay and a router die by SIGKILL and Redis is flushed; afterwards every
 * envelope has exactly one job, and each connection's jobs were created in the order of its envelopes.
 */
describe('receiver, 2 relays and 2 routers as separate processes', () => {
  const cleanups: Array<() => Promise<void>> = [];
  const processes: ServerProcess[] = [];
  let env: Record<string, string>;
  let sql: SqlClient;
  let redisUrl: string;

  before(async () => {
    const world = await openServerModeWorld('sluice_stages', cleanups);
    sql = world.sql;
    redisUrl = world.redisUrl;
    env = {
      ...world.env,
      SLUICE_RELAY_LEASE_SECONDS: '2',
    };
  });

  after(async () => {
    for (const started of processes) await killHard(started.child);
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  async function start(workers: string, extra: Record<string, string> = {}): Promise<ServerProcess> {
    const dataDir = await mkdtemp(join(tmpdir(), 'sluice-stages-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const started = await startServerProcess({
      ...env,
      SLUICE_WORKERS: workers,
      SLUICE_DATA_DIR: dataDir,
      ...extra,
    });
    processes.push(started);
    return started;
  }

  it('creates each job once, in each connection’s order, through kill -9 and FLUSHALL', async () => {
    const receiver = await start('receiver', { SLUICE_DEV: '1' });
    const key = /(slk_[A-Za-z0-9_-]+)/.exec(receiver.output)?.[1];
    assert.ok(key !== undefined, `no dev key printed:\n${receiver.output}`);
    const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const connections: string[] = [];
    for (let c = 0; c < CONNECTIONS; c++) {
      const created = await fetch(`${receiver.url}/api/v1/connections`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ connector_id: 'commerce-orders', secret: `stage-secret-${c}` }),
      });
      assert.equal(created.status, 201);
      connections.push(
        ((await created.json()) as { connection: { id: string; tenant_id: string } }).connection.id,
      );
    }
    const store = new SqlStores(sql);
    const [row] = await sql.query<{ tenant_id: string }>('SELECT tenant_id FROM connections WHERE id = $1', [
      connections[0],
    ]);
    const tenantId = String(row?.tenant_id);
    await store.triggers.create({
      tenant_id: tenantId,
      name: 'every order',
      event_types: ['order.*'],
      condition: null,
      priority: null,
      action: { type: 'handler', name: 'noop' },
      secret_ciphertext: null,
      enabled: true,
    });
    const routers = [await start('router'), await start('router')];
    const relays = [await start('relay'), await start('relay')];

    let sent = 0;
    const send = async (connectionId: string, r: number) => {
      const emissions = Array.from({ length: EMISSIONS_PER_REQUEST }, (_, i) => ({
        source: 'shopify',
        event_type: 'order.created',
        dedupe_key: `shopify:order:${connectionId}-${r}-${i}:created`,
        payload: { entity: { kind: 'order', id: `${connectionId}-${r % 4}` }, r, i },
      }));
      const response = await fetch(`${receiver.url}/api/v1/events`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ connection_id: connectionId, emissions }),
      });
      assert.equal(response.status, 200, await response.text());
      sent += EMISSIONS_PER_REQUEST;
    };
    // Each connection sends its requests one after another (its order), all connections at once.
    const load = Promise.all(
      connections.map(async (connectionId) => {
        for (let r = 0; r < REQUESTS_PER_CONNECTION; r++) await send(connectionId, r);
      }),
    );
    const jobCount = async () =>
      Number((await sql.query<{ n: string }>('SELECT count(*)::text AS n FROM jobs'))[0]?.n ?? 0);
    while (sent < TOTAL / 3) await new Promise((resolve) => setTimeout(resolve, 5));
    await killHard((relays[0] as ServerProcess).child);
    await killHard((routers[0] as ServerProcess).child);
    while (sent < (2 * TOTAL) / 3) await new Promise((resolve) => setTimeout(resolve, 5));
    const admin = new Redis(redisUrl);
    await admin.flushall();
    admin.disconnect();
    await load;

    const deadline = Date.now() + 90_000;
    while ((await jobCount()) < TOTAL && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Repeats still in flight (leases lapsing after the kills) must create nothing more.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const jobs = await sql.query<{ event_id: string; connection_id: string; sequence: string }>(
      `SELECT j.event_id::text AS event_id, j.connection_id, e.sequence::text AS sequence
         FROM jobs j JOIN envelopes e ON e.event_id = j.event_id ORDER BY j.seq`,
    );
    const envelopes = await sql.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM envelopes WHERE event_type = 'order.created'`,
    );
    assert.equal(Number(envelopes[0]?.n), TOTAL);
    assert.equal(jobs.length, TOTAL, 'one job per envelope, none lost, none twice');
    assert.equal(new Set(jobs.map((j) => j.event_id)).size, TOTAL);
    for (const connectionId of connections) {
      const sequences = jobs.filter((j) => j.connection_id === connectionId).map((j) => Number(j.sequence));
      assert.equal(sequences.length, TOTAL / CONNECTIONS);
      assert.deepEqual(
        sequences,
        [...sequences].sort((a, b) => a - b),
        `jobs of ${connectionId} in its order`,
      );
    }
    const pending = await sql.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM outbox WHERE relayed_at IS NULL',
    );
    assert.equal(Number(pending[0]?.n), 0, 'every outbox row acknowledged');

    // A trigger added now reaches the router process (over LISTEN/NOTIFY) within a second, no restart.
    const feed = await PostgresChangeFeed.open({ connectionString: TEST_DATABASE_URL });
    try {
      const added = await store.triggers.create({
        tenant_id: tenantId,
        name: 'updates',
        event_types: ['order.updated'],
        condition: 'payload.amount gt 0',
        priority: 'P1',
        action: { type: 'handler', name: 'noop' },
        secret_ciphertext: null,
        enabled: true,
      });
      await feed.publish({ kind: 'trigger', tenant_id: tenantId, id: added.id });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const update = await fetch(`${receiver.url}/api/v1/events`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({
          connection_id: connections[0],
          emission: {
            source: 'shopify',
            event_type: 'order.updated',
            dedupe_key: 'shopify:order:r1:updated',
            payload: { entity: { kind: 'order', id: 'r1' }, amount: 5 },
          },
        }),
      });
      assert.equal(update.status, 200, await update.text());
      const updateJobs = () =>
        sql.query<{ priority: string }>('SELECT priority FROM jobs WHERE trigger_id = $1', [added.id]);
      const until = Date.now() + 15_000;
      while ((await updateJobs()).length === 0 && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.deepEqual(
        (await updateJobs()).map((j) => j.priority),
        ['P1'],
      );
    } finally {
      await feed.close();
    }
  });
});
