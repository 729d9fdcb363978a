import type { ErrorCode, VerificationConfig } from '@sluice/core';

/** One delivery as a verifier sees it. Everything it depends on is passed in: no clock, no I/O, no lookups. */
export interface VerifyRequest {
  /** The body exactly as received, before any parsing; signatures are over these bytes. */
  readonly rawBody: Buffer;
  /** Request headers, names lowercased (as node:http and Fastify deliver them). */
  readonly headers: Readonly<Record<string, string>>;
  /** The connection's plaintext signing secrets; during a rotation overlap any one of them verifies. */
  readonly secrets: ReadonlyArray<string>;
  /** The receiver's clock, epoch milliseconds. */
  readonly nowMs: number;
}

/** Why a delivery was refused; each is an error code of its own in @sluice/core. */
export type VerifyFailureCode = Extract<
  ErrorCode,
  'signature_missing' | 'signature_invalid' | 'timestamp_stale'
>;

/** An authentic delivery. */
export interface VerifySuccess {
  readonly ok: true;
  /**
   * Identifies this exact signed message, for schemes whose signature covers a timestamp; null otherwise.
   * The caller keeps it (scoped to the connection) for the tolerance window and refuses a second use.
   * A sender's retry is signed again at a new timestamp and so gets a new key.
   */
  readonly replayKey: string | null;
  /** The provider's delivery id (`webhook-id`, `x-github-delivery`, `x-shopify-webhook-id`) when it sends one. */
  readonly webhookId: string | null;
  /** The signed timestamp in Unix seconds, for schemes that sign one; null otherwise. */
  readonly timestamp: number | null;
}

/** A refused delivery. The message names what failed and never contains a secret or an expected signature. */
export interface VerifyFailure {
  readonly ok: false;
  readonly code: VerifyFailureCode;
  readonly message: string;
}

export type VerifyResult = VerifySuccess | VerifyFailure;

/** What a signer needs to produce the headers of one delivery. */
export interface SignInput {
  /** The plaintext secret, in the scheme's own format (`whsec_…` for standard-webhooks). */
  readonly secret: string;
  readonly rawBody: Buffer | string;
  /** The sender's clock, epoch milliseconds; schemes with a timestamp sign `floor(nowMs / 1000)`. */
  readonly nowMs: number;
  /** The delivery id, for schemes that carry one; a random one is made when absent. */
  readonly webhookId?: string;
}

/**
 * One verification scheme: checks a delivery, and produces the headers a sender of that scheme would send
 * (for tests, examples, the CLI and outbound delivery). `verify` never throws; it fails closed.
 */
export interface Verifier<C extends VerificationConfig> {
  readonly scheme: C['scheme'];
  /** How the scheme's providers format a signing secret: `whsec_` + base64, or hex. */
  readonly secretFormat: 'whsec' | 'hex';
  verify(config: C, request: VerifyRequest): VerifyResult;
  /** Lowercased header names to values. Throws `validation_failed` for a secret the scheme cannot use. */
  sign(config: C, input: SignInput): Record<string, string>;
}

export function fail(code: VerifyFailureCode, message: string): VerifyFailure {
  return { ok: false, code, message };
}

export function verified(
  replayKey: string | null,
  webhookId: string | null,
  timestamp: number | null,
): VerifySuccess {
  return { ok: true, replayKey, webhookId, timestamp };
}

/** A header's value, or null when it is absent or empty. */
export function headerValue(headers: Readonly<Record<string, string>>, name: string): string | null {
  const value = headers[name];
  return typeof value === 'string' && value !== '' ? value : null;
}
