import type {
  ConnectorAction,
  Envelope,
  HandlerAction,
  HttpAction,
  Job,
  Trigger,
  TriggerAction,
} from '@sluice/core';
import type { DeliveryOutcome } from './delivery-outcome.ts';

/** What an action run is given: the job, its event, its trigger as it is now, and its limits. */
export interface ActionContext<A extends TriggerAction = TriggerAction> {
  readonly job: Job;
  readonly envelope: Envelope;
  readonly trigger: Trigger & { readonly action: A };
  /** The key the side effect is made under (`webhook-id` of a delivery): the same on every attempt and replay. */
  readonly idempotencyKey: string;
  /** From 1. */
  readonly attempt: number;
  /** The attempt's time limit; `signal` aborts when it passes or the executor stops. */
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
}

/**
 * What one run of an action came to, in the delivery's outcome classes (so one retry policy serves every
 * action type): `delivered` may carry what the action returned, remembered under the idempotency key.
 */
export type ActionOutcome =
  | (Extract<DeliveryOutcome, { kind: 'delivered' }> & {
      readonly result?: unknown;
      /** Planned and recorded, nothing run: the result is not remembered under the idempotency key. */
      readonly dry_run?: boolean;
    })
  | Exclude<DeliveryOutcome, { kind: 'delivered' }>;

/** Runs one action type (`http`, `handler`, `connector`); the executor picks the runner by `action.type`. */
export interface ActionRunner<A extends TriggerAction = TriggerAction> {
  readonly type: A['type'];
  run(context: ActionContext<A>): Promise<ActionOutcome>;
}

/** A runner of any one action type, as the executor is given them. */
export type AnyActionRunner =
  | ActionRunner<HttpAction>
  | ActionRunner<HandlerAction>
  | ActionRunner<ConnectorAction>;
