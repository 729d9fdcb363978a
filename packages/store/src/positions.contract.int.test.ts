import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppendInput, Connection } from '@sluice/core';
import { SqlStores } from './sql-stores.ts';
import {
  createTestConnection,
  gatedClient,
  preparedEnvelope,
  STORE_ADAPTERS,
  type TestDatabase,
  waitForHorizon,
} from './testing/index.ts';

const day = 24 * 3600 * 1000;

/** Commit order of two positions `<tx>.<id>`. */
function byPosition(a: { position: string }, b: { position: string }): number {
  const [ax, ai] = a.position.split('.').map(BigInt) as [bigint, bigint];
  const [bx, bi] = b.position.split('.').map(BigInt) as [bigint, bigint];
  return ax === bx ? Number(ai - bi) : ax < bx ? -1 : 1;
}

/** Fails with `what` instead of hanging when `promise` does not settle within `ms`. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

for (const adapter of STORE_ADAPTERS) {
  describe(`commit-ordered positions: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: SqlStores;
    let connection: Connection;

    before(async () => {
      db = await adapter.open();
      store = db.store();
      await store.maintenance.migrate();
      connection = await createTestConnection(store, 'Positions');
    });
    after(() => db.drop());

    /**
     * Waits until the commit horizon has passed everything committed so far: transactions of other test
     * files in the cluster may hold it back for a moment.
     */
    const append = (s: SqlStores, n: string, extra: Partial<AppendInput> = {}) =>
      s.events.append({
        connection,
        envelopes: [preparedEnvelope(connection, n)],
        dedupeWindowMs: day,
        ...extra,
      });

    it('reads everything committed after a position once, in commit order, and moves past what does not match', async () => {
      const start = await store.events.head();
      for (const n of ['p1', 'p2', 'p3']) await append(store, n);
      await waitForHorizon(db.client);
      const all = await store.events.readAfter(connection.tenant_id, start, {}, 100);
      assert.deepEqual(
        all.items.map((i) => i.envelope.dedupe_key),
        ['p1', 'p2', 'p3'].map((n) => `shop:order:${n}:created`),
      );
      const again = await store.events.readAfter(connection.tenant_id, all.position, {}, 100);
      assert.deepEqual(again.items, []);
      const paged = await store.events.readAfter(connection.tenant_id, start, {}, 2);
      assert.equal(paged.items.length, 2);
      const rest = await store.events.readAfter(connection.tenant_id, paged.position, {}, 2);
      assert.deepEqual(
        rest.items.map((i) => i.envelope.dedupe_key),
        ['shop:order:p3:created'],
      );
      const none = await store.events.readAfter(connection.tenant_id, start, { event_type: 'refund.*' }, 100);
      assert.deepEqual(none.items, []);
      assert.notEqual(none.position, start, 'a read that matched nothing still moves on');
      const other = await createTestConnection(store, 'Other tenant');
      assert.deepEqual((await store.events.readAfter(other.tenant_id, start, {}, 100)).items, []);
      const [firstPosition] = all.items.map((i) => i.position);
      assert.equal(
        await store.events.positionOf(connection.tenant_id, all.items[0]?.envelope.event_id ?? ''),
        firstPosition,
      );
    });

    it('commits a stream cursor with its page, and not without it', async () => {
      await append(store, 'c1', { cursor: { stream: 'orders', cursor: 'page-2' } });
      assert.equal(await store.events.readCursor(connection.tenant_id, connection.id, 'orders'), 'page-2');
      // A page the database refuses keeps the old cursor.
      const refused = await store.events.append({
        connection,
        envelopes: [
          preparedEnvelope(connection, 'c2', {
            payload: { entity: { kind: 'order', id: 'c2' }, x: '\u0000' },
          }),
        ],
        dedupeWindowMs: day,
        cursor: { stream: 'orders', cursor: 'page-3' },
      });
      assert.equal(refused.status, 'refused');
      assert.equal(await store.events.readCursor(connection.tenant_id, connection.id, 'orders'), 'page-2');
    });

    it('claims outbox rows in commit order across tenants, one relay per connection at a time', async () => {
      const other = await createTestConnection(store, 'Outbox other');
      for (const n of ['o1', 'o2']) await append(store, n);
      await store.events.append({
        connection: other,
        envelopes: [preparedEnvelope(other, 'o3')],
        dedupeWindowMs: day,
      });
      await waitForHorizon(db.client);
      const first = await store.outbox.claim({ owner: 'relay-a', limit: 1000, leaseMs: 60_000 });
      assert.ok(
        first.some((e) => e.connection_id === other.id),
        'the claim is cross-tenant',
      );
      const mine = first.filter((e) => e.connection_id === connection.id).map((e) => e.sequence);
      assert.deepEqual(
        mine,
        [...mine].sort((a, b) => a - b),
        'per connection in sequence order',
      );
      const appended = await store.events.query(connection.tenant_id, { entity: 'order:o1' }, { limit: 1 });
      const claimedO1 = first.find((e) => e.event_id === appended.items[0]?.event_id);
      assert.deepEqual(claimedO1?.envelope, appended.items[0], 'a claim carries its envelope');
      assert.ok(
        first.every(
          (e) =>
            e.envelope.event_id === e.event_id &&
            e.envelope.tenant_id === e.tenant_id &&
            e.envelope.connection_id === e.connection_id,
        ),
      );
      assert.deepEqual(
        first.map((e) => e.position),
        [...first].sort(byPosition).map((e) => e.position),
        'in commit order',
      );
      await append(store, 'o4');
      await waitForHorizon(db.client);
      const second = await store.outbox.claim({ owner: 'relay-b', limit: 1000, leaseMs: 60_000 });
      assert.deepEqual(second, [], 'relay-b claims nothing of connections relay-a holds');
      assert.equal(
        await store.outbox.markRelayed(
          'relay-b',
          first.map((e) => e.id),
        ),
        0,
      );
      assert.equal(
        await store.outbox.markRelayed(
          'relay-a',
          first.map((e) => e.id),
        ),
        first.length,
      );
      const third = await store.outbox.claim({ owner: 'relay-b', limit: 1000, leaseMs: 60_000 });
      assert.deepEqual(
        third.map((e) => e.event_id),
        (await store.events.query(connection.tenant_id, { entity: 'order:o4' }, { limit: 1 })).items.map(
          (e) => e.event_id,
        ),
      );
    });

    it('keeps the origin of an append on its outbox rows, webhook when none is given', async () => {
      const polled = await createTestConnection(store, 'Origins');
      await store.events.append({
        connection: polled,
        envelopes: [preparedEnvelope(polled, 'g1'), preparedEnvelope(polled, 'g2')],
        dedupeWindowMs: day,
        origin: 'poll',
      });
      await store.events.append({
        connection: polled,
        envelopes: [preparedEnvelope(polled, 'g3')],
        dedupeWindowMs: day,
      });
      await store.events.append({
        connection: polled,
        envelopes: [preparedEnvelope(polled, 'g4')],
        dedupeWindowMs: day,
        origin: 'user',
      });
      const rows = await store.outbox.readConnection(polled.tenant_id, polled.id, 0, 10);
      assert.deepEqual(
        rows.map((r) => r.origin),
        ['poll', 'poll', 'webhook', 'user'],
      );
      await waitForHorizon(db.client);
      const claimed = (
        await store.outbox.claim({ owner: 'relay-origin', limit: 1000, leaseMs: 60_000 })
      ).filter((e) => e.connection_id === polled.id);
      assert.deepEqual(
        claimed.map((e) => [e.origin, e.envelope.dedupe_key]),
        ['g1', 'g2', 'g3', 'g4'].map((n, i) => [
          ['poll', 'poll', 'webhook', 'user'][i],
          `shop:order:${n}:created`,
        ]),
      );
      assert.deepEqual(
        claimed.map((e) => e.id),
        rows.map((r) => r.id),
      );
    });

    it('rolls a change back when its platform event cannot be written', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Facts' });
      const platform = await store.connections.create({
        tenant_id: tenant.id,
        workspace_id: null,
        connector_id: 'sluice',
        name: 'platform',
        config: {},
        secret_ciphertext: 'v1:p',
      });
      const fact = (n: string): AppendInput => ({
        connection: platform,
        envelopes: [
          preparedEnvelope(platform, n, { source: 'sluice', event_type: 'connection.established' }),
        ],
        dedupeWindowMs: day,
      });
      const created = await store.connections.create(
        {
          tenant_id: tenant.id,
          workspace_id: null,
          connector_id: 'test-orders',
          name: 'ok',
          config: {},
          secret_ciphertext: 'v1:a',
        },
        [fact('f1')],
      );
      const facts = await store.events.query(tenant.id, { connection_id: platform.id }, { limit: 10 });
      assert.equal(facts.items.length, 1, 'the change and its event committed together');
      await store.connections.retire(tenant.id, platform.id);
      await assert.rejects(
        store.connections.create(
          {
            tenant_id: tenant.id,
            workspace_id: null,
            connector_id: 'test-orders',
            name: 'lost',
            config: {},
            secret_ciphertext: 'v1:b',
          },
          [fact('f2')],
        ),
      );
      const names = (await store.connections.list(tenant.id, { connector_id: 'test-orders' })).map(
        (c) => c.name,
      );
      assert.deepEqual(names, [created.name], 'the refused event took its change with it');
    });

    it(
      'never skips an envelope that commits after a later-minted one (two writers)',
      {
        skip: adapter.name === 'pglite' && 'PGlite runs one transaction at a time',
        timeout: 30_000,
      },
      async () => {
        const held = gatedClient(db.client, 'before-commit');
        const slow = new SqlStores(held.client);
        const fast = db.store();
        const before = await fast.events.head();
        const seen = await fast.events.query(connection.tenant_id, {}, { limit: 1, order: 'desc' });
        const cursorById = seen.items[0]?.event_id;
        // The slow writer mints its event id first and holds its commit; the fast one commits meanwhile.
        const late = append(slow, 'late');
        await within(10_000, 'the held writer reaching its commit', held.reached);
        // Another connection of the tenant: writers of one connection queue on its lock, so never interleave.
        const second = await fast.connections.create({
          tenant_id: connection.tenant_id,
          workspace_id: null,
          connector_id: 'test-orders',
          name: 'second writer',
          config: {},
          secret_ciphertext: 'v1:second',
        });
        const early = await within(
          10_000,
          'the second writer committing beside the held one',
          fast.events.append({
            connection: second,
            envelopes: [preparedEnvelope(second, 'early')],
            dedupeWindowMs: day,
          }),
        );
        assert.equal(early.status, 'committed');

        // Paging by event id moves past the held envelope before it commits: the bug positions fix.
        const byId = await fast.events.query(
          connection.tenant_id,
          {},
          { limit: 100, ...(cursorById ? { after: cursorById } : {}) },
        );
        const byPosition = await fast.events.readAfter(connection.tenant_id, before, {}, 100);
        assert.deepEqual(byPosition.items, [], 'nothing is read past a transaction still running');
        held.release();
        assert.equal((await within(10_000, 'the held writer committing', late)).status, 'committed');
        const lastById = byId.items.at(-1)?.event_id;
        const afterId = await fast.events.query(
          connection.tenant_id,
          {},
          { limit: 100, ...(lastById ? { after: lastById } : {}) },
        );
        assert.ok(
          !afterId.items.some((e) => e.dedupe_key === 'shop:order:late:created'),
          'an event-id cursor skips the late commit',
        );
        // Other transactions in the cluster (other test files) may hold the horizon back for a moment.
        const seenKeys: string[] = [];
        let position = byPosition.position;
        for (let i = 0; i < 300 && seenKeys.length < 2; i++) {
          const page = await fast.events.readAfter(connection.tenant_id, position, {}, 100);
          seenKeys.push(...page.items.map((item) => item.envelope.dedupe_key));
          position = page.position;
          if (seenKeys.length < 2) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.deepEqual(
          seenKeys.sort(),
          ['shop:order:early:created', 'shop:order:late:created'],
          'the position reader sees both, once',
        );
      },
    );
  });
}
