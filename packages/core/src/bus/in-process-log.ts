import type { BusMessage, BusTopic } from '../ports/bus-port.ts';

/** One partition's entries; `offset` is the index of the oldest one still kept. */
export interface PartitionEntries {
  readonly messages: BusMessage[];
  offset: number;
}

/** A lease on a partition: who holds it and until when (ms). */
export interface Lease {
  readonly owner: string;
  expiresAt: number;
}

/** A consumer group's view of one topic, as Redis keeps it per stream: cursors, pending entries, leases. */
export interface GroupState {
  /** Per partition: the index of the next entry never delivered to the group. */
  readonly cursors: number[];
  /** Per partition: pending entry index → the consumer it was delivered to, in delivery order. */
  readonly pending: Map<number, string>[];
  readonly leases: (Lease | undefined)[];
  /** Consumer name → membership expiry (ms). */
  readonly members: Map<string, number>;
}

/** The state an in-process bus shares between its publishers and consumers. */
export class InProcessLog {
  readonly partitions: number;
  readonly #maxLen: number;
  readonly #topics = new Map<BusTopic, PartitionEntries[]>();
  readonly #groups = new Map<string, GroupState>();
  readonly #waiters = new Map<BusTopic, Set<() => void>>();

  constructor(partitions: number, maxLen: number) {
    this.partitions = partitions;
    this.#maxLen = maxLen;
  }

  entries(topic: BusTopic): PartitionEntries[] {
    let entries = this.#topics.get(topic);
    if (entries === undefined) {
      entries = Array.from({ length: this.partitions }, () => ({ messages: [], offset: 0 }));
      this.#topics.set(topic, entries);
    }
    return entries;
  }

  /** A new group starts at the oldest kept entry, as a Redis group created at id 0 does. */
  group(topic: BusTopic, group: string): GroupState {
    const name = `${topic}\u0000${group}`;
    let state = this.#groups.get(name);
    if (state === undefined) {
      const entries = this.entries(topic);
      state = {
        cursors: entries.map((partition) => partition.offset),
        pending: entries.map(() => new Map()),
        leases: entries.map(() => undefined),
        members: new Map(),
      };
      this.#groups.set(name, state);
    }
    return state;
  }

  append(topic: BusTopic, partition: number, message: BusMessage): void {
    const entries = this.entries(topic)[partition];
    if (entries === undefined) return;
    entries.messages.push(message);
    // Trimmed in steps, like Redis `MAXLEN ~`, so an append does not shift the array every time.
    if (entries.messages.length > this.#maxLen + Math.ceil(this.#maxLen / 10)) {
      const drop = entries.messages.length - this.#maxLen;
      entries.messages.splice(0, drop);
      entries.offset += drop;
    }
  }

  notify(topic: BusTopic): void {
    const waiters = this.#waiters.get(topic);
    if (waiters === undefined) return;
    this.#waiters.delete(topic);
    for (const wake of waiters) wake();
  }

  /** Resolves on the next append to `topic`, after `ms`, or when the returned cancel is called. */
  wait(topic: BusTopic, ms: number): { readonly done: Promise<void>; readonly cancel: () => void } {
    let cancel = (): void => {};
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(finish, ms);
      const waiters = this.#waiters.get(topic) ?? new Set<() => void>();
      this.#waiters.set(topic, waiters);
      waiters.add(finish);
      function finish(): void {
        clearTimeout(timer);
        waiters.delete(finish);
        resolve();
      }
      cancel = finish;
    });
    return { done, cancel };
  }
}
