import type { BusTopic } from '@sluice/core';

/** Every key the Redis bus writes, under one prefix, so tests (or tenants of one Redis) do not collide. */
export interface RedisBusKeys {
  /** The stream of one partition of a topic. */
  stream(topic: BusTopic, partition: number): string;
  /** The lease on one partition of a topic within a group; its value is the holder's name. */
  lease(topic: BusTopic, group: string, partition: number): string;
  /** The sorted set of a group's live consumers, scored by membership expiry. */
  members(topic: BusTopic, group: string): string;
}

export function redisBusKeys(prefix: string): RedisBusKeys {
  return {
    stream: (topic, partition) => `${prefix}:stream:${topic}:${partition}`,
    lease: (topic, group, partition) => `${prefix}:lease:${topic}:${group}:${partition}`,
    members: (topic, group) => `${prefix}:members:${topic}:${group}`,
  };
}
