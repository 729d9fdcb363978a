import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Change, Trigger } from '@sluice/core';
import { STORE_ADAPTERS } from '@sluice/store/testing';
import { startTestApp, type TestApp } from './testing/index.ts';

const BIG_ORDERS = {
  name: 'big orders',
  event_types: ['order.created', 'order.*'],
  condition: {
    all: [
      { path: 'payload.total', op: 'gt', value: 100 },
      { path: 'payload.status', op: 'in', value: ['paid', 'shipped'] },
    ],
  },
  priority: 'P2',
  action: { type: 'http', url: 'https://example.test/hook' },
  enabled: true,
};
const GIVEN_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

for (const adapter of STORE_ADAPTERS) {
  describe(`triggers API (${adapter.name})`, { timeout: 60_000 }, () => {
    let t: TestApp;
    let auth: { authorization: string };
    const changes: Change[] = [];

    before(async () => {
      t = await startTestApp({ adapter: adapter.name });
      ({ auth } = await t.tenant('Acme'));
      t.ctx.changes.subscribe((change) => changes.push(change));
    });
    after(() => t.close());

    const create = (payload: unknown) =>
      t.app.inject({ method: 'POST', url: '/api/v1/triggers', headers: auth, payload: payload as object });
    const made = async (payload: unknown): Promise<Trigger> => {
      const response = await create(payload);
      assert.equal(response.statusCode, 201, response.body);
      return response.json().trigger as Trigger;
    };
    const get = (id: string) => t.app.inject({ url: `/api/v1/triggers/${id}`, headers: auth });
    const patch = (id: string, payload: unknown) =>
      t.app.inject({
        method: 'PATCH',
        url: `/api/v1/triggers/${id}`,
        headers: auth,
        payload: payload as object,
      });
    const list = async (query: string) => {
      const response = await t.app.inject({ url: `/api/v1/triggers?${query}`, headers: auth });
      assert.equal(response.statusCode, 200, response.body);
      return response.json() as { items: Trigger[]; next_cursor: string | null };
    };

    it('creates a trigger, returns a generated secret once, and never again', async () => {
      const response = await create(BIG_ORDERS);
      assert.equal(response.statusCode, 201, response.body);
      const body = response.json() as { trigger: Trigger; secret: string };
      const { trigger, secret } = body;
      assert.match(trigger.id, /^trg_[0-9a-f]{32}$/);
      assert.deepEqual(
        { ...trigger, id: undefined, tenant_id: undefined, created_at: undefined, updated_at: undefined },
        {
          ...BIG_ORDERS,
          single_flight: 'queue',
          retry: null,
          idempotency_key: null,
          id: undefined,
          tenant_id: undefined,
          created_at: undefined,
          updated_at: undefined,
        },
      );
      assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
      assert.equal(Buffer.from(secret.slice(6), 'base64').length, 32);
      assert.ok(!JSON.stringify(trigger).includes(secret), 'the secret is beside the trigger, not in it');
      // Sealed at rest, bound to the trigger id.
      const sealed = await t.store.triggers.sealedSecret(trigger.tenant_id, trigger.id);
      assert.ok(sealed !== null && !sealed.includes(secret));
      assert.equal(t.ctx.secretBox.open(sealed, trigger.id), secret);
      // Never shown again.
      const again = await get(trigger.id);
      assert.equal(again.statusCode, 200);
      assert.ok(!again.body.includes(secret) && !again.body.includes('secret'));
      const listed = await t.app.inject({ url: '/api/v1/triggers', headers: auth });
      assert.ok(!listed.body.includes(secret) && !listed.body.includes('"secret"'));
      assert.deepEqual(changes.at(-1), { kind: 'trigger', tenant_id: trigger.tenant_id, id: trigger.id });
    });

    it('keeps a given secret sealed and does not echo it', async () => {
      const response = await create({
        ...BIG_ORDERS,
        action: { ...BIG_ORDERS.action, secret: GIVEN_SECRET },
      });
      assert.equal(response.statusCode, 201, response.body);
      assert.ok(!response.body.includes(GIVEN_SECRET));
      assert.equal(response.json().secret, undefined);
      const { trigger } = response.json() as { trigger: Trigger };
      const sealed = await t.store.triggers.sealedSecret(trigger.tenant_id, trigger.id);
      assert.equal(sealed === null ? null : t.ctx.secretBox.open(sealed, trigger.id), GIVEN_SECRET);
    });

    it('accepts every condition form and stores it as written', async () => {
      const forms = [
        { path: 'payload.total', op: 'lt', value: 10 },
        {
          any: [
            { path: 'payload.tags', op: 'contains', value: 'vip' },
            { not: { path: 'payload.note', op: 'exists' } },
          ],
        },
        {
          all: [
            { path: 'source', op: 'eq', value: 'commerce-orders' },
            { path: 'payload.status', op: 'neq', value: 'void' },
          ],
        },
        'payload.total gt 100 and payload.status in ["paid","shipped"]',
        'not payload.cancelled exists or (payload.total lt 5 and source eq "shop")',
        { sql: "type LIKE 'order.%' AND subject = 'order:42'" },
        'payload.total gt 1 and sql "EXISTS subject"',
        null,
      ];
      for (const condition of forms) {
        const trigger = await made({ ...BIG_ORDERS, condition, action: { type: 'handler', name: 'audit' } });
        assert.deepEqual(trigger.condition, condition);
        assert.deepEqual((await get(trigger.id)).json().trigger.condition, condition);
      }
      const bare = await made({
        name: 'all orders',
        event_types: ['order.*'],
        action: { type: 'handler', name: 'log' },
      });
      assert.equal(bare.condition, null);
      assert.equal(bare.priority, null);
      assert.equal(bare.enabled, true);
    });

    it('filters the list by enabled and by event type, in creation order, a page at a time', async () => {
      const other = await t.tenant('Filters');
      auth = other.auth;
      const h = { type: 'handler', name: 'h' };
      const a = await made({ name: 'a', event_types: ['order.created'], action: h });
      const b = await made({ name: 'b', event_types: ['order.*'], action: h, enabled: false });
      const c = await made({ name: 'c', event_types: ['*.created'], action: h });
      const d = await made({ name: 'd', event_types: ['invoice.paid'], action: h });
      const e = await made({ name: 'e', event_types: ['*'], action: h });
      const ids = (page: { items: Trigger[] }) => page.items.map((x) => x.name);
      assert.deepEqual(ids(await list('')), ['a', 'b', 'c', 'd', 'e']);
      assert.deepEqual(ids(await list('enabled=false')), ['b']);
      assert.deepEqual(ids(await list('enabled=true')), ['a', 'c', 'd', 'e']);
      assert.deepEqual(ids(await list('event_type=order.created')), ['a', 'b', 'c', 'e']);
      assert.deepEqual(ids(await list('event_type=order.created&enabled=true')), ['a', 'c', 'e']);
      assert.deepEqual(ids(await list('event_type=invoice.paid')), ['d', 'e']);
      assert.deepEqual(ids(await list('event_type=user.deleted')), ['e']);
      // Pages: every trigger once, in order, with and without the event-type filter.
      const walk = async (query: string) => {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page = await list(`${query}&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
          assert.ok(page.items.length <= 2);
          seen.push(...ids(page));
          cursor = page.next_cursor;
        } while (cursor !== null);
        return seen;
      };
      assert.deepEqual(await walk(''), ['a', 'b', 'c', 'd', 'e']);
      assert.deepEqual(await walk('event_type=order.created'), ['a', 'b', 'c', 'e']);
      const bad = await t.app.inject({ url: '/api/v1/triggers?cursor=nope', headers: auth });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().error.code, 'invalid_cursor');
      const badFlag = await t.app.inject({ url: '/api/v1/triggers?enabled=maybe', headers: auth });
      assert.equal(badFlag.statusCode, 400);
      assert.ok([a, b, c, d, e].every((x) => x.tenant_id === other.tenant.id));
    });

    it('changes only the fields given, and publishes each change', async () => {
      const created = await create(BIG_ORDERS);
      const { trigger, secret } = created.json() as { trigger: Trigger; secret: string };
      const renamed = await patch(trigger.id, { name: 'huge orders', enabled: false, priority: null });
      assert.equal(renamed.statusCode, 200, renamed.body);
      const after1 = renamed.json().trigger as Trigger;
      assert.equal(after1.name, 'huge orders');
      assert.equal(after1.enabled, false);
      assert.equal(after1.priority, null);
      assert.deepEqual(after1.condition, BIG_ORDERS.condition);
      assert.equal(renamed.json().secret, undefined);
      assert.deepEqual(changes.at(-1), { kind: 'trigger', tenant_id: trigger.tenant_id, id: trigger.id });

      const cleared = (await patch(trigger.id, { condition: null, event_types: ['*'] })).json().trigger;
      assert.equal(cleared.condition, null);
      assert.deepEqual(cleared.event_types, ['*']);

      // A new URL keeps the secret; a handler action drops it; http again generates one, shown once.
      const moved = await patch(trigger.id, { action: { type: 'http', url: 'https://example.test/v2' } });
      assert.equal(moved.json().secret, undefined);
      const sealed = await t.store.triggers.sealedSecret(trigger.tenant_id, trigger.id);
      assert.equal(sealed === null ? null : t.ctx.secretBox.open(sealed, trigger.id), secret);
      await patch(trigger.id, { action: { type: 'handler', name: 'audit' } });
      assert.equal(await t.store.triggers.sealedSecret(trigger.tenant_id, trigger.id), null);
      const back = await patch(trigger.id, { action: { type: 'http', url: 'https://example.test/v3' } });
      const fresh = back.json().secret as string;
      assert.match(fresh, /^whsec_/);
      assert.notEqual(fresh, secret);
      assert.ok(!(await get(trigger.id)).body.includes(fresh));
    });

    it('deletes a trigger for good', async () => {
      const trigger = await made(BIG_ORDERS);
      const gone = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/triggers/${trigger.id}`,
        headers: auth,
      });
      assert.equal(gone.statusCode, 204);
      assert.equal(gone.body, '');
      assert.deepEqual(changes.at(-1), { kind: 'trigger', tenant_id: trigger.tenant_id, id: trigger.id });
      assert.equal((await get(trigger.id)).json().error.code, 'trigger_not_found');
      const twice = await t.app.inject({
        method: 'DELETE',
        url: `/api/v1/triggers/${trigger.id}`,
        headers: auth,
      });
      assert.equal(twice.statusCode, 404);
    });
  });
}

describe('trigger secrets and the log', () => {
  let t: TestApp;
  const lines: string[] = [];

  before(async () => {
    t = await startTestApp({ logStream: { write: (line) => lines.push(line) } });
  });
  after(() => t.close());

  it('never writes a signing secret to the log, given, generated or refused', async () => {
    const { auth } = await t.tenant('Logged');
    const given = await t.app.inject({
      method: 'POST',
      url: '/api/v1/triggers',
      headers: auth,
      payload: { ...BIG_ORDERS, action: { ...BIG_ORDERS.action, secret: GIVEN_SECRET } },
    });
    assert.equal(given.statusCode, 201);
    const generated = await t.app.inject({
      method: 'POST',
      url: '/api/v1/triggers',
      headers: auth,
      payload: BIG_ORDERS,
    });
    const secret = generated.json().secret as string;
    const refusedSecret = 'whsec_dG9vc2hvcnQ=';
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/v1/triggers',
      headers: auth,
      payload: { ...BIG_ORDERS, action: { ...BIG_ORDERS.action, secret: refusedSecret } },
    });
    assert.equal(refused.statusCode, 422);
    assert.equal(refused.json().error.details.problems[0].rule, 'secret_format');
    assert.ok(!refused.body.includes(refusedSecret), 'a refused secret is not echoed');
    assert.ok(lines.length > 0, 'the server logged');
    const log = lines.join('');
    for (const value of [GIVEN_SECRET, secret, refusedSecret]) assert.ok(!log.includes(value));
  });
});
