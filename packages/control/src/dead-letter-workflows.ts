import { type DeadLetter, type Job, platformDedupeKey, SluiceError } from '@sluice/core';
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
  /** A job dead letter: its job is queued again under its idempotency key (the same `webhook-id`). */
  | { readonly kind: 'requeued'; readonly deadLetter: DeadLetter; readonly job: Job }
  /** The mapping still cannot handle it: the dead letter stays pending, its retry count up. */
  | { readonly kind: 'failed'; readonly deadLetter: DeadLetter; readonly failure: MappingFailure };

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
    if (deadLetter.kind === 'job') return this.#requeue(deadLetter);
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

  /**
   * Queues a job dead letter's job again: the job keeps its idempotency key, the dead letter becomes
   * `replayed` (`retry_count` up) and `dead_letter.replayed` is written, in one transaction.
   */
  async #requeue(deadLetter: DeadLetter): Promise<ReplayOutcome> {
    const { stores, platform } = this.#deps;
    const entity = { kind: 'dead_letter', id: deadLetter.id };
    const fact = await platform.fact(deadLetter.tenant_id, {
      event_type: 'dead_letter.replayed',
      entity,
      dedupe_key: platformDedupeKey(entity, 'replayed', String(deadLetter.retry_count + 1)),
      payload: {
        dead_letter_id: deadLetter.id,
        kind: deadLetter.kind,
        job_id: deadLetter.job_id,
        retry_count: deadLetter.retry_count + 1,
      },
    });
    const replay = await stores.deadLetters.replayJob(deadLetter.tenant_id, deadLetter.id, [fact]);
    switch (replay.kind) {
      case 'replayed':
        return { kind: 'requeued', deadLetter: replay.deadLetter, job: replay.job };
      case 'not_found':
        throw new SluiceError('dead_letter_not_found', `Dead letter "${deadLetter.id}" does not exist.`);
      case 'not_pending':
        throw new SluiceError(
          'conflict',
          `Dead letter "${deadLetter.id}" is ${replay.deadLetter.status}; only pending ones are replayed.`,
        );
      case 'job_not_replayable':
        throw new SluiceError(
          'conflict',
          `The job of dead letter "${deadLetter.id}" is gone or already queued again.`,
          { details: { job_id: deadLetter.job_id } },
        );
    }
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
