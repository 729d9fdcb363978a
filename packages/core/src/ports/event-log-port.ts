import type { Envelope, EnvelopeMode } from '../envelope.ts';
import type { Connection } from '../tenancy.ts';
import type { Origin } from '../trigger.ts';

/** An envelope ready to be written: everything but the id, which the store assigns. */
export type PreparedEnvelope = Omit<Envelope, 'event_id'>;

/**
 * Where an envelope sits in commit order: readers that page by position never skip an envelope that
 * committed after a later-minted one. Opaque to callers; compare and persist it as the string it is.
 */
export type Position = string;

/** What a poll page commits together with its envelopes, in the same transaction. */
export interface StreamCursorWrite {
  readonly stream: string;
  /** The poll handler's new cursor; null clears it. */
  readonly cursor: string | null;
}

export interface AppendInput {
  /** The writing connection; its tenant must own it (checked in the transaction). */
  readonly connection: Pick<Connection, 'id' | 'tenant_id'>;
  /** In emission order; written atomically. */
  readonly envelopes: ReadonlyArray<PreparedEnvelope>;
  /** How long a dedupe key blocks a repeat, in ms. */
  readonly dedupeWindowMs: number;
  /** Replay protection: a key (e.g. a signature) that may be used once until `expiresAt`. */
  readonly replay?: { readonly key: string; readonly expiresAt: Date };
  /** A stream cursor that commits with these envelopes or not at all (poll pages, backfills). */
  readonly cursor?: StreamCursorWrite;
  /** Where the envelopes came from, kept on their outbox rows; `webhook` when absent. */
  readonly origin?: Origin;
  /**
   * Also a duplicate: an envelope of the same tenant, source and dedupe key still in the log, however
   * long ago its dedupe window closed (backfills, so that a re-run emits nothing new).
   */
  readonly dedupeAgainstLog?: boolean;
  /** Change-detection hashes of the page's records, written with its envelopes. */
  readonly hashes?: RecordHashWrite;
  /**
   * A backfill's page: its counts (one page, these records, and the envelopes accepted and duplicate)
   * are added to the backfill's in the same transaction, so a resumed backfill's counts stay exact.
   */
  readonly backfill?: { readonly id: string; readonly records: number };
  /** The W3C `traceparent` of the ingest span, kept on the outbox rows so the relay continues the trace. */
  readonly traceparent?: string;
}

/** A poll page's record hashes (and, after a complete snapshot, the sweep of records not seen). */
export interface RecordHashWrite {
  readonly stream: string;
  /** The pass's generation: every record seen by this pass is stamped with it. */
  readonly generation: string;
  /** When an entry expires; every sighting pushes it out (the TTL is refreshed). */
  readonly expiresAt: Date;
  /** Each record's id, hash and canonical form (kept for the next change's field-level diff). */
  readonly records: ReadonlyArray<{
    readonly record_id: string;
    readonly hash: string;
    readonly record: unknown;
  }>;
  /**
   * The pass ended with a complete snapshot: delete the stream's hashes not stamped with `generation`
   * (their records were reported deleted in this same page).
   */
  readonly sweep?: boolean;
}

/** A stored record hash, as change detection reads it. */
export interface StoredRecordHash {
  readonly record_id: string;
  readonly hash: string;
  readonly generation: string;
  /** The record's last seen canonical JSON, for the field-level diff of its next change. */
  readonly record: unknown;
}

export type AppendOutcome =
  | { readonly status: 'accepted'; readonly event_id: string; readonly sequence: number }
  | { readonly status: 'duplicate'; readonly event_id: string };

export type AppendResult =
  | { readonly status: 'committed'; readonly outcomes: ReadonlyArray<AppendOutcome> }
  | { readonly status: 'replayed' }
  /** The database refused a value of the input (for example a character text cannot hold); nothing written. */
  | { readonly status: 'refused'; readonly message: string };

export interface EnvelopeFilter {
  /** Glob over event types: `order.*`, `*.created`, `order.created`. */
  readonly event_type?: string;
  /** An entity key `kind:id`. */
  readonly entity?: string;
  readonly source?: string;
  readonly connection_id?: string;
  readonly stream?: string;
  readonly mode?: EnvelopeMode;
  /** `received_at >= since` (ISO 8601). */
  readonly since?: string;
  /** `received_at < until` (ISO 8601). */
  readonly until?: string;
}

export interface PageRequest {
  /** Exclusive: the id the previous page ended with. */
  readonly after?: string;
  readonly limit: number;
  readonly order?: 'asc' | 'desc';
}

export interface Page<T> {
  readonly items: ReadonlyArray<T>;
  /** Pass as `after` for the next page; null on the last page. */
  readonly next: string | null;
}

/** Envelopes in commit order after a position, and where to read on from. */
export interface PositionPage {
  readonly items: ReadonlyArray<{ readonly position: Position; readonly envelope: Envelope }>;
  /** Pass back as `after`: past every envelope read, and past everything committed that did not match. */
  readonly position: Position;
}

/** The envelopes: written once per dedupe key, read by id, by filter, or in commit order. */
export interface EventLog {
  /** Dedupe, envelopes, outbox rows (and a stream cursor, if given) in one transaction. */
  append(input: AppendInput): Promise<AppendResult>;
  get(tenantId: string, eventId: string): Promise<Envelope | null>;
  /** A tenant's envelopes by filter, ordered by event id (time order). */
  query(tenantId: string, filter: EnvelopeFilter, page: PageRequest): Promise<Page<Envelope>>;
  /**
   * A tenant's envelopes committed after `after`, in commit order (per connection: emission order), each
   * exactly once however commits interleave across transactions and processes.
   */
  readAfter(tenantId: string, after: Position, filter: EnvelopeFilter, limit: number): Promise<PositionPage>;
  /** The position a reader starts from to see only what commits from now on. */
  head(): Promise<Position>;
  /** The position of one envelope, to resume after it (a client's last event id). */
  positionOf(tenantId: string, eventId: string): Promise<Position | null>;
  /** The cursor a connection's stream last committed; null when it has none. */
  readCursor(tenantId: string, connectionId: string, stream: string): Promise<string | null>;
  /** The unexpired stored hashes of these records (all of the stream's when `recordIds` is null). */
  readHashes(
    tenantId: string,
    connectionId: string,
    stream: string,
    recordIds: ReadonlyArray<string> | null,
  ): Promise<ReadonlyArray<StoredRecordHash>>;
}
