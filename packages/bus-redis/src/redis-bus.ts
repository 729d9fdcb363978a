import type { Bus, BusMessage, BusTopic, ConsumeOptions, Consumer } from '@sluice/core';
import { checkPartitionCount, PartitionedConsumer, partitionOf } from '@sluice/core/bus-kit';
import { Redis, type RedisOptions } from 'ioredis';
import { type RedisBusKeys, redisBusKeys } from './redis-keys.ts';
import { RedisTransport } from './redis-transport.ts';
import { encodeEntry } from './stream-entry.ts';

export interface RedisBusOptions {
  /** A `redis://` URL or ioredis options (host, port, path of a unix socket, ...). */
  readonly connection: string | RedisOptions;
  /** Prefix of every key; `sluice:bus` by default. */
  readonly prefix?: string;
  /** Partitions per topic; 16 by default. Publishers and consumers of one prefix must agree on it. */
  readonly partitions?: number;
  /** How long a consumer's lease lasts without a heartbeat, in ms; 10,000 by default. */
  readonly leaseTtlMs?: number;
  /**
   * `XADD MAXLEN ~` per partition stream; 100,000 by default, null for no trimming. An entry trimmed before
   * a group read it is gone for that group, so keep it well above the largest expected lag.
   */
  readonly maxLen?: number | null;
}

/**
 * The bus on Redis Streams: one stream per topic partition, one Redis consumer group per group name, and a
 * lease per (topic, group, partition) so exactly one consumer reads a partition at a time, in order.
 */
export class RedisBus implements Bus {
  readonly #command: Redis;
  readonly #keys: RedisBusKeys;
  readonly #partitions: number;
  readonly #leaseTtlMs: number;
  readonly #maxLen: number | null;
  readonly #consumers = new Set<PartitionedConsumer>();
  #closed = false;

  constructor(options: RedisBusOptions) {
    this.#command =
      typeof options.connection === 'string' ? new Redis(options.connection) : new Redis(options.connection);
    // Failures reach callers as rejected commands; the event would only repeat them (and unhandled, log them).
    this.#command.on('error', () => {});
    this.#keys = redisBusKeys(options.prefix ?? 'sluice:bus');
    this.#partitions = checkPartitionCount(options.partitions ?? 16);
    this.#leaseTtlMs = options.leaseTtlMs ?? 10_000;
    this.#maxLen = options.maxLen === undefined ? 100_000 : options.maxLen;
  }

  async publish(topic: BusTopic, messages: ReadonlyArray<BusMessage>): Promise<void> {
    if (this.#closed) throw new Error('The Redis bus is closed; publish before close().');
    if (messages.length === 0) return;
    const trim = this.#maxLen === null ? [] : ['MAXLEN', '~', this.#maxLen];
    const pipeline = this.#command.pipeline();
    for (const message of messages) {
      const stream = this.#keys.stream(topic, partitionOf(message.key, this.#partitions));
      pipeline.call('XADD', [stream, ...trim, '*', ...encodeEntry(message)]);
    }
    const replies = (await pipeline.exec()) ?? [];
    const failed = replies.find(([error]) => error !== null);
    if (failed !== undefined || replies.length !== messages.length) {
      throw new Error(
        `Redis did not accept every message published on ${topic}: ${failed?.[0]?.message ?? 'no reply'}. Publish the batch again.`,
        { cause: failed?.[0] },
      );
    }
  }

  consume(options: ConsumeOptions): Consumer {
    if (this.#closed) throw new Error('The Redis bus is closed; consume before close().');
    const blocking = this.#command.duplicate();
    blocking.on('error', () => {});
    const transport = new RedisTransport({
      command: this.#command,
      blocking,
      keys: this.#keys,
      topic: options.topic,
      group: options.group,
      consumer: options.consumer,
      partitions: this.#partitions,
      leaseTtlMs: this.#leaseTtlMs,
    });
    const consumer = new PartitionedConsumer(transport, {
      topic: options.topic,
      partitions: this.#partitions,
      leaseTtlMs: this.#leaseTtlMs,
      handler: options.handler,
      batchSize: options.batchSize,
      blockMs: options.blockMs,
      retryDelayMs: options.retryDelayMs,
      onError: options.onError,
    });
    this.#consumers.add(consumer);
    return {
      partitions: () => consumer.partitions(),
      stop: async () => {
        await consumer.stop();
        this.#consumers.delete(consumer);
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#consumers].map((consumer) => consumer.stop()));
    this.#consumers.clear();
    await this.#command.quit().catch(() => this.#command.disconnect());
  }
}
