import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { isNoScript } from './redis-errors.ts';

/** A Lua script run by its SHA, loaded on first use (and again after a restart or FLUSHALL of scripts). */
export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  async run(
    redis: Redis,
    keys: ReadonlyArray<string>,
    args: ReadonlyArray<string | number>,
  ): Promise<unknown> {
    try {
      return await redis.evalsha(this.#sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return redis.eval(this.#source, keys.length, ...keys, ...args);
    }
  }
}

/**
 * KEYS[1] the group's members, KEYS[2..] the leases the caller believes it holds; ARGV consumer, TTL ms.
 * Marks the consumer live (by the server's clock, so hosts' clocks do not matter), drops expired members,
 * renews the leases whose value is still the caller (compare-and-set), and returns
 * `{members, held}` where `held` are 0-based positions among the lease keys.
 */
export const HEARTBEAT = new LuaScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('PEXPIRE', KEYS[1], ttl * 2)
local held = {}
for i = 2, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[i], ttl)
    held[#held + 1] = i - 2
  end
end
return { redis.call('ZCARD', KEYS[1]), held }
`);

/**
 * KEYS the lease of every partition, in partition order; ARGV consumer, TTL ms, how many to take.
 * Takes free leases (`SET NX PX`) in order until it has taken enough; returns their partitions.
 */
export const ACQUIRE = new LuaScript(`
local taken = {}
local want = tonumber(ARGV[3])
for i = 1, #KEYS do
  if #taken >= want then break end
  if redis.call('SET', KEYS[i], ARGV[1], 'NX', 'PX', ARGV[2]) then taken[#taken + 1] = i - 1 end
end
return taken
`);

/** KEYS leases; ARGV consumer. Deletes each lease that the consumer still holds, and no other. */
export const RELEASE = new LuaScript(`
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return 0
`);
