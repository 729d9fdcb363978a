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
async function post(cluster: StageCluster, path: string, headers: Record<string, string>, body: unknown) {
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

/**
 * A tenant, its `commerce-orders` connection, and two triggers whose HTTP actions post to a webhook
 * target that verifies every signature and dedupes on `webhook-id`: every order event to `/all`, and the
 * updates of orders over 50 (a condition) to `/big`.
 */
export async function openWorld(cluster: StageCluster): Promise<ChaosWorld> {
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
  const make = async (name: string, eventTypes: string[], condition: unknown, path: string) => {
    const made = await post(cluster, '/api/v1/triggers', tenant.auth, {
      name,
      event_types: eventTypes,
      condition,
      priority: null,
      action: { type: 'http', url: `${target.origin}${path}`, secret: targetSecret },
      retry,
    });
    if (made.status !== 201) throw new Error(`trigger ${name}: ${made.status} ${JSON.stringify(made.json)}`);
    return (made.json['trigger'] as { id: string }).id;
  };
  const triggers: ChaosTrigger[] = [
    { id: await make('every order event', ['order.*'], null, '/all'), path: '/all', matches: () => true },
    {
      id: await make(
        'big updates',
        ['order.updated'],
        { path: 'payload.total', op: 'gt', value: 50 },
        '/big',
      ),
      path: '/big',
      matches: (event) => event.eventType === 'order.updated' && event.total > 50,
    },
  ];
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
