import type { Condition } from './condition.ts';

/**
 * Job priorities, most urgent first. The default comes from the envelope's origin: P1 user-triggered
 * (emit API, manual replay), P2 webhook or event, P3 scheduled (cron), P4 polling and live backfill.
 */
export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;

export type Priority = (typeof PRIORITIES)[number];

/** Where an envelope came from; it decides the default priority of the jobs it causes. */
export const ORIGINS = ['user', 'webhook', 'schedule', 'poll'] as const;

export type Origin = (typeof ORIGINS)[number];

/** The default priority of a job by the origin of its event. */
export const ORIGIN_PRIORITY: Readonly<Record<Origin, Priority>> = {
  user: 'P1',
  webhook: 'P2',
  schedule: 'P3',
  poll: 'P4',
};

/** How a delivered envelope is shaped on the wire. */
export const DELIVERY_FORMATS = ['envelope', 'cloudevents', 'integration-event', 'device-batch'] as const;

export type DeliveryFormat = (typeof DELIVERY_FORMATS)[number];

/** POST the event to a URL, signed per Standard Webhooks. */
export interface HttpAction {
  readonly type: 'http';
  readonly url: string;
  /** Absent: `envelope`. */
  readonly format?: DeliveryFormat;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Run an operator registered by name at start. */
export interface HandlerAction {
  readonly type: 'handler';
  readonly name: string;
}

/** Call an action a connector declares, with a connection's credentials. */
export interface ConnectorAction {
  readonly type: 'connector';
  readonly connection_id: string;
  readonly action: string;
  readonly input?: Readonly<Record<string, unknown>>;
}

/** What a trigger does with a matching envelope; the executor runs it. */
export type TriggerAction = HttpAction | HandlerAction | ConnectorAction;

/** The action types, in documentation order. */
export const ACTION_TYPES = ['http', 'handler', 'connector'] as const satisfies ReadonlyArray<
  TriggerAction['type']
>;

/**
 * A trigger's condition as its author wrote it: the JSON AST, the same as text
 * (`payload.total gt 100 and ...`), or `{sql}` (CloudEvents SQL). The router compiles every form into one
 * evaluator.
 */
export type TriggerCondition = Condition | string;

/** What happens to a job whose entity already has one running: wait, be dropped, or replace the waiting. */
export const SINGLE_FLIGHT_MODES = ['queue', 'skip', 'latest'] as const;

export type SingleFlightMode = (typeof SINGLE_FLIGHT_MODES)[number];

/** How a failing action is retried: exponential backoff with full jitter, up to `max_attempts`. */
export interface RetryPolicy {
  readonly max_attempts: number;
  readonly initial_delay_ms: number;
  readonly max_delay_ms: number;
  /** One attempt's time limit. */
  readonly timeout_ms: number;
}

/** A tenant's rule: envelopes whose type matches a pattern and whose condition holds become jobs. */
export interface Trigger {
  /** `trg_…` */
  readonly id: string;
  readonly tenant_id: string;
  readonly name: string;
  /** Event-type globs: `order.created`, `order.*`, `*.created`, `*`. */
  readonly event_types: ReadonlyArray<string>;
  /** Null: every envelope of a matching type. */
  readonly condition: TriggerCondition | null;
  /** Null: the default for the event's origin. */
  readonly priority: Priority | null;
  /** The action with its secrets left out: a secret is shown once, when the trigger is created. */
  readonly action: TriggerAction;
  readonly enabled: boolean;
  /** `queue` when absent. */
  readonly single_flight?: SingleFlightMode;
  /** Null or absent: the executor's defaults (8 attempts). */
  readonly retry?: RetryPolicy | null;
  /**
   * A template over the envelope for the jobs' idempotency key (`order-risk:{entity_key}:hold`); null or
   * absent: `{trigger_id}:{event_id}`.
   */
  readonly idempotency_key?: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}
