/**
 * The Sluice SDK: everything a connector or operator author imports, and nothing else. See
 * docs/connectors.md ("The SDK").
 */

// Action inputs are TypeBox schemas.
export { Type } from '@sinclair/typebox';
export type {
  ApiDeclaration,
  Connector,
  ConnectorActionContext,
  ConnectorActionSpec,
  ConnectorSpec,
  Emission,
  Envelope,
  MapInput,
  PollContext,
  PollHandler,
  PollPage,
  PollRequest,
  StreamDeclaration,
  VerificationConfig,
} from '@sluice/core';
// Poll handlers: a source that asks to slow down.
export { RateLimitedError, rateLimitedFrom } from '@sluice/core';
export type { Operator, OperatorContext, OperatorSpec, Plan, PlanAction } from '@sluice/execute';
export { defineOperator } from '@sluice/execute';
export type { MappingFailure, MappingResult } from '@sluice/map';
// Testing a mapping without a server.
export { defineConnector, runMapping } from '@sluice/map';
// Defining what the server serves.
export { defineConfig, type SluiceConfig } from './define-config.ts';
