import { randomFillSync } from 'node:crypto';
import { v7 as uuidv7, validate, version } from 'uuid';

/** A new UUIDv7 event id: time-ordered, monotonic within this process. */
export function newEventId(): string {
  return uuidv7();
}

/** True when `value` is a well-formed UUID of any version (safe to cast to `uuid`). */
export function isUuid(value: string): boolean {
  return validate(value);
}

/** True when `value` is a UUID of version 7. */
export function isEventId(value: string): boolean {
  return validate(value) && version(value) === 7;
}

/** Resource id kinds and their prefixes: `ten_…`, `con_…`. */
export const ID_PREFIXES = {
  tenant: 'ten',
  reseller: 'rsl',
  workspace: 'wsp',
  connection: 'con',
  apiKey: 'key',
  deadLetter: 'dlq',
  deadLetterPolicy: 'dlp',
  replay: 'rpl',
  secret: 'sec',
  trigger: 'trg',
  job: 'job',
  schedule: 'sch',
  backfill: 'bfl',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

/** A new prefixed resource id, time-ordered (UUIDv7 body without dashes). */
export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${uuidv7().replaceAll('-', '')}`;
}

/**
 * Random bytes for trace and span ids, drawn from a pool the system's generator refills 4 KiB at a time:
 * one `randomBytes` call per id was a system call each, 3 % of the server's CPU end to end (a trace id
 * for every envelope and receipt, a span id for every job and delivery). Not for secrets: keys and
 * signing secrets take their bytes from `randomBytes` directly, and leave nothing behind in a pool.
 */
const pool = Buffer.allocUnsafe(4096);
let poolOffset = pool.length;

/** `bytes` random bytes (at most 4,096) as lowercase hex, never all zero. */
export function randomHex(bytes: number): string {
  for (;;) {
    if (poolOffset + bytes > pool.length) {
      randomFillSync(pool);
      poolOffset = 0;
    }
    const hex = pool.toString('hex', poolOffset, poolOffset + bytes);
    poolOffset += bytes;
    if (!/^0+$/.test(hex)) return hex;
  }
}

/** A W3C trace id: 32 lowercase hex characters, not all zero. */
export function newTraceId(): string {
  return randomHex(16);
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** The trace id of a W3C `traceparent` header, or null when absent or malformed. */
export function traceIdFromTraceparent(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = TRACEPARENT.exec(header.trim());
  const traceId = match?.[1];
  if (traceId === undefined || /^0+$/.test(traceId)) return null;
  return traceId;
}
