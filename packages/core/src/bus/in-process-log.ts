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

/** How many entries a partition gathers before a trim is considered; a trim drops at least this many. */
const TRIM_STEP = 512;

/** How long each partition of a topic may grow. */
export interface LogLimits {
  /** Entries kept per partition of a topic some group reads, acknowledged or not. */
  readonly maxLen: number;
  /** Entries kept per partition of a topic no group reads (yet): a group started later begins there. */
  readonly unreadMaxLen: number;
}

/**
 * The state an in-process bus shares between its publishers and consumers.
 *
 * Memory is the one thing it has less of than Redis, so it keeps less: an entry every group of its topic
 * has acknowledged is dropped (no reader outside the process can come for it), and a topic no group reads
 * keeps only its last `unreadMaxLen` entries per partition. `maxLen` bounds what a lagging group leaves.
 */
export class InProcessLog {
  readonly partitions: number;
  readonly #limits: LogLimits;
  readonly #topics = new Map<BusTopic, PartitionEntries[]>();
  readonly #groups = new Map<string, GroupState>();
  readonly #groupsOfTopic = new Map<BusTopic, GroupState[]>();
  readonly #waiters = new Map<BusTopic, Set<() => void>>();

  constructor(partitions: number, limits: LogLimits) {
    this.partitions = partitions;
    this.#limits = limits;
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
      const ofTopic = this.#groupsOfTopic.get(topic);
      if (ofTopic === undefined) this.#groupsOfTopic.set(topic, [state]);
      else ofTopic.push(state);
    }
    return state;
  }

  append(topic: BusTopic, partition: number, message: BusMessage): void {
    const entries = this.entries(topic)[partition];
    if (entries === undefined) return;
    entries.messages.push(message);
    if (entries.messages.length >= TRIM_STEP) this.#trim(topic, partition, entries);
  }

  /**
   * Drops the oldest entries in steps, like Redis `MAXLEN ~`, so an append does not shift the array every
   * time: those past the length bound, and those every group of the topic has acknowledged.
   */
  #trim(topic: BusTopic, partition: number, entries: PartitionEntries): void {
    const groups = this.#groupsOfTopic.get(topic);
    const limit = groups === undefined ? this.#limits.unreadMaxLen : this.#limits.maxLen;
    const over = entries.messages.length - limit;
    let drop = over > Math.ceil(limit / 10) ? over : 0;
    if (groups !== undefined) {
      let settled = Number.POSITIVE_INFINITY;
      for (const group of groups) settled = Math.min(settled, settledBefore(group, partition));
      const acknowledged = settled - entries.offset;
      if (acknowledged >= TRIM_STEP) drop = Math.max(drop, acknowledged);
    }
    if (drop <= 0) return;
    entries.messages.splice(0, drop);
    entries.offset += drop;
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

/**
 * The index below which `group` has acknowledged every entry of `partition`: its oldest pending entry, or
 * its cursor when nothing is pending. Pending entries are kept in delivery order, so the first is the oldest.
 */
function settledBefore(group: GroupState, partition: number): number {
  const pending = group.pending[partition];
  if (pending !== undefined) for (const index of pending.keys()) return index;
  return group.cursors[partition] ?? 0;
}
