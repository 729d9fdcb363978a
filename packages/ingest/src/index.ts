export { DEFAULT_INGEST_LIMITS, type IngestLimits } from './ingest-limits.ts';
export {
  createIngestor,
  type ElementResult,
  type IngestOptions,
  type Ingestor,
  type IngestorDeps,
  type IngestResult,
  type Prepared,
  type Rejection,
  type RejectionCode,
} from './ingestor.ts';
export { PlatformEvents, type PlatformEventsDeps } from './platform-events.ts';
export { type EmissionViolation, type ValidatedEmission, validateEmission } from './validate-emission.ts';
