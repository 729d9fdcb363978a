import type { SqlClient, SqlExecutor } from '../sql-client.ts';

/** A client whose transactions stop at a gate: `reached` resolves there, `release` lets them go on. */
export interface GatedClient {
  readonly client: SqlClient;
  readonly reached: Promise<void>;
  release(): void;
}

/**
 * Wraps `client` so every transaction waits at a gate, to interleave writers in a test:
 * - `before-commit`: the transaction does its work, then waits before it commits;
 * - `first-write`: it takes its transaction id at once (as a first write would), then waits before its work.
 * A statement run alone (a webhook group's append is one) runs as a transaction of that one statement, so
 * it stops at the gate too.
 */
export function gatedClient(client: SqlClient, gate: 'before-commit' | 'first-write'): GatedClient {
  let reached!: () => void;
  let release!: () => void;
  const reachedGate = new Promise<void>((resolve) => {
    reached = resolve;
  });
  const opened = new Promise<void>((resolve) => {
    release = resolve;
  });
  const stop = async (): Promise<void> => {
    reached();
    await opened;
  };
  const transaction = <T>(work: (tx: SqlExecutor) => Promise<T>) =>
    client.transaction(async (tx) => {
      if (gate === 'first-write') {
        await tx.query('SELECT pg_current_xact_id()');
        await stop();
        return work(tx);
      }
      const result = await work(tx);
      await stop();
      return result;
    });
  return {
    reached: reachedGate,
    release,
    client: {
      dialect: client.dialect,
      query: (text, params) => transaction((tx) => tx.query(text, params)),
      exec: (script) => client.exec(script),
      close: () => client.close(),
      transaction,
    },
  };
}
