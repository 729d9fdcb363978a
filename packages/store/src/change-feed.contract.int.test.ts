import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { type Change, type ChangeFeed, InProcessChangeFeed } from '@sluice/core';
import { PostgresChangeFeed } from './postgres-change-feed.ts';
import { STORE_ADAPTERS, TEST_DATABASE_URL } from './testing/index.ts';

/** Two processes' feeds over one medium. */
interface FeedAdapter {
  readonly name: string;
  open(): Promise<{ a: ChangeFeed; b: ChangeFeed; close(): Promise<void> }>;
}

const inProcess: FeedAdapter = {
  name: 'in-process',
  async open() {
    // Embedded mode is one process: both sides share the feed.
    const feed = new InProcessChangeFeed();
    return { a: feed, b: feed, close: () => feed.close() };
  },
};

const postgres: FeedAdapter = {
  name: 'postgres',
  async open() {
    const channel = `sluice_test_${randomBytes(5).toString('hex')}`;
    const a = await PostgresChangeFeed.open({ connectionString: TEST_DATABASE_URL, channel });
    const b = await PostgresChangeFeed.open({ connectionString: TEST_DATABASE_URL, channel });
    return { a, b, close: async () => void (await Promise.all([a.close(), b.close()])) };
  },
};

const FEEDS = [inProcess, ...(STORE_ADAPTERS.some((s) => s.name === 'postgres') ? [postgres] : [])];

const next = (feed: ChangeFeed, timeoutMs = 2_000): Promise<Change> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no change arrived')), timeoutMs);
    const off = feed.subscribe((change) => {
      clearTimeout(timer);
      off();
      resolve(change);
    });
  });

for (const adapter of FEEDS) {
  describe(`change feed contract: ${adapter.name}`, () => {
    it("delivers one process's change to every subscriber, the publisher's own included", async () => {
      const { a, b, close } = await adapter.open();
      try {
        const change: Change = { kind: 'secret', tenant_id: 'ten_1', id: 'con_1' };
        const heardByB = next(b);
        const heardByA = next(a);
        await a.publish(change);
        assert.deepEqual(await heardByB, change);
        assert.deepEqual(await heardByA, change);
      } finally {
        await close();
      }
    });

    it('stops calling a listener once it unsubscribes', async () => {
      const { a, b, close } = await adapter.open();
      try {
        const heard: Change[] = [];
        const off = b.subscribe((change) => heard.push(change));
        const first = next(b);
        await a.publish({ kind: 'connection', tenant_id: 'ten_1', id: 'con_1' });
        await first;
        off();
        const second = next(b);
        await a.publish({ kind: 'connection', tenant_id: 'ten_1', id: 'con_2' });
        await second;
        assert.deepEqual(
          heard.map((c) => c.id),
          ['con_1'],
        );
      } finally {
        await close();
      }
    });
  });
}
