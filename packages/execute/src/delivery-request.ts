import type { Buffer } from 'node:buffer';
import { type DeliveryFormat, type Envelope, type HttpAction, randomHex } from '@sluice/core';
import { signWebhook } from '@sluice/signatures';
import { deliveryBody } from './delivery-body.ts';
import { mergeHeaders } from './delivery-headers.ts';

/** What one delivery attempt of an http action is built from. */
export interface DeliveryInput {
  readonly action: HttpAction;
  /** The action's plaintext `whsec_` secret; null sends the id and timestamp unsigned. */
  readonly secret: string | null;
  /**
   * The job's idempotency key, sent as `webhook-id`: the same on every retry and replay of the job, so a
   * receiver can dedupe.
   */
  readonly idempotencyKey: string;
  readonly envelope: Envelope;
  /** The send time, epoch ms: `webhook-timestamp` and a device batch's `emitted_at`. */
  readonly nowMs: number;
  /** The span id of this attempt in `traceparent` (16 hex); random when absent. */
  readonly spanId?: string;
  /** The delivery span's own `traceparent` (tracing on); else the envelope's trace with `spanId`. */
  readonly traceparent?: string;
}

/** A built request: POST `body` to `url` with `headers` (lowercased names). */
export interface DeliveryRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/** Why a request could not be built. */
export type BuildRule = 'format_unknown' | 'secret_invalid' | 'body_unencodable';

export type BuildResult =
  | { readonly ok: true; readonly request: DeliveryRequest }
  | { readonly ok: false; readonly rule: BuildRule; readonly message: string };

/** The default delivery format. */
export const DEFAULT_FORMAT: DeliveryFormat = 'envelope';

/** Sent unless the trigger's headers set their own. */
export const USER_AGENT = 'Sluice-Webhooks/1';

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/**
 * A W3C `traceparent` continuing the envelope's trace, with this attempt as a sampled span; null when the
 * envelope's trace id is not a valid one.
 */
export function traceparentOf(traceId: string, spanId: string): string | null {
  if (!TRACE_ID.test(traceId) || /^0+$/.test(traceId)) return null;
  if (!SPAN_ID.test(spanId) || /^0+$/.test(spanId)) return null;
  return `00-${traceId}-${spanId}-01`;
}

const newSpanId = (): string => randomHex(8);

/**
 * Builds one delivery attempt: the body in the action's format, its content type, the Standard Webhooks
 * headers (`webhook-id` = the idempotency key, `webhook-timestamp` from `nowMs`, and `webhook-signature` when
 * there is a secret — signed by `@sluice/signatures`), `traceparent`, and the trigger's own headers, which
 * cannot override any of these. A result, never a throw.
 */
export function buildDeliveryRequest(input: DeliveryInput): BuildResult {
  const format = input.action.format ?? DEFAULT_FORMAT;
  let encoded: ReturnType<typeof deliveryBody>;
  try {
    encoded = deliveryBody(input.envelope, format, input.nowMs);
  } catch (cause) {
    const message = `The envelope cannot be encoded as ${format}: ${(cause as Error).message}`;
    return { ok: false, rule: 'body_unencodable', message };
  }
  if (encoded === null) {
    return {
      ok: false,
      rule: 'format_unknown',
      message: `Unknown delivery format ${JSON.stringify(format)}.`,
    };
  }
  let signed: Record<string, string>;
  if (input.secret === null) {
    signed = {
      'webhook-id': input.idempotencyKey,
      'webhook-timestamp': String(Math.floor(input.nowMs / 1000)),
    };
  } else {
    try {
      signed = signWebhook(
        { scheme: 'standard-webhooks' },
        { secret: input.secret, rawBody: encoded.body, nowMs: input.nowMs, webhookId: input.idempotencyKey },
      );
    } catch (cause) {
      return { ok: false, rule: 'secret_invalid', message: (cause as Error).message };
    }
  }
  const traceparent =
    input.traceparent ?? traceparentOf(input.envelope.trace_id, input.spanId ?? newSpanId());
  const headers = mergeHeaders(
    { 'user-agent': USER_AGENT, ...input.action.headers },
    {
      'content-type': encoded.contentType,
      ...signed,
      ...(traceparent === null ? {} : { traceparent }),
    },
  );
  return { ok: true, request: { url: input.action.url, headers, body: encoded.body } };
}
