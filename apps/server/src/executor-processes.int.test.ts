import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateApiKey } from '@sluice/control';
import { type SqlClient, SqlStores } from '@sluice/store';
import { openServerModeWorld } from './testing/server-mode-world.ts';
import { killHard, type ServerProcess, startServerProcess } from './testing/server-process.ts';
import { startWebhookTarget, type WebhookTarget } from './testing/webhook-target.ts';

const SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const LEASE_SECONDS = 2;
const SLOTS = 4;
const TENANT_CAP = 3 * SLOTS - 2;
const RUN = randomBytes(3).toString('hex');

type Auth = { authorization: string; 'content-type': string };
interface Item {
  readonly kind: string;
  readonly entity: string;
  readonly n: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
const p99 = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? 0;
};

/**
 * Server mode with the executor in processes of its own: one receiver + relay + router process and three
 * executor-only processes over one PostgreSQL and one Redis, delivering to a webhook target in this
 * process that verifies every signature with the `standardwebhooks` package and dedupes on `webhook-id`.
 */
describe('3 executor processes: order, priority, fairness, kill -9', () => {
  const cleanups: Array<() => Promise<void>> = [];
  const executors: ServerProcess[] = [];
  let front: ServerProcess;
  let sql: SqlClient;
  let target: WebhookTarget;
  let tenants: Array<{ auth: Auth; connection: string; id: string }> = [];
  let sent = 0;

  async function emit(tenant: { auth: Auth; connection: string }, items: ReadonlyArray<Item>): Promise<void> {
    const emissions = items.map((item) => ({
      source: 'shopify',
      event_type: 'order.created',
      dedupe_key: `shopify:order:${RUN}-${++sent}:created`,
      payload: { entity: { kind: 'order', id: `${RUN}-${item.entity}` }, kind: item.kind, n: item.n },
    }));
    const response = await fetch(`${front.url}/api/v1/events`, {
      method: 'POST',
      headers: tenant.auth,
      body: JSON.stringify({ connection_id: tenant.connection, emissions }),
    });
    assert.equal(response.status, 200, await response.text());
  }

  async function trigger(tenant: { auth: Auth }, kind: string, priority: string | null): Promise<void> {
    const response = await fetch(`${front.url}/api/v1/triggers`, {
      method: 'POST',
      headers: tenant.auth,
      body: JSON.stringify({
        name: kind,
        event_types: ['order.created'],
        condition: { path: 'payload.kind', op: 'eq', value: kind },
        priority,
        action: { type: 'http', url: `${target.origin}/${kind}`, secret: SECRET },
        retry: { max_attempts: 5, initial_delay_ms: 100, max_delay_ms: 1_000, timeout_ms: 20_000 },
      }),
    });
    assert.equal(response.status, 201, await response.text());
  }

  const of = (path: string) => target.deliveries.filter((d) => d.path === path && d.effect);

  before(async () => {
    const world = await openServerModeWorld('sluice_exec', cleanups);
    sql = world.sql;
    target = await startWebhookTarget(SECRET);
    cleanups.push(() => target.close());
    const env = {
      ...world.env,
      SLUICE_ALLOW_PRIVATE_TARGETS: '1',
      SLUICE_JOB_LEASE_SECONDS: String(LEASE_SECONDS),
      SLUICE_EXECUTOR_CONCURRENCY: String(SLOTS),
      // Below the executors' 12 slots, so one tenant never holds them all.
      SLUICE_TENANT_CONCURRENCY: String(TENANT_CAP),
    };
    const start = async (workers: string, extra: Record<string, string> = {}) => {
      const dataDir = await mkdtemp(join(tmpdir(), 'sluice-exec-'));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      return startServerProcess({ ...env, SLUICE_WORKERS: workers, SLUICE_DATA_DIR: dataDir, ...extra });
    };
    // Migrations run in the first process; the others start once it has.
    front = await start('receiver,relay,router');
    executors.push(...(await Promise.all([start('executor'), start('executor'), start('executor')])));
    const store = new SqlStores(sql);
    tenants = [];
    for (const name of ['Busy', 'Quiet']) {
      const tenant = await store.tenancy.createTenant({ name: `${name} ${RUN}` });
      const { key, prefix, hash } = generateApiKey();
      await store.tenancy.createApiKey({ tenant_id: tenant.id, name: 'test', prefix, hash });
      const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const created = await fetch(`${front.url}/api/v1/connections`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ connector_id: 'commerce-orders', secret: `exec-secret-${name}` }),
      });
      const text = await created.text();
      assert.equal(created.status, 201, text);
      const { connection } = JSON.parse(text) as { connection: { id: string } };
      tenants.push({ auth, connection: connection.id, id: tenant.id });
    }
    const [busy, quiet] = tenants as [(typeof tenants)[0], (typeof tenants)[0]];
    await trigger(busy, 'order', null);
    await trigger(busy, 'flood', 'P4');
    await trigger(busy, 'urgent', 'P1');
    await trigger(busy, 'kill', null);
    await trigger(busy, 'fair', null);
    await trigger(quiet, 'fair', null);
    // The routers load triggers on a change notification; give them a moment.
    await sleep(500);
  });

  after(async () => {
    for (const started of [front, ...executors]) if (started !== undefined) await killHard(started.child);
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('runs 200 events of one entity one at a time, in event order', async () => {
    const busy = tenants[0] as (typeof tenants)[0];
    target.behave('/order', () => ({ delayMs: 2 }));
    for (let batch = 0; batch < 4; batch++) {
      await emit(
        busy,
        Array.from({ length: 50 }, (_, i) => ({ kind: 'order', entity: 'one', n: batch * 50 + i })),
      );
    }
    // About 10 s on an idle machine; a machine busy with other test files can take several times that.
    await until(() => of('/order').length === 200, 100_000, '200 deliveries');
    assert.deepEqual(
      of('/order').map((d) => d.envelope.payload['n']),
      Array.from({ length: 200 }, (_, i) => i),
      'in event order',
    );
    assert.equal(target.maxInFlight.get(`order:${RUN}-one`), 1, 'never two at once');
    assert.deepEqual(target.unverified, [], 'every signature verifies');
  });

  it('runs a P1 job ahead of a P4 flood, delayed by at most about one job', async () => {
    const busy = tenants[0] as (typeof tenants)[0];
    const JOB_MS = 300;
    target.behave('/flood', () => ({ delayMs: JOB_MS }));
    const urgentAt = async (n: number) => {
      const sentAt = Date.now();
      await emit(busy, [{ kind: 'urgent', entity: `urgent-${n}`, n }]);
      await until(() => of('/urgent').some((d) => d.envelope.payload['n'] === n), 20_000, 'the P1 job');
      return (of('/urgent').find((d) => d.envelope.payload['n'] === n)?.at ?? 0) - sentAt;
    };
    const idle = await urgentAt(0);
    const FLOOD = 120;
    await emit(
      busy,
      Array.from({ length: FLOOD }, (_, i) => ({ kind: 'flood', entity: `flood-${i}`, n: i })),
    );
    // As many slots as the tenant may hold busy with P4 work, and a backlog behind it.
    await until(() => of('/flood').length >= TENANT_CAP, 20_000, 'the flood to fill the slots');
    const busyLatency = await urgentAt(1);
    const floodDone = of('/flood').length;
    process.stdout.write(
      `# P1 latency: idle ${idle} ms, behind a P4 flood ${busyLatency} ms (a P4 job takes ${JOB_MS} ms; ${floodDone}/${FLOOD} P4 done)\n`,
    );
    assert.ok(floodDone < FLOOD - 3 * SLOTS, 'the P4 backlog was still there');
    // The tenant is at its cap, so its P1 waits for one of its P4 jobs to end: at most one job's time.
    assert.ok(busyLatency <= idle + JOB_MS + 250, `P1 waited ${busyLatency} ms (idle ${idle} ms)`);
    await until(() => of('/flood').length === FLOOD, 30_000, 'the flood to drain');
  });

  it('keeps a quiet tenant’s pickup beside a 10x noisy one as it is alone, counted in jobs', async () => {
    const [busy, quiet] = tenants as [(typeof tenants)[0], (typeof tenants)[0]];
    target.behave('/fair', () => ({ delayMs: 200 }));
    /**
     * Each quiet job's pickup counted in jobs, not in time: how many of the other tenant's jobs started
     * between its creation and its start (overtaken by), and how many of theirs created before it started
     * after it (overtook). Alone, nothing can start ahead of it. Fair, every claim that sees it takes it
     * first, so only claims that could not see it yet start noisy jobs ahead of it: in practice the one each
     * executor has under way when the job commits, and one more begun between the job's creation time and
     * its commit — two claims of SLOTS per executor are allowed, however big the backlog. Unfair (first come, first
     * served), it would wait behind the whole backlog, the hundreds it overtakes here.
     */
    const pickups = async (from: number) =>
      (
        await sql.query<{ overtaken_by: string; overtook: string; ms: string }>(
          `WITH firsts AS (
             SELECT j.id, j.tenant_id, j.created_at, a.started_at
               FROM jobs j JOIN job_attempts a ON a.job_id = j.id AND a.n = 1 WHERE j.seq > $3)
           SELECT (SELECT count(*) FROM firsts n WHERE n.tenant_id = $2
                      AND n.started_at > q.created_at AND n.started_at < q.started_at)::text AS overtaken_by,
                  (SELECT count(*) FROM jobs n LEFT JOIN job_attempts na ON na.job_id = n.id AND na.n = 1
                    WHERE n.tenant_id = $2 AND n.seq > $3 AND n.created_at < q.created_at
                      AND (na.started_at IS NULL OR na.started_at > q.started_at))::text AS overtook,
                  (EXTRACT(EPOCH FROM (q.started_at - q.created_at)) * 1000)::text AS ms
             FROM firsts q WHERE q.tenant_id = $1`,
          [quiet.id, busy.id, from],
        )
      ).map((row) => ({
        overtakenBy: Number(row.overtaken_by),
        overtook: Number(row.overtook),
        ms: Number(row.ms),
      }));
    const lastSeq = async () =>
      Number((await sql.query<{ s: string }>('SELECT COALESCE(max(seq), 0)::text AS s FROM jobs'))[0]?.s);
    const QUIET = 30;
    const quietRound = async (round: number) => {
      for (let i = 0; i < QUIET; i++) {
        await emit(quiet, [{ kind: 'fair', entity: `quiet-${round}-${i}`, n: i }]);
        await sleep(30);
      }
    };
    const base = await lastSeq();
    await quietRound(0);
    await until(async () => (await pickups(base)).length === QUIET, 20_000, 'quiet alone');
    const alone = await pickups(base);
    const mark = await lastSeq();
    const noisy = (async () => {
      for (let b = 0; b < 6; b++) {
        await emit(
          busy,
          Array.from({ length: 50 }, (_, i) => ({ kind: 'fair', entity: `noisy-${b}-${i}`, n: i })),
        );
      }
    })();
    await quietRound(1);
    await noisy;
    await until(async () => (await pickups(mark)).length === QUIET, 30_000, 'quiet beside noisy');
    const beside = await pickups(mark);
    const max = (values: number[]) => Math.max(0, ...values);
    const bound = 3 * 2 * SLOTS;
    process.stdout.write(
      `# quiet tenant pickup, in the other tenant's jobs started ahead of it: alone max ${max(alone.map((p) => p.overtakenBy))}, beside a 10x noisy tenant max ${max(beside.map((p) => p.overtakenBy))} (bound ${bound}); it overtook up to ${max(beside.map((p) => p.overtook))} noisy jobs; p99 ${p99(alone.map((p) => p.ms)).toFixed(1)} ms alone, ${p99(beside.map((p) => p.ms)).toFixed(1)} ms beside\n`,
    );
    assert.equal(max(alone.map((p) => p.overtakenBy)), 0);
    // Saturated: the noisy tenant had a backlog the quiet jobs went past.
    assert.ok(max(beside.map((p) => p.overtook)) >= 4 * bound, 'the noisy backlog was there');
    // Fair: no quiet job waited for more than the claims under way when it arrived, however big the backlog.
    assert.ok(
      beside.every((p) => p.overtakenBy <= bound),
      `noisy jobs started ahead of quiet ones: ${beside.map((p) => p.overtakenBy).join(',')}`,
    );
    await until(() => of('/fair').length >= 2 * QUIET + 300, 60_000, 'the noisy backlog to drain');
  });

  it('retries the job of a kill -9ed executor after its lease; the side effect happens once', async () => {
    const busy = tenants[0] as (typeof tenants)[0];
    let first = true;
    target.behave('/kill', () => {
      if (!first) return { delayMs: 0 };
      first = false;
      return 'hold';
    });
    await emit(busy, [{ kind: 'kill', entity: 'victim', n: 0 }]);
    await until(() => target.deliveries.some((d) => d.path === '/kill'), 20_000, 'the first attempt');
    const [held] = await sql.query<{ id: string; lease_owner: string }>(
      `SELECT id, lease_owner FROM jobs WHERE status = 'running' AND lease_owner IS NOT NULL
          AND trigger_id IN (SELECT id FROM triggers WHERE name = 'kill')`,
    );
    assert.ok(held !== undefined, 'the job is running');
    const pid = Number(/-(\d+)-[0-9a-f]{6}$/.exec(held.lease_owner)?.[1]);
    const victim = executors.find((e) => e.child.pid === pid);
    assert.ok(victim !== undefined, `no executor with pid ${pid} (${held.lease_owner})`);
    const killedAt = Date.now();
    await killHard(victim.child);
    await until(
      () => target.deliveries.filter((d) => d.path === '/kill').length >= 2,
      (LEASE_SECONDS + 8) * 1000,
      'the retry',
    );
    const retriedAfter = (target.deliveries.filter((d) => d.path === '/kill')[1]?.at ?? 0) - killedAt;
    process.stdout.write(`# retried ${retriedAfter} ms after kill -9 (lease ${LEASE_SECONDS} s)\n`);
    assert.ok(retriedAfter <= LEASE_SECONDS * 1000 + 3_000, `retried after ${retriedAfter} ms`);
    await until(
      async () =>
        (await sql.query<{ status: string }>('SELECT status FROM jobs WHERE id = $1', [held.id]))[0]
          ?.status === 'succeeded',
      10_000,
      'the job to succeed',
    );
    const kills = target.deliveries.filter((d) => d.path === '/kill');
    assert.equal(new Set(kills.map((d) => d.webhookId)).size, 1, 'one webhook-id on every attempt');
    assert.equal(kills.filter((d) => d.effect).length, 1, 'the side effect happened once');
    const attempts = await sql.query<{ error: string | null }>(
      'SELECT error FROM job_attempts WHERE job_id = $1 ORDER BY n',
      [held.id],
    );
    assert.equal(attempts[0]?.error, 'lease lapsed');
    assert.deepEqual(target.unverified, []);
  });
});
