/**
 * The messages between a `SqlClient` and the worker thread that owns its PGlite instance
 * (`pglite-thread.ts`). Every request carries an id and gets exactly one reply with that id.
 * A transaction is a `begin`, the statements that name its id, then an `end` that commits or rolls back.
 */
export type PgliteRequest =
  | {
      readonly id: number;
      readonly op: 'query';
      readonly tx: number | null;
      readonly text: string;
      readonly params: ReadonlyArray<unknown>;
    }
  | { readonly id: number; readonly op: 'exec'; readonly tx: number | null; readonly script: string }
  | { readonly id: number; readonly op: 'begin' }
  | { readonly id: number; readonly op: 'end'; readonly tx: number; readonly commit: boolean }
  | { readonly id: number; readonly op: 'close' };

export type PgliteReply =
  | { readonly id: number; readonly ok: true; readonly rows?: ReadonlyArray<object>; readonly tx?: number }
  | { readonly id: number; readonly ok: false; readonly error: ThreadError };

/** What the worker sends once its database is open, or why it could not open it. */
export type PgliteReady = { readonly ready: true } | { readonly ready: false; readonly error: ThreadError };

/**
 * An error as it crosses the thread: structured clone keeps an Error's message but drops its own fields,
 * and the SQLSTATE `code` (with `detail`, `constraint`, …) is what `storage-errors.ts` classifies by.
 */
export interface ThreadError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly fields: Readonly<Record<string, string | number>>;
}

export function toThreadError(error: unknown): ThreadError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), fields: {} };
  const fields: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number') fields[key] = value;
  }
  return {
    name: error.name,
    message: error.message,
    ...(error.stack === undefined ? {} : { stack: error.stack }),
    fields,
  };
}

/** The error again, on this side of the thread: an `Error` with the same message, name and fields. */
export function fromThreadError(thrown: ThreadError): Error {
  const error = Object.assign(new Error(thrown.message), thrown.fields);
  Object.defineProperty(error, 'name', { value: thrown.name, enumerable: false, configurable: true });
  if (thrown.stack !== undefined) error.stack = thrown.stack;
  return error;
}
