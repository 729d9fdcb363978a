const encoder = new TextEncoder();

/**
 * The partition of `key` among `partitions`: FNV-1a (32 bit) over the key's UTF-8 bytes, modulo the count.
 * Stable across processes, versions and adapters, since publishers and consumers must agree on it.
 */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of encoder.encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

/** Fails loudly on a partition count that cannot work (publishers and consumers must share it). */
export function checkPartitionCount(partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) {
    throw new RangeError(`A bus needs 1 to 1024 partitions per topic, got ${partitions}.`);
  }
  return partitions;
}
