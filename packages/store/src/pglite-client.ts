import { Worker } from 'node:worker_threads';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import {
  fromThreadError,
  type PgliteReady,
  type PgliteReply,
  type PgliteRequest,
} from './pglite-thread-protocol.ts';
import type { SqlClient, SqlExecutor } from './sql-client.ts';
import { asStorageError } from './storage-errors.ts';

const THREAD = new URL('./pglite-thread.ts', import.meta.url);

/** A request without its id, which the client assigns. */
type Request = PgliteRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/**
 * An embedded PostgreSQL (WASM) `SqlClient`, file-backed under `dataDir` or in memory when omitted.
 * The PGlite instance lives in a worker thread of its own (`pglite-thread.ts`), so its WASM backend runs
 * beside the HTTP thread rather than on it; statements and transactions travel as messages. PGlite has
 * one connection, so transactions run one at a time. A new or empty `dataDir` starts from the shipped
 * template (see `pglite-template.ts`) when there is one, and from initdb otherwise.
 */
export async function createPgliteClient(dataDir?: string): Promise<SqlClient> {
  const worker = new Worker(THREAD, { workerData: { dataDir: dataDir ?? null } });
  const pending = new Map<
    number,
    { resolve: (reply: PgliteReply) => void; reject: (error: Error) => void }
  >();
  let nextId = 1;
  let gone: Error | null = null;

  await new Promise<void>((resolve, reject) => {
    const onExit = (code: number) => reject(new Error(`the PGlite thread exited with ${code} while opening`));
    worker.once('error', reject);
    worker.once('exit', onExit);
    worker.once('message', (ready: PgliteReady) => {
      worker.off('error', reject);
      worker.off('exit', onExit);
      if (ready.ready) resolve();
      else reject(fromThreadError(ready.error));
    });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw asStorageError(error, 'pglite');
  });

  // A thread that died (a crash, out of memory) fails what was asked of it and all that follows, as a
  // lost connection would: SQLSTATE class 08, which `storage-errors.ts` answers with storage_unavailable.
  const fail = (reason: string) => {
    gone = Object.assign(new Error(`Connection terminated: ${reason}`), { code: '08006' });
    for (const { reject } of pending.values()) reject(gone);
    pending.clear();
  };
  worker.on('error', (error) => fail(`the PGlite thread failed: ${error.message}`));
  worker.on('exit', (code) => fail(`the PGlite thread exited with ${code}`));
  worker.unref();
  worker.on('message', (reply: PgliteReply) => {
    const waiting = pending.get(reply.id);
    pending.delete(reply.id);
    // Like a PGlite in this thread, an idle database does not keep the process alive; a pending request does.
    if (pending.size === 0) worker.unref();
    waiting?.resolve(reply);
  });

  const ask = async (request: Request): Promise<PgliteReply & { ok: true }> => {
    if (gone !== null) throw asStorageError(gone, 'pglite');
    const id = nextId++;
    const reply = await new Promise<PgliteReply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ ...request, id });
    }).catch((error: unknown) => {
      throw asStorageError(error, 'pglite');
    });
    if (!reply.ok) throw asStorageError(fromThreadError(reply.error), 'pglite');
    return reply;
  };

  const executor = (tx: number | null): SqlExecutor => ({
    async query<Row extends object>(text: string, params: ReadonlyArray<unknown> = []) {
      const reply = await ask({ op: 'query', tx, text, params });
      return (reply.rows ?? []) as ReadonlyArray<Row>;
    },
    async exec(script: string) {
      await ask({ op: 'exec', tx, script });
    },
  });

  let closing: Promise<void> | null = null;
  return {
    dialect: 'pglite',
    ...executor(null),
    async transaction(work) {
      const { tx } = await ask({ op: 'begin' });
      if (tx === undefined) throw new Error('the PGlite thread began no transaction');
      let result: Awaited<ReturnType<typeof work>>;
      try {
        result = await work(executor(tx));
      } catch (error) {
        await ask({ op: 'end', tx, commit: false }).catch(() => undefined);
        throw error;
      }
      await ask({ op: 'end', tx, commit: true });
      return result;
    },
    close() {
      closing ??= (async () => {
        if (gone === null) await ask({ op: 'close' }).catch(() => undefined);
        await worker.terminate();
      })();
      return closing;
    },
  };
}

/**
 * A `SqlClient` over a PGlite instance that is ready, in this thread; closing the client closes it.
 * For tools that hold the instance themselves (`pglite-template-build.ts`).
 */
export function pgliteClientOf(db: PGlite): SqlClient {
  const executor = (target: PGlite | Transaction): SqlExecutor => ({
    async query<Row extends object>(text: string, params: ReadonlyArray<unknown> = []) {
      try {
        const result = await target.query<Row>(text, params as unknown[]);
        return result.rows;
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

  return {
    dialect: 'pglite',
    ...executor(db),
    transaction: (work) => db.transaction((tx) => work(executor(tx))),
    async close() {
      if (!db.closed) await db.close();
    },
  };
}
