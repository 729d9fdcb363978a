import type { BusTopic, DeliveredMessage } from '@sluice/core';
import type { HeartbeatResult, PartitionTransport } from '@sluice/core/bus-kit';
import type { Redis } from 'ioredis';
import { ACQUIRE, HEARTBEAT, RELEASE } from './lua-scripts.ts';
import { isBusyGroup, isNoGroup } from './redis-errors.ts';
import type { RedisBusKeys } from './redis-keys.ts';
import { decodeEntry, parseReadReply } from './stream-entry.ts';

export interface RedisTransportOptions {
  /** The bus's shared connection: leases, acks, claims. */
  readonly command: Redis;
  /** This consumer's own connection, for reads that block. */
  readonly blocking: Redis;
  readonly keys: RedisBusKeys;
  readonly topic: BusTopic;
  readonly group: string;
  readonly consumer: string;
  readonly partitions: number;
  readonly leaseTtlMs: number;
}

/** Pages of one `XAUTOCLAIM` when a partition changes hands; bounded so a huge backlog cannot stall. */
const CLAIM_PAGE = 500;
const CLAIM_PAGES_MAX = 1_000;

/**
 * The partition primitives on Redis: a stream per partition with one consumer group per group name, leases
 * as `SET NX PX` keys renewed by a compare-and-set script, memberships in a sorted set, pending entries
 * moved by `XAUTOCLAIM`. A group that vanished (`NOGROUP`, e.g. after FLUSHALL) is created again.
 */
export class RedisTransport implements PartitionTransport {
  readonly #o: RedisTransportOptions;
  readonly #leaseKeys: ReadonlyArray<string>;
  readonly #partitionOfStream = new Map<string, number>();
  #reading = false;

  constructor(options: RedisTransportOptions) {
    this.#o = options;
    this.#leaseKeys = Array.from({ length: options.partitions }, (_, p) =>
      options.keys.lease(options.topic, options.group, p),
    );
    for (let p = 0; p < options.partitions; p++) this.#partitionOfStream.set(this.#stream(p), p);
  }

  async heartbeat(held: ReadonlyArray<number>): Promise<HeartbeatResult> {
    const { command, keys, topic, group, consumer, leaseTtlMs } = this.#o;
    const reply = await HEARTBEAT.run(
      command,
      [keys.members(topic, group), ...held.map((p) => this.#lease(p))],
      [consumer, leaseTtlMs],
    );
    const [members, positions] = Array.isArray(reply) ? reply : [];
    const still = Array.isArray(positions) ? positions.map((i) => held[Number(i)] ?? -1) : [];
    return { members: Number(members ?? 1), held: still.filter((p) => p >= 0) };
  }

  async acquire(count: number): Promise<ReadonlyArray<number>> {
    const reply = await ACQUIRE.run(this.#o.command, this.#leaseKeys, [
      this.#o.consumer,
      this.#o.leaseTtlMs,
      count,
    ]);
    return Array.isArray(reply) ? reply.map(Number) : [];
  }

  async release(partitions: ReadonlyArray<number>): Promise<void> {
    if (partitions.length === 0) return;
    await RELEASE.run(
      this.#o.command,
      partitions.map((p) => this.#lease(p)),
      [this.#o.consumer],
    );
  }

  async claimPending(partition: number): Promise<void> {
    await this.#ensureGroup(partition);
    const { command, group, consumer } = this.#o;
    let cursor = '0-0';
    for (let page = 0; page < CLAIM_PAGES_MAX; page++) {
      // Idle time 0: the lease, not the idle time, says the previous holder is done with these entries.
      const reply = await command.call('XAUTOCLAIM', [
        this.#stream(partition),
        group,
        consumer,
        0,
        cursor,
        'COUNT',
        CLAIM_PAGE,
        'JUSTID',
      ]);
      cursor = Array.isArray(reply) && typeof reply[0] === 'string' ? reply[0] : '0-0';
      if (cursor === '0-0') break;
    }
    await this.#forgetIdleConsumers(partition);
  }

  async readPending(partition: number, count: number): Promise<ReadonlyArray<DeliveredMessage>> {
    const stream = this.#stream(partition);
    // Entries trimmed while pending come back without fields; they are acknowledged away and the read repeats.
    for (let attempt = 0; attempt < 10; attempt++) {
      let reply: unknown;
      try {
        reply = await this.#o.blocking.call('XREADGROUP', [
          'GROUP',
          this.#o.group,
          this.#o.consumer,
          'COUNT',
          count,
          'STREAMS',
          stream,
          '0',
        ]);
      } catch (error) {
        if (!isNoGroup(error)) throw error;
        await this.#ensureGroup(partition);
        return [];
      }
      const entries = parseReadReply(reply).get(stream) ?? [];
      const messages: DeliveredMessage[] = [];
      const gone: string[] = [];
      for (const entry of entries) {
        if (entry.fields === null) gone.push(entry.id);
        else messages.push(decodeEntry(entry.id, entry.fields, true));
      }
      if (gone.length > 0) await this.ack(partition, gone);
      if (messages.length > 0 || gone.length === 0) return messages;
    }
    return [];
  }

  async readNew(
    partitions: ReadonlyArray<number>,
    count: number,
    blockMs: number,
  ): Promise<ReadonlyMap<number, ReadonlyArray<DeliveredMessage>>> {
    const streams = partitions.map((p) => this.#stream(p));
    let reply: unknown;
    this.#reading = true;
    try {
      reply = await this.#o.blocking.call('XREADGROUP', [
        'GROUP',
        this.#o.group,
        this.#o.consumer,
        'COUNT',
        count,
        'BLOCK',
        Math.max(1, Math.round(blockMs)),
        'STREAMS',
        ...streams,
        ...streams.map(() => '>'),
      ]);
    } catch (error) {
      if (!isNoGroup(error)) throw error;
      for (const partition of partitions) await this.#ensureGroup(partition);
      return new Map();
    } finally {
      this.#reading = false;
    }
    const batches = new Map<number, ReadonlyArray<DeliveredMessage>>();
    for (const [stream, entries] of parseReadReply(reply)) {
      const partition = this.#partitionOfStream.get(stream);
      if (partition === undefined) continue;
      batches.set(
        partition,
        entries.flatMap((entry) =>
          entry.fields === null ? [] : [decodeEntry(entry.id, entry.fields, false)],
        ),
      );
    }
    return batches;
  }

  async ack(partition: number, ids: ReadonlyArray<string>): Promise<void> {
    if (ids.length === 0) return;
    try {
      await this.#o.command.call('XACK', [this.#stream(partition), this.#o.group, ...ids]);
    } catch (error) {
      // A vanished group has no pending entries left to acknowledge.
      if (!isNoGroup(error)) throw error;
    }
  }

  interrupt(): void {
    // Only a blocked read is cut short: a closed connection mid-handler would lose that batch's acks.
    if (this.#reading) this.#o.blocking.disconnect();
  }

  async close(): Promise<void> {
    try {
      await this.#o.command.zrem(this.#o.keys.members(this.#o.topic, this.#o.group), this.#o.consumer);
    } finally {
      this.#o.blocking.disconnect();
    }
  }

  async #ensureGroup(partition: number): Promise<void> {
    try {
      // From id 0, not `$`: entries published after a FLUSHALL but before the group returns are still read.
      await this.#o.command.call('XGROUP', [
        'CREATE',
        this.#stream(partition),
        this.#o.group,
        '0',
        'MKSTREAM',
      ]);
    } catch (error) {
      if (!isBusyGroup(error)) throw error;
    }
  }

  /** Drops consumer names with nothing pending that stopped reading, so a group does not collect them forever. */
  async #forgetIdleConsumers(partition: number): Promise<void> {
    const stream = this.#stream(partition);
    const reply = await this.#o.command.call('XINFO', ['CONSUMERS', stream, this.#o.group]);
    if (!Array.isArray(reply)) return;
    for (const row of reply) {
      if (!Array.isArray(row)) continue;
      const info = new Map<string, unknown>();
      for (let i = 0; i + 1 < row.length; i += 2) info.set(String(row[i]), row[i + 1]);
      const name = String(info.get('name') ?? '');
      if (name === '' || name === this.#o.consumer) continue;
      if (Number(info.get('pending')) === 0 && Number(info.get('idle')) > this.#o.leaseTtlMs) {
        await this.#o.command.call('XGROUP', ['DELCONSUMER', stream, this.#o.group, name]);
      }
    }
  }

  #stream(partition: number): string {
    return this.#o.keys.stream(this.#o.topic, partition);
  }

  #lease(partition: number): string {
    return this.#o.keys.lease(this.#o.topic, this.#o.group, partition);
  }
}
