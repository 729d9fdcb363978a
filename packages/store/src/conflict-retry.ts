import { isRetryableConflict } from './storage-errors.ts';

/**
 * Runs `work` again when the database broke it off for a deadlock or a serialization failure, up to
 * `attempts` times in all. Only for work that is safe to repeat (a transaction rolled back whole).
 */
export async function withConflictRetry<T>(
  work: () => Promise<T>,
  attempts = 3,
  retryable: (error: unknown) => boolean = isRetryableConflict,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt < attempts && retryable(error)) continue;
      throw error;
    }
  }
}

/**
 * A claim that raced a change of an entity's next job into `jobs_single_flight` (the database refusing a
 * second running job of the entity) is rolled back whole, and the next try reads the change.
 */
export function isSingleFlightRace(error: unknown): boolean {
  if (isRetryableConflict(error)) return true;
  const { code, constraint, message } = (error ?? {}) as {
    code?: unknown;
    constraint?: unknown;
    message?: unknown;
  };
  return (
    code === '23505' &&
    (constraint === 'jobs_single_flight' || String(message).includes('jobs_single_flight'))
  );
}
