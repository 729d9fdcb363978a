import { isRetryableConflict } from './storage-errors.ts';

/**
 * Runs `work` again when the database broke it off for a deadlock or a serialization failure, up to
 * `attempts` times in all. Only for work that is safe to repeat (a transaction rolled back whole).
 */
export async function withConflictRetry<T>(work: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt < attempts && isRetryableConflict(error)) continue;
      throw error;
    }
  }
}
