export { ConnectorRegistry } from './connector-registry.ts';
export { isCronShape } from './connector-rules.ts';
export { defineConnector } from './define-connector.ts';
export type { DefinitionProblem, DefinitionRule } from './definition-problem.ts';
export { streamKeyForEventType } from './normalize-streams.ts';
export type { StreamResolution, StreamResolutionRule } from './resolve-stream.ts';
export { resolveStream } from './resolve-stream.ts';
export type { MappingFailure, MappingResult } from './run-mapping.ts';
export { runMapping } from './run-mapping.ts';
