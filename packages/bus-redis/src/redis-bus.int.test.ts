import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { partitionOf } from '@sluice/core/bus-kit';
import { Redis } from 'ioredis';
import { RedisBus } from './redis-bus.ts';
import { redisBusKeys } from './redis-keys.ts';
import {
  interleaved,
  type PrivateRedis,
  Recorder,
  startPrivateRedis,
  TEST_REDIS_URL,
  testMessage,
  upTo,
  waitFor,
} from './testing/index.ts';

const fast = { blockMs: 50, retryDelayMs: 50 } as const;

describe('redis bus: FLUSHALL', () => {
  // FLUSHALL empties a whole server, so this runs on a private one, never on the shared test Redis.
  let server: PrivateRedis;
  before(async () => {
    server = await startPrivateRedis();
  });
  after(() => server.stop());

  it('a consumer survives a FLUSHALL: groups and leases come back, and new messages flow in order', async () => {
    const bus = new RedisBus({
      connection: server.connection,
      prefix: 'flush',
      partitions: 4,
      leaseTtlMs: 600,
    });
    const admin = new Redis(server.connection);
    const recorder = new Recorder();
    const errors: unknown[] = [];
    const consumer = bus.consume({
      group: 'router',
      consumer: 'c1',
      topic: 'envelopes',
      handler: recorder.handler('c1'),
      onError: (error) => errors.push(error),
      ...fast,
    });
    try {
      await bus.publish('envelopes', interleaved(['conn-1', 'conn-2'], 5));
      await waitFor('the first 10', () => recorder.total >= 10);
      await admin.flushall();
      assert.equal(await admin.dbsize(), 0);
      // Published right after the flush, before the consumer noticed: the stream exists again, its group not.
      await bus.publish(
        'envelopes',
        [6, 7, 8].flatMap((n) => ['conn-1', 'conn-2'].map((k) => testMessage(k, n))),
      );
      await waitFor('the 6 published after the flush', () => recorder.total >= 16);
      await bus.publish('envelopes', interleaved(['conn-1', 'conn-2'], 10).slice(16));
      await waitFor('all 20', () => recorder.total >= 20);
      assert.deepEqual(recorder.byKey.get('conn-1'), upTo(10));
      assert.deepEqual(recorder.byKey.get('conn-2'), upTo(10));
      await waitFor('the leases to be held again', () => consumer.partitions().length === 4);
      assert.ok(
        errors.every((error) => !(error instanceof Error) || !error.message.startsWith('NOGROUP')),
        'NOGROUP is handled, not reported',
      );
    } finally {
      await consumer.stop();
      await bus.close();
      await admin.quit();
    }
  });
});

describe('redis bus: streams', () => {
  const prefix = `sluice_test_${randomBytes(6).toString('hex')}`;
  let admin: Redis;
  before(() => {
    admin = new Redis(TEST_REDIS_URL);
  });
  after(async () => {
    const found = await admin.keys(`${prefix}*`);
    if (found.length > 0) await admin.unlink(...found);
    await admin.quit();
  });

  it('publish resolves after Redis holds every entry, on the partition of its key', async () => {
    const bus = new RedisBus({ connection: TEST_REDIS_URL, prefix: `${prefix}:a`, partitions: 8 });
    try {
      await bus.publish('connections', interleaved(['conn-1', 'conn-2', 'conn-3'], 4));
      const keys = redisBusKeys(`${prefix}:a`);
      for (const key of ['conn-1', 'conn-2', 'conn-3']) {
        const entries = await admin.xrange(keys.stream('connections', partitionOf(key, 8)), '-', '+');
        const mine = entries.filter(([, fields]) => fields[1] === key);
        assert.deepEqual(
          mine.map(([, fields]) => JSON.parse(fields[fields.length - 1] ?? '{}').n),
          [1, 2, 3, 4],
        );
      }
    } finally {
      await bus.close();
    }
  });

  it('trims each partition stream to about maxLen', async () => {
    const bus = new RedisBus({
      connection: TEST_REDIS_URL,
      prefix: `${prefix}:b`,
      partitions: 1,
      maxLen: 50,
    });
    try {
      for (let i = 0; i < 10; i++) {
        await bus.publish(
          'envelopes',
          upTo(100).map((n) => testMessage('conn-1', i * 100 + n)),
        );
      }
      const length = await admin.xlen(redisBusKeys(`${prefix}:b`).stream('envelopes', 0));
      assert.ok(length >= 50 && length < 1_000, `stream length ${length}`);
    } finally {
      await bus.close();
    }
  });

  it('buses with different prefixes do not see each other', async () => {
    const one = new RedisBus({ connection: TEST_REDIS_URL, prefix: `${prefix}:c`, partitions: 2 });
    const two = new RedisBus({ connection: TEST_REDIS_URL, prefix: `${prefix}:d`, partitions: 2 });
    const recorder = new Recorder();
    const consumer = two.consume({
      group: 'g',
      consumer: 'c',
      topic: 'envelopes',
      handler: recorder.handler('c'),
      ...fast,
    });
    try {
      await waitFor('the consumer to hold its partitions', () => consumer.partitions().length === 2);
      await one.publish('envelopes', [testMessage('conn-1', 1)]);
      await two.publish('envelopes', [testMessage('conn-1', 2)]);
      await waitFor('its own message', () => recorder.total >= 1);
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.deepEqual(recorder.byKey.get('conn-1'), [2]);
    } finally {
      await consumer.stop();
      await Promise.all([one.close(), two.close()]);
    }
  });
});
