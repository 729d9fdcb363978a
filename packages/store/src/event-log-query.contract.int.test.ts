import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Stores } from '@sluice/core';
import { openConnectedStore, preparedEnvelope, STORE_ADAPTERS, type TestDatabase } from './testing/index.ts';

const prepared = preparedEnvelope;

for (const adapter of STORE_ADAPTERS) {
  describe(`event log query contract: ${adapter.name}`, () => {
    let db: TestDatabase;
    let store: Stores;
    const day = 24 * 3600 * 1000;

    before(async () => {
      ({ db, store } = await openConnectedStore(adapter));
    });
    after(() => db.drop());

    it('queries by type glob, entity, source, mode and time, with cursor pagination', async () => {
      const tenant = await store.tenancy.createTenant({ name: 'Query' });
      const conn = await store.connections.create({
        tenant_id: tenant.id,
        workspace_id: null,
        connector_id: 'test-orders',
        name: 'q',
        config: {},
        secret_ciphertext: 'v1:z',
      });
      const envelopes = Array.from({ length: 7 }, (_, i) =>
        prepared(
          conn,
          i,
          i % 2 === 0 ? {} : { event_type: 'order.updated', stream: 'order_updated', dedupe_key: `u${i}` },
        ),
      );
      await store.events.append({ connection: conn, envelopes, dedupeWindowMs: day });
      await store.events.append({
        connection: conn,
        envelopes: [
          prepared(conn, 99, { mode: 'quiet', source: 'other_src', event_type: 'payment_intent.created' }),
        ],
        dedupeWindowMs: day,
      });
      const scope = tenant.id;
      assert.equal(
        (await store.events.query(scope, { event_type: 'order.*' }, { limit: 50 })).items.length,
        7,
      );
      assert.equal(
        (await store.events.query(scope, { event_type: '*.updated' }, { limit: 50 })).items.length,
        3,
      );
      assert.equal(
        (await store.events.query(scope, { event_type: 'payment_intent.*' }, { limit: 50 })).items.length,
        1,
      );
      // `_` in a glob is literal, not LIKE's one-character wildcard.
      assert.equal(
        (await store.events.query(scope, { event_type: 'paymentXintent.*' }, { limit: 50 })).items.length,
        0,
      );
      assert.equal((await store.events.query(scope, { entity: 'order:4' }, { limit: 50 })).items.length, 1);
      assert.equal((await store.events.query(scope, { source: 'other_src' }, { limit: 50 })).items.length, 1);
      assert.equal((await store.events.query(scope, { mode: 'quiet' }, { limit: 50 })).items.length, 1);
      assert.equal(
        (await store.events.query(scope, { since: '2100-01-01T00:00:00Z' }, { limit: 50 })).items.length,
        0,
      );
      const seen: string[] = [];
      let after: string | undefined;
      for (let i = 0; i < 10; i++) {
        const page = await store.events.query(
          scope,
          {},
          after === undefined ? { limit: 3 } : { limit: 3, after },
        );
        seen.push(...page.items.map((e) => e.event_id));
        if (page.next === null) break;
        after = page.next;
      }
      assert.equal(seen.length, 8);
      assert.equal(new Set(seen).size, 8);
      assert.deepEqual(seen, [...seen].sort());
      await assert.rejects(store.events.query(scope, {}, { limit: 3, after: 'nope' }), {
        code: 'invalid_cursor',
      });
    });
  });
}
