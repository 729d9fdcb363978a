export type {
  Connector,
  ConnectorSpec,
  EventStreamDeclaration,
  MapInput,
  PollContext,
  PollHandler,
  PollPage,
  PollRequest,
  ProbeResult,
  StreamDeclaration,
  StreamMode,
} from './connector.ts';
export type { DeadLetter, DeadLetterStatus } from './dead-letter.ts';
export type { Emission } from './emission.ts';
export { entityKey, entityOf } from './entity-key.ts';
export type { EntityRef, Envelope, EnvelopeMode } from './envelope.ts';
export { ENVELOPE_FIELDS, SCHEMA_VERSION } from './envelope.ts';
export type { ErrorBody, ErrorCode } from './errors.ts';
export { ERROR_CODES, isSluiceError, SluiceError } from './errors.ts';
export type { IdKind } from './ids.ts';
export { ID_PREFIXES, isEventId, newEventId, newId, newTraceId, traceIdFromTraceparent } from './ids.ts';
export {
  EVENT_TYPE_PATTERN,
  isEventType,
  isSourceId,
  isStreamKey,
  SOURCE_PATTERN,
  STREAM_KEY_PATTERN,
} from './naming.ts';
export type {
  AppendInput,
  AppendOutcome,
  AppendResult,
  EnvelopeFilter,
  NewConnection,
  NewDeadLetter,
  OutboxEntry,
  Page,
  PageRequest,
  PreparedEnvelope,
  Store,
} from './store-port.ts';
export type {
  ApiKeyRecord,
  Connection,
  ConnectionSecret,
  ConnectionStatus,
  Tenant,
  Workspace,
} from './tenancy.ts';
export type { VerificationConfig, VerificationScheme } from './verification.ts';
export { DEFAULT_TOLERANCE_SECONDS, isVerificationScheme, VERIFICATION_SCHEMES } from './verification.ts';
