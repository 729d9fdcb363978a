import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { NewTrigger, Stores, Tenant, Trigger } from '@sluice/core';
import { STORE_ADAPTERS, type TestDatabase } from './testing/index.ts';

/** A trigger of `tenant` on orders, POSTing to a URL with a sealed secret; `overrides` change any field. */
function newTrigger(tenant: Pick<Tenant, 'id'>, overrides: Partial<NewTrigger> = {}): NewTrigger {
  return {
    tenant_id: tenant.id,
    name: 'big orders',
    event_types: ['order.*'],
    condition: { all: [{ path: 'payload.total', op: 'gt', value: 100 }] },
    priority: null,
    action: { type: 'http', url: 'https://example.test/hook', format: 'envelope' },
    secret_ciphertext: 'v1:sealed',
    enabled: true,
    ...overrides,
  };
}

/** Every page of a listing, following `next`. */
async function allPages(
  store: Stores,
  tenantId: string,
  filter: { enabled?: boolean },
  limit: number,
  order: 'asc' | 'desc' = 'asc',
): Promise<Trigger[]> {
  const seen: Trigger[] = [];
  let after: string | undefined;
  for (let i = 0; i < 50; i++) {
    const page = await store.triggers.list(tenantId, filter, {
      limit,
      order,
      ...(after === undefined ? {} : { after }),
    });
    assert.ok(page.items.length <= limit);
    seen.push(...page.items);
    if (page.next === null) return seen;
    after = page.next;
  }
  throw new Error('the listing never ended');
}

for (const adapter of STORE_ADAPTERS) {
  describe(`trigger store contract: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;
    let now = new Date('2030-03-01T10:00:00.000Z');
    let tenant: Tenant;
    let stranger: Tenant;

    before(async () => {
      db = await adapter.open();
      store = db.store({ now: () => now });
      await store.maintenance.migrate();
      tenant = await store.tenancy.createTenant({ name: 'Triggers' });
      stranger = await store.tenancy.createTenant({ name: 'Stranger' });
    });
    after(() => db.drop());

    it('creates a trigger and reads it back, its secret apart and never with it', async () => {
      const created = await store.triggers.create(newTrigger(tenant, { priority: 'P1' }));
      assert.match(created.id, /^trg_/);
      assert.equal(created.tenant_id, tenant.id);
      assert.deepEqual(created.event_types, ['order.*']);
      assert.deepEqual(created.condition, { all: [{ path: 'payload.total', op: 'gt', value: 100 }] });
      assert.equal(created.priority, 'P1');
      assert.deepEqual(created.action, {
        type: 'http',
        url: 'https://example.test/hook',
        format: 'envelope',
      });
      assert.equal(created.enabled, true);
      assert.equal(created.created_at, now.toISOString());
      assert.equal(created.updated_at, now.toISOString());
      assert.ok(!('secret_ciphertext' in created), 'the trigger carries no secret');
      assert.deepEqual(await store.triggers.get(tenant.id, created.id), created);
      assert.equal(await store.triggers.sealedSecret(tenant.id, created.id), 'v1:sealed');
      assert.equal(await store.triggers.get(stranger.id, created.id), null);
      assert.equal(await store.triggers.sealedSecret(stranger.id, created.id), null);
    });

    it('keeps every form of condition as written, and a caller-chosen id', async () => {
      const text = await store.triggers.create(
        newTrigger(tenant, { condition: 'payload.total gt 100 and payload.currency eq "EUR"' }),
      );
      const sql = await store.triggers.create(newTrigger(tenant, { condition: { sql: 'total > 100' } }));
      const none = await store.triggers.create(
        newTrigger(tenant, {
          id: 'trg_chosen_by_caller',
          condition: null,
          secret_ciphertext: null,
          action: { type: 'handler', name: 'audit' },
        }),
      );
      assert.equal(
        (await store.triggers.get(tenant.id, text.id))?.condition,
        'payload.total gt 100 and payload.currency eq "EUR"',
      );
      assert.deepEqual((await store.triggers.get(tenant.id, sql.id))?.condition, { sql: 'total > 100' });
      assert.equal(none.id, 'trg_chosen_by_caller');
      assert.equal((await store.triggers.get(tenant.id, none.id))?.condition, null);
      assert.deepEqual(none.action, { type: 'handler', name: 'audit' });
      assert.equal(await store.triggers.sealedSecret(tenant.id, none.id), null);
    });

    it('keeps the single-flight mode, retry policy and idempotency-key template, with their defaults', async () => {
      const plain = await store.triggers.create(newTrigger(tenant));
      assert.equal(plain.single_flight, 'queue');
      assert.equal(plain.retry, null);
      assert.equal(plain.idempotency_key, null);
      const retry = { max_attempts: 3, initial_delay_ms: 500, max_delay_ms: 10_000, timeout_ms: 5_000 };
      const tuned = await store.triggers.create(
        newTrigger(tenant, {
          single_flight: 'latest',
          retry,
          idempotency_key: 'order-risk:{entity_key}:hold',
        }),
      );
      assert.deepEqual(await store.triggers.get(tenant.id, tuned.id), tuned);
      assert.equal(tuned.single_flight, 'latest');
      assert.deepEqual(tuned.retry, retry);
      assert.equal(tuned.idempotency_key, 'order-risk:{entity_key}:hold');
      const changed = await store.triggers.update(tenant.id, tuned.id, {
        single_flight: 'skip',
        retry: null,
        idempotency_key: null,
      });
      assert.equal(changed?.single_flight, 'skip');
      assert.equal(changed?.retry, null);
      assert.equal(changed?.idempotency_key, null);
      const untouched = await store.triggers.update(tenant.id, tuned.id, { name: 'renamed' });
      assert.equal(untouched?.single_flight, 'skip', 'an absent field is left as it is');
    });

    it('lists a tenant’s triggers in id order, by enabled, a page at a time both ways', async () => {
      const owner = await store.tenancy.createTenant({ name: 'Lister' });
      const made: Trigger[] = [];
      for (let i = 0; i < 7; i++) {
        made.push(await store.triggers.create(newTrigger(owner, { name: `t${i}`, enabled: i % 3 !== 0 })));
      }
      await store.triggers.create(newTrigger(stranger, { name: 'not theirs' }));
      const ids = made.map((t) => t.id).sort();
      assert.deepEqual(
        (await allPages(store, owner.id, {}, 3)).map((t) => t.id),
        ids,
      );
      assert.deepEqual(
        (await allPages(store, owner.id, {}, 2, 'desc')).map((t) => t.id),
        [...ids].reverse(),
      );
      const enabled = made.filter((t) => t.enabled).map((t) => t.id);
      assert.deepEqual(
        (await allPages(store, owner.id, { enabled: true }, 2)).map((t) => t.id),
        enabled.sort(),
      );
      assert.deepEqual(
        (await allPages(store, owner.id, { enabled: false }, 10)).map((t) => t.name),
        ['t0', 't3', 't6'],
      );
      const exact = await store.triggers.list(owner.id, {}, { limit: 7 });
      assert.equal(exact.items.length, 7);
      assert.equal(exact.next, null, 'a page that ends the listing has no next');
    });

    it('updates only the fields given, moves updated_at, and leaves other tenants’ triggers alone', async () => {
      const trigger = await store.triggers.create(newTrigger(tenant, { name: 'to change' }));
      now = new Date(now.getTime() + 60_000);
      const renamed = await store.triggers.update(tenant.id, trigger.id, { name: 'changed' });
      assert.deepEqual(renamed, { ...trigger, name: 'changed', updated_at: now.toISOString() });
      const changed = await store.triggers.update(tenant.id, trigger.id, {
        event_types: ['*.created', 'refund.issued'],
        condition: null,
        priority: 'P3',
        action: { type: 'connector', connection_id: 'con_x', action: 'notify', input: { to: 'ops' } },
        secret_ciphertext: null,
        enabled: false,
      });
      assert.deepEqual(changed, {
        ...trigger,
        name: 'changed',
        event_types: ['*.created', 'refund.issued'],
        condition: null,
        priority: 'P3',
        action: { type: 'connector', connection_id: 'con_x', action: 'notify', input: { to: 'ops' } },
        enabled: false,
        updated_at: now.toISOString(),
      });
      assert.equal(await store.triggers.sealedSecret(tenant.id, trigger.id), null);
      await store.triggers.update(tenant.id, trigger.id, { secret_ciphertext: 'v1:new' });
      assert.equal(await store.triggers.sealedSecret(tenant.id, trigger.id), 'v1:new');
      await store.triggers.update(tenant.id, trigger.id, { name: 'secret kept' });
      assert.equal(await store.triggers.sealedSecret(tenant.id, trigger.id), 'v1:new');

      const before = await store.triggers.get(tenant.id, trigger.id);
      assert.equal(await store.triggers.update(stranger.id, trigger.id, { name: 'hijacked' }), null);
      assert.equal(await store.triggers.update(tenant.id, 'trg_missing', { name: 'x' }), null);
      assert.deepEqual(await store.triggers.get(tenant.id, trigger.id), before);
    });

    it('deletes a trigger for its own tenant only', async () => {
      const trigger = await store.triggers.create(newTrigger(tenant, { name: 'doomed' }));
      assert.equal(await store.triggers.delete(stranger.id, trigger.id), false);
      assert.notEqual(await store.triggers.get(tenant.id, trigger.id), null);
      assert.equal(await store.triggers.delete(tenant.id, trigger.id), true);
      assert.equal(await store.triggers.get(tenant.id, trigger.id), null);
      assert.equal(await store.triggers.sealedSecret(tenant.id, trigger.id), null);
      assert.equal(await store.triggers.delete(tenant.id, trigger.id), false);
    });

    it('loads enabled triggers of one tenant, and of every tenant a page at a time', async () => {
      const fresh = await adapter.open();
      try {
        const s = fresh.store();
        await s.maintenance.migrate();
        const a = await s.tenancy.createTenant({ name: 'A' });
        const b = await s.tenancy.createTenant({ name: 'B' });
        const made: Trigger[] = [];
        for (let i = 0; i < 9; i++) {
          const owner = i % 2 === 0 ? a : b;
          made.push(await s.triggers.create(newTrigger(owner, { name: `e${i}`, enabled: i % 4 !== 1 })));
        }
        const enabledOfA = made.filter((t) => t.tenant_id === a.id && t.enabled).map((t) => t.id);
        assert.deepEqual(
          (await s.triggers.enabledOf(a.id)).map((t) => t.id),
          enabledOfA.sort(),
        );
        assert.deepEqual(await s.triggers.enabledOf(stranger.id), []);
        const seen: string[] = [];
        let afterId: string | null = null;
        for (let i = 0; i < 20; i++) {
          const page: ReadonlyArray<Trigger> = await s.triggers.enabledAfter(afterId, 2);
          assert.ok(page.length <= 2);
          if (page.length === 0) break;
          seen.push(...page.map((t) => t.id));
          afterId = page.at(-1)?.id ?? null;
        }
        assert.deepEqual(
          seen,
          made
            .filter((t) => t.enabled)
            .map((t) => t.id)
            .sort(),
        );
        // A disabled trigger leaves both loads; enabled again, it is back.
        const first = seen[0] as string;
        const owner = made.find((t) => t.id === first)?.tenant_id as string;
        await s.triggers.update(owner, first, { enabled: false });
        assert.ok(!(await s.triggers.enabledAfter(null, 100)).some((t) => t.id === first));
        assert.ok(!(await s.triggers.enabledOf(owner)).some((t) => t.id === first));
        await s.triggers.update(owner, first, { enabled: true });
        assert.equal((await s.triggers.enabledAfter(null, 1))[0]?.id, first);
      } finally {
        await fresh.drop();
      }
    });
  });
}
