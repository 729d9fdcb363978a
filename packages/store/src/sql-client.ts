/** The little a store needs from a database driver: parameterized queries, scripts and transactions. */
export interface SqlExecutor {
  query<Row extends object = Record<string, unknown>>(
    text: string,
    params?: ReadonlyArray<unknown>,
  ): Promise<ReadonlyArray<Row>>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface SqlClient extends SqlExecutor {
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * Throws `storage_unavailable` unless the store can write now (embedded only: its data directory takes a
   * write). A server's client has none: PostgreSQL answering is its readiness.
   */
  probeWrite?(): Promise<void>;
  /** The engine's name, for messages and metrics. */
  readonly dialect: 'pglite' | 'postgres';
}

/**
 * True when the database runs one transaction at a time (PGlite: one session, every call in turn): a
 * single statement then needs no lock to keep another writer out, since there is none.
 */
export function runsAlone(db: Pick<SqlClient, 'dialect'>): boolean {
  return db.dialect === 'pglite';
}
