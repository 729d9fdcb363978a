// What a bus adapter builds on: partitioning, the consumer loop over partitions, and the transport it drives.
// Applications use the `Bus` port from the package root; only adapters (such as @sluice/bus-redis) import this.
export { type BusRouting, busAttributesOf } from './bus/bus-message.ts';
export type { InProcessBusOptions } from './bus/in-process-bus.ts';
export { checkPartitionCount, partitionOf } from './bus/partition-of.ts';
export type { HeartbeatResult, PartitionTransport } from './bus/partition-transport.ts';
export {
  CONSUME_DEFAULTS,
  PartitionedConsumer,
  type PartitionedConsumerOptions,
} from './bus/partitioned-consumer.ts';
