import type { Connection, DeadLetter, ErrorCode } from '@sluice/core';
import type { ElementResult } from '@sluice/ingest';
import type { MappingFailure } from '@sluice/map';

/** Why a delivery was refused with nothing stored; each is an error code of the error table. */
export type RefusalCode = Extract<
  ErrorCode,
  | 'connector_not_found'
  | 'connection_not_found'
  | 'connection_retired'
  | 'unsupported_media_type'
  | 'invalid_json'
  | 'invalid_cloudevent'
  | 'signature_missing'
  | 'signature_invalid'
  | 'timestamp_stale'
  | 'webhook_replayed'
  | 'quota_exceeded'
>;

export interface Refusal {
  readonly code: RefusalCode;
  readonly message: string;
  /** Seconds to wait before retrying (`quota_exceeded`). */
  readonly retryAfter?: number;
}

/** What became of one delivery. The HTTP route maps each kind to a status and a body. */
export type ReceiveOutcome =
  /** Verified, mapped and committed; per element accepted or duplicate. */
  | {
      readonly kind: 'ingested';
      readonly connection: Connection;
      readonly results: ReadonlyArray<ElementResult>;
      /** The envelopes' trace id; absent when nothing was emitted. */
      readonly trace_id?: string;
    }
  /** Verified, but it could not become valid emissions: kept as a dead letter, acknowledged. */
  | {
      readonly kind: 'dead_lettered';
      readonly connection: Connection;
      readonly deadLetter: DeadLetter;
      readonly failure: MappingFailure;
    }
  /** Verified, and the connector answered it as a handshake (Slack's `url_verification`); nothing stored. */
  | {
      readonly kind: 'answered';
      readonly connection: Connection;
      readonly status: number;
      readonly body: unknown;
    }
  /** Refused; nothing was stored. */
  | ({ readonly kind: 'refused' } & Refusal);

export const refused = (code: RefusalCode, message: string, retryAfter?: number): ReceiveOutcome => ({
  kind: 'refused',
  code,
  message,
  ...(retryAfter === undefined ? {} : { retryAfter }),
});
