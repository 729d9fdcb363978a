import type { Connection, Envelope, HttpAction, Job, Trigger, TriggerAction } from '@sluice/core';
import type { ActionContext, ActionOutcome, ActionRunner } from '../action-runner.ts';
import { buildDeliveryRequest } from '../delivery-request.ts';
import type { HttpDeliverer } from '../http-deliverer.ts';
import { envelopeFixture } from './envelope-fixture.ts';

/** What an action context fixture may replace. */
export interface ActionContextOverrides {
  readonly envelope?: Envelope;
  readonly tenantId?: string;
  readonly idempotencyKey?: string;
  readonly attempt?: number;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** An action context as the executor builds it for one attempt of a job of a trigger with `action`. */
export function actionContextFixture<A extends TriggerAction>(
  action: A,
  overrides: ActionContextOverrides = {},
): ActionContext<A> {
  const tenantId = overrides.tenantId ?? 'ten_01';
  const envelope = overrides.envelope ?? envelopeFixture({ tenant_id: tenantId });
  const trigger: Trigger & { readonly action: A } = {
    id: 'trg_01',
    tenant_id: tenantId,
    name: 'test trigger',
    event_types: ['*'],
    condition: null,
    priority: null,
    action,
    enabled: true,
    created_at: '2026-06-11T09:00:00Z',
    updated_at: '2026-06-11T09:00:00Z',
  };
  const idempotencyKey = overrides.idempotencyKey ?? `trg_01:${envelope.event_id}`;
  const job: Job = {
    id: 'job_01',
    tenant_id: tenantId,
    trigger_id: trigger.id,
    event_id: envelope.event_id,
    connection_id: envelope.connection_id,
    priority: 'P2',
    entity_key: null,
    position: '1.1',
    status: 'running',
    idempotency_key: idempotencyKey,
    created_at: '2026-06-11T09:03:03Z',
    attempts: [],
  };
  return {
    job,
    envelope,
    trigger,
    idempotencyKey,
    attempt: overrides.attempt ?? 1,
    timeoutMs: overrides.timeoutMs ?? 5_000,
    signal: overrides.signal ?? new AbortController().signal,
  };
}

/** An active connection of `connectorId` in `tenantId` with `config`. */
export function connectionFixture(
  connectorId: string,
  config: Readonly<Record<string, unknown>>,
  overrides: Partial<Connection> = {},
): Connection {
  return {
    id: 'con_api',
    tenant_id: 'ten_01',
    reseller_id: null,
    workspace_id: null,
    connector_id: connectorId,
    name: `${connectorId} connection`,
    config,
    status: 'active',
    rate_limit: null,
    created_at: '2026-06-11T09:00:00Z',
    retired_at: null,
    ...overrides,
  };
}

/**
 * A plain `http` runner over a deliverer, for tests that compose runners (the executor's own runner adds
 * the trigger's secret, the breaker and metrics).
 */
export function deliveringRunner(deliverer: HttpDeliverer): ActionRunner<HttpAction> {
  return {
    type: 'http',
    async run(context: ActionContext<HttpAction>): Promise<ActionOutcome> {
      const built = buildDeliveryRequest({
        action: context.trigger.action,
        secret: null,
        idempotencyKey: context.idempotencyKey,
        envelope: context.envelope,
        nowMs: Date.now(),
      });
      if (!built.ok) return { kind: 'refused', rule: 'request_invalid', error: built.message };
      return deliverer.send(built.request, { timeoutMs: context.timeoutMs });
    },
  };
}
