import type { AppendInput } from '@sluice/core';
import { appendGroup } from './append-group.ts';
import type { SqlExecutor } from './sql-client.ts';

/**
 * Appends the platform events that report a state change inside that change's transaction, so both
 * commit or neither does. A fact that cannot be written fails the whole change.
 */
export async function appendFacts(
  tx: SqlExecutor,
  facts: ReadonlyArray<AppendInput> | undefined,
  now: Date,
): Promise<void> {
  if (facts === undefined || facts.length === 0) return;
  for (const item of await appendGroup(tx, facts, now)) {
    // Not the caller's mistake: whatever refused the fact, the change fails as an internal error.
    if (!item.ok) {
      const reason = item.error instanceof Error ? item.error.message : String(item.error);
      throw new Error(`a platform event could not be written with its change: ${reason}`, {
        cause: item.error,
      });
    }
    if (item.result.status !== 'committed') {
      throw new Error(`a platform event could not be written with its change (${item.result.status})`);
    }
  }
}
