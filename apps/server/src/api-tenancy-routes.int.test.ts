import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { signWebhook } from '@sluice/signatures';
import { startTestApp, type TestApp } from './testing/index.ts';

/**
 * Tenant isolation on every route, from the route list the server registers (its `onRoute` hook): tenant B,
 * with its own valid key, asks for tenant A's resources. Every route whose path has an id is called with
 * A's ids and must answer 404 (a few answer otherwise, each listed in ID_ROUTE_STATUS with why); every
 * GET without ids must show B none of A's ids; every other route without ids must be listed in
 * OWN_TENANT_WRITES with the request B sends. Afterwards A's rows, in every table with a tenant, are as
 * they were. A route the tables do not cover fails the test by name.
 */

type Call = { readonly payload?: Record<string, unknown> };

/** Bodies for the id routes that take one (as B would send them; the ids in the path are A's). */
const ID_ROUTE_BODIES: Record<string, Record<string, unknown>> = {
  'PATCH /api/v1/connections/:connection_id': { name: 'taken over' },
  'POST /api/v1/connections/:connection_id/test': {},
  'POST /api/v1/connections/:connection_id/test-deliveries': { body: '{"id":1}' },
  'POST /api/v1/connections/:connection_id/rotate-secret': {},
  'POST /api/v1/connections/:connection_id/backfills': {
    stream: 'customers',
    since: '2026-01-01T00:00:00.000Z',
    mode: 'quiet',
  },
  'PATCH /api/v1/triggers/:trigger_id': { enabled: false },
  'PATCH /api/v1/tenants/:tenant_id/action-policy': { dry_run: true },
  'POST /api/v1/webhooks/:connector/:tenant_id': { id: 1 },
  'POST /api/v1/ingest/:connection_id': { id: 1 },
  'PUT /api/v1/subscriptions/:id': {
    protocol: 'HTTP',
    sink: 'https://consumer.test/b',
    types: ['order.created'],
  },
};

/** Id routes that do not answer 404 to another tenant's key, and why. */
const ID_ROUTE_STATUS: Record<string, { readonly status: number; readonly why: string }> = {
  'POST /api/v1/tenants/:tenant_id/api-keys': { status: 403, why: 'admin-only: a tenant key is forbidden' },
  'PATCH /api/v1/tenants/:tenant_id/action-policy': {
    status: 403,
    why: 'admin-only: a tenant key is forbidden',
  },
  'POST /api/v1/webhooks/:connector/:tenant_id': {
    status: 401,
    why: 'a webhook is authenticated by its signature, not a key: unsigned is refused',
  },
  'POST /api/v1/ingest/:connection_id': {
    status: 401,
    why: 'an ingest delivery is authenticated by its signature, not a key: unsigned is refused',
  },
};

/** Routes without ids that write: what B sends (each acts on the caller's own tenant only). */
const OWN_TENANT_WRITES: Record<string, (ids: AIds) => Call> = {
  'POST /api/v1/connections': () => ({ payload: { connector_id: 'github' } }),
  'POST /api/v1/tenants': () => ({ payload: { name: 'made by B' } }), // admin-only: 403
  'PATCH /api/v1/tenant': () => ({ payload: { name: 'B renamed', timezone: 'Asia/Tokyo' } }),
  'POST /api/v1/triggers': () => ({
    payload: { name: 'b trigger', event_types: ['order.*'], action: { type: 'handler', name: 'audit' } },
  }),
  'POST /api/v1/workspaces': () => ({ payload: { name: 'b workspace' } }),
  // Through A's connection: refused, nothing written.
  'POST /api/v1/events': (ids) => ({
    payload: {
      connection_id: ids.orders,
      emission: {
        source: 'shop-a',
        event_type: 'order.created',
        dedupe_key: 'b-into-a',
        payload: { entity: { kind: 'order', id: 'b' } },
      },
    },
  }),
  // Every pending ingest dead letter of the caller: B's, never A's.
  'POST /api/v1/dead-letters/replay': () => ({ payload: { filter: { kind: 'ingest' } } }),
  'POST /api/v1/dead-letter-policies': () => ({
    payload: { name: 'b policy', filter: { kind: 'ingest' }, every_seconds: 60, max_replays: 1 },
  }),
  'POST /api/v1/subscriptions': () => ({
    payload: { protocol: 'HTTP', sink: 'https://consumer.test/b', types: ['order.created'] },
  }),
  'POST /api/v1/schedules': () => ({ payload: { name: 'b schedule', schedule: '0 9 * * *' } }),
};

/** Routes not called here, and why. */
const EXEMPT: Record<string, string> = {
  'GET /api/v1/events/stream': 'a live stream: its isolation is tested in api-tenancy-isolation (live tail)',
};

interface AIds {
  readonly tenant: string;
  readonly stripe: string;
  readonly orders: string;
  readonly event: string;
  readonly deadLetter: string;
  readonly trigger: string;
  readonly subscription: string;
  readonly policy: string;
  readonly schedule: string;
  readonly backfill: string;
  readonly job: string;
  readonly replay: string;
}

/** What each path parameter is, for tenant A. */
const paramsOf = (ids: AIds): Record<string, string> => ({
  connection_id: ids.stripe,
  key: 'customers',
  backfill_id: ids.backfill,
  tenant_id: ids.tenant,
  trigger_id: ids.trigger,
  connector: 'commerce-orders',
  event_id: ids.event,
  replay_id: ids.replay,
  dead_letter_id: ids.deadLetter,
  policy_id: ids.policy,
  id: ids.subscription,
  schedule_id: ids.schedule,
  job_id: ids.job,
});

describe('tenant isolation on every registered route', () => {
  let t: TestApp;
  const routes = new Set<string>();
  let a: { authorization: string };
  let b: { authorization: string };
  let ids: AIds;

  const as = (auth: { authorization: string }, method: string, url: string, payload?: unknown) =>
    t.app.inject({
      method: method as 'GET',
      url,
      headers: auth,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
  const created = async (url: string, payload: Record<string, unknown>, status = 201) => {
    const response = await as(a, 'POST', url, payload);
    assert.equal(response.statusCode, status, `${url}: ${response.body}`);
    return response.json();
  };

  /** Every row of tenant A, in every table with a tenant (and A's connections' secrets). */
  const snapshotOfA = async (): Promise<string> => {
    const tables = await t.sql.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.columns
        WHERE column_name = 'tenant_id' AND table_schema = current_schema() ORDER BY table_name`,
    );
    const dump: Record<string, string[]> = {};
    for (const { table_name: table } of tables) {
      const rows = await t.sql.query(`SELECT * FROM ${table} WHERE tenant_id = $1`, [ids.tenant]);
      dump[table] = rows.map((row) => JSON.stringify(row)).sort();
    }
    const secrets = await t.sql.query(
      'SELECT * FROM connection_secrets WHERE connection_id = ANY($1::text[])',
      [[ids.stripe, ids.orders]],
    );
    dump['connection_secrets'] = secrets.map((row) => JSON.stringify(row)).sort();
    return JSON.stringify(dump);
  };

  before(async () => {
    t = await startTestApp({
      replaySyncLimit: 0, // every bulk replay runs in the background, so it has an id
      onRoute: (route) => {
        for (const method of [route.method].flat()) {
          if (method !== 'HEAD' && method !== 'OPTIONS') routes.add(`${method} ${route.url}`);
        }
      },
    });
    const tenantA = await t.tenant('Tenant A');
    a = tenantA.auth;
    b = (await t.tenant('Tenant B')).auth;
    const stripe = (
      await created('/api/v1/connections', {
        connector_id: 'stripe',
        secret: 'whsec_tenant_a_signing_secret',
        config: { api_key: 'sk_test_tenant_a', base_url: 'http://127.0.0.1:9' },
      })
    ).connection.id;
    const orders = await created('/api/v1/connections', { connector_id: 'commerce-orders' });
    const emitted = await as(a, 'POST', '/api/v1/events', {
      connection_id: orders.connection.id,
      emission: {
        source: 'shop-a',
        event_type: 'order.created',
        dedupe_key: 'shop-a:order:1',
        payload: { entity: { kind: 'order', id: '1' } },
      },
    });
    assert.equal(emitted.statusCode, 200, emitted.body);
    const body = JSON.stringify({ id: 77 });
    const delivery = await t.app.inject({
      method: 'POST',
      url: `/api/v1/ingest/${orders.connection.id}`,
      headers: {
        ...signWebhook({ scheme: 'shopify' }, { secret: orders.secret, rawBody: body, nowMs: Date.now() }),
        'content-type': 'application/json',
        'x-shopify-topic': 'orders/cancelled',
      },
      payload: body,
    });
    assert.equal(delivery.statusCode, 202, delivery.body);
    const trigger = (
      await created('/api/v1/triggers', {
        name: 'a trigger',
        event_types: ['order.*'],
        action: { type: 'handler', name: 'audit' },
      })
    ).trigger.id;
    const event = emitted.json().results[0].event_id;
    await t.store.jobs.createMany([
      {
        tenant_id: tenantA.tenant.id,
        trigger_id: trigger,
        event_id: event,
        connection_id: orders.connection.id,
        priority: 'P2',
        entity_key: 'order:1',
        position: '1.1',
      },
    ]);
    const [job] = (await t.store.jobs.list(tenantA.tenant.id, {}, { limit: 1 })).items;
    const backfill = (
      await created(
        `/api/v1/connections/${stripe}/backfills`,
        {
          stream: 'customers',
          since: '2026-01-01T00:00:00.000Z',
          mode: 'quiet',
        },
        202,
      )
    ).backfill.id;
    await t.ctx.backfills.settled(backfill);
    const replay = (await created('/api/v1/dead-letters/replay', { filter: { kind: 'ingest' } }, 202)).replay
      .id;
    for (let i = 0; i < 100; i++) {
      const progress = await as(a, 'GET', `/api/v1/dead-letters/replays/${replay}`);
      if (progress.json().replay.status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    ids = {
      tenant: tenantA.tenant.id,
      stripe,
      orders: orders.connection.id,
      event,
      deadLetter: delivery.json().dead_letter_id,
      trigger,
      subscription: (
        await created('/api/v1/subscriptions', {
          protocol: 'HTTP',
          sink: 'https://consumer.test/a',
          types: ['order.created'],
        })
      ).id,
      policy: (
        await created('/api/v1/dead-letter-policies', {
          name: 'a policy',
          filter: { kind: 'ingest' },
          every_seconds: 60,
          max_replays: 1,
        })
      ).policy.id,
      schedule: (await created('/api/v1/schedules', { name: 'a schedule', schedule: '0 9 * * *' })).schedule
        .id,
      backfill,
      job: job?.id ?? '',
      replay,
    };
  });
  after(() => t.close());

  const urlOf = (route: string): string => {
    const path = route.slice(route.indexOf(' ') + 1);
    const params = paramsOf(ids);
    return path.replace(/:([a-z_]+)/g, (_, name: string) => {
      const value = params[name];
      if (value === undefined) throw new Error(`${route}: no value of A's for path parameter :${name}`);
      return value;
    });
  };

  it('covers every registered route, and names no route that is not registered', () => {
    assert.ok(routes.size > 40, `only ${routes.size} routes seen`);
    const uncovered = [...routes].filter((route) => {
      if (route in EXEMPT || route.includes(':')) return false;
      return !route.startsWith('GET ') && !(route in OWN_TENANT_WRITES);
    });
    assert.deepEqual(uncovered, [], 'routes without ids that write must be listed in OWN_TENANT_WRITES');
    const params = new Set(Object.keys(paramsOf(ids)));
    const unknownParams = [...routes].filter((route) =>
      [...route.matchAll(/:([a-z_]+)/g)].some((match) => !params.has(match[1] ?? '')),
    );
    assert.deepEqual(unknownParams, [], 'give paramsOf a value of A for each of these routes');
    const stale = [
      ...Object.keys(ID_ROUTE_BODIES),
      ...Object.keys(ID_ROUTE_STATUS),
      ...Object.keys(OWN_TENANT_WRITES),
      ...Object.keys(EXEMPT),
    ].filter((route) => !routes.has(route));
    assert.deepEqual(stale, [], 'the tables name routes the server does not register');
  });

  it("A's resources exist: every id GET answers A with 200", async () => {
    for (const route of [...routes].filter((r) => r.startsWith('GET ') && r.includes(':'))) {
      const response = await as(a, 'GET', urlOf(route));
      assert.equal(response.statusCode, 200, `${route} as A: ${response.body}`);
    }
  });

  it("answers B 404 on every id route with A's ids, shows B none of A's ids, and changes nothing of A's", async () => {
    const before = await snapshotOfA();
    const secretsOfA = Object.values(ids).filter((id) => id !== '');
    const wrong: string[] = [];
    for (const route of [...routes].sort()) {
      if (route in EXEMPT) continue;
      const method = route.slice(0, route.indexOf(' '));
      const call: Call = route.includes(':')
        ? { payload: ID_ROUTE_BODIES[route] as Record<string, unknown> }
        : method === 'GET'
          ? {}
          : (OWN_TENANT_WRITES[route]?.(ids) ?? {});
      const response = await as(b, method, urlOf(route), call.payload);
      if (route.includes(':')) {
        const expected = ID_ROUTE_STATUS[route]?.status ?? 404;
        if (response.statusCode !== expected) wrong.push(`${route}: ${response.statusCode} ${response.body}`);
      } else if (response.statusCode >= 500) {
        wrong.push(`${route}: ${response.statusCode} ${response.body}`);
      }
      const leaked = secretsOfA.filter((id) => response.body.includes(id) && id !== ids.orders);
      // A's connection id may be echoed back in B's own refusal ("Connection con_… does not exist").
      if (leaked.length > 0 && response.statusCode < 400)
        wrong.push(`${route}: shows A's ${leaked.join(', ')}`);
    }
    assert.deepEqual(wrong, []);
    assert.equal(await snapshotOfA(), before, "a request of B's changed a row of A's");
  });
});
