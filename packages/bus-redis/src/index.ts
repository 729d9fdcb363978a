export { RedisBus, type RedisBusOptions } from './redis-bus.ts';
export { type RedisBusKeys, redisBusKeys } from './redis-keys.ts';
