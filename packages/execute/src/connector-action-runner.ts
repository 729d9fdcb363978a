import type { Connection, Connector, ConnectorAction } from '@sluice/core';
import { checkActionInput, isApiCallError } from '@sluice/map';
import type { ActionContext, ActionOutcome, ActionRunner } from './action-runner.ts';
import { buildApiClient } from './api/api-client.ts';
import { ApiHttp, type ApiHttpOptions } from './api/api-http.ts';
import type { TargetRule } from './target-guard.ts';

/** A connection and its config with sealed values opened; null when the tenant has no such connection. */
export type ConnectionFor = (
  tenantId: string,
  connectionId: string,
) => Promise<{ readonly connection: Connection; readonly config: Readonly<Record<string, unknown>> } | null>;

/** What the connector runner is built from. */
export interface ConnectorActionRunnerOptions extends ApiHttpOptions {
  /** The connectors the process serves (a `ConnectorRegistry`). */
  readonly connectors: { get(id: string): Connector | null | undefined };
  /** The server wires it to control's `connectionForAction`. */
  readonly connectionFor: ConnectionFor;
}

/** A run's own expectations, for a plan action: the connector its kind names. */
export interface ConnectorRunExpectations {
  readonly connectorId?: string;
}

/**
 * Runs `{type: 'connector', connection_id, action, input}`: the trigger tenant's active connection, its
 * connector's action, the input checked against the action's schema, then the action's `run` with a client
 * for the connection's API. What could not be sent is `refused` (`request_invalid`); the provider's answer
 * gives the rest: 2xx `delivered` with the action's result, a 4xx `failed` except 408, 409, 425, 429, those
 * and 5xx, timeouts and network failures `retry` (with `Retry-After`).
 */
export class ConnectorActionRunner implements ActionRunner<ConnectorAction> {
  readonly type = 'connector' as const;
  readonly #options: ConnectorActionRunnerOptions;
  readonly #http: ApiHttp;

  constructor(options: ConnectorActionRunnerOptions) {
    this.#options = options;
    this.#http = new ApiHttp(options);
  }

  async run(
    context: ActionContext<ConnectorAction>,
    expect: ConnectorRunExpectations = {},
  ): Promise<ActionOutcome> {
    const { action, tenant_id: tenantId } = context.trigger;
    const found = await this.#options.connectionFor(tenantId, action.connection_id);
    if (found === null || found.connection.tenant_id !== tenantId) {
      return notSent(
        `Connection ${JSON.stringify(action.connection_id)} is not a connection of this tenant.`,
      );
    }
    const { connection, config } = found;
    if (connection.status !== 'active') {
      return notSent(
        `Connection ${JSON.stringify(connection.id)} is ${connection.status}; only active connections run actions.`,
      );
    }
    if (expect.connectorId !== undefined && expect.connectorId !== connection.connector_id) {
      return notSent(
        `Connection ${JSON.stringify(connection.id)} is a ${JSON.stringify(connection.connector_id)} connection, not ${JSON.stringify(expect.connectorId)}.`,
      );
    }
    const connector = this.#options.connectors.get(connection.connector_id);
    const declared = connector?.actions.get(action.action);
    if (connector == null || declared === undefined || connector.api === null) {
      const known = connector == null ? [] : [...connector.actions.keys()];
      return notSent(
        `Connector ${JSON.stringify(connection.connector_id)} has no action ${JSON.stringify(action.action)}; it declares ${known.length === 0 ? 'none' : known.join(', ')}.`,
      );
    }
    const checked = checkActionInput(declared, action.input ?? {});
    if (!checked.ok) {
      const problems = checked.problems.map((p) => `${p.path}: ${p.message}`).join('; ');
      return notSent(
        `The input of ${connector.id} action ${action.action} does not match its schema: ${problems}.`,
      );
    }
    const built = buildApiClient({
      api: connector.api,
      config,
      http: this.#http,
      idempotencyKey: context.idempotencyKey,
      timeoutMs: context.timeoutMs,
      signal: context.signal,
    });
    if (!built.ok) return notSent(built.error);
    try {
      const result = await declared.run(
        {
          client: built.value.client,
          config,
          connectionId: connection.id,
          tenantId,
          idempotencyKey: context.idempotencyKey,
          envelope: context.envelope,
          signal: context.signal,
        },
        checked.input,
      );
      const calls = built.value.calls();
      return { kind: 'delivered', status: calls.lastStatus ?? 200, latency_ms: calls.latencyMs, result };
    } catch (error) {
      if (isApiCallError(error)) {
        const failure = error.failure;
        return failure.kind === 'refused' ? { ...failure, rule: failure.rule as TargetRule } : failure;
      }
      if (context.signal.aborted) return { kind: 'retry', error: 'The attempt was aborted.' };
      // A throw that is not the provider's answer is the action's own bug or a check of its input.
      return {
        kind: 'failed',
        status: 0,
        error: `${connector.id} action ${action.action} threw: ${(error as Error)?.message ?? String(error)}`,
      };
    }
  }

  /** Closes the kept-alive sockets. */
  close(): void {
    this.#http.close();
  }
}

const notSent = (error: string): ActionOutcome => ({ kind: 'refused', rule: 'request_invalid', error });
