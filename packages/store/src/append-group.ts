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

/** A connection changed status while the group was being written: the group starts over. */
export class GroupRestart extends Error {
  override name = 'GroupRestart';
}

/** What one input of a group ended in: its result, or the error that refused it alone. */
export type GroupItemResult =
  | { readonly ok: true; readonly result: AppendResult }
  | { readonly ok: false; readonly error: unknown };

interface Claim {
  readonly input: number;
  readonly element: number;
  readonly event_id: string;
  readonly tenant_id: string;
  readonly source: string;
  readonly dedupe_key: string;
}

const keyOf = (tenant: string, source: string, key: string): string => `${tenant}\u0000${source}\u0000${key}`;
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The ingest transaction for a group of appends that share one commit. Each input is judged on its own
 * (its connection, its replay key), but every step is one statement for the whole group: check the
 * connections, take the replay keys, claim the dedupe keys by primary key, then lock the connections and
 * advance their sequences, and write envelopes and outbox rows. The connection lock, which orders each
 * connection's writers, is taken last, so it is held only for the sequence, the inserts and the commit.
 * Locks are taken in one order (replay keys, dedupe keys, connections, each sorted), so concurrent groups
 * wait for each other instead of deadlocking. Within the group, inputs keep their order: an element that
 * repeats a key claimed earlier in the group is a duplicate of it, and each connection's sequence follows
 * input order, then element order.
 */
export async function appendGroup(
  tx: SqlExecutor,
  inputs: ReadonlyArray<AppendInput>,
  now: Date,
): Promise<GroupItemResult[]> {
  const results: Array<GroupItemResult | undefined> = inputs.map(() => undefined);
  const refuse = (index: number, error: SluiceError) => {
    results[index] = { ok: false, error };
  };

  // 1. The connections: tenancy and status, read without a lock (step 4 locks and checks status again).
  const connectionIds = [...new Set(inputs.map((input) => input.connection.id))];
  const owners = await tx.query<{ id: string; tenant_id: string; status: string }>(
    `SELECT id, tenant_id, status FROM connections WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb))`,
    [JSON.stringify(connectionIds)],
  );
  const ownerOf = new Map(owners.map((row) => [row.id, row]));
  inputs.forEach(({ connection }, index) => {
    const owner = ownerOf.get(connection.id);
    if (owner === undefined) {
      refuse(index, new SluiceError('connection_not_found', `Connection "${connection.id}" does not exist.`));
    } else if (owner.tenant_id !== connection.tenant_id) {
      refuse(
        index,
        new SluiceError(
          'tenant_mismatch',
          `Connection "${connection.id}" does not belong to tenant "${connection.tenant_id}".`,
        ),
      );
    } else if (owner.status !== 'active') {
      refuse(index, new SluiceError('connection_retired', `Connection "${connection.id}" is retired.`));
    }
  });

  // 2. Replay keys: a signed delivery may be used once; a repeat within the group is a replay too.
  const replayRows: Array<{ connection_id: string; replay_key: string; expires_at: string; input: number }> =
    [];
  const replaySeen = new Set<string>();
  inputs.forEach((input, index) => {
    if (results[index] !== undefined || input.replay === undefined) return;
    const id = `${input.connection.id}\u0000${input.replay.key}`;
    if (replaySeen.has(id)) {
      results[index] = { ok: true, result: { status: 'replayed' } };
      return;
    }
    replaySeen.add(id);
    replayRows.push({
      connection_id: input.connection.id,
      replay_key: input.replay.key,
      expires_at: input.replay.expiresAt.toISOString(),
      input: index,
    });
  });
  if (replayRows.length > 0) {
    replayRows.sort(
      (a, b) => compare(a.connection_id, b.connection_id) || compare(a.replay_key, b.replay_key),
    );
    const taken = await tx.query<{ connection_id: string; replay_key: string }>(
      `INSERT INTO webhook_replays (connection_id, replay_key, expires_at)
       SELECT connection_id, replay_key, expires_at
         FROM jsonb_to_recordset($1::jsonb) AS r(connection_id text, replay_key text, expires_at timestamptz)
       ON CONFLICT (connection_id, replay_key) DO UPDATE SET expires_at = EXCLUDED.expires_at
       WHERE webhook_replays.expires_at <= $2
       RETURNING connection_id, replay_key`,
      [JSON.stringify(replayRows.map(({ input: _, ...row }) => row)), now],
    );
    const fresh = new Set(taken.map((row) => `${row.connection_id}\u0000${row.replay_key}`));
    for (const row of replayRows) {
      if (!fresh.has(`${row.connection_id}\u0000${row.replay_key}`)) {
        results[row.input] = { ok: true, result: { status: 'replayed' } };
      }
    }
  }

  // 3. Dedupe claims, first occurrence in group order wins; one statement, sorted for lock order.
  const live = inputs.map((_, index) => results[index] === undefined);
  // A backfill's keys the log still holds are duplicates of the stored envelope, window or no window.
  const inLog = await storedDuplicates(tx, inputs, live);
  const originalOf = new Map<string, string>();
  const firstClaim = new Map<string, Claim>();
  const claims: Claim[] = [];
  inputs.forEach((input, i) => {
    if (!live[i]) return;
    input.envelopes.forEach((envelope, e) => {
      const id = keyOf(input.connection.tenant_id, envelope.source, envelope.dedupe_key);
      if (firstClaim.has(id)) return;
      const stored = input.dedupeAgainstLog === true ? inLog.get(id) : undefined;
      if (stored !== undefined) {
        originalOf.set(id, stored);
        return;
      }
      const claim = {
        input: i,
        element: e,
        event_id: newEventId(),
        tenant_id: input.connection.tenant_id,
        source: envelope.source,
        dedupe_key: envelope.dedupe_key,
      };
      firstClaim.set(id, claim);
      claims.push(claim);
    });
  });
  const claimed = new Set<string>();
  if (claims.length > 0) {
    // Each claim expires after its own input's window.
    const rows = claims
      .map((claim) => ({
        tenant_id: claim.tenant_id,
        source: claim.source,
        dedupe_key: claim.dedupe_key,
        event_id: claim.event_id,
        expires_at: new Date(now.getTime() + (inputs[claim.input]?.dedupeWindowMs ?? 0)).toISOString(),
      }))
      .sort(
        (a, b) =>
          compare(a.tenant_id, b.tenant_id) ||
          compare(a.source, b.source) ||
          compare(a.dedupe_key, b.dedupe_key),
      );
    const won = await tx.query<{ tenant_id: string; source: string; dedupe_key: string }>(
      `INSERT INTO dedupe_keys (tenant_id, source, dedupe_key, event_id, expires_at)
       SELECT tenant_id, source, dedupe_key, event_id, expires_at
         FROM jsonb_to_recordset($1::jsonb)
           AS c(tenant_id text, source text, dedupe_key text, event_id uuid, expires_at timestamptz)
       ON CONFLICT (tenant_id, source, dedupe_key) DO UPDATE
         SET event_id = EXCLUDED.event_id, expires_at = EXCLUDED.expires_at
         WHERE dedupe_keys.expires_at <= $2
       RETURNING tenant_id, source, dedupe_key`,
      [JSON.stringify(rows), now],
    );
    for (const row of won) claimed.add(keyOf(row.tenant_id, row.source, row.dedupe_key));
    const lost = claims.filter((c) => !claimed.has(keyOf(c.tenant_id, c.source, c.dedupe_key)));
    if (lost.length > 0) {
      const originals = await tx.query<{
        tenant_id: string;
        source: string;
        dedupe_key: string;
        event_id: string;
      }>(
        `SELECT d.tenant_id, d.source, d.dedupe_key, d.event_id::text AS event_id
           FROM dedupe_keys d
           JOIN jsonb_to_recordset($1::jsonb) AS c(tenant_id text, source text, dedupe_key text)
             ON d.tenant_id = c.tenant_id AND d.source = c.source AND d.dedupe_key = c.dedupe_key`,
        [
          JSON.stringify(
            lost.map(({ tenant_id, source, dedupe_key }) => ({ tenant_id, source, dedupe_key })),
          ),
        ],
      );
      for (const row of originals)
        originalOf.set(keyOf(row.tenant_id, row.source, row.dedupe_key), row.event_id);
    }
  }

  // 4. Lock the connections in id order, advance each by what it accepted, write envelopes and outbox rows:
  //    one statement, so the connection lock is held for it and the commit only.
  const accepted = claims.filter((c) => claimed.has(keyOf(c.tenant_id, c.source, c.dedupe_key)));
  const sequenceOf = new Map<Claim, number>();
  if (accepted.length > 0) await writeAccepted(tx, inputs, accepted, sequenceOf);

  // 5. Stream cursors commit with their pages (the last one given wins for a connection's stream).
  await writeCursors(tx, inputs, results, now);
  await writeRecordHashes(
    tx,
    inputs,
    inputs.map((_, index) => results[index] !== undefined),
  );

  // 6. Every live input's outcome, element by element.
  inputs.forEach((input, i) => {
    if (results[i] !== undefined) return;
    const outcomes = input.envelopes.map((envelope, e): AppendOutcome => {
      const id = keyOf(input.connection.tenant_id, envelope.source, envelope.dedupe_key);
      const claim = firstClaim.get(id);
      const sequence = claim === undefined ? undefined : sequenceOf.get(claim);
      if (claim !== undefined && sequence !== undefined) {
        return claim.input === i && claim.element === e
          ? { status: 'accepted', event_id: claim.event_id, sequence }
          : { status: 'duplicate', event_id: claim.event_id };
      }
      const original = originalOf.get(id);
      if (original === undefined)
        throw new Error(`dedupe key "${envelope.dedupe_key}" vanished mid-transaction`);
      return { status: 'duplicate', event_id: original };
    });
    results[i] = { ok: true, result: { status: 'committed', outcomes } };
  });
  await addBackfillCounts(tx, inputs, results, now);
  return results as GroupItemResult[];
}

/**
 * Takes each connection's next sequence numbers (its accepted elements get consecutive ones, in group
 * order) and inserts envelopes and, for live ones, outbox rows, in one statement. Fills `sequenceOf`.
 */
async function writeAccepted(
  tx: SqlExecutor,
  inputs: ReadonlyArray<AppendInput>,
  accepted: ReadonlyArray<Claim>,
  sequenceOf: Map<Claim, number>,
): Promise<void> {
  const counts = new Map<string, number>();
  const rows = accepted.map((claim) => {
    const input = inputs[claim.input] as AppendInput;
    const envelope = input.envelopes[claim.element] as PreparedEnvelope;
    const ordinal = (counts.get(input.connection.id) ?? 0) + 1;
    counts.set(input.connection.id, ordinal);
    return {
      ...envelope,
      // The writing connection decides tenancy, whatever the prepared envelope says.
      tenant_id: input.connection.tenant_id,
      connection_id: input.connection.id,
      event_id: claim.event_id,
      ordinal,
      entity_key: entityKey(envelope.payload),
      origin: input.origin ?? 'webhook',
      traceparent: input.traceparent ?? null,
    };
  });
  const advanced = await tx.query<{ id: string; base: string }>(
    `WITH counts AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(id text, n bigint)
     ), locked AS (
       SELECT id FROM connections WHERE id IN (SELECT id FROM counts) ORDER BY id FOR UPDATE
     ), advanced AS (
       UPDATE connections c SET next_sequence = c.next_sequence + counts.n
         FROM locked, counts
        WHERE c.id = locked.id AND c.id = counts.id AND c.status = 'active'
       RETURNING c.id, c.next_sequence - counts.n AS base
     ), rows AS (
       SELECT e.*, a.base + e.ordinal AS sequence
         FROM jsonb_to_recordset($2::jsonb) AS e(event_id uuid, tenant_id text, reseller_id text, workspace_id text,
           connection_id text, ordinal bigint, source text, event_type text, stream text, dedupe_key text,
           correlation_id text, causation_id text, trace_id text, occurred_at timestamptz, received_at timestamptz,
           mode text, schema_version text, payload jsonb, agent_id text, session_id text, entity_key text,
           origin text, cloudevent jsonb, traceparent text)
         JOIN advanced a ON a.id = e.connection_id
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
     SELECT id, base FROM advanced`,
    [JSON.stringify([...counts].map(([id, n]) => ({ id, n }))), JSON.stringify(rows)],
  );
  if (advanced.length !== counts.size) {
    // A connection was retired after step 1 read it: start over, so that step 1 refuses its inputs.
    throw new GroupRestart('a connection changed status during the ingest transaction');
  }
  const baseOf = new Map(advanced.map((row) => [row.id, Number(row.base)]));
  accepted.forEach((claim, index) => {
    const row = rows[index] as (typeof rows)[number];
    sequenceOf.set(claim, (baseOf.get(row.connection_id) ?? 0) + row.ordinal);
  });
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
