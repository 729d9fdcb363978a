import type { Bus, BusMessage, BusTopic, DeliveredMessage } from '@sluice/core';

/** Every message a consumer of one topic received, in order (group `probe`, acknowledged). */
export interface Probe {
  readonly messages: DeliveredMessage[];
  stop(): Promise<void>;
}

/** Consumes `topic` (`envelopes` by default) in its own group and keeps what it sees. */
export function probe(bus: Bus, group = 'probe', topic: BusTopic = 'envelopes'): Probe {
  const messages: DeliveredMessage[] = [];
  const consumer = bus.consume({
    group,
    consumer: `${group}-1`,
    topic,
    blockMs: 50,
    retryDelayMs: 50,
    handler: async (batch) => {
      messages.push(...batch.messages);
    },
  });
  return { messages, stop: () => consumer.stop() };
}

/** The real bus, refusing the first `failures` publishes (as a bus that is down would). */
export function failingFirst(bus: Bus, failures: number): Bus & { refused: number } {
  const wrapper = {
    refused: 0,
    async publish(topic: BusTopic, messages: ReadonlyArray<BusMessage>): Promise<void> {
      if (wrapper.refused < failures) {
        wrapper.refused++;
        throw new Error('the bus is down (test)');
      }
      await bus.publish(topic, messages);
    },
    consume: bus.consume.bind(bus),
    close: () => bus.close(),
  };
  return wrapper;
}

/** Polls `condition` every 10 ms; fails with `what` after `timeoutMs`. */
export async function eventually(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
