export {
  BUS_ADAPTERS,
  type BusAdapter,
  TEST_REDIS_URL,
  type TestBus,
  type TestBusOptions,
} from './bus-adapters.ts';
export { interleaved, Recorder, testMessage, upTo, waitFor } from './bus-fixtures.ts';
export { type PrivateRedis, startPrivateRedis } from './redis-server.ts';
