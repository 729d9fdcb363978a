import { randomBytes } from 'node:crypto';
import { type Bus, InProcessBus } from '@sluice/core';
import { Redis } from 'ioredis';
import { RedisBus } from '../redis-bus.ts';

import { TEST_REDIS_URL } from './config.ts';

export { TEST_REDIS_URL };

export interface TestBusOptions {
  readonly partitions?: number;
  readonly leaseTtlMs?: number;
}

/** A fresh, empty bus for one test, and how to throw it away. */
export interface TestBus {
  readonly bus: Bus;
  /**
   * Another handle on the same transport, as a second process would open it (its own connections on Redis;
   * the same bus in process, where there is no second process).
   */
  peer(): Bus;
  /** Closes every handle and deletes what the test wrote. */
  close(): Promise<void>;
}

export interface BusAdapter {
  readonly name: 'in-process' | 'redis';
  open(options?: TestBusOptions): Promise<TestBus>;
}

const inProcess: BusAdapter = {
  name: 'in-process',
  async open(options = {}) {
    const bus = new InProcessBus(options);
    return { bus, peer: () => bus, close: () => bus.close() };
  },
};

/** Each test bus has its own key prefix, so test files run in parallel on one Redis without meeting. */
const redis: BusAdapter = {
  name: 'redis',
  async open(options = {}) {
    const prefix = `sluice_test_${randomBytes(6).toString('hex')}`;
    const open = (): RedisBus => new RedisBus({ connection: TEST_REDIS_URL, prefix, ...options });
    const buses: RedisBus[] = [open()];
    return {
      bus: buses[0] as RedisBus,
      peer() {
        const bus = open();
        buses.push(bus);
        return bus;
      },
      async close() {
        await Promise.all(buses.map((bus) => bus.close()));
        await deleteKeys(prefix);
      },
    };
  },
};

async function deleteKeys(prefix: string): Promise<void> {
  const admin = new Redis(TEST_REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await admin.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await admin.quit();
  }
}

/** Every bus adapter; the contract suite runs once per entry, unchanged. */
export const BUS_ADAPTERS: ReadonlyArray<BusAdapter> = [inProcess, redis];
