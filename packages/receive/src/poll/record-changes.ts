import type { ChangeDetection, Emission, StoredRecordHash } from '@sluice/core';
import { canonicalRecord, recordHash, valueAt } from './canonical-record.ts';
import { recordDiff } from './record-diff.ts';

/** How long a record's hash is kept after its last sighting, unless the stream says otherwise: 7 days. */
export const DEFAULT_HASH_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** One page's records, seen against the stored hashes. */
export interface RecordChanges {
  readonly emissions: ReadonlyArray<Emission>;
  /** Every record of the page with its hash: written (and its TTL refreshed) with the page. */
  readonly hashes: ReadonlyArray<{
    readonly record_id: string;
    readonly hash: string;
    readonly record: unknown;
  }>;
  readonly created: number;
  readonly updated: number;
}

export interface ChangeContext {
  /** The connection polled: its id leads each dedupe key, so two connections never collide. */
  readonly connectionId: string;
  readonly source: string;
  readonly stream: string;
  readonly detection: ChangeDetection;
  readonly now: Date;
}

/** The id of a record, by the stream's `id_field`; an error names the record when it has none. */
export function recordIdOf(record: unknown, detection: ChangeDetection, index: number): string {
  const id = valueAt(record, detection.id_field);
  if ((typeof id === 'string' && id !== '') || typeof id === 'number') return String(id);
  throw new Error(`record ${index} of the page has no ${JSON.stringify(detection.id_field)} (its id field)`);
}

/**
 * New records become `<prefix>.created`, changed ones `<prefix>.updated` with `changes: [{path, from,
 * to}]`; unchanged ones emit nothing (their hash is still written, which refreshes its TTL). The dedupe
 * key (`<connection id>:<entity kind>:<record id>:<verb>:<hash>`) names the connection and the record's
 * hash, so the same version never emits twice for one connection, and two connections of one connector
 * (dedupe keys are unique per tenant and source, not per connection) never swallow each other's events.
 */
export function recordChanges(
  records: ReadonlyArray<Readonly<Record<string, unknown>>>,
  stored: ReadonlyMap<string, StoredRecordHash>,
  context: ChangeContext,
): RecordChanges {
  const { detection } = context;
  const emissions: Emission[] = [];
  const hashes: Array<{ record_id: string; hash: string; record: unknown }> = [];
  const seen = new Set<string>();
  let created = 0;
  let updated = 0;
  records.forEach((record, index) => {
    const id = recordIdOf(record, detection, index);
    if (seen.has(id)) return;
    seen.add(id);
    const canonical = canonicalRecord(record, detection.ignore_fields);
    const hash = recordHash(canonical);
    hashes.push({ record_id: id, hash, record: canonical });
    const before = stored.get(id);
    if (before !== undefined && before.hash === hash) return;
    const verb = before === undefined ? 'created' : 'updated';
    if (verb === 'created') created++;
    else updated++;
    emissions.push(
      changeEmission(context, id, verb, hash, {
        record: canonical,
        ...(before === undefined ? {} : { changes: recordDiff(before.record, canonical) }),
      }),
    );
  });
  return { emissions, hashes, created, updated };
}

/** `<prefix>.deleted` for each stored record a complete snapshot did not see. */
export function deletionEmissions(
  gone: ReadonlyArray<StoredRecordHash>,
  context: ChangeContext,
): ReadonlyArray<Emission> {
  return gone.map((entry) =>
    changeEmission(context, entry.record_id, 'deleted', entry.hash, { record: entry.record }),
  );
}

function changeEmission(
  context: ChangeContext,
  id: string,
  verb: 'created' | 'updated' | 'deleted',
  hash: string,
  body: Readonly<Record<string, unknown>>,
): Emission {
  const { detection } = context;
  return {
    source: context.source,
    event_type: `${detection.event_prefix}.${verb}`,
    stream: context.stream,
    dedupe_key: `${context.connectionId}:${detection.entity_kind}:${id}:${verb}:${hash}`,
    occurred_at: context.now.toISOString(),
    payload: { entity: { kind: detection.entity_kind, id }, ...body },
  };
}
