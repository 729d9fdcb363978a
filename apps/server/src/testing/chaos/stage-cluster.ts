import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateApiKey } from '@sluice/control';
import { createPostgresClient, type SqlClient, SqlStores } from '@sluice/store';
import { killHard, type ServerProcess, startServerProcess } from '../server-process.ts';

/** The stage workers a chaos scenario runs as processes of their own. */
export type StageKind = 'receiver' | 'relay' | 'router' | 'executor' | 'scheduler';

/** One running process; `current` changes when it is restarted. */
export interface StageSlot {
  /** The stages it runs, as SLUICE_WORKERS says them: `relay` or `relay,router,executor`. */
  readonly kind: string;
  current: ServerProcess;
}

export interface StageClusterOptions {
  /** A PostgreSQL URL; the cluster makes a schema of its own in it and drops it at the end. */
  readonly databaseUrl: string;
  /** The bus; without it a process that runs both relay and router uses the in-process bus. */
  readonly redisUrl?: string;
  /** How many processes of each stage, one stage each. */
  readonly counts?: Readonly<Partial<Record<StageKind, number>>>;
  /** Instead of `counts`: the processes by the stages each runs, such as `['receiver', 'relay,router,executor']`. */
  readonly layout?: ReadonlyArray<string>;
  /** Extra environment for every process. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Sluice in server mode split by stage: each stage in processes of its own over one PostgreSQL schema and
 * one Redis, each of which a scenario may SIGKILL and start again.
 */
export class StageCluster {
  readonly slots: StageSlot[] = [];
  private readonly cleanups: Array<() => Promise<void>> = [];
  private env: Record<string, string> = {};
  /** A client on the cluster's schema, for what the scenario checks at rest. */
  sql!: SqlClient;
  store!: SqlStores;

  private readonly options: StageClusterOptions;

  private constructor(options: StageClusterOptions) {
    this.options = options;
  }

  static async start(options: StageClusterOptions): Promise<StageCluster> {
    const cluster = new StageCluster(options);
    try {
      await cluster.boot();
    } catch (error) {
      await cluster.close();
      throw error;
    }
    return cluster;
  }

  private async boot(): Promise<void> {
    const { databaseUrl, redisUrl } = this.options;
    const schema = `sluice_chaos_${randomBytes(4).toString('hex')}`;
    const admin = createPostgresClient({ connectionString: databaseUrl, max: 1 });
    await admin.exec(`CREATE SCHEMA ${schema}`);
    this.cleanups.push(async () => {
      await admin.exec(`DROP SCHEMA ${schema} CASCADE`).catch(() => {});
      await admin.close();
    });
    this.sql = createPostgresClient({ connectionString: databaseUrl, schema, max: 4 });
    this.cleanups.push(() => this.sql.close());
    this.store = new SqlStores(this.sql);
    const url = new URL(databaseUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    this.env = {
      SLUICE_DATABASE_URL: url.toString(),
      SLUICE_SECRET_KEY: randomBytes(32).toString('base64'),
      ...(redisUrl === undefined ? {} : { SLUICE_REDIS_URL: redisUrl }),
      SLUICE_DEV: '0',
      SLUICE_ALLOW_PRIVATE_TARGETS: '1',
      SLUICE_LOG_LEVEL: 'error',
      ...this.options.env,
    };
    const counts = this.options.counts;
    const order: StageKind[] = ['receiver', 'relay', 'router', 'executor', 'scheduler'];
    const layout =
      this.options.layout ??
      order.flatMap((kind) => Array.from({ length: counts?.[kind] ?? 0 }, () => kind as string));
    if (layout.length === 0) throw new Error('a cluster needs at least one process');
    // One at a time: the first runs the migrations, and a loaded machine starts them no faster at once.
    for (const kind of layout) this.slots.push({ kind, current: await this.spawn(kind) });
  }

  private async spawn(kind: string): Promise<ServerProcess> {
    const name = kind.replaceAll(',', '-');
    const dataDir = await mkdtemp(join(tmpdir(), `sluice-chaos-${name}-`));
    this.cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    // A loaded machine can take longer than the tests' 30 s to start a process; a start is not the fault under test.
    return startServerProcess({ ...this.env, SLUICE_WORKERS: kind, SLUICE_DATA_DIR: dataDir }, 120_000);
  }

  /** The processes that run one stage. */
  of(kind: StageKind): StageSlot[] {
    return this.slots.filter((slot) => slot.kind.split(',').includes(kind));
  }

  /** The base URLs of the receivers that are up now. */
  receiverUrls(): string[] {
    return this.of('receiver')
      .filter((slot) => slot.current.child.exitCode === null && slot.current.child.signalCode === null)
      .map((slot) => slot.current.url);
  }

  /**
   * The last `lines` lines each process printed since it listened (warnings and errors at the default log
   * level), by its stages: what a failed scenario reports, since a stage that stalls says why only there.
   */
  recentLogs(lines = 20): Record<string, string[]> {
    return Object.fromEntries(
      this.slots.map((slot, i) => [
        `${i}:${slot.kind}`,
        slot.current.recent().split('\n').filter(Boolean).slice(-lines),
      ]),
    );
  }

  /**
   * What the database is doing, for a stalled scenario's report: the jobs by status, and every other
   * busy session's state, wait and statement (a lock held by a transaction left open shows here).
   */
  async activity(): Promise<{ jobs: unknown; sessions: unknown }> {
    const [jobs, sessions] = await Promise.all([
      this.sql
        .query(`SELECT status, count(*)::int AS n FROM jobs GROUP BY status ORDER BY status`)
        .catch((error: unknown) => String(error)),
      this.sql
        .query(
          `SELECT application_name, state, wait_event_type, wait_event,
                  round(extract(epoch FROM now() - xact_start)::numeric, 1)::text AS xact_s, left(query, 160) AS query
             FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend' AND state <> 'idle'
            ORDER BY xact_start NULLS LAST`,
        )
        .catch((error: unknown) => String(error)),
    ]);
    return { jobs, sessions };
  }

  /** SIGKILLs the slot's process. */
  kill(slot: StageSlot): Promise<void> {
    return killHard(slot.current.child);
  }

  /** Starts the slot's stage again in a new process. */
  async restart(slot: StageSlot): Promise<void> {
    slot.current = await this.spawn(slot.kind);
  }

  /** A tenant with an API key, made in the store (no receiver needs to be up). */
  async tenant(
    name: string,
  ): Promise<{ id: string; auth: { authorization: string; 'content-type': string } }> {
    const tenant = await this.store.tenancy.createTenant({ name });
    const { key, prefix, hash } = generateApiKey();
    await this.store.tenancy.createApiKey({ tenant_id: tenant.id, name: 'chaos', prefix, hash });
    return { id: tenant.id, auth: { authorization: `Bearer ${key}`, 'content-type': 'application/json' } };
  }

  async close(): Promise<void> {
    for (const slot of this.slots) await killHard(slot.current.child);
    for (const cleanup of this.cleanups.reverse()) await cleanup();
  }
}
