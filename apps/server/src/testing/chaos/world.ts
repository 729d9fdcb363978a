import { randomBytes } from 'node:crypto';
import { startWebhookTarget, type WebhookTarget } from '../webhook-target.ts';
import type { ChaosTrigger } from './ledger.ts';
import type { StageCluster } from './stage-cluster.ts';

/** One tenant's setup that every scenario loads: a commerce connection and two triggers to one target. */
export interface ChaosWorld {
  readonly tenantId: string;
  readonly auth: { authorization: string; 'content-type': string };
  readonly connectionId: string;
  readonly connectionSecret: string;
  readonly target: WebhookTarget;
  readonly targetSecret: string;
  readonly triggers: ReadonlyArray<ChaosTrigger>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** POSTs through the first receiver that answers, retrying while receivers are (re)starting. */
export async function post(
  cluster: StageCluster,
  path: string,
  headers: Record<string, string>,
  body: unknown,
) {
  for (let attempt = 0; ; attempt++) {
    const base = cluster.receiverUrls()[0];
    try {
      if (base === undefined) throw new Error('no receiver up');
      const response = await fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
      const text = await response.text();
      if (response.status >= 500 && attempt < 20) throw new Error(`${response.status} ${text}`);
      return { status: response.status, json: JSON.parse(text) as Record<string, unknown> };
    } catch (error) {
      if (attempt >= 20) throw error;
      await sleep(250);
    }
  }
}

/** A trigger a scenario asks for: an http action to `path` on `target` (default: the world's own). */
export interface TriggerSpec {
  readonly name: string;
  readonly eventTypes: ReadonlyArray<string>;
  readonly condition: unknown;
  readonly path: string;
  readonly matches: ChaosTrigger['matches'];
  /** Another target (made with the world's `targetSecret`). */
  readonly target?: WebhookTarget;
  /** Overrides of the default retry policy (50 attempts, 100 ms to 1 s, a 10 s timeout). */
  readonly retry?: Readonly<Record<string, number>>;
}

/** Every order event to `/all`, and the updates of orders over 50 (a condition) to `/big`. */
export const DEFAULT_TRIGGERS: ReadonlyArray<TriggerSpec> = [
  { name: 'every order event', eventTypes: ['order.*'], condition: null, path: '/all', matches: () => true },
  {
    name: 'big updates',
    eventTypes: ['order.updated'],
    condition: { path: 'payload.total', op: 'gt', value: 50 },
    path: '/big',
    matches: (event) => event.eventType === 'order.updated' && event.total > 50,
  },
];

/**
 * A tenant, its `commerce-orders` connection, and triggers whose HTTP actions post to a webhook target
 * that verifies every signature and dedupes on `webhook-id`: by default every order event to `/all`, and
 * the updates of orders over 50 (a condition) to `/big`. `triggers` gets the world's target secret, to
 * start targets of its own with.
 */
export async function openWorld(
  cluster: StageCluster,
  options: { triggers?: (targetSecret: string) => Promise<ReadonlyArray<TriggerSpec>> } = {},
): Promise<ChaosWorld> {
  const targetSecret = `whsec_${randomBytes(24).toString('base64')}`;
  const target = await startWebhookTarget(targetSecret);
  const tenant = await cluster.tenant(`Chaos ${randomBytes(3).toString('hex')}`);
  const connectionSecret = `chaos-${randomBytes(12).toString('hex')}`;
  const created = await post(cluster, '/api/v1/connections', tenant.auth, {
    connector_id: 'commerce-orders',
    secret: connectionSecret,
  });
  if (created.status !== 201)
    throw new Error(`connection: ${created.status} ${JSON.stringify(created.json)}`);
  const connectionId = (created.json['connection'] as { id: string }).id;
  const retry = { max_attempts: 50, initial_delay_ms: 100, max_delay_ms: 1_000, timeout_ms: 10_000 };
  const make = async (spec: TriggerSpec): Promise<ChaosTrigger> => {
    const origin = (spec.target ?? target).origin;
    const made = await post(cluster, '/api/v1/triggers', tenant.auth, {
      name: spec.name,
      event_types: spec.eventTypes,
      condition: spec.condition,
      priority: null,
      action: { type: 'http', url: `${origin}${spec.path}`, secret: targetSecret },
      retry: { ...retry, ...spec.retry },
    });
    if (made.status !== 201)
      throw new Error(`trigger ${spec.name}: ${made.status} ${JSON.stringify(made.json)}`);
    const id = (made.json['trigger'] as { id: string }).id;
    return { id, path: spec.path, matches: spec.matches, ...(spec.target ? { target: spec.target } : {}) };
  };
  const specs = (await options.triggers?.(targetSecret)) ?? DEFAULT_TRIGGERS;
  const triggers: ChaosTrigger[] = [];
  for (const spec of specs) triggers.push(await make(spec));
  // The routers load triggers on a change notification; give them a moment.
  await sleep(1_000);
  return {
    tenantId: tenant.id,
    auth: tenant.auth,
    connectionId,
    connectionSecret,
    target,
    targetSecret,
    triggers,
  };
}
