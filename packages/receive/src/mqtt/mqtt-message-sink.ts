import { setTimeout as sleep } from 'node:timers/promises';
import { type Connection, type Connector, MQTT_TOPIC_HEADER } from '@sluice/core';
import type { Ingestor } from '@sluice/ingest';
import type { MappingFailure } from '@sluice/map';
import { type DeadLetterWriterDeps, writeDeadLetter } from '../dead-letter-writer.ts';
import type { Delivery } from '../webhook/delivery.ts';
import { emissionsOf } from '../webhook/delivery-emissions.ts';
import { ingestFailure } from '../webhook/webhook-receiver.ts';

/** What became of one broker message; only a `failed` one is left unacknowledged, for the broker to resend. */
export type MessageOutcome =
  | { readonly kind: 'ingested'; readonly accepted: number; readonly duplicates: number }
  | { readonly kind: 'dead_lettered'; readonly deadLetterId: string }
  | { readonly kind: 'failed'; readonly error: unknown };

export interface MessageSinkDeps extends DeadLetterWriterDeps {
  readonly ingestor: Pick<Ingestor, 'ingest'>;
  /** Tries of one message's commit when the store throws (an outage), before giving up on it for now. */
  readonly attempts?: number;
  /** The wait after the first failed try, doubled after each, in ms. */
  readonly retryDelayMs?: number;
}

/** A broker message as a delivery: the payload bytes, and the topic and QoS as headers the mapping reads. */
export function messageDelivery(topic: string, payload: Buffer, qos: number): Delivery {
  return {
    rawBody: payload,
    headers: { [MQTT_TOPIC_HEADER]: topic, 'mqtt-qos': String(qos), 'content-type': 'application/json' },
  };
}

/**
 * map → ingest for one broker message, through the webhook path (`emissionsOf`, the ingestor, the dead
 * letter writer). A message the mapping cannot handle, or whose emissions ingest rejects, is kept as a
 * dead letter: that is an outcome, and the message is acknowledged. A store that throws is retried a few
 * times; then the outcome is `failed` and the caller must not acknowledge, so the broker sends it again.
 */
export async function sinkMessage(
  deps: MessageSinkDeps,
  connector: Connector,
  connection: Connection,
  config: Readonly<Record<string, unknown>>,
  delivery: Delivery,
): Promise<MessageOutcome> {
  const attempts = deps.attempts ?? 3;
  let delay = deps.retryDelayMs ?? 200;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await sinkOnce(deps, connector, connection, config, delivery);
    } catch (error) {
      if (attempt >= attempts) return { kind: 'failed', error };
      await sleep(delay);
      delay *= 2;
    }
  }
}

async function sinkOnce(
  deps: MessageSinkDeps,
  connector: Connector,
  connection: Connection,
  config: Readonly<Record<string, unknown>>,
  delivery: Delivery,
): Promise<MessageOutcome> {
  const mapped = emissionsOf(connector, connection, delivery, config);
  if (!mapped.ok) {
    // A broker message cannot be refused back to its sender: an unreadable body is a dead letter too.
    const failure: MappingFailure =
      'refusal' in mapped
        ? { stage: 'map', message: mapped.refusal.message, code: mapped.refusal.code }
        : mapped.failure;
    return deadLettered(deps, connector, connection, delivery, failure);
  }
  if (mapped.emissions.length === 0) return { kind: 'ingested', accepted: 0, duplicates: 0 };
  const result = await deps.ingestor.ingest(connection, mapped.emissions, {});
  if (result.status === 'rejected') {
    return deadLettered(deps, connector, connection, delivery, ingestFailure(result.rejection));
  }
  if (result.status === 'replayed') return { kind: 'ingested', accepted: 0, duplicates: 0 };
  const accepted = result.results.filter((r) => r.status === 'accepted').length;
  return { kind: 'ingested', accepted, duplicates: result.results.length - accepted };
}

async function deadLettered(
  deps: MessageSinkDeps,
  connector: Connector,
  connection: Connection,
  delivery: Delivery,
  failure: MappingFailure,
): Promise<MessageOutcome> {
  const deadLetter = await writeDeadLetter(deps, connector, connection, delivery, failure);
  return { kind: 'dead_lettered', deadLetterId: deadLetter.id };
}
