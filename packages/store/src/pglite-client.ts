import { PGlite, type Transaction } from '@electric-sql/pglite';
import { SluiceError } from '@sluice/core';
import { PgliteStatements } from './pglite-statements.ts';
import { unpackTemplate } from './pglite-template.ts';
import { probeDirectoryWrite } from './pglite-write-probe.ts';
import type { SqlClient, SqlExecutor } from './sql-client.ts';
import { asStorageError, isEngineAbort, isUnwritable } from './storage-errors.ts';

/** How a file-backed PGlite client waits for its directory to take writes again. */
export interface PgliteRecoveryOptions {
  /** The first wait between write probes, doubled after each failed one up to `maxDelayMs`. */
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Told when the store stops writing (with why) and when it writes again (after a reopen). */
  readonly onStateChange?: (change: PgliteStateChange) => void;
}

export type PgliteStateChange =
  | { readonly state: 'unwritable'; readonly reason: string; readonly aborted: boolean }
  | {
      readonly state: 'writable';
      readonly unwritableMs: number;
      /** Of which closing the old instance and opening the directory again took this long. */
      readonly reopenMs: number;
    };

/**
 * An embedded PostgreSQL (WASM) `SqlClient`, file-backed under `dataDir` or in memory when omitted.
 * PGlite has one connection, so transactions run one at a time. A new or empty `dataDir` starts from the
 * shipped template (see `pglite-template.ts`) when there is one, and from initdb otherwise.
 *
 * A file-backed client survives a data directory that stops taking writes (disk full, read-only file
 * system): see {@link SupervisedPglite}.
 */
export async function createPgliteClient(
  dataDir?: string,
  options: PgliteRecoveryOptions = {},
): Promise<SqlClient> {
  if (dataDir === undefined) {
    const db = new PGlite();
    await db.waitReady;
    return pgliteClientOf(db);
  }
  return new SupervisedPglite(dataDir, await openDataDir(dataDir), options);
}

/**
 * A `SqlClient` over a PGlite instance that is ready; closing the client closes it. Calls outside a
 * transaction wait for the transaction in progress, as PGlite's own `query` does: the named statements
 * (see `PgliteStatements`) take only the instance's query lock, so this client keeps the turns itself.
 */
export function pgliteClientOf(db: PGlite): SqlClient {
  const statements = new PgliteStatements(db);
  const turns = new Turns();
  const executor = (target: PGlite | Transaction): SqlExecutor => ({
    async query<Row extends object>(text: string, params: ReadonlyArray<unknown> = []) {
      try {
        return await statements.run<Row>(target, text, params, target !== db);
      } catch (error) {
        throw asStorageError(error, 'pglite');
      }
    },
    async exec(script: string) {
      try {
        await target.exec(script);
      } catch (error) {
        throw asStorageError(error, 'pglite');
      }
    },
  });
  const outside = executor(db);

  return {
    dialect: 'pglite',
    query: (text, params) => turns.take(() => outside.query(text, params)),
    exec: (script) => turns.take(() => outside.exec(script)),
    transaction: (work) => turns.take(() => db.transaction((tx) => work(executor(tx)))),
    async close() {
      await turns.idle();
      if (!db.closed) await db.close();
    },
  };
}

/**
 * Calls that run one at a time, each once the one before it has settled, in the order they came.
 * `beforeEach` runs between them (the supervised client lets the event loop run there).
 */
class Turns {
  #tail: Promise<unknown> = Promise.resolve();
  readonly #beforeEach: (() => Promise<void>) | undefined;

  constructor(beforeEach?: () => Promise<void>) {
    this.#beforeEach = beforeEach;
  }

  take<T>(call: () => Promise<T>): Promise<T> {
    const before = this.#beforeEach;
    const run = (before === undefined ? this.#tail : this.#tail.then(before)).then(call);
    this.#tail = run.catch(() => {});
    return run;
  }

  /** Settles once every call taken so far has. */
  idle(): Promise<unknown> {
    return this.#tail;
  }
}

async function openDataDir(dataDir: string): Promise<PGlite> {
  await unpackTemplate(dataDir);
  const db = new PGlite(dataDir);
  await db.waitReady;
  return db;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The store's account of why it cannot write, and since when. */
interface Unwritable {
  readonly reason: string;
  readonly since: number;
  /** The engine hit a PANIC (`abort()`): it must never be called again, not even to close it. */
  readonly aborted: boolean;
}

/**
 * A file-backed PGlite that is replaced when its directory stops taking writes.
 *
 * What PGlite does (tried on a small tmpfs): on a full disk, extending a data file fails with an
 * ordinary `53100` error and the instance goes on; on a read-only file system, opening a WAL segment fails
 * with `42501`, and the next WAL write is a PANIC inside a critical section, which PGlite turns into an
 * Emscripten `abort()` (`RuntimeError: Aborted()`). An aborted instance is dead, and any further call
 * into it spins the thread forever (the whole server would stop answering). Even an instance that did not
 * abort was seen to stay broken after the directory was writable again (`could not create file …: File
 * exists`).
 *
 * So after any unwritable-storage failure this client: stops calling the instance, answers every call at
 * once with `storage_unavailable` (503, Retry-After); probes the directory with a real write, backing
 * off from `initialDelayMs` to `maxDelayMs`; once one succeeds, closes the old instance (an aborted one
 * is dropped instead) and opens the directory again, where PostgreSQL's crash recovery replays the WAL
 * to the last commit. Calls are serialized here rather than inside PGlite, so that a call waiting its turn
 * finds out the instance is gone before it calls into it; transactions are BEGIN/COMMIT here for the same
 * reason (PGlite's own would ROLLBACK into an aborted instance).
 */
export class SupervisedPglite implements SqlClient {
  readonly dialect = 'pglite' as const;
  readonly #dataDir: string;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #onStateChange: (change: PgliteStateChange) => void;
  #db: PGlite;
  /** The named statements of `#db`, which a reopen replaces with its own. */
  #statements: PgliteStatements;
  #unwritable: Unwritable | null = null;
  #recovery: Promise<void> | null = null;
  #closed = false;
  /**
   * The queue of calls, which lets the event loop run before each. PGlite's calls are synchronous under
   * their promises: a queue of them ran back to back in microtasks, and no socket was read until it
   * emptied (under the embedded bench the event loop's delay was 22–26 ms at its median, and webhooks
   * waited up to half a second at the 99th percentile; with the turn, 7 ms and 47–68 ms). Statements
   * inside a transaction run without it, so a transaction holds the engine no longer than its own work.
   */
  readonly #turns = new Turns(() => new Promise<void>((resolve) => setImmediate(resolve)));

  constructor(dataDir: string, db: PGlite, options: PgliteRecoveryOptions = {}) {
    this.#dataDir = dataDir;
    this.#db = db;
    this.#statements = new PgliteStatements(db);
    this.#initialDelayMs = options.initialDelayMs ?? 100;
    this.#maxDelayMs = options.maxDelayMs ?? 500;
    this.#onStateChange = options.onStateChange ?? (() => {});
  }

  query<Row extends object = Record<string, unknown>>(
    text: string,
    params: ReadonlyArray<unknown> = [],
  ): Promise<ReadonlyArray<Row>> {
    return this.#turns.take(() => this.#query<Row>(text, params, false));
  }

  exec(script: string): Promise<void> {
    return this.#turns.take(() => this.#exec(script));
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.#turns.take(async () => {
      await this.#exec('BEGIN');
      let open = true;
      const tx: SqlExecutor = {
        query: async <Row extends object>(text: string, params: ReadonlyArray<unknown> = []) => {
          if (!open) throw new Error('the transaction is over');
          return this.#query<Row>(text, params, true);
        },
        exec: async (script: string) => {
          if (!open) throw new Error('the transaction is over');
          return this.#exec(script);
        },
      };
      try {
        const result = await work(tx);
        open = false;
        await this.#exec('COMMIT');
        return result;
      } catch (error) {
        open = false;
        // A store that stopped writing is reopened instead: the transaction dies with the old instance.
        if (this.#unwritable === null) await this.#exec('ROLLBACK').catch(() => {});
        throw error;
      }
    });
  }

  /**
   * Throws `storage_unavailable` unless the store can write now: its last write did not fail, and a write
   * to its data directory succeeds (a full disk is found before the next ingest fails on it).
   */
  async probeWrite(): Promise<void> {
    this.#assertWritable();
    try {
      await probeDirectoryWrite(this.#dataDir);
    } catch (error) {
      this.#fail(error);
      this.#assertWritable();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#recovery;
    await this.#turns.take(async () => {
      if (this.#unwritable?.aborted !== true && !this.#db.closed) await this.#db.close();
    });
  }

  async #query<Row extends object>(
    text: string,
    params: ReadonlyArray<unknown>,
    inTransaction: boolean,
  ): Promise<ReadonlyArray<Row>> {
    this.#assertWritable();
    try {
      return await this.#statements.run<Row>(this.#db, text, params, inTransaction);
    } catch (error) {
      throw this.#failure(error);
    }
  }

  async #exec(script: string): Promise<void> {
    this.#assertWritable();
    try {
      await this.#db.exec(script);
    } catch (error) {
      throw this.#failure(error);
    }
  }

  /** What a failed call throws: `storage_unavailable` when the directory cannot be written, else the error. */
  #failure(error: unknown): unknown {
    if (!isUnwritable(error)) return asStorageError(error, 'pglite');
    this.#fail(error);
    return this.#refusal(error);
  }

  #assertWritable(): void {
    if (this.#unwritable !== null) throw this.#refusal();
    if (this.#closed)
      throw new SluiceError('storage_unavailable', 'The pglite store is closed.', { retryAfter: 1 });
  }

  #refusal(cause?: unknown): SluiceError {
    const reason = this.#unwritable?.reason ?? 'unknown';
    return new SluiceError(
      'storage_unavailable',
      `The pglite store cannot write its data directory ${this.#dataDir} (${reason}); it reopens the ` +
        'directory as soon as a write there succeeds. Free space or make the directory writable.',
      { retryAfter: 1, ...(cause === undefined ? {} : { cause }) },
    );
  }

  /** Marks the store unwritable and starts the recovery, once per outage. */
  #fail(error: unknown): void {
    if (this.#unwritable !== null) return;
    const reason = error instanceof Error ? error.message : String(error);
    const aborted = isEngineAbort(error);
    this.#unwritable = { reason, since: Date.now(), aborted };
    this.#onStateChange({ state: 'unwritable', reason, aborted });
    this.#recovery = this.#recover().finally(() => {
      this.#recovery = null;
    });
  }

  /** Probes the directory with capped backoff; once it takes a write, swaps in a new instance. */
  async #recover(): Promise<void> {
    const unwritable = this.#unwritable;
    if (unwritable === null) return;
    for (let delay = this.#initialDelayMs; !this.#closed; delay = Math.min(delay * 2, this.#maxDelayMs)) {
      await sleep(delay);
      if (this.#closed) return;
      const started = Date.now();
      const reopened = await probeDirectoryWrite(this.#dataDir).then(
        () => this.#reopen(unwritable.aborted),
        () => false,
      );
      if (reopened) {
        this.#unwritable = null;
        const now = Date.now();
        this.#onStateChange({
          state: 'writable',
          unwritableMs: now - unwritable.since,
          reopenMs: now - started,
        });
        return;
      }
    }
  }

  /** Closes (or, aborted, drops) the old instance and opens the directory again; false if it would not open. */
  #reopen(aborted: boolean): Promise<boolean> {
    return this.#turns.take(async () => {
      if (!aborted && !this.#db.closed) await this.#db.close().catch(() => {});
      try {
        this.#db = await openDataDir(this.#dataDir);
        this.#statements = new PgliteStatements(this.#db);
        return true;
      } catch {
        return false;
      }
    });
  }
}
