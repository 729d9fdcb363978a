import { SluiceError } from '@sluice/core';
import type { ElementResult } from '@sluice/ingest';
import type { ReceiveOutcome } from '@sluice/receive';

/** The body of a committed ingest (`IngestResponse`): per-element results and their counts. */
export function ingestResponse(connectionId: string, results: ReadonlyArray<ElementResult>) {
  const accepted = results.filter((r) => r.status === 'accepted').length;
  return {
    status: 'ok' as const,
    connection_id: connectionId,
    accepted,
    duplicates: results.length - accepted,
    results,
  };
}

/** An HTTP answer: a status and its JSON body, or the error a refusal becomes. */
export type OutcomeReply =
  | { readonly status: 200 | 202; readonly body: Readonly<Record<string, unknown>> }
  /** A connector's handshake answer: a string is sent as `text/plain`, anything else as JSON. */
  | { readonly status: 'answer'; readonly code: number; readonly body: unknown }
  | { readonly status: 'error'; readonly error: SluiceError };

/**
 * What the ingest routes answer for each receive outcome: 200 with per-element results when committed,
 * 202 when kept as a dead letter (the sender must not retry a delivery that will never map), and the
 * error table's status for a refusal.
 */
export function outcomeReply(outcome: ReceiveOutcome): OutcomeReply {
  switch (outcome.kind) {
    case 'ingested':
      return { status: 200, body: ingestResponse(outcome.connection.id, outcome.results) };
    case 'dead_lettered': {
      const { stage, message, rule, index } = outcome.failure;
      return {
        status: 202,
        body: {
          status: 'dead_lettered',
          connection_id: outcome.connection.id,
          dead_letter_id: outcome.deadLetter.id,
          failure: {
            stage,
            message,
            ...(rule === undefined ? {} : { rule }),
            ...(index === undefined ? {} : { index }),
          },
        },
      };
    }
    case 'answered':
      return { status: 'answer', code: outcome.status, body: outcome.body };
    case 'refused':
      return {
        status: 'error',
        error: new SluiceError(outcome.code, outcome.message, {
          ...(outcome.retryAfter === undefined ? {} : { retryAfter: outcome.retryAfter }),
        }),
      };
  }
}
