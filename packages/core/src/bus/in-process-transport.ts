import type { BusTopic, DeliveredMessage } from '../ports/bus-port.ts';
import type { GroupState, InProcessLog } from './in-process-log.ts';
import type { HeartbeatResult, PartitionTransport } from './partition-transport.ts';

export interface InProcessTransportOptions {
  readonly log: InProcessLog;
  readonly topic: BusTopic;
  readonly group: string;
  readonly consumer: string;
  readonly leaseTtlMs: number;
  readonly now: () => number;
}

/** The partition primitives over an {@link InProcessLog}: leases and memberships are map entries with expiry. */
export class InProcessTransport implements PartitionTransport {
  readonly #options: InProcessTransportOptions;
  readonly #group: GroupState;
  #cancelWait: (() => void) | undefined;

  constructor(options: InProcessTransportOptions) {
    this.#options = options;
    this.#group = options.log.group(options.topic, options.group);
  }

  async heartbeat(held: ReadonlyArray<number>): Promise<HeartbeatResult> {
    await Promise.resolve();
    const { consumer, leaseTtlMs } = this.#options;
    const now = this.#options.now();
    const members = this.#group.members;
    members.set(consumer, now + leaseTtlMs);
    for (const [name, expiresAt] of members) if (expiresAt <= now) members.delete(name);
    const still: number[] = [];
    for (const partition of held) {
      const lease = this.#group.leases[partition];
      if (lease !== undefined && lease.owner === consumer && lease.expiresAt > now) {
        lease.expiresAt = now + leaseTtlMs;
        still.push(partition);
      }
    }
    return { members: members.size, held: still };
  }

  async acquire(count: number): Promise<ReadonlyArray<number>> {
    await Promise.resolve();
    const now = this.#options.now();
    const taken: number[] = [];
    const leases = this.#group.leases;
    for (let partition = 0; partition < leases.length && taken.length < count; partition++) {
      const lease = leases[partition];
      if (lease !== undefined && lease.expiresAt > now) continue;
      leases[partition] = { owner: this.#options.consumer, expiresAt: now + this.#options.leaseTtlMs };
      taken.push(partition);
    }
    return taken;
  }

  async release(partitions: ReadonlyArray<number>): Promise<void> {
    await Promise.resolve();
    for (const partition of partitions) {
      if (this.#group.leases[partition]?.owner === this.#options.consumer) {
        this.#group.leases[partition] = undefined;
      }
    }
  }

  async claimPending(partition: number): Promise<void> {
    await Promise.resolve();
    const pending = this.#group.pending[partition];
    if (pending === undefined) return;
    for (const index of pending.keys()) pending.set(index, this.#options.consumer);
  }

  async readPending(partition: number, count: number): Promise<ReadonlyArray<DeliveredMessage>> {
    await Promise.resolve();
    const pending = this.#group.pending[partition];
    const entries = this.#options.log.entries(this.#options.topic)[partition];
    if (pending === undefined || entries === undefined) return [];
    const mine: number[] = [];
    for (const [index, owner] of pending) {
      // A trimmed entry is gone for good; Redis drops it from the pending list the same way.
      if (index < entries.offset) pending.delete(index);
      else if (owner === this.#options.consumer) mine.push(index);
    }
    mine.sort((a, b) => a - b);
    return mine.slice(0, count).flatMap((index) => this.#delivered(partition, index, true));
  }

  async readNew(
    partitions: ReadonlyArray<number>,
    count: number,
    blockMs: number,
  ): Promise<ReadonlyMap<number, ReadonlyArray<DeliveredMessage>>> {
    await Promise.resolve();
    const first = this.#take(partitions, count);
    if (first.size > 0) return first;
    const wait = this.#options.log.wait(this.#options.topic, blockMs);
    this.#cancelWait = wait.cancel;
    await wait.done;
    this.#cancelWait = undefined;
    return this.#take(partitions, count);
  }

  async ack(partition: number, ids: ReadonlyArray<string>): Promise<void> {
    await Promise.resolve();
    const pending = this.#group.pending[partition];
    for (const id of ids) pending?.delete(Number(id));
  }

  interrupt(): void {
    this.#cancelWait?.();
  }

  async close(): Promise<void> {
    await Promise.resolve();
    this.#group.members.delete(this.#options.consumer);
  }

  #take(partitions: ReadonlyArray<number>, count: number): Map<number, ReadonlyArray<DeliveredMessage>> {
    const batches = new Map<number, ReadonlyArray<DeliveredMessage>>();
    const all = this.#options.log.entries(this.#options.topic);
    for (const partition of partitions) {
      const entries = all[partition];
      const pending = this.#group.pending[partition];
      if (entries === undefined || pending === undefined) continue;
      const start = Math.max(this.#group.cursors[partition] ?? 0, entries.offset);
      const end = Math.min(entries.offset + entries.messages.length, start + count);
      if (end <= start) continue;
      const batch: DeliveredMessage[] = [];
      for (let index = start; index < end; index++) {
        pending.set(index, this.#options.consumer);
        batch.push(...this.#delivered(partition, index, false));
      }
      this.#group.cursors[partition] = end;
      batches.set(partition, batch);
    }
    return batches;
  }

  #delivered(partition: number, index: number, redelivered: boolean): DeliveredMessage[] {
    const entries = this.#options.log.entries(this.#options.topic)[partition];
    const message = entries?.messages[index - entries.offset];
    return message === undefined ? [] : [{ ...message, id: String(index), redelivered }];
  }
}
