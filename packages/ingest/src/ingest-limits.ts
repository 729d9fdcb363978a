/** Limits ingest enforces; every one is configurable. */
export interface IngestLimits {
  /** Largest accepted batch (atomic). */
  readonly maxBatch: number;
  /** Largest payload of one emission, in bytes of its JSON. */
  readonly maxPayloadBytes: number;
  /** How long a dedupe key blocks a repeat, in ms. */
  readonly dedupeWindowMs: number;
  readonly maxDedupeKeyLength: number;
}

export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  maxBatch: 500,
  maxPayloadBytes: 256 * 1024,
  dedupeWindowMs: 24 * 60 * 60 * 1000,
  maxDedupeKeyLength: 512,
};
