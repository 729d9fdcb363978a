import { type DeadLetter, SluiceError } from '@sluice/core';
import type { ElementResult } from '@sluice/ingest';
import type { MappingFailure } from '@sluice/map';
import { type Delivery, emissionsOf, ingestFailure } from '@sluice/receive';
import { openConfig } from './connection-config.ts';
import type { ControlDeps } from './control-deps.ts';

/** What one replay ended in. */
export type ReplayOutcome =
  | {
      readonly kind: 'replayed';
      readonly deadLetter: DeadLetter;
      readonly results: ReadonlyArray<ElementResult>;
    }
  /** The mapping still cannot handle it: the dead letter stays pending, its retry count up. */
  | { readonly kind: 'failed'; readonly deadLetter: DeadLetter; readonly failure: MappingFailure };

export interface BulkReplay {
  /** At most this many pending dead letters, oldest first. */
  readonly limit: number;
  /** Only those of this connector. */
  readonly connector?: string;
}

/** Dead letters: replay one or many through the connector's current mapping, purge. */
export class DeadLetterWorkflows {
  readonly #deps: ControlDeps;

  constructor(deps: ControlDeps) {
    this.#deps = deps;
  }

  async get(tenantId: string, id: string): Promise<DeadLetter> {
    const deadLetter = await this.#deps.stores.deadLetters.get(tenantId, id);
    if (deadLetter === null)
      throw new SluiceError('dead_letter_not_found', `Dead letter "${id}" does not exist.`);
    return deadLetter;
  }

  /**
   * Runs a dead letter's delivery through the connector's current mapping and ingests what it yields. It
   * is not verified again: it was verified at receipt, and its signed timestamp may be long past.
   */
  async replay(tenantId: string, id: string): Promise<ReplayOutcome> {
    const { stores, connectors, ingestor, secretBox } = this.#deps;
    const deadLetter = await this.get(tenantId, id);
    if (deadLetter.status === 'replayed') {
      throw new SluiceError('conflict', `Dead letter "${id}" was already replayed.`);
    }
    if (deadLetter.error_context['stage'] === 'route') {
      // It holds an envelope that was stored and matched no trigger, not a delivery to map again.
      throw new SluiceError(
        'conflict',
        `Dead letter "${id}" keeps an envelope that matched no trigger; it was ingested already and is not replayed through the mapping. Add a trigger for its event type, then purge it.`,
      );
    }
    const connection =
      deadLetter.connection_id === null
        ? null
        : await stores.connections.get(tenantId, deadLetter.connection_id);
    if (connection === null) {
      throw new SluiceError(
        'connection_not_found',
        `The connection of dead letter "${id}" no longer exists.`,
      );
    }
    const connector = connectors.get(connection.connector_id);
    if (connector === null) {
      throw new SluiceError(
        'connector_not_found',
        `Connector "${connection.connector_id}" is not registered.`,
      );
    }
    const delivery: Delivery = {
      rawBody: Buffer.from(deadLetter.event_payload.body_base64, 'base64'),
      headers: deadLetter.event_payload.headers,
    };
    const mapped = emissionsOf(
      connector,
      connection,
      delivery,
      openConfig(secretBox, connection.id, connection.config),
    );
    let failure: MappingFailure;
    if (mapped.ok) {
      const result =
        mapped.emissions.length === 0
          ? ({ status: 'committed', results: [] } as const)
          : await ingestor.ingest(connection, mapped.emissions, { origin: 'user' });
      if (result.status === 'committed') {
        const updated = await stores.deadLetters.recordReplay(tenantId, id, 'replayed');
        return { kind: 'replayed', deadLetter: updated ?? deadLetter, results: result.results };
      }
      failure =
        result.status === 'rejected'
          ? ingestFailure(result.rejection)
          : { stage: 'ingest', message: 'the delivery was refused as a replay' };
    } else {
      failure = 'failure' in mapped ? mapped.failure : { stage: 'map', message: mapped.refusal.message };
    }
    const updated = await stores.deadLetters.recordReplay(tenantId, id, 'pending', failure.message);
    return { kind: 'failed', deadLetter: updated ?? deadLetter, failure };
  }

  /** Replays the tenant's pending dead letters, oldest first; one failing replay does not stop the others. */
  async replayMany(
    tenantId: string,
    options: BulkReplay,
  ): Promise<{
    replayed: Array<{ id: string; event_ids: string[] }>;
    failed: Array<{ id: string; error: { code: string; message: string } }>;
  }> {
    const replayed: Array<{ id: string; event_ids: string[] }> = [];
    const failed: Array<{ id: string; error: { code: string; message: string } }> = [];
    let after: string | undefined;
    while (replayed.length + failed.length < options.limit) {
      const page = await this.#deps.stores.deadLetters.list(
        tenantId,
        { status: 'pending' },
        { limit: 100, ...(after === undefined ? {} : { after }) },
      );
      for (const deadLetter of page.items) {
        if (replayed.length + failed.length >= options.limit) break;
        if (options.connector !== undefined && deadLetter.connector !== options.connector) continue;
        try {
          const outcome = await this.replay(tenantId, deadLetter.id);
          if (outcome.kind === 'replayed') {
            replayed.push({ id: deadLetter.id, event_ids: outcome.results.map((r) => r.event_id) });
          } else {
            failed.push({ id: deadLetter.id, error: replayError(outcome.failure) });
          }
        } catch (error) {
          // A dead letter whose connection or connector is gone fails alone; an outage fails the call.
          if (!(error instanceof SluiceError) || error.status >= 500) throw error;
          failed.push({ id: deadLetter.id, error: { code: error.code, message: error.message } });
        }
      }
      if (page.next === null) break;
      after = page.next;
    }
    return { replayed, failed };
  }

  async purge(tenantId: string, id: string): Promise<void> {
    if (!(await this.#deps.stores.deadLetters.delete(tenantId, id))) {
      throw new SluiceError('dead_letter_not_found', `Dead letter "${id}" does not exist.`);
    }
  }
}

/** A failed replay as the API reports it: the mapping still fails. */
export function replayError(failure: MappingFailure): { code: 'mapping_failed'; message: string } {
  return { code: 'mapping_failed', message: `Replay failed again: ${failure.message}` };
}
