import type { SweepResult } from '@sluice/core';
import type { SqlClient } from './sql-client.ts';

/** Housekeeping: expired dedupe and replay keys out, old pending dead letters expired. */
export async function sweepExpired(
  db: SqlClient,
  now: Date,
  deadLettersBefore: Date,
  limit: number,
): Promise<SweepResult> {
  const dedupe = await db.query(
    `DELETE FROM dedupe_keys WHERE (tenant_id, source, dedupe_key) IN (
       SELECT tenant_id, source, dedupe_key FROM dedupe_keys WHERE expires_at <= $1 LIMIT $2)
     RETURNING 1`,
    [now, limit],
  );
  const replays = await db.query(
    `DELETE FROM webhook_replays WHERE (connection_id, replay_key) IN (
       SELECT connection_id, replay_key FROM webhook_replays WHERE expires_at <= $1 LIMIT $2)
     RETURNING 1`,
    [now, limit],
  );
  const expired = await db.query(
    `UPDATE dead_letters SET status = 'expired' WHERE id IN (
       SELECT id FROM dead_letters WHERE status = 'pending' AND created_at < $1 LIMIT $2)
     RETURNING 1`,
    [deadLettersBefore, limit],
  );
  return {
    dedupe_keys: dedupe.length,
    webhook_replays: replays.length,
    dead_letters_expired: expired.length,
  };
}
