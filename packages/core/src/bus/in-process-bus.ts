import type { Bus, BusMessage, BusTopic, ConsumeOptions, Consumer } from '../ports/bus-port.ts';
import { InProcessLog } from './in-process-log.ts';
import { InProcessTransport } from './in-process-transport.ts';
import { checkPartitionCount, partitionOf } from './partition-of.ts';
import { PartitionedConsumer } from './partitioned-consumer.ts';

export interface InProcessBusOptions {
  /** Partitions per topic; 16 by default. */
  readonly partitions?: number;
  /** How long a consumer's lease lasts without a heartbeat, in ms; 10,000 by default. */
  readonly leaseTtlMs?: number;
  /**
   * Entries kept per partition of a topic a group reads (trimmed approximately, oldest first); 100,000 by
   * default. Entries every group has acknowledged are dropped before that.
   */
  readonly maxLen?: number;
  /** Entries kept per partition of a topic no group reads; 1,000 by default. */
  readonly unreadMaxLen?: number;
  readonly now?: () => number;
}

/**
 * The bus of one process (embedded mode): the same semantics as the Redis Streams adapter — partitions by
 * key, consumer groups, one lease holder per partition, redelivery of what was not acknowledged — in memory.
 * It keeps less than Redis: what every group acknowledged is dropped, and a topic no group reads keeps only
 * its last `unreadMaxLen` entries per partition, so memory follows the consumers' lag, not the traffic.
 */
export class InProcessBus implements Bus {
  readonly #log: InProcessLog;
  readonly #leaseTtlMs: number;
  readonly #now: () => number;
  readonly #consumers = new Set<PartitionedConsumer>();
  #closed = false;

  constructor(options: InProcessBusOptions = {}) {
    this.#log = new InProcessLog(checkPartitionCount(options.partitions ?? 16), {
      maxLen: options.maxLen ?? 100_000,
      unreadMaxLen: options.unreadMaxLen ?? 1_000,
    });
    this.#leaseTtlMs = options.leaseTtlMs ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  async publish(topic: BusTopic, messages: ReadonlyArray<BusMessage>): Promise<void> {
    if (this.#closed) throw new Error('The in-process bus is closed; publish before close().');
    for (const message of messages) {
      this.#log.append(topic, partitionOf(message.key, this.#log.partitions), message);
    }
    if (messages.length > 0) this.#log.notify(topic);
  }

  consume(options: ConsumeOptions): Consumer {
    if (this.#closed) throw new Error('The in-process bus is closed; consume before close().');
    const transport = new InProcessTransport({
      log: this.#log,
      topic: options.topic,
      group: options.group,
      consumer: options.consumer,
      leaseTtlMs: this.#leaseTtlMs,
      now: this.#now,
    });
    const consumer = new PartitionedConsumer(transport, {
      topic: options.topic,
      partitions: this.#log.partitions,
      leaseTtlMs: this.#leaseTtlMs,
      handler: options.handler,
      batchSize: options.batchSize,
      blockMs: options.blockMs,
      retryDelayMs: options.retryDelayMs,
      onError: options.onError,
      now: this.#now,
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
    this.#closed = true;
    await Promise.all([...this.#consumers].map((consumer) => consumer.stop()));
    this.#consumers.clear();
  }
}
