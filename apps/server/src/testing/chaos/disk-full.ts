import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { checkPgliteIntegrity, mountTmpfs, type Tmpfs, tmpfsUnavailable } from '@sluice/store/testing';
import { killHard, type ServerProcess, startServerProcess } from '../server-process.ts';
import { startWebhookTarget, type WebhookTarget } from '../webhook-target.ts';
import { type ChaosTrigger, Ledger } from './ledger.ts';
import { type ChaosSummary, seconds, skipped, summarize } from './summary.ts';
import { type Attempt, WebhookLoad } from './webhook-load.ts';

export interface DiskFullOptions {
  /** Rounds of each fault: a full disk, then a read-only data directory, this many times. */
  readonly rounds: number;
  /** How long the directory stays unwritable each round. */
  readonly downMs?: number;
  /** The bound on recovery: from the directory taking writes again to a new event acknowledged. */
  readonly recoveryBoundMs?: number;
  /** The tmpfs the data directory lives on. */
  readonly sizeMb?: number;
  /** Senders at once. */
  readonly concurrency?: number;
  /** Events sent per second, all senders together (20 by default). */
  readonly ratePerSecond?: number;
}

type Fault = 'disk-full' | 'read-only';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ADMIN_KEY = `chaos-admin-${randomBytes(12).toString('hex')}`;
/** What every ingest attempt must answer while the directory cannot take a write. */
const REFUSAL = '503 storage_unavailable + Retry-After';

/** An answer's status within `timeoutMs`, or null when none came (refused, reset, or a frozen server). */
async function statusOf(url: string, timeoutMs = 5_000): Promise<number | null> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return null;
  }
}

/** Polls `url` until it answers `status`; answers the ms it took, or null if not within `timeoutMs`. */
async function untilStatus(
  url: string,
  status: number,
  timeoutMs: number,
  seen: Array<number | null> = [],
): Promise<number | null> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    // A call made while the store reopens waits for it: allow it the whole bound.
    const answer = await statusOf(url, timeoutMs);
    if (seen.at(-1) !== answer) seen.push(answer);
    if (answer === status) return Date.now() - started;
    await sleep(50);
  }
  return null;
}

async function postJson(base: string, path: string, headers: Record<string, string>, body: unknown) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (response.status !== 201) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** A tenant, its commerce connection and one trigger delivering every order event to `target`. */
async function setUp(base: string, target: WebhookTarget, targetSecret: string) {
  const made = await postJson(
    base,
    '/api/v1/tenants',
    { authorization: `Bearer ${ADMIN_KEY}` },
    { name: 'Disk' },
  );
  const tenantId = (made['tenant'] as { id: string }).id;
  const auth = { authorization: `Bearer ${(made['api_key'] as { key: string }).key}` };
  const connectionSecret = `chaos-${randomBytes(12).toString('hex')}`;
  const connection = await postJson(base, '/api/v1/connections', auth, {
    connector_id: 'commerce-orders',
    secret: connectionSecret,
  });
  const trigger = await postJson(base, '/api/v1/triggers', auth, {
    name: 'all orders',
    event_types: ['order.*'],
    condition: null,
    priority: null,
    action: { type: 'http', url: `${target.origin}/all`, secret: targetSecret },
    retry: { max_attempts: 50, initial_delay_ms: 100, max_delay_ms: 1_000, timeout_ms: 10_000 },
  });
  const triggers: ChaosTrigger[] = [
    { id: (trigger['trigger'] as { id: string }).id, path: '/all', matches: () => true },
  ];
  return {
    tenantId,
    connectionId: (connection['connection'] as { id: string }).id,
    connectionSecret,
    triggers,
  };
}

/**
 * An embedded server (PGlite) whose data directory is on a small tmpfs of its own, under signed webhook
 * load, whose disk is filled to ENOSPC in one round and made read-only in the next. While the directory
 * cannot take a write, every ingest answer must be 503 `storage_unavailable` with a Retry-After (never a
 * 2xx), `/readyz` must answer 503, and the process must go on answering (`/healthz`). Once the directory
 * takes writes again, the same process, not restarted, must acknowledge a new event within the bound. At
 * the end the server is stopped and the directory opened anew in this process: it must open, have every
 * migration, read back whole (every table scanned, every B-tree index checked by amcheck), and hold every
 * acknowledged event once, routed once and delivered once.
 *
 * Not root (mount refused): the summary says skipped, and why.
 */
export async function diskFull(options: DiskFullOptions): Promise<ChaosSummary> {
  const startedAt = Date.now();
  const why = await tmpfsUnavailable();
  if (why !== null) return skipped('disk-full', why, startedAt);
  const downMs = options.downMs ?? 3_000;
  const bound = options.recoveryBoundMs ?? 10_000;
  let disk: Tmpfs | null = null;
  let server: ServerProcess | null = null;
  let target: WebhookTarget | null = null;
  try {
    disk = await mountTmpfs(options.sizeMb ?? 160);
    const tmpfs = disk;
    const dataDir = join(tmpfs.dir, 'sluice');
    const pgdata = join(dataDir, 'pgdata');
    const targetSecret = `whsec_${randomBytes(24).toString('base64')}`;
    target = await startWebhookTarget(targetSecret);
    server = await startServerProcess({
      SLUICE_DATA_DIR: dataDir,
      SLUICE_DATABASE_URL: '',
      SLUICE_REDIS_URL: '',
      SLUICE_ADMIN_KEY: ADMIN_KEY,
      SLUICE_DEV: '0',
      SLUICE_ALLOW_PRIVATE_TARGETS: '1',
      // A job whose finish could not be written is claimed again once its lease ends: keep that short.
      SLUICE_JOB_LEASE_SECONDS: '2',
      SLUICE_RELAY_LEASE_SECONDS: '2',
      // Warnings and up: the store's own account of each outage is one of them.
      SLUICE_LOG_LEVEL: 'warn',
    });
    const storeStates = watchStoreStates(server);
    const base = server.url;
    const world = await setUp(base, target, targetSecret);
    const attempts: Attempt[] = [];
    const load = new WebhookLoad({
      receivers: () => [base],
      connectionId: world.connectionId,
      secret: world.connectionSecret,
      concurrency: options.concurrency ?? 3,
      updatesPerOrder: 2,
      maxAttempts: 400,
      ratePerSecond: options.ratePerSecond ?? 20,
      onAttempt: (attempt) => attempts.push(attempt),
    });
    load.start();
    const problems: string[] = [];
    const recoveries: number[] = [];
    const perRound: Array<Record<string, unknown>> = [];
    const whileDown: Record<string, number> = {};
    const faults: Fault[] = Array.from(
      { length: options.rounds },
      () => ['disk-full', 'read-only'] as const,
    ).flat();
    for (const [round, fault] of faults.entries()) {
      await sleep(1_500 + Math.random() * 1_000);
      const how =
        fault === 'disk-full'
          ? `filler of ${Math.round(tmpfs.fill() / 2 ** 20)} MB`
          : await tmpfs.readOnly(pgdata);
      // From the moment the store says it cannot write, nothing may be acknowledged: a write that landed
      // before it noticed (a row that fit a page already there) was committed and is a true 2xx.
      const noticedMs = await untilStatus(`${base}/readyz`, 503, 5_000);
      const downFrom = Date.now();
      if (noticedMs === null) problems.push(`round ${round} (${fault}): /readyz not 503 within 5 s`);
      const live: Array<number | null> = [];
      while (Date.now() - downFrom < downMs) {
        live.push(await statusOf(`${base}/healthz`));
        await sleep(250);
      }
      if (live.some((status) => status !== 200))
        problems.push(
          `round ${round} (${fault}): /healthz answered ${JSON.stringify(live)} while unwritable`,
        );
      const readyAtEnd = await statusOf(`${base}/readyz`);
      if (readyAtEnd !== 503)
        problems.push(`round ${round} (${fault}): /readyz ${readyAtEnd} at the end of the outage`);
      const downUntil = Date.now();
      if (fault === 'disk-full') await tmpfs.free();
      else await tmpfs.writable();
      const upAt = Date.now();
      for (const attempt of attempts) {
        if (attempt.startedAt < downFrom || attempt.endedAt > downUntil) continue;
        const answer =
          attempt.status === 503 && attempt.retryAfter !== null && attempt.code === 'storage_unavailable'
            ? REFUSAL
            : `${attempt.status} ${attempt.code ?? ''}`.trim();
        whileDown[answer] = (whileDown[answer] ?? 0) + 1;
      }
      // Recovered: the store says it can write again, and a new event is acknowledged.
      const readiness: Array<number | null> = [];
      const readyMs = await untilStatus(`${base}/readyz`, 200, bound, readiness);
      const acked = await load.probe();
      const recoveryMs = Date.now() - upAt;
      recoveries.push(recoveryMs);
      perRound.push({
        fault,
        how,
        noticed_s: noticedMs === null ? null : seconds(noticedMs),
        ready_again_s: readyMs === null ? null : seconds(readyMs),
        readyz_after: readiness,
        new_event_acked_s: seconds(recoveryMs),
      });
      if (readyMs === null)
        problems.push(`round ${round} (${fault}): /readyz not 200 again within ${bound} ms`);
      if (acked === null)
        problems.push(`round ${round} (${fault}): no new event acknowledged after recovery`);
      else if (recoveryMs > bound)
        problems.push(
          `round ${round} (${fault}): a new event took ${recoveryMs} ms to be acknowledged, over ${bound} ms`,
        );
      attempts.splice(0, attempts.length);
    }
    await load.stop();
    // Every acknowledged event's effect, before the server stops (its executor delivers them).
    const drainStarted = Date.now();
    while (Date.now() - drainStarted < 60_000) {
      if (new Set(target.deliveries.map((d) => d.envelope.event_id)).size >= load.acked.size) break;
      await sleep(250);
    }
    const drainMs = Date.now() - drainStarted;
    await sleep(1_000);
    for (const [answer, n] of Object.entries(whileDown)) {
      if (answer !== REFUSAL)
        problems.push(`${n} ingest answers of ${answer} while the directory was unwritable`);
    }
    if (server.child.exitCode !== null || server.child.signalCode !== null)
      problems.push(`the server exited (${server.child.exitCode ?? server.child.signalCode}) during the run`);
    if (load.unexpected.length > 0)
      problems.push(`unexpected answers: ${load.unexpected.slice(0, 3).join('; ')}`);
    const stoppedCleanly = await stop(server);
    if (!stoppedCleanly) problems.push('the server did not stop within 15 s of SIGTERM');
    const delivering = target;
    const { integrity, result: counts } = await checkPgliteIntegrity(pgdata, (sql) =>
      new Ledger(sql, world.tenantId, world.triggers, delivering).count(load.acked),
    );
    if (integrity.pendingMigrations.length > 0)
      problems.push(`reopened, migrations not applied: ${integrity.pendingMigrations.join(', ')}`);
    problems.push(...integrity.problems.map((p) => `reopened: ${p}`));
    const envelopes = integrity.tables['envelopes'] ?? 0;
    if (envelopes < counts.stored)
      problems.push(`reopened: ${envelopes} envelopes in the table, fewer than ${counts.stored} stored`);
    return summarize(
      { scenario: 'disk-full', rounds: faults.length, recoveries, startedAt },
      counts,
      {
        down_s: downMs / 1000,
        recovery_bound_s: bound / 1000,
        tmpfs_mb: options.sizeMb ?? 160,
        answers_while_unwritable: whileDown,
        rounds: perRound,
        store_states: storeStates,
        drain_s: seconds(drainMs),
        gave_up: load.gaveUp,
        statuses: Object.fromEntries(load.statuses),
        reopened: {
          pending_migrations: integrity.pendingMigrations.length,
          tables: Object.keys(integrity.tables).length,
          envelopes,
          indexes_checked: integrity.indexesChecked,
        },
      },
      problems,
    );
  } finally {
    // The mount first: nothing else here may keep it from being undone.
    if (server !== null) await killHard(server.child);
    await disk?.destroy();
    await target?.close().catch(() => {});
  }
}

/** The store's state changes the server logs (`unwritable` with why, `writable` after how long), as they come. */
function watchStoreStates(server: ServerProcess): Array<Record<string, unknown>> {
  const states: Array<Record<string, unknown>> = [];
  let partial = '';
  server.child.stdout?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.includes('"state":')) continue;
      try {
        const { state, reason, aborted, unwritableMs, reopenMs } = JSON.parse(line) as Record<
          string,
          unknown
        >;
        states.push(
          state === 'unwritable'
            ? { state, reason, aborted }
            : { state, unwritable_s: seconds(Number(unwritableMs)), reopen_s: seconds(Number(reopenMs)) },
        );
      } catch {
        // Not a log line of ours.
      }
    }
  });
  return states;
}

/** SIGTERM, and up to 15 s for the process to exit; SIGKILL after that. Answers whether it exited by itself. */
async function stop(server: ServerProcess): Promise<boolean> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return true;
  const exited = new Promise<boolean>((resolve) => child.once('exit', () => resolve(true)));
  child.kill('SIGTERM');
  const clean = await Promise.race([exited, sleep(15_000).then(() => false)]);
  if (!clean) await killHard(child);
  return clean;
}
