import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { RunningServer } from './server.ts';
import { type EmbeddedServer, startEmbeddedServer } from './testing/embedded-server.ts';
import { startWebhookTarget, type WebhookTarget } from './testing/webhook-target.ts';

const ADMIN_KEY = 'admin-key-for-policy-tests-0123456789';
const SECRET = `whsec_${randomBytes(24).toString('base64')}`;

interface Reply<T> {
  readonly status: number;
  readonly body: T;
}
type Json = Record<string, unknown>;

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The tenant action policy on an embedded server: set through the admin API, validated with every bad
 * entry named, enforced when a trigger is created and when its job runs, and its dry run records what
 * would have run without sending anything.
 */
describe('tenant action policy: allowed kinds and dry runs, at trigger create and at execution', () => {
  let embedded: EmbeddedServer;
  let server: RunningServer;
  let target: WebhookTarget;
  let auth: Record<string, string>;
  let tenantId: string;
  let connection: string;
  let sent = 0;

  const call = async <T = Json>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = auth,
  ): Promise<Reply<T>> => {
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers: { ...headers, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  };
  const admin = { authorization: `Bearer ${ADMIN_KEY}` };
  const setPolicy = (policy: Json) =>
    call<{ tenant: Json; error?: Json }>('PATCH', `/api/v1/tenants/${tenantId}/action-policy`, policy, admin);
  const httpTrigger = (name: string) =>
    call<{ trigger: { id: string }; error?: { code: string; details: { problems: Json[] } } }>(
      'POST',
      '/api/v1/triggers',
      {
        name,
        event_types: ['order.created'],
        condition: { path: 'payload.kind', op: 'eq', value: name },
        action: { type: 'http', url: `${target.origin}/${name}`, secret: SECRET },
        retry: { max_attempts: 2, initial_delay_ms: 50, max_delay_ms: 100 },
      },
    );
  const emit = async (kind: string): Promise<string> => {
    const reply = await call<{ results: Array<{ event_id: string }> }>('POST', '/api/v1/events', {
      connection_id: connection,
      emissions: [
        {
          source: 'shopify',
          event_type: 'order.created',
          dedupe_key: `shopify:order:${++sent}:created`,
          payload: { entity: { kind: 'order', id: String(sent) }, kind },
        },
      ],
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body.results[0]?.event_id as string;
  };
  /** The job of `triggerId` once it has finished. */
  const finishedJob = (triggerId: string) =>
    until(`the job of ${triggerId}`, async () => {
      const list = await call<{ items: Array<{ id: string; status: string }> }>(
        'GET',
        `/api/v1/jobs?trigger_id=${triggerId}`,
      );
      const job = list.body.items[0];
      return job !== undefined && !['queued', 'running', 'retrying'].includes(job.status) ? job : undefined;
    });
  /** The `run.completed` receipt of a job. */
  const receipt = (jobId: string) =>
    until(`run.completed of ${jobId}`, async () => {
      const page = await call<{ items: Array<{ payload: Json }> }>(
        'GET',
        `/api/v1/events?event_type=run.completed&entity=job:${jobId}`,
      );
      return page.body.items[0]?.payload;
    });

  before(async () => {
    target = await startWebhookTarget(SECRET);
    embedded = await startEmbeddedServer({ SLUICE_ADMIN_KEY: ADMIN_KEY });
    server = embedded.server;
    const { key } = embedded;
    auth = { authorization: `Bearer ${key}` };
    tenantId = (
      (await call<{ tenant: { id: string } }>('GET', '/api/v1/tenant')).body.tenant as { id: string }
    ).id;
    const created = await call<{ connection: { id: string } }>('POST', '/api/v1/connections', {
      connector_id: 'commerce-orders',
      secret: 'policy-secret',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    connection = created.body.connection.id;
  });
  after(async () => {
    await embedded?.close();
    await target?.close();
  });

  it('refuses a policy with every bad kind named, changes nothing, and only takes it from the admin key', async () => {
    const bad = await setPolicy({ allowed_actions: ['http', 'email', 'connector:', 'handler:Bad Name*'] });
    assert.equal(bad.status, 422, JSON.stringify(bad.body));
    const error = bad.body.error as {
      code: string;
      details: { problems: Array<{ path: string; rule: string }> };
    };
    assert.equal(error.code, 'validation_failed');
    assert.deepEqual(
      error.details.problems.map((p) => [p.path, p.rule]),
      [
        ['allowed_actions[1]', 'action_kind_format'],
        ['allowed_actions[2]', 'action_kind_format'],
        ['allowed_actions[3]', 'action_kind_format'],
      ],
    );
    const tenant = (await call<{ tenant: Json }>('GET', '/api/v1/tenant')).body.tenant;
    assert.equal(tenant['allowed_actions'], null, 'nothing changed');
    assert.equal(tenant['dry_run'], false);
    const asTenant = await call('PATCH', `/api/v1/tenants/${tenantId}/action-policy`, { dry_run: true });
    assert.equal(asTenant.status, 403, 'a tenant key cannot set its own policy');
    const viaPatch = await call('PATCH', '/api/v1/tenant', { allowed_actions: ['*'] });
    assert.equal(viaPatch.status, 400, 'nor through its own settings');
    const unknown = await call('PATCH', '/api/v1/tenants/ten_nobody/action-policy', { dry_run: true }, admin);
    assert.equal(unknown.status, 404);
  });

  it('refuses to create a trigger whose action kind the tenant does not allow, and allows it once allowed', async () => {
    assert.equal((await setPolicy({ allowed_actions: ['connector:*', 'handler:order-risk'] })).status, 200);
    const refused = await httpTrigger('denied-at-create');
    assert.equal(refused.status, 422, JSON.stringify(refused.body));
    assert.equal(refused.body.error?.code, 'trigger_invalid');
    assert.deepEqual(
      refused.body.error?.details.problems.map((p) => [p['path'], p['rule']]),
      [['action', 'action_not_allowed']],
    );
    assert.match(
      String(refused.body.error?.details.problems[0]?.['message']),
      /does not allow "http" actions/,
    );
    const handler = await call('POST', '/api/v1/triggers', {
      name: 'other-operator',
      event_types: ['order.created'],
      action: { type: 'handler', name: 'someone-else' },
    });
    assert.equal(handler.status, 422, 'handler:someone-else is not handler:order-risk');
    assert.equal((await setPolicy({ allowed_actions: ['http'] })).status, 200);
    const allowed = await httpTrigger('allowed-at-create');
    assert.equal(allowed.status, 201, JSON.stringify(allowed.body));
  });

  it('runs an allowed action, and dead-letters one the policy denies by the time its job runs', async () => {
    const allowed = await httpTrigger('runs');
    const denied = await httpTrigger('denied-at-run');
    assert.equal(allowed.status, 201);
    assert.equal(denied.status, 201);
    // Allowed at create; then the tenant may use only one of them.
    assert.equal((await setPolicy({ allowed_actions: ['http'] })).status, 200);
    await emit('runs');
    const ran = await finishedJob(allowed.body.trigger.id);
    assert.equal(ran.status, 'succeeded');
    assert.equal(target.deliveries.filter((d) => d.path === '/runs').length, 1);

    assert.equal((await setPolicy({ allowed_actions: ['connector:*'] })).status, 200);
    await emit('denied-at-run');
    const job = await finishedJob(denied.body.trigger.id);
    assert.equal(job.status, 'dead_lettered');
    const letters = await call<{ items: Array<{ job_id: string; error_message: string }> }>(
      'GET',
      '/api/v1/dead-letters?kind=job',
    );
    const letter = letters.body.items.find((item) => item.job_id === job.id);
    assert.match(String(letter?.error_message), /does not allow "http" actions \(allowed: connector:\*\)/);
    assert.equal(target.deliveries.filter((d) => d.path === '/denied-at-run').length, 0, 'nothing sent');
  });

  it('a dry run records what would have run and sends nothing; off again, the same action runs', async () => {
    assert.equal((await setPolicy({ allowed_actions: null })).status, 200, 'back to the default, *');
    const trigger = await httpTrigger('dry');
    assert.equal(trigger.status, 201);
    const policy = await setPolicy({ dry_run: true });
    assert.equal(policy.status, 200);
    assert.equal(policy.body.tenant['dry_run'], true);
    await emit('dry');
    const job = await finishedJob(trigger.body.trigger.id);
    assert.equal(job.status, 'succeeded');
    const planned = await receipt(job.id);
    assert.equal(planned['outcome'], 'planned');
    assert.equal(planned['dry_run'], true);
    const record = planned['planned'] as { kind: string; action: Json; idempotency_key: string };
    assert.equal(record.kind, 'http');
    assert.equal(record.action['url'], `${target.origin}/dry`);
    assert.equal(record.idempotency_key, planned['idempotency_key']);
    assert.equal(JSON.stringify(planned).includes(SECRET), false, 'the signing secret is not recorded');
    const delivered = await call<{ items: unknown[] }>(
      'GET',
      `/api/v1/events?event_type=webhook.delivered&entity=job:${job.id}`,
    );
    assert.deepEqual(delivered.body.items, [], 'no delivery receipt');
    assert.equal(target.deliveries.filter((d) => d.path === '/dry').length, 0, 'nothing sent');

    assert.equal((await setPolicy({ dry_run: false })).status, 200);
    const live = await emit('dry');
    const done = await until('the live delivery', async () =>
      target.deliveries.find((d) => d.path === '/dry' && d.envelope.event_id === live),
    );
    assert.ok(done.effect);
  });
});
