import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { PollPage } from '@sluice/core';
import { STORE_ADAPTERS, type TestDatabase } from '@sluice/store/testing';
import { pollWorld, recordsConnector } from '../testing/poll-world.ts';

const day = 24 * 3600 * 1000;

for (const adapter of STORE_ADAPTERS) {
  describe(`poll pass change detection over ${adapter.name}`, () => {
    const dbs: TestDatabase[] = [];
    after(() => Promise.all(dbs.map((db) => db.drop())));
    const open = async () => {
      const db = await adapter.open();
      dbs.push(db);
      return db;
    };

    it('reports new records created, changed ones updated with a field diff, unchanged ones not at all', async () => {
      let records: Array<Record<string, unknown>> = [
        { id: 'cus_1', email: 'a@x.test', name: 'A', fetched_at: 1 },
        { id: 'cus_2', email: 'b@x.test', name: 'B', fetched_at: 1 },
      ];
      const connector = recordsConnector(
        async (): Promise<PollPage> => ({ emissions: [], records, cursor: null, hasMore: false }),
      );
      const world = await pollWorld(await open(), connector);
      const first = await world.run();
      assert.equal(first.status, 'completed');
      assert.deepEqual(first.changes, { created: 2, updated: 0, deleted: 0 });
      assert.equal(first.emitted, 2);
      // Key order and the ignored fetch timestamp do not count.
      records = [
        { fetched_at: 2, name: 'A', email: 'a@x.test', id: 'cus_1' },
        { id: 'cus_2', email: 'b2@x.test', name: 'B', fetched_at: 2 },
      ];
      const second = await world.run();
      assert.deepEqual(second.changes, { created: 0, updated: 1, deleted: 0 });
      assert.equal(second.emitted, 1);
      const page = await world.store.events.query(
        world.connection.tenant_id,
        { event_type: 'customer.updated' },
        { limit: 10 },
      );
      assert.deepEqual(page.items[0]?.payload['changes'], [
        { path: 'email', from: 'b@x.test', to: 'b2@x.test' },
      ]);
      assert.deepEqual(page.items[0]?.payload['entity'], { kind: 'customer', id: 'cus_2' });
    });

    it('keeps two connections of one connector apart: each reports its own records, none deduped against the other', async () => {
      let records: Array<Record<string, unknown>> = [{ id: 'cus_1', email: 'a@x.test' }];
      const connector = recordsConnector(async () => ({
        emissions: [],
        records,
        cursor: null,
        hasMore: false,
      }));
      const world = await pollWorld(await open(), connector);
      const other = await world.connectionNamed('poll 2');
      // The same record, same version, seen by both connections (one account polled twice, say).
      assert.equal((await world.run()).emitted, 1);
      const second = await world.run({}, other);
      assert.deepEqual(second.changes, { created: 1, updated: 0, deleted: 0 });
      assert.equal(second.emitted, 1, 'the second connection emitted its created event');
      assert.equal(second.duplicates, 0);
      records = [{ id: 'cus_1', email: 'b@x.test' }];
      assert.equal((await world.run()).emitted, 1);
      assert.equal((await world.run({}, other)).emitted, 1, 'and its updated event');
      const page = await world.store.events.query(world.connection.tenant_id, {}, { limit: 10 });
      const keys = page.items.map((e) => `${e.connection_id} ${e.dedupe_key}`);
      assert.equal(new Set(keys).size, 4);
      for (const envelope of page.items)
        assert.ok(envelope.dedupe_key.startsWith(`${envelope.connection_id}:`));
    });

    it('keeps an unchanged record silent past the TTL it would have had without refreshing', async () => {
      const records = [{ id: 'cus_1', email: 'a@x.test' }];
      const connector = recordsConnector(async () => ({
        emissions: [],
        records,
        cursor: null,
        hasMore: false,
      }));
      const world = await pollWorld(await open(), connector);
      assert.equal((await world.run()).changes.created, 1);
      for (let i = 0; i < 4; i++) {
        world.advance(3 * day); // 12 days in all, past the 7-day TTL of the first sighting
        const again = await world.run();
        assert.equal(again.emitted, 0, `pass ${i + 2} emitted`);
        assert.deepEqual(again.changes, { created: 0, updated: 0, deleted: 0 });
      }
      // Without a sighting the hash does expire: the record is new again after 7 quiet days.
      world.advance(8 * day);
      assert.equal((await world.run()).changes.created, 1);
    });

    it('reports no deletions after a failed snapshot, and deletes what a complete one did not see', async () => {
      let fail = false;
      let records = [{ id: 'cus_1' }, { id: 'cus_2' }, { id: 'cus_3' }];
      const connector = recordsConnector(async (_ctx, request): Promise<PollPage> => {
        if (request.cursor === null)
          return { emissions: [], records: records.slice(0, 1), cursor: 'p2', hasMore: true };
        if (fail) throw new Error('the source answered 500');
        return { emissions: [], records: records.slice(1), cursor: null, hasMore: false };
      }, true);
      const world = await pollWorld(await open(), connector);
      assert.equal((await world.run()).changes.created, 3);
      records = [{ id: 'cus_1' }];
      fail = true;
      const failed = await world.run();
      assert.equal(failed.status, 'failed');
      assert.match(failed.error ?? '', /500/);
      assert.equal(failed.changes.deleted, 0);
      const none = await world.store.events.query(
        world.connection.tenant_id,
        { event_type: 'customer.deleted' },
        { limit: 10 },
      );
      assert.equal(none.items.length, 0);
      // The snapshot resumes from its committed page and completes: cus_2 and cus_3 are gone.
      fail = false;
      const complete = await world.run();
      assert.equal(complete.status, 'completed');
      assert.equal(complete.changes.deleted, 2);
      const deleted = await world.store.events.query(
        world.connection.tenant_id,
        { event_type: 'customer.deleted' },
        { limit: 10 },
      );
      assert.deepEqual(deleted.items.map((e) => (e.payload['entity'] as { id: string }).id).sort(), [
        'cus_2',
        'cus_3',
      ]);
      // And they stay gone: the next complete snapshot reports nothing.
      const quiet = await world.run();
      assert.deepEqual(quiet.changes, { created: 0, updated: 0, deleted: 0 });
    });
  });
}
