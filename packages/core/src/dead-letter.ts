export type DeadLetterStatus = 'pending' | 'replayed' | 'expired';

/**
 * A delivery that was accepted (correctly signed) but could not become envelopes, kept whole so it can
 * be replayed once the cause is fixed. Record shape of seed 002's DLQ.
 */
export interface DeadLetter {
  readonly id: string;
  readonly tenant_id: string;
  readonly connector: string;
  readonly connection_id: string | null;
  /** The original delivery: raw body (base64) and the headers needed to re-verify and re-map. */
  readonly event_payload: {
    readonly body_base64: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly content_type: string | null;
  };
  readonly error_message: string;
  readonly error_context: Readonly<Record<string, unknown>>;
  readonly created_at: string;
  readonly retry_count: number;
  readonly status: DeadLetterStatus;
}
