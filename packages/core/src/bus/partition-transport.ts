import type { DeliveredMessage } from '../ports/bus-port.ts';

/** What a heartbeat learned: how many consumers the group has, and which leases this one still holds. */
export interface HeartbeatResult {
  readonly members: number;
  readonly held: ReadonlyArray<number>;
}

/**
 * The primitives a bus adapter gives one consumer (bound to a topic, a group and a consumer name), from
 * which {@link PartitionedConsumer} builds leases, fair shares, ordered reads and redelivery. Every adapter
 * implements these with the same meaning, so the consumer logic exists once.
 */
export interface PartitionTransport {
  /** Marks the consumer live for one lease TTL and renews those of `held` it still owns. */
  heartbeat(held: ReadonlyArray<number>): Promise<HeartbeatResult>;
  /** Takes up to `count` partitions that no live consumer holds; returns the ones taken. */
  acquire(count: number): Promise<ReadonlyArray<number>>;
  /** Gives up the leases of `partitions` that this consumer still holds. */
  release(partitions: ReadonlyArray<number>): Promise<void>;
  /**
   * Moves every pending entry of `partition` in the group (delivered to any consumer, not acknowledged) to
   * this consumer, creating the group on the partition if it is missing.
   */
  claimPending(partition: number): Promise<void>;
  /** This consumer's pending entries of `partition`, oldest first, at most `count`. */
  readPending(partition: number, count: number): Promise<ReadonlyArray<DeliveredMessage>>;
  /** New entries of each of `partitions`, at most `count` each, waiting up to `blockMs` if there are none. */
  readNew(
    partitions: ReadonlyArray<number>,
    count: number,
    blockMs: number,
  ): Promise<ReadonlyMap<number, ReadonlyArray<DeliveredMessage>>>;
  /** Acknowledges entries of `partition`: they are done for the group. */
  ack(partition: number, ids: ReadonlyArray<string>): Promise<void>;
  /** Ends a waiting `readNew` early (on stop). */
  interrupt(): void;
  /** Leaves the group's membership and frees what the transport holds for this consumer. */
  close(): Promise<void>;
}
