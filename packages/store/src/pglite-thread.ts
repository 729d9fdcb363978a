/**
 * The worker thread that owns an embedded PGlite instance (started by `pglite-client.ts`). PGlite's WASM
 * backend runs a whole statement without yielding; here it does so beside the HTTP thread instead of on it.
 * `workerData.dataDir`: the data directory, or null for an in-memory database.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { unpackTemplate } from './pglite-template.ts';
import { type PgliteReply, type PgliteRequest, toThreadError } from './pglite-thread-protocol.ts';

const port = parentPort;
if (port === null) throw new Error('pglite-thread.ts runs as a worker thread (see pglite-client.ts)');

/** Thrown into PGlite's transaction callback to make it roll back; never reaches the caller. */
const ROLLBACK = Symbol('rollback');

interface OpenTransaction {
  readonly tx: Transaction;
  /** Ends PGlite's transaction callback: resolve commits, reject rolls back. */
  readonly finish: (commit: boolean) => void;
  /** Settles with PGlite's `transaction()`: after the COMMIT or ROLLBACK has run. */
  readonly done: Promise<unknown>;
}

const dataDir = (workerData as { dataDir: string | null }).dataDir;

async function open(): Promise<PGlite> {
  if (dataDir === null) return new PGlite();
  await unpackTemplate(dataDir);
  return new PGlite(dataDir);
}

let db: PGlite;
try {
  db = await open();
  await db.waitReady;
  port.postMessage({ ready: true });
} catch (error) {
  port.postMessage({ ready: false, error: toThreadError(error) });
  process.exit(1);
}

const transactions = new Map<number, OpenTransaction>();
let nextTransaction = 1;

function begin(): Promise<number> {
  const id = nextTransaction++;
  return new Promise((begun, failed) => {
    const done = db.transaction(
      (tx) =>
        new Promise<void>((commit, rollback) => {
          transactions.set(id, {
            tx,
            finish: (ok) => (ok ? commit() : rollback(ROLLBACK)),
            done,
          });
          begun(id);
        }),
    );
    // A BEGIN that failed never ran the callback.
    done.catch((error: unknown) => {
      if (!transactions.has(id)) failed(error);
    });
  });
}

async function end(id: number, commit: boolean): Promise<void> {
  const open = transactions.get(id);
  if (open === undefined) throw new Error(`transaction ${id} is not open`);
  transactions.delete(id);
  open.finish(commit);
  try {
    await open.done;
  } catch (error) {
    if (error !== ROLLBACK) throw error;
  }
}

function target(tx: number | null): PGlite | Transaction {
  if (tx === null) return db;
  const open = transactions.get(tx);
  if (open === undefined) throw new Error(`transaction ${tx} is not open (a statement after its end)`);
  return open.tx;
}

async function handle(request: PgliteRequest): Promise<PgliteReply> {
  switch (request.op) {
    case 'query': {
      const result = await target(request.tx).query(request.text, request.params as unknown[]);
      return { id: request.id, ok: true, rows: result.rows as object[] };
    }
    case 'exec':
      await target(request.tx).exec(request.script);
      return { id: request.id, ok: true };
    case 'begin':
      return { id: request.id, ok: true, tx: await begin() };
    case 'end':
      await end(request.tx, request.commit);
      return { id: request.id, ok: true };
    case 'close':
      if (!db.closed) await db.close();
      return { id: request.id, ok: true };
  }
}

port.on('message', (request: PgliteRequest) => {
  handle(request).then(
    (reply) => port.postMessage(reply),
    (error: unknown) => port.postMessage({ id: request.id, ok: false, error: toThreadError(error) }),
  );
});
