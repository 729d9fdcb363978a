import {
  type AppendInput,
  type AppendResult,
  type Envelope,
  type EnvelopeFilter,
  type EventLog,
  isUuid,
  type Page,
  type PageRequest,
  type Position,
  type PositionPage,
  type StoredRecordHash,
} from '@sluice/core';
import { appendGroup, type GroupItemResult, needsTransaction } from './append-group.ts';
import { queryEnvelopes, readAfter } from './envelope-queries.ts';
import { GroupCommit, type GroupCommitOptions } from './group-commit.ts';
import { formatPosition } from './position.ts';
import { toEnvelope } from './row-mappers.ts';
import type { SqlClient } from './sql-client.ts';
import { isDataError, isRetryableConflict } from './storage-errors.ts';

/**
 * How many group commits PostgreSQL runs side by side, each for its own share of the connections. One:
 * with PostgreSQL on the same two cores as the server, two lanes made groups smaller and spent more per
 * webhook for less (8 connections, four A/B pairs on an idle machine: 3,091–3,187 req/s and 0.26 CPU ms
 * per webhook with two, 3,291–3,562 and 0.23–0.25 with one). A database on cores of its own may want more.
 */
const POSTGRES_LANES = 1;

/** The envelopes over SQL: appends share commits (group commit); reads are tenant-scoped. */
export class SqlEventLog implements EventLog {
  readonly #db: SqlClient;
  readonly #now: () => Date;
  readonly #lanes: ReadonlyArray<GroupCommit>;

  constructor(db: SqlClient, now: () => Date, groupCommit: GroupCommitOptions = {}) {
    this.#db = db;
    this.#now = now;
    // Two groups in flight per lane: PostgreSQL overlaps their round trips; PGlite (one statement or
    // transaction at a time) has the next group waiting in the client's queue when one ends. A group locks
    // every connection it writes, so groups of one lane commit one after another; with more lanes the
    // connections are split between them (always the same lane for a connection, which keeps its order),
    // so the writers of different connections commit side by side instead of queueing on each other's locks.
    const lanes = db.dialect === 'pglite' ? 1 : POSTGRES_LANES;
    this.#lanes = Array.from(
      { length: lanes },
      () =>
        new GroupCommit((inputs) => this.#commitGroup(inputs), {
          maxInFlight: 2,
          ...groupCommit,
        }),
    );
  }

  /** Shares a commit with the appends that arrive while another is under way (group commit). */
  append(input: AppendInput): Promise<AppendResult> {
    return (this.#lanes[laneOf(input.connection.id, this.#lanes.length)] as GroupCommit).submit(input);
  }

  async #commitGroup(inputs: ReadonlyArray<AppendInput>): Promise<GroupItemResult[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        // A webhook group is one statement, its own transaction; a poll page's writes share one.
        return needsTransaction(inputs)
          ? await this.#db.transaction((tx) => appendGroup(tx, inputs, this.#now()))
          : await appendGroup(this.#db, inputs, this.#now());
      } catch (error) {
        if (attempt < 3 && isRetryableConflict(error)) continue;
        if (!isDataError(error)) throw error;
        // Data the database refuses fails its whole group: commit each input alone, so only its own fails.
        if (inputs.length > 1) {
          return Promise.all(
            inputs.map((input) =>
              this.#commitGroup([input]).then(
                ([item]): GroupItemResult =>
                  item ?? { ok: false, error: new Error('group commit lost a result') },
                (failure: unknown): GroupItemResult => ({ ok: false, error: failure }),
              ),
            ),
          );
        }
        const reason = error instanceof Error ? error.message : String(error);
        return [
          { ok: true, result: { status: 'refused', message: `The store refused the data: ${reason}.` } },
        ];
      }
    }
  }

  async get(tenantId: string, eventId: string): Promise<Envelope | null> {
    if (!isUuid(eventId)) return null;
    const [row] = await this.#db.query(
      'SELECT * FROM envelopes WHERE tenant_id = $1 AND event_id = $2::uuid',
      [tenantId, eventId],
    );
    return row === undefined ? null : toEnvelope(row);
  }

  query(tenantId: string, filter: EnvelopeFilter, page: PageRequest): Promise<Page<Envelope>> {
    return queryEnvelopes(this.#db, tenantId, filter, page);
  }

  readAfter(tenantId: string, after: Position, filter: EnvelopeFilter, limit: number): Promise<PositionPage> {
    return readAfter(this.#db, tenantId, after, filter, limit);
  }

  async head(): Promise<Position> {
    const [row] = await this.#db.query<{ xmin: string }>(
      'SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin',
    );
    return formatPosition(String(row?.xmin ?? '0'), '0');
  }

  async positionOf(tenantId: string, eventId: string): Promise<Position | null> {
    if (!isUuid(eventId)) return null;
    const [row] = await this.#db.query<{ tx: string; log: string }>(
      'SELECT tx_id::text AS tx, log_id::text AS log FROM envelopes WHERE tenant_id = $1 AND event_id = $2::uuid',
      [tenantId, eventId],
    );
    return row === undefined ? null : formatPosition(row.tx, row.log);
  }

  async readCursor(tenantId: string, connectionId: string, stream: string): Promise<string | null> {
    const [row] = await this.#db.query<{ cursor: string | null }>(
      'SELECT cursor FROM stream_cursors WHERE tenant_id = $1 AND connection_id = $2 AND stream = $3',
      [tenantId, connectionId, stream],
    );
    return row?.cursor ?? null;
  }

  async readHashes(
    tenantId: string,
    connectionId: string,
    stream: string,
    recordIds: ReadonlyArray<string> | null,
  ): Promise<ReadonlyArray<StoredRecordHash>> {
    if (recordIds !== null && recordIds.length === 0) return [];
    const rows = await this.#db.query<{
      record_id: string;
      hash: string;
      generation: string;
      record: unknown;
    }>(
      `SELECT record_id, hash, generation, record FROM record_hashes
        WHERE tenant_id = $1 AND connection_id = $2 AND stream = $3 AND expires_at > $4
          AND ($5::jsonb IS NULL OR record_id IN (SELECT jsonb_array_elements_text($5::jsonb)))
        ORDER BY record_id`,
      [tenantId, connectionId, stream, this.#now(), recordIds === null ? null : JSON.stringify(recordIds)],
    );
    return rows.map((row) => ({
      record_id: row.record_id,
      hash: row.hash,
      generation: row.generation,
      record: typeof row.record === 'string' ? JSON.parse(row.record) : row.record,
    }));
  }
}

/** A connection's lane: an FNV-1a hash of its id. */
function laneOf(connectionId: string, lanes: number): number {
  if (lanes === 1) return 0;
  let hash = 0x811c9dc5;
  for (let i = 0; i < connectionId.length; i++) {
    hash = Math.imul(hash ^ connectionId.charCodeAt(i), 0x01000193);
  }
  return (hash >>> 0) % lanes;
}
