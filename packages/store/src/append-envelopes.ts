import {
  type AppendInput,
  type AppendOutcome,
  type AppendResult,
  entityKey,
  newEventId,
  type PreparedEnvelope,
  SluiceError,
} from '@sluice/core';
import type { SqlExecutor } from './sql-client.ts';

const dedupeId = (source: string, key: string): string => `${source}\u0000${key}`;

/**
 * The ingest transaction: lock the connection (which checks its tenant and orders its writers), take the
 * replay key, claim dedupe keys by primary key, then write envelopes and outbox rows. Everything here
 * commits together or not at all; a concurrent writer of the same dedupe key waits on the key's row and
 * then sees it taken, so exactly one envelope exists per live key.
 */
export async function appendEnvelopes(tx: SqlExecutor, input: AppendInput, now: Date): Promise<AppendResult> {
  const { connection, envelopes } = input;
  const [owner] = await tx.query<{ tenant_id: string; status: string }>(
    'SELECT tenant_id, status FROM connections WHERE id = $1 FOR UPDATE',
    [connection.id],
  );
  if (owner === undefined) {
    throw new SluiceError('connection_not_found', `Connection "${connection.id}" does not exist.`);
  }
  if (owner.tenant_id !== connection.tenant_id) {
    throw new SluiceError(
      'tenant_mismatch',
      `Connection "${connection.id}" does not belong to tenant "${connection.tenant_id}".`,
    );
  }
  if (owner.status !== 'active') {
    throw new SluiceError('connection_retired', `Connection "${connection.id}" is retired.`);
  }

  if (input.replay !== undefined) {
    const taken = await tx.query(
      `INSERT INTO webhook_replays (connection_id, replay_key, expires_at) VALUES ($1, $2, $3)
       ON CONFLICT (connection_id, replay_key) DO UPDATE SET expires_at = EXCLUDED.expires_at
       WHERE webhook_replays.expires_at <= $4
       RETURNING 1 AS taken`,
      [connection.id, input.replay.key, input.replay.expiresAt, now],
    );
    if (taken.length === 0) return { status: 'replayed' };
  }

  // The first element with a key claims it; later elements of the same batch are its duplicates.
  const firstIndexOf = new Map<string, number>();
  const claims: Array<{ index: number; event_id: string; source: string; dedupe_key: string }> = [];
  envelopes.forEach((envelope, index) => {
    const id = dedupeId(envelope.source, envelope.dedupe_key);
    if (firstIndexOf.has(id)) return;
    firstIndexOf.set(id, index);
    claims.push({ index, event_id: newEventId(), source: envelope.source, dedupe_key: envelope.dedupe_key });
  });

  const expiresAt = new Date(now.getTime() + input.dedupeWindowMs);
  // Sorted so two batches that share keys lock them in the same order (no deadlock).
  const sorted = [...claims].sort((a, b) =>
    a.source === b.source ? (a.dedupe_key < b.dedupe_key ? -1 : 1) : a.source < b.source ? -1 : 1,
  );
  const claimedRows = await tx.query<{ source: string; dedupe_key: string }>(
    `INSERT INTO dedupe_keys (tenant_id, source, dedupe_key, event_id, expires_at)
     SELECT $1, c.source, c.dedupe_key, c.event_id, $3
       FROM jsonb_to_recordset($2::jsonb) AS c(source text, dedupe_key text, event_id uuid)
     ON CONFLICT (tenant_id, source, dedupe_key) DO UPDATE
       SET event_id = EXCLUDED.event_id, expires_at = EXCLUDED.expires_at
       WHERE dedupe_keys.expires_at <= $4
     RETURNING source, dedupe_key`,
    [connection.tenant_id, JSON.stringify(sorted), expiresAt, now],
  );
  const claimed = new Set(claimedRows.map((row) => dedupeId(row.source, row.dedupe_key)));

  const taken = claims.filter((claim) => !claimed.has(dedupeId(claim.source, claim.dedupe_key)));
  const originalOf = new Map<string, string>();
  if (taken.length > 0) {
    const rows = await tx.query<{ source: string; dedupe_key: string; event_id: string }>(
      `SELECT d.source, d.dedupe_key, d.event_id::text AS event_id
         FROM dedupe_keys d
         JOIN jsonb_to_recordset($2::jsonb) AS c(source text, dedupe_key text)
           ON d.source = c.source AND d.dedupe_key = c.dedupe_key
        WHERE d.tenant_id = $1`,
      [connection.tenant_id, JSON.stringify(taken.map(({ source, dedupe_key }) => ({ source, dedupe_key })))],
    );
    for (const row of rows) originalOf.set(dedupeId(row.source, row.dedupe_key), row.event_id);
  }

  const accepted = claims.filter((claim) => claimed.has(dedupeId(claim.source, claim.dedupe_key)));
  const sequenceOf = new Map<number, number>();
  if (accepted.length > 0) {
    const [counter] = await tx.query<{ next_sequence: string }>(
      'UPDATE connections SET next_sequence = next_sequence + $2 WHERE id = $1 RETURNING next_sequence',
      [connection.id, accepted.length],
    );
    const first = Number(counter?.next_sequence) - accepted.length + 1;
    for (const [offset, claim] of accepted.entries()) sequenceOf.set(claim.index, first + offset);
    await insertEnvelopes(tx, accepted, envelopes, sequenceOf);
  }

  const claimAt = new Map(claims.map((claim) => [claim.index, claim]));
  const outcomes: AppendOutcome[] = envelopes.map((envelope, index) => {
    const id = dedupeId(envelope.source, envelope.dedupe_key);
    const firstIndex = firstIndexOf.get(id) ?? index;
    const sequence = sequenceOf.get(firstIndex);
    const claim = claimAt.get(firstIndex);
    if (firstIndex === index && sequence !== undefined && claim !== undefined) {
      return { status: 'accepted', event_id: claim.event_id, sequence };
    }
    const original = sequence !== undefined ? claim?.event_id : originalOf.get(id);
    if (original === undefined)
      throw new Error(`dedupe key "${envelope.dedupe_key}" vanished mid-transaction`);
    return { status: 'duplicate', event_id: original };
  });
  return { status: 'committed', outcomes };
}

async function insertEnvelopes(
  tx: SqlExecutor,
  accepted: ReadonlyArray<{ index: number; event_id: string }>,
  envelopes: ReadonlyArray<PreparedEnvelope>,
  sequenceOf: ReadonlyMap<number, number>,
): Promise<void> {
  const rows = accepted.map(({ index, event_id }) => {
    const envelope = envelopes[index] as PreparedEnvelope;
    return {
      ...envelope,
      event_id,
      sequence: sequenceOf.get(index),
      entity_key: entityKey(envelope.payload),
    };
  });
  await tx.query(
    `INSERT INTO envelopes (event_id, tenant_id, reseller_id, workspace_id, connection_id, sequence, source,
       event_type, stream, dedupe_key, correlation_id, causation_id, trace_id, occurred_at, received_at, mode,
       schema_version, payload, agent_id, session_id, entity_key)
     SELECT event_id, tenant_id, reseller_id, workspace_id, connection_id, sequence, source, event_type, stream,
       dedupe_key, correlation_id, causation_id, trace_id, occurred_at, received_at, mode, schema_version, payload,
       agent_id, session_id, entity_key
       FROM jsonb_to_recordset($1::jsonb) AS e(event_id uuid, tenant_id text, reseller_id text, workspace_id text,
         connection_id text, sequence bigint, source text, event_type text, stream text, dedupe_key text,
         correlation_id text, causation_id text, trace_id text, occurred_at timestamptz, received_at timestamptz,
         mode text, schema_version text, payload jsonb, agent_id text, session_id text, entity_key text)`,
    [JSON.stringify(rows)],
  );
  const live = rows.filter((row) => row.mode === 'live');
  if (live.length === 0) return;
  await tx.query(
    `INSERT INTO outbox (event_id, tenant_id, connection_id, sequence)
     SELECT event_id, tenant_id, connection_id, sequence
       FROM jsonb_to_recordset($1::jsonb) AS o(event_id uuid, tenant_id text, connection_id text, sequence bigint)
      ORDER BY sequence`,
    [
      JSON.stringify(
        live.map(({ event_id, tenant_id, connection_id, sequence }) => ({
          event_id,
          tenant_id,
          connection_id,
          sequence,
        })),
      ),
    ],
  );
}
