import type { AppendInput, AppendResult } from '@sluice/core';
import type { SqlExecutor } from './sql-client.ts';

const keyOf = (tenant: string, source: string, key: string): string => `${tenant}\u0000${source}\u0000${key}`;

/**
 * For inputs that dedupe against the log (backfills): the stored envelope of each of their keys that the
 * log still holds, however long ago its dedupe window closed. One statement over the `envelopes_dedupe`
 * index. Keyed like the group's claims.
 */
export async function storedDuplicates(
  tx: SqlExecutor,
  inputs: ReadonlyArray<AppendInput>,
): Promise<Map<string, string>> {
  const wanted = new Map<string, { tenant_id: string; source: string; dedupe_key: string }>();
  inputs.forEach((input) => {
    if (input.dedupeAgainstLog !== true) return;
    for (const envelope of input.envelopes) {
      const tenant = input.connection.tenant_id;
      wanted.set(keyOf(tenant, envelope.source, envelope.dedupe_key), {
        tenant_id: tenant,
        source: envelope.source,
        dedupe_key: envelope.dedupe_key,
      });
    }
  });
  const found = new Map<string, string>();
  if (wanted.size === 0) return found;
  const rows = await tx.query<{ tenant_id: string; source: string; dedupe_key: string; event_id: string }>(
    `SELECT DISTINCT ON (e.tenant_id, e.source, e.dedupe_key)
            e.tenant_id, e.source, e.dedupe_key, e.event_id::text AS event_id
       FROM jsonb_to_recordset($1::jsonb) AS k(tenant_id text, source text, dedupe_key text)
       JOIN envelopes e ON e.tenant_id = k.tenant_id AND e.source = k.source AND e.dedupe_key = k.dedupe_key
      ORDER BY e.tenant_id, e.source, e.dedupe_key, e.event_id`,
    [JSON.stringify([...wanted.values()])],
  );
  for (const row of rows) found.set(keyOf(row.tenant_id, row.source, row.dedupe_key), row.event_id);
  return found;
}

/**
 * Writes each live input's record hashes (a sighting refreshes the TTL and stamps the pass's generation)
 * and, after a complete snapshot, deletes the stream's hashes the pass did not stamp.
 */
export async function writeRecordHashes(
  tx: SqlExecutor,
  inputs: ReadonlyArray<AppendInput>,
  refused: ReadonlyArray<boolean>,
): Promise<void> {
  for (const [index, input] of inputs.entries()) {
    const hashes = input.hashes;
    if (hashes === undefined || refused[index]) continue;
    const { tenant_id: tenantId, id: connectionId } = input.connection;
    if (hashes.records.length > 0) {
      const rows = [...new Map(hashes.records.map((r) => [r.record_id, r])).values()]
        .sort((a, b) => (a.record_id < b.record_id ? -1 : a.record_id > b.record_id ? 1 : 0))
        .map((r) => ({ record_id: r.record_id, hash: r.hash, record: r.record ?? null }));
      await tx.query(
        `INSERT INTO record_hashes (tenant_id, connection_id, stream, record_id, hash, generation, record, expires_at)
         SELECT $1, $2, $3, r.record_id, r.hash, $4, r.record, $5
           FROM jsonb_to_recordset($6::jsonb) AS r(record_id text, hash text, record jsonb)
         ON CONFLICT (connection_id, stream, record_id) DO UPDATE
           SET hash = EXCLUDED.hash, generation = EXCLUDED.generation, record = EXCLUDED.record,
               expires_at = EXCLUDED.expires_at`,
        [tenantId, connectionId, hashes.stream, hashes.generation, hashes.expiresAt, JSON.stringify(rows)],
      );
    }
    if (hashes.sweep === true) {
      await tx.query(
        `DELETE FROM record_hashes
          WHERE tenant_id = $1 AND connection_id = $2 AND stream = $3 AND generation <> $4`,
        [tenantId, connectionId, hashes.stream, hashes.generation],
      );
    }
  }
}

/** Adds each committed backfill page's counts to its backfill, in the page's transaction. */
export async function addBackfillCounts(
  tx: SqlExecutor,
  inputs: ReadonlyArray<AppendInput>,
  results: ReadonlyArray<{ readonly ok: boolean; readonly result?: AppendResult } | undefined>,
  now: Date,
): Promise<void> {
  for (const [index, input] of inputs.entries()) {
    const item = results[index];
    if (input.backfill === undefined || item?.ok !== true || item.result?.status !== 'committed') continue;
    const outcomes = item.result.outcomes;
    const emitted = outcomes.filter((o) => o.status === 'accepted').length;
    await tx.query(
      `UPDATE backfills SET counts = jsonb_build_object(
         'pages', COALESCE((counts->>'pages')::bigint, 0) + 1,
         'records', COALESCE((counts->>'records')::bigint, 0) + $3,
         'emitted', COALESCE((counts->>'emitted')::bigint, 0) + $4,
         'duplicates', COALESCE((counts->>'duplicates')::bigint, 0) + $5), updated_at = $6
       WHERE tenant_id = $1 AND id = $2`,
      [
        input.connection.tenant_id,
        input.backfill.id,
        input.backfill.records,
        emitted,
        outcomes.length - emitted,
        now,
      ],
    );
  }
}
