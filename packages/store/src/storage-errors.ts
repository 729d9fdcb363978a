import { SluiceError } from '@sluice/core';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);
// 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now, 53300 too many connections.
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300']);
// Class 53 (insufficient resources: 53100 disk full) and class 58 (system error: 58030 I/O error, 58P01/02
// a file missing or already there): the database cannot write, which is no fault of the request.
const UNWRITABLE_CLASSES = ['53', '58'];
// 42501 is also a missing grant; it means storage only when a data file could not be written.
const FILE_PERMISSION = /could not (create|open|write|extend|fsync|truncate|seek to end of) (file|to file)/i;
// What the operating system says when the data directory cannot take a write.
const UNWRITABLE_MESSAGE = /No space left on device|Read-only file system|Disk quota exceeded/i;

/**
 * True for an embedded database that hit a PANIC: PGlite (PostgreSQL in WASM) turns it into an Emscripten
 * `abort()`, a `RuntimeError: Aborted()`. The instance is dead; calling into it again blocks the thread.
 */
export function isEngineAbort(error: unknown): boolean {
  return error instanceof Error && error.name === 'RuntimeError' && /Aborted\(/.test(error.message);
}

/**
 * True for errors that mean the database's files cannot be written (disk full, read-only file system,
 * a data file that cannot be created or extended, an engine that aborted on one of those), as opposed to
 * a database out of reach or a bad statement.
 */
export function isUnwritable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (isEngineAbort(error)) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && UNWRITABLE_CLASSES.some((prefix) => code.startsWith(prefix))) return true;
  const message = error instanceof Error ? error.message : '';
  if (code === '42501' && FILE_PERMISSION.test(message)) return true;
  if (UNWRITABLE_MESSAGE.test(message)) return true;
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isUnwritable(cause);
}

/** True for errors that mean "the database is not answering", as opposed to a bad statement. */
export function isUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (CONNECTION_CODES.has(code) || UNAVAILABLE_SQLSTATES.has(code) || code.startsWith('08')) return true;
  }
  if (isUnwritable(error)) return true;
  const message = error instanceof Error ? error.message : '';
  if (
    /Connection terminated|connection error|timeout exceeded when trying to connect|Client was closed/i.test(
      message,
    )
  ) {
    return true;
  }
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  const cause = (error as { cause?: unknown }).cause;
  return cause !== undefined && cause !== error && isUnavailable(cause);
}

/** Rewrites an unavailable-database error as `storage_unavailable` (503 with Retry-After); others pass through. */
export function asStorageError(error: unknown, dialect: string): unknown {
  if (error instanceof SluiceError || !isUnavailable(error)) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new SluiceError('storage_unavailable', `The ${dialect} store is unreachable: ${reason}.`, {
    retryAfter: 1,
    cause: error,
  });
}

/** SQLSTATEs worth retrying the whole transaction for. */
export function isRetryableConflict(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '40P01' || code === '40001';
}

/** SQLSTATE class 22 (data exception): a value the database cannot store, such as a NUL character in text. */
export function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('22');
}

/** `cached plan must not change result type`: a migration changed a table under a prepared `SELECT *`. */
export function isStalePlan(error: unknown): boolean {
  return (
    (error as { code?: unknown })?.code === '0A000' && /cached plan/.test(String((error as Error).message))
  );
}
