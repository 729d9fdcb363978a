import {
  type AppendInput,
  type ChangeDetection,
  type Connection,
  type Connector,
  type Emission,
  type EnvelopeMode,
  type EventLog,
  type PollPage,
  type PreparedEnvelope,
  RateLimitedError,
  type StoredRecordHash,
} from '@sluice/core';
import type { Ingestor } from '@sluice/ingest';
import { readPassCursor, writePassCursor } from './pass-cursor.ts';
import { DEFAULT_HASH_TTL_MS, deletionEmissions, recordChanges, recordIdOf } from './record-changes.ts';

/** One pass of a poll stream over a window: what to poll, how its envelopes are stored, where the cursor is kept. */
export interface PollPassRequest {
  /** Active, of the tenant. */
  readonly connection: Connection;
  /** A poll stream key of the connection's connector. */
  readonly stream: string;
  /** ISO instants handed to the handler; `from` null: since the stream's cursor. */
  readonly window: { readonly from: string | null; readonly to: string };
  /** `live` (scheduled polls, live backfills: routed at P4) or `quiet` (stored, never routed). */
  readonly mode: EnvelopeMode;
  readonly signal: AbortSignal;
  /** Where the cursor is kept (a backfill keeps its own, e.g. `backfill:<id>`); default: the stream key. */
  readonly cursorKey?: string;
  /** Also a duplicate when the dedupe key is still in the log past its dedupe window (backfills). */
  readonly dedupeAgainstLog?: boolean;
  /** A backfill's id: each page's counts are added to the backfill's in the page's own transaction. */
  readonly backfillId?: string;
  /** Told after each committed page. */
  readonly onPage?: (progress: PollPassProgress) => void;
}

/** The running totals after a committed page. */
export interface PollPassProgress {
  readonly pages: number;
  readonly records: number;
  readonly emitted: number;
  readonly duplicates: number;
  readonly changes: { readonly created: number; readonly updated: number; readonly deleted: number };
  /** The cursor committed with the page (as stored under the cursor key). */
  readonly cursor: string | null;
}

export interface PollPassResult {
  /** `completed`: the handler said there is no more. The other three stop after the last committed page. */
  readonly status: 'completed' | 'rate_limited' | 'failed' | 'aborted';
  readonly pages: number;
  /** Records (or, for a stream without change detection, emissions) the handler returned. */
  readonly records: number;
  /** Envelopes stored anew. */
  readonly emitted: number;
  /** Envelopes the dedupe keys (or the log) already held. */
  readonly duplicates: number;
  readonly changes: { readonly created: number; readonly updated: number; readonly deleted: number };
  /** ISO; from a 429/503 `Retry-After` (`RateLimitedError`) or the page's own `rateLimitedUntil`. */
  readonly rateLimitedUntil?: string;
  readonly error?: string;
}

export interface PollPassDeps {
  /** The registered connectors. */
  readonly connectors: { get(id: string): Connector | null };
  /** Validates and stamps a page's emissions (the append is made here, with cursor and hashes). */
  readonly ingestor: Pick<Ingestor, 'prepare' | 'limits'>;
  readonly events: Pick<EventLog, 'append' | 'readCursor' | 'readHashes'>;
  /** The connection's config as the handler sees it (sealed credentials opened); its stored config if absent. */
  configOf?(connection: Connection): Readonly<Record<string, unknown>>;
  /** What handlers reach their sources with (`PollContext.fetch`): the server's guarded fetch; `fetch` if absent. */
  readonly fetch?: typeof fetch;
  readonly now: () => Date;
}

interface Totals {
  pages: number;
  records: number;
  emitted: number;
  duplicates: number;
  created: number;
  updated: number;
  deleted: number;
}

/**
 * Runs a poll stream's handler over a window, page after page while it says `hasMore`. Each page's
 * envelopes, its change-detection hashes and the new cursor commit in one transaction, so a pass killed
 * mid-way resumes from the last committed page: nothing emitted twice, nothing skipped. Results, not
 * throws: a handler error, a refused page or a rate limit ends the pass with what was committed.
 */
export class PollPass {
  readonly #deps: PollPassDeps;

  constructor(deps: PollPassDeps) {
    this.#deps = deps;
  }

  async run(request: PollPassRequest): Promise<PollPassResult> {
    const totals: Totals = {
      pages: 0,
      records: 0,
      emitted: 0,
      duplicates: 0,
      created: 0,
      updated: 0,
      deleted: 0,
    };
    const end = (
      status: PollPassResult['status'],
      extra: { rateLimitedUntil?: string; error?: string } = {},
    ): PollPassResult => ({
      status,
      pages: totals.pages,
      records: totals.records,
      emitted: totals.emitted,
      duplicates: totals.duplicates,
      changes: { created: totals.created, updated: totals.updated, deleted: totals.deleted },
      ...extra,
    });
    const { connection, stream } = request;
    const connector = this.#deps.connectors.get(connection.connector_id);
    const handler = connector?.poll[stream];
    if (connector === null || connector === undefined || handler === undefined) {
      return end('failed', {
        error: `connector "${connection.connector_id}" has no poll stream "${stream}"`,
      });
    }
    const declaration = connector.streams.find((s) => s.key === stream);
    const detection = declaration?.changes;
    const snapshot = detection?.snapshot === true;
    const cursorKey = request.cursorKey ?? stream;
    const config = this.#deps.configOf?.(connection) ?? connection.config;
    let pass = readPassCursor(
      await this.#deps.events.readCursor(connection.tenant_id, connection.id, cursorKey),
      snapshot,
    );
    for (;;) {
      if (request.signal.aborted) return end('aborted');
      let page: PollPage;
      try {
        page = await handler(
          {
            config,
            connectionId: connection.id,
            tenantId: connection.tenant_id,
            signal: request.signal,
            fetch: this.#deps.fetch ?? globalThis.fetch,
          },
          { cursor: pass.cursor, from: request.window.from, to: request.window.to },
        );
      } catch (error) {
        if (error instanceof RateLimitedError) {
          return end('rate_limited', { rateLimitedUntil: error.until.toISOString() });
        }
        if (request.signal.aborted) return end('aborted');
        return end('failed', { error: messageOf(error) });
      }
      pass = { ...pass, cursor: page.cursor };
      const complete = !page.hasMore;
      let built: { input: AppendInput; created: number; updated: number; deleted: number; records: number };
      try {
        built = await this.#pageAppend(request, connector, detection, page, pass, complete, snapshot);
      } catch (error) {
        return end('failed', { error: messageOf(error) });
      }
      let committed: Awaited<ReturnType<EventLog['append']>>;
      try {
        committed = await this.#deps.events.append({
          ...built.input,
          cursor: { stream: cursorKey, cursor: writePassCursor(pass, snapshot, complete) },
          ...(request.backfillId === undefined
            ? {}
            : { backfill: { id: request.backfillId, records: built.records } }),
        });
      } catch (error) {
        return end('failed', { error: messageOf(error) });
      }
      if (committed.status !== 'committed') {
        return end('failed', {
          error: committed.status === 'refused' ? committed.message : 'the page was refused as a replay',
        });
      }
      totals.pages++;
      totals.records += built.records;
      for (const outcome of committed.outcomes) {
        if (outcome.status === 'accepted') totals.emitted++;
        else totals.duplicates++;
      }
      totals.created += built.created;
      totals.updated += built.updated;
      totals.deleted += built.deleted;
      request.onPage?.({
        pages: totals.pages,
        records: totals.records,
        emitted: totals.emitted,
        duplicates: totals.duplicates,
        changes: { created: totals.created, updated: totals.updated, deleted: totals.deleted },
        cursor: writePassCursor(pass, snapshot, complete),
      });
      if (page.rateLimitedUntil !== undefined && !complete) {
        return end('rate_limited', { rateLimitedUntil: new Date(page.rateLimitedUntil).toISOString() });
      }
      if (complete) return end('completed');
    }
  }

  /** The page's append: its emissions and record changes stamped, its hashes, and (snapshot end) the deletions. */
  async #pageAppend(
    request: PollPassRequest,
    connector: Connector,
    detection: ChangeDetection | undefined,
    page: PollPage,
    pass: { readonly generation: string },
    complete: boolean,
    snapshot: boolean,
  ): Promise<{ input: AppendInput; created: number; updated: number; deleted: number; records: number }> {
    const { connection, stream } = request;
    const now = this.#deps.now();
    const emissions: Emission[] = [...page.emissions];
    const records = page.records ?? [];
    let created = 0;
    let updated = 0;
    let deleted = 0;
    let hashes: AppendInput['hashes'];
    if (detection !== undefined) {
      const ids = records.map((record, index) => recordIdOf(record, detection, index));
      const known = await this.#deps.events.readHashes(connection.tenant_id, connection.id, stream, ids);
      const context = { connectionId: connection.id, source: connector.id, stream, detection, now };
      const changes = recordChanges(records, new Map(known.map((h) => [h.record_id, h])), context);
      emissions.push(...changes.emissions);
      created = changes.created;
      updated = changes.updated;
      let sweep = false;
      if (snapshot && complete) {
        // A complete, successful snapshot: what it did not see is gone.
        const seen = new Set(changes.hashes.map((h) => h.record_id));
        const all = await this.#deps.events.readHashes(connection.tenant_id, connection.id, stream, null);
        const gone = all.filter(
          (h: StoredRecordHash) => h.generation !== pass.generation && !seen.has(h.record_id),
        );
        emissions.push(...deletionEmissions(gone, context));
        deleted = gone.length;
        sweep = true;
      }
      hashes = {
        stream,
        generation: pass.generation,
        expiresAt: new Date(now.getTime() + (detection.ttl_ms ?? DEFAULT_HASH_TTL_MS)),
        records: changes.hashes,
        ...(sweep ? { sweep } : {}),
      };
    } else if (records.length > 0) {
      throw new Error(`stream "${stream}" returned records but declares no change detection (changes)`);
    }
    const envelopes: PreparedEnvelope[] = [];
    const batch = this.#deps.ingestor.limits.maxBatch;
    for (let start = 0; start < emissions.length; start += batch) {
      const prepared = this.#deps.ingestor.prepare(connection, emissions.slice(start, start + batch), {
        mode: request.mode,
      });
      if (!prepared.ok) {
        const at =
          prepared.rejection.index === undefined ? '' : ` (emission ${start + prepared.rejection.index})`;
        throw new Error(`${prepared.rejection.code}${at}: ${prepared.rejection.message}`);
      }
      envelopes.push(...prepared.input.envelopes);
    }
    return {
      input: {
        connection,
        envelopes,
        dedupeWindowMs: this.#deps.ingestor.limits.dedupeWindowMs,
        origin: 'poll',
        ...(request.dedupeAgainstLog === true ? { dedupeAgainstLog: true } : {}),
        ...(hashes === undefined ? {} : { hashes }),
      },
      created,
      updated,
      deleted,
      records: detection === undefined ? page.emissions.length : records.length + page.emissions.length,
    };
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
