export { generateApiKey, hashApiKey, isAdminKey } from './api-keys.ts';
export { openConfig, redactConfig, SEALED_PLACEHOLDER, sealConfig } from './connection-config.ts';
export { ConnectionWorkflows, type CreateConnection } from './connection-workflows.ts';
export type { ControlDeps } from './control-deps.ts';
export {
  type BulkReplay,
  DeadLetterWorkflows,
  type ReplayOutcome,
  replayError,
} from './dead-letter-workflows.ts';
export { SecretBox } from './secret-box.ts';
export { type IssuedApiKey, TenantWorkflows } from './tenant-workflows.ts';
