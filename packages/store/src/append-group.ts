import {
  type AppendInput,
  type AppendOutcome,
  type AppendResult,
  entityKey,
  newEventId,
  type PreparedEnvelope,
  SluiceError,
} from '@sluice/core';
import { addBackfillCounts, storedDuplicates, writeRecordHashes } from './append-poll-state.ts';
import type { SqlExecutor } from './sql-client.ts';

/** What one input of a group ended in: its result, or the error that refused it alone. */
export type GroupItemResult =
  | { readonly ok: true; readonly result: AppendResult }
  | { readonly ok: false; readonly error: unknown };

/** An element that would claim its dedupe key if its input is live and no earlier live element has it. */
interface Claim {
  readonly input: number;
  readonly element: number;
  readonly event_id: string;
}

const keyOf = (tenant: string, source: string, key: string): string => `${tenant}\u0000${source}\u0000${key}`;

/** Whether a group writes anything besides the one ingest statement (poll and backfill pages do). */
export function needsTransaction(inputs: ReadonlyArray<AppendInput>): boolean {
  return inputs.some(
    (input) =>
      input.cursor !== undefined ||
      input.hashes !== undefined ||
      input.backfill !== undefined ||
      input.dedupeAgainstLog === true,
  );
}

/**
 * The ingest statement (see `appendGroup`). `$1` is one row per input, `$2` one claim per candidate
 * element, `$3` the transaction's time, `$4` the candidates' envelopes (text, parsed only when something
 * was accepted: a group of duplicates never parses its payloads). Its one result set names, row by row, what
 * the caller needs: each connection (`owner`), each live input whose replay key, if any, was fresh
 * (`fresh`), each accepted envelope's sequence (`accepted`), and the original of each key this statement
 * did not win (`original`) when its snapshot shows that key live: one taken while the statement ran is not
 * in its snapshot, and is read afterwards. The UNION ALL branches run in order, so the connections are locked
 * first, then replay keys, then dedupe keys (each sorted).
 */
const INGEST = `WITH given AS MATERIALIZED (
  SELECT * FROM jsonb_to_recordset($1::jsonb)
    AS i(input int, connection_id text, tenant_id text, replay_key text, replay_expires_at timestamptz)
), owners AS MATERIALIZED (
  SELECT id, tenant_id, status FROM connections WHERE id IN (SELECT connection_id FROM given)
   ORDER BY id FOR UPDATE
), live AS MATERIALIZED (
  SELECT g.* FROM given g JOIN owners o ON o.id = g.connection_id AND o.tenant_id = g.tenant_id
   WHERE o.status = 'active'
), first_replays AS MATERIALIZED (
  SELECT DISTINCT ON (connection_id, replay_key) input, connection_id, replay_key, replay_expires_at FROM live
   WHERE replay_key IS NOT NULL ORDER BY connection_id, replay_key, input
), replays AS (
  INSERT INTO webhook_replays (connection_id, replay_key, expires_at)
  SELECT connection_id, replay_key, replay_expires_at FROM first_replays ORDER BY connection_id, replay_key
  ON CONFLICT (connection_id, replay_key) DO UPDATE SET expires_at = EXCLUDED.expires_at
   WHERE webhook_replays.expires_at <= $3
  RETURNING connection_id, replay_key
), fresh AS MATERIALIZED (
  SELECT input FROM live WHERE replay_key IS NULL
  UNION ALL
  SELECT f.input FROM first_replays f JOIN replays r USING (connection_id, replay_key)
), candidates AS MATERIALIZED (
  SELECT DISTINCT ON (g.tenant_id, c.source, c.dedupe_key) c.input, c.element, c.event_id, c.source,
    c.dedupe_key, c.expires_at, g.tenant_id, g.connection_id
    FROM jsonb_to_recordset($2::jsonb)
      AS c(input int, element int, event_id uuid, source text, dedupe_key text, expires_at timestamptz)
    JOIN given g ON g.input = c.input
   WHERE c.input IN (SELECT input FROM fresh)
   ORDER BY g.tenant_id, c.source, c.dedupe_key, c.input, c.element
), won AS (
  INSERT INTO dedupe_keys (tenant_id, source, dedupe_key, event_id, expires_at)
  SELECT tenant_id, source, dedupe_key, event_id, expires_at FROM candidates
   ORDER BY tenant_id, source, dedupe_key
  ON CONFLICT (tenant_id, source, dedupe_key) DO UPDATE
    SET event_id = EXCLUDED.event_id, expires_at = EXCLUDED.expires_at
    WHERE dedupe_keys.expires_at <= $3
  RETURNING event_id
), accepted AS MATERIALIZED (
  SELECT c.*, row_number() OVER (PARTITION BY c.connection_id ORDER BY c.input, c.element) AS ordinal
    FROM candidates c WHERE c.event_id IN (SELECT event_id FROM won)
), counts AS (
  SELECT connection_id, count(*) AS n FROM accepted GROUP BY connection_id
), advanced AS (
  UPDATE connections c SET next_sequence = c.next_sequence + counts.n FROM counts
   WHERE c.id = counts.connection_id
  RETURNING c.id, c.next_sequence - counts.n AS base
), rows AS MATERIALIZED (
  SELECT a.event_id, a.tenant_id, a.connection_id, v.base + a.ordinal AS sequence, a.source, a.dedupe_key,
    e.reseller_id, e.workspace_id, e.event_type, e.stream, e.correlation_id, e.causation_id, e.trace_id,
    e.occurred_at, e.received_at, e.mode, e.schema_version, e.payload, e.agent_id, e.session_id, e.entity_key,
    e.origin, e.cloudevent, e.traceparent
    FROM accepted a JOIN advanced v ON v.id = a.connection_id
    JOIN jsonb_to_recordset(CASE WHEN EXISTS (SELECT 1 FROM accepted) THEN $4::text::jsonb ELSE '[]' END)
      AS e(event_id uuid, reseller_id text, workspace_id text, event_type text, stream text, correlation_id text,
        causation_id text, trace_id text, occurred_at timestamptz, received_at timestamptz, mode text,
        schema_version text, payload jsonb, agent_id text, session_id text, entity_key text, origin text,
        cloudevent jsonb, traceparent text)
      ON e.event_id = a.event_id
), stored AS (
  INSERT INTO envelopes (event_id, tenant_id, reseller_id, workspace_id, connection_id, sequence, source,
    event_type, stream, dedupe_key, correlation_id, causation_id, trace_id, occurred_at, received_at, mode,
    schema_version, payload, agent_id, session_id, entity_key, cloudevent)
  SELECT event_id, tenant_id, reseller_id, workspace_id, connection_id, sequence, source, event_type, stream,
    dedupe_key, correlation_id, causation_id, trace_id, occurred_at, received_at, mode, schema_version, payload,
    agent_id, session_id, entity_key, cloudevent
    FROM rows ORDER BY connection_id, sequence
), queued AS (
  INSERT INTO outbox (event_id, tenant_id, connection_id, sequence, origin, traceparent)
  SELECT event_id, tenant_id, connection_id, sequence, origin, traceparent FROM rows WHERE mode = 'live'
   ORDER BY connection_id, sequence
)
SELECT 'owner' AS kind, id AS a, tenant_id AS b, status AS c FROM owners
UNION ALL SELECT 'fresh', input::text, NULL, NULL FROM fresh
UNION ALL SELECT 'accepted', event_id::text, sequence::text, NULL FROM rows
UNION ALL SELECT 'original', d.event_id::text, c.event_id::text, NULL
  FROM candidates c JOIN dedupe_keys d USING (tenant_id, source, dedupe_key)
 WHERE d.expires_at > $3 AND c.event_id NOT IN (SELECT event_id FROM won)`;

/**
 * The ingest transaction for a group of appends that share one commit. Each input is judged on its own
 * (its connection, its replay key), but the whole group is **one statement** (`INGEST`): lock and check
 * the connections, take the replay keys, claim the dedupe keys by primary key, advance the connections'
 * sequences, and write envelopes and outbox rows. Run alone, that statement is its own transaction: one
 * round trip per group. Poll and backfill pages add their cursors, hashes and counts in the same
 * transaction (`needsTransaction`). Locks are taken in one order (connections, replay keys, dedupe keys,
 * each sorted), so concurrent groups wait for each other instead of deadlocking. Within the group, inputs
 * keep their order: an element that repeats a key claimed earlier in the group is a duplicate of it, and
 * each connection's sequence follows input order, then element order.
 */
export async function appendGroup(
  tx: SqlExecutor,
  inputs: ReadonlyArray<AppendInput>,
  now: Date,
): Promise<GroupItemResult[]> {
  const results: Array<GroupItemResult | undefined> = inputs.map(() => undefined);
  // A backfill's keys the log still holds are duplicates of the stored envelope, window or no window.
  const inLog = await storedDuplicates(tx, inputs);

  // Every element that would claim its key if its input turns out live (the statement decides which are).
  const given = inputs.map((input, index) => ({
    input: index,
    connection_id: input.connection.id,
    tenant_id: input.connection.tenant_id,
    replay_key: input.replay?.key ?? null,
    replay_expires_at: input.replay?.expiresAt.toISOString() ?? null,
  }));
  const claims: Array<Record<string, unknown>> = [];
  const envelopes: Array<Record<string, unknown>> = [];
  const claimOf = new Map<string, Claim>();
  inputs.forEach((input, i) => {
    const expires_at = new Date(now.getTime() + input.dedupeWindowMs).toISOString();
    input.envelopes.forEach((envelope, e) => {
      const id = keyOf(input.connection.tenant_id, envelope.source, envelope.dedupe_key);
      if (input.dedupeAgainstLog === true && inLog.has(id)) return;
      const event_id = newEventId();
      claimOf.set(`${i}:${e}`, { input: i, element: e, event_id });
      const { source, dedupe_key } = envelope;
      claims.push({ input: i, element: e, event_id, source, dedupe_key, expires_at });
      // Tenant and connection come from the claim: the writing connection decides them.
      envelopes.push({
        ...envelope,
        event_id,
        entity_key: entityKey(envelope.payload),
        origin: input.origin ?? 'webhook',
        traceparent: input.traceparent ?? null,
      });
    });
  });

  const rows = await tx.query<{ kind: string; a: string; b: string | null; c: string | null }>(INGEST, [
    JSON.stringify(given),
    JSON.stringify(claims),
    now,
    JSON.stringify(envelopes),
  ]);
  const ownerOf = new Map<string, { tenant_id: string; status: string }>();
  const fresh = new Set<number>();
  const sequenceOf = new Map<string, number>();
  const originalOf = new Map<string, string>();
  for (const row of rows) {
    if (row.kind === 'owner') ownerOf.set(row.a, { tenant_id: row.b ?? '', status: row.c ?? '' });
    else if (row.kind === 'fresh') fresh.add(Number(row.a));
    else if (row.kind === 'accepted') sequenceOf.set(row.a, Number(row.b));
    else if (row.kind === 'original' && row.b !== null) originalOf.set(row.b, row.a);
  }

  // Each input's connection, then its replay key, in the order the checks were made before.
  inputs.forEach(({ connection }, index) => {
    const owner = ownerOf.get(connection.id);
    if (owner === undefined) {
      results[index] = {
        ok: false,
        error: new SluiceError('connection_not_found', `Connection "${connection.id}" does not exist.`),
      };
    } else if (owner.tenant_id !== connection.tenant_id) {
      results[index] = {
        ok: false,
        error: new SluiceError(
          'tenant_mismatch',
          `Connection "${connection.id}" does not belong to tenant "${connection.tenant_id}".`,
        ),
      };
    } else if (owner.status !== 'active') {
      results[index] = {
        ok: false,
        error: new SluiceError('connection_retired', `Connection "${connection.id}" is retired.`),
      };
    } else if (!fresh.has(index)) {
      results[index] = { ok: true, result: { status: 'replayed' } };
    }
  });

  // The claimant of each key: its first element in group order among live inputs, as the statement chose.
  const claimantOf = new Map<string, Claim>();
  const lost: Claim[] = [];
  inputs.forEach((input, i) => {
    if (results[i] !== undefined) return;
    input.envelopes.forEach((envelope, e) => {
      const id = keyOf(input.connection.tenant_id, envelope.source, envelope.dedupe_key);
      const claim = claimOf.get(`${i}:${e}`);
      if (claim === undefined || claimantOf.has(id)) return;
      claimantOf.set(id, claim);
      if (!sequenceOf.has(claim.event_id) && !originalOf.has(claim.event_id)) lost.push(claim);
    });
  });
  // A key lost to a transaction that committed while the statement ran is not in its snapshot: read it now.
  if (lost.length > 0) await readOriginals(tx, inputs, lost, originalOf);

  // Stream cursors commit with their pages (the last one given wins for a connection's stream).
  await writeCursors(tx, inputs, results, now);
  await writeRecordHashes(
    tx,
    inputs,
    inputs.map((_, index) => results[index] !== undefined),
  );

  // Every live input's outcome, element by element.
  inputs.forEach((input, i) => {
    if (results[i] !== undefined) return;
    const outcomes = input.envelopes.map((envelope, e): AppendOutcome => {
      const id = keyOf(input.connection.tenant_id, envelope.source, envelope.dedupe_key);
      const claim = claimantOf.get(id);
      if (claim === undefined) {
        const stored = inLog.get(id);
        if (stored === undefined) throw new Error(`dedupe key "${envelope.dedupe_key}" has no claimant`);
        return { status: 'duplicate', event_id: stored };
      }
      const sequence = sequenceOf.get(claim.event_id);
      if (sequence !== undefined) {
        return claim.input === i && claim.element === e
          ? { status: 'accepted', event_id: claim.event_id, sequence }
          : { status: 'duplicate', event_id: claim.event_id };
      }
      const original = originalOf.get(claim.event_id);
      if (original === undefined)
        throw new Error(`dedupe key "${envelope.dedupe_key}" vanished mid-transaction`);
      return { status: 'duplicate', event_id: original };
    });
    results[i] = { ok: true, result: { status: 'committed', outcomes } };
  });
  await addBackfillCounts(tx, inputs, results, now);
  return results as GroupItemResult[];
}

/** The stored event id of each key in `lost`, keyed by the event id the lost claim had minted. */
async function readOriginals(
  tx: SqlExecutor,
  inputs: ReadonlyArray<AppendInput>,
  lost: ReadonlyArray<Claim>,
  originalOf: Map<string, string>,
): Promise<void> {
  const keys = lost.map((claim) => {
    const input = inputs[claim.input] as AppendInput;
    const envelope = input.envelopes[claim.element] as PreparedEnvelope;
    return {
      claim: claim.event_id,
      tenant_id: input.connection.tenant_id,
      source: envelope.source,
      dedupe_key: envelope.dedupe_key,
    };
  });
  const rows = await tx.query<{ claim: string; event_id: string }>(
    `SELECT c.claim, d.event_id::text AS event_id
       FROM dedupe_keys d
       JOIN jsonb_to_recordset($1::jsonb) AS c(claim text, tenant_id text, source text, dedupe_key text)
         ON d.tenant_id = c.tenant_id AND d.source = c.source AND d.dedupe_key = c.dedupe_key`,
    [JSON.stringify(keys)],
  );
  for (const row of rows) originalOf.set(row.claim, row.event_id);
}

/** Saves the stream cursor of every input that was not refused or replayed, in the group's transaction. */
async function writeCursors(
  tx: SqlExecutor,
  inputs: ReadonlyArray<AppendInput>,
  results: ReadonlyArray<GroupItemResult | undefined>,
  now: Date,
): Promise<void> {
  const latest = new Map<
    string,
    { tenant_id: string; connection_id: string; stream: string; cursor: string | null }
  >();
  inputs.forEach((input, index) => {
    if (input.cursor === undefined || results[index] !== undefined) return;
    const { stream, cursor } = input.cursor;
    latest.set(`${input.connection.id}\u0000${stream}`, {
      tenant_id: input.connection.tenant_id,
      connection_id: input.connection.id,
      stream,
      cursor,
    });
  });
  if (latest.size === 0) return;
  await tx.query(
    `INSERT INTO stream_cursors (tenant_id, connection_id, stream, cursor, updated_at)
     SELECT tenant_id, connection_id, stream, cursor, $2
       FROM jsonb_to_recordset($1::jsonb) AS c(tenant_id text, connection_id text, stream text, cursor text)
     ON CONFLICT (connection_id, stream) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = EXCLUDED.updated_at`,
    [JSON.stringify([...latest.values()]), now],
  );
}
