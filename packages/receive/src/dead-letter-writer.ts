import {
  type AppendInput,
  type Connection,
  type Connector,
  type DeadLetter,
  type DeadLetterStore,
  newId,
  type PlatformEventInput,
  platformDedupeKey,
} from '@sluice/core';
import type { MappingFailure } from '@sluice/map';
import { deadLetterRecord } from './webhook/dead-letter-record.ts';
import type { Delivery } from './webhook/delivery.ts';

/** What keeping a dead letter needs: the store, and optionally its platform fact and a counter. */
export interface DeadLetterWriterDeps {
  readonly deadLetters: Pick<DeadLetterStore, 'create'>;
  /** The platform event a new dead letter commits with (`webhook.dead_lettered`); none when absent. */
  platformFact?(tenantId: string, event: PlatformEventInput): Promise<AppendInput>;
  /** Told of each new dead letter, after it committed (metrics). */
  onDeadLetter?(connector: Connector): void;
}

/**
 * Keeps a delivery the mapping could not handle (a webhook, or a broker message as the same raw bytes and
 * headers) as an ingest dead letter, with its `webhook.dead_lettered` fact in the same transaction.
 */
export async function writeDeadLetter(
  deps: DeadLetterWriterDeps,
  connector: Connector,
  connection: Connection,
  delivery: Delivery,
  failure: MappingFailure,
): Promise<DeadLetter> {
  const id = newId('deadLetter');
  const entity = { kind: 'dead_letter', id };
  const facts =
    deps.platformFact === undefined
      ? []
      : [
          await deps.platformFact(connection.tenant_id, {
            event_type: 'webhook.dead_lettered',
            entity,
            dedupe_key: platformDedupeKey(entity, 'created'),
            payload: {
              connection_id: connection.id,
              connector: connector.id,
              stage: failure.stage,
              error_message: failure.message,
            },
          }),
        ];
  const deadLetter = await deps.deadLetters.create(
    deadLetterRecord(connector, connection, delivery, failure, id),
    facts,
  );
  deps.onDeadLetter?.(connector);
  return deadLetter;
}
