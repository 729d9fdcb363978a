import { type DeadLetter, type NewDeadLetter, newId } from '@sluice/core';
import { toDeadLetter } from './row-mappers.ts';
import type { SqlExecutor } from './sql-client.ts';

/**
 * Inserts one dead letter inside the caller's transaction, so it commits with the change that made it
 * (an ingest failure's platform event, a job's final state).
 */
export async function insertDeadLetter(tx: SqlExecutor, input: NewDeadLetter): Promise<DeadLetter> {
  const [row] = await tx.query(
    `INSERT INTO dead_letters (id, tenant_id, kind, job_id, connector, connection_id, event_payload,
       error_message, error_context)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING *`,
    [
      input.id ?? newId('deadLetter'),
      input.tenant_id,
      input.kind ?? 'ingest',
      input.job_id ?? null,
      input.connector,
      input.connection_id,
      JSON.stringify(input.event_payload),
      input.error_message,
      JSON.stringify(input.error_context),
    ],
  );
  return toDeadLetter(row as Record<string, unknown>);
}

/**
 * Stores a job's dead letter inside the caller's transaction. A job has one dead letter: when it failed
 * before and was replayed, that dead letter is pending again with the new error, keeping its id, its
 * creation time and its `retry_count`, so a replay policy's limit holds across failures.
 */
export async function upsertJobDeadLetter(
  tx: SqlExecutor,
  input: NewDeadLetter & { readonly job_id: string },
): Promise<DeadLetter> {
  const [row] = await tx.query(
    `INSERT INTO dead_letters (id, tenant_id, kind, job_id, connector, connection_id, event_payload,
       error_message, error_context)
     VALUES ($1, $2, 'job', $3, $4, $5, $6, $7, $8)
     ON CONFLICT (tenant_id, job_id) WHERE job_id IS NOT NULL DO UPDATE
       SET status = 'pending', event_payload = EXCLUDED.event_payload,
           error_message = EXCLUDED.error_message, error_context = EXCLUDED.error_context
     RETURNING *`,
    [
      input.id ?? newId('deadLetter'),
      input.tenant_id,
      input.job_id,
      input.connector,
      input.connection_id,
      JSON.stringify(input.event_payload),
      input.error_message,
      JSON.stringify(input.error_context),
    ],
  );
  return toDeadLetter(row as Record<string, unknown>);
}
