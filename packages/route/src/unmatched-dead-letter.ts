import type { ConnectionStore, DeadLetterStore, Envelope, NewDeadLetter } from '@sluice/core';

/**
 * The id of the dead letter that keeps an unmatched envelope: derived from the event id, so a redelivered
 * envelope finds the dead letter it already made instead of making a second one.
 */
export function unmatchedDeadLetterId(eventId: string): string {
  return `dlq_${eventId.replaceAll('-', '')}`;
}

/** The dead letter of an envelope that matched none of its tenant's triggers: the envelope, kept whole. */
export function unmatchedDeadLetter(envelope: Envelope, connector: string): NewDeadLetter {
  return {
    id: unmatchedDeadLetterId(envelope.event_id),
    tenant_id: envelope.tenant_id,
    connector,
    connection_id: envelope.connection_id,
    event_payload: {
      body_base64: Buffer.from(JSON.stringify(envelope)).toString('base64'),
      headers: {},
      content_type: 'application/json',
    },
    error_message: `Envelope ${envelope.event_id} (${envelope.event_type}) matched no trigger of its tenant.`,
    error_context: {
      stage: 'route',
      rule: 'unmatched',
      event_id: envelope.event_id,
      event_type: envelope.event_type,
      connection_id: envelope.connection_id,
    },
  };
}

export interface UnmatchedDeadLettersOptions {
  readonly deadLetters: Pick<DeadLetterStore, 'get' | 'create'>;
  readonly connections: Pick<ConnectionStore, 'get'>;
}

/** Keeps unmatched envelopes as dead letters, once each however often one is delivered. */
export class UnmatchedDeadLetters {
  readonly #options: UnmatchedDeadLettersOptions;
  /** A connection's connector never changes, so it is looked up once. */
  readonly #connectors = new Map<string, string>();

  constructor(options: UnmatchedDeadLettersOptions) {
    this.#options = options;
  }

  /** True when this call stored it; false when it was stored before. */
  async keep(envelope: Envelope): Promise<boolean> {
    const { deadLetters } = this.#options;
    const id = unmatchedDeadLetterId(envelope.event_id);
    if ((await deadLetters.get(envelope.tenant_id, id)) !== null) return false;
    const connector = await this.#connectorOf(envelope);
    try {
      await deadLetters.create(unmatchedDeadLetter(envelope, connector));
      return true;
    } catch (error) {
      // Another router made it in between (a redelivery racing a frozen owner): the key held.
      if ((await deadLetters.get(envelope.tenant_id, id)) !== null) return false;
      throw error;
    }
  }

  async #connectorOf(envelope: Envelope): Promise<string> {
    const known = this.#connectors.get(envelope.connection_id);
    if (known !== undefined) return known;
    const connection = await this.#options.connections.get(envelope.tenant_id, envelope.connection_id);
    const connector = connection?.connector_id ?? envelope.source;
    if (this.#connectors.size > 10_000) this.#connectors.clear();
    this.#connectors.set(envelope.connection_id, connector);
    return connector;
  }
}
