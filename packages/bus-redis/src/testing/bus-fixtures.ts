import type { BusBatch, BusMessage } from '@sluice/core';

/** Message `n` of partition key `key`; the body carries both so a test can check order. */
export function testMessage(key: string, n: number): BusMessage {
  return {
    key,
    attributes: {
      event_id: `evt-${key}-${n}`,
      event_type: 'order.created',
      tenant_id: 'tnt-test',
      connection_id: key,
      trace_id: '0af7651916cd43dd8448eb211c80319c',
      correlation_id: `corr-${n}`,
      schema_version: '1',
      mode: 'live',
      origin: 'webhook',
      position: `${String(n).padStart(20, '0')}.${String(n).padStart(20, '0')}`,
    },
    body: JSON.stringify({ key, n }),
  };
}

/** Messages 1..`count` of each key, interleaved across keys as a relay would publish them. */
export function interleaved(keys: ReadonlyArray<string>, count: number): BusMessage[] {
  const messages: BusMessage[] = [];
  for (let n = 1; n <= count; n++) for (const key of keys) messages.push(testMessage(key, n));
  return messages;
}

/** What handlers saw: the body numbers per key in handling order, and the batches per consumer. */
export class Recorder {
  readonly byKey = new Map<string, number[]>();
  readonly batches: { readonly consumer: string; readonly batch: BusBatch }[] = [];
  total = 0;

  /** A handler for `consumer` that records each batch and resolves (acknowledging it). */
  handler(consumer: string): (batch: BusBatch) => Promise<void> {
    return async (batch) => this.record(consumer, batch);
  }

  record(consumer: string, batch: BusBatch): void {
    this.batches.push({ consumer, batch });
    for (const message of batch.messages) {
      const { key, n } = JSON.parse(message.body) as { key: string; n: number };
      const seen = this.byKey.get(key) ?? [];
      seen.push(n);
      this.byKey.set(key, seen);
      this.total++;
    }
  }

  consumersSeen(): Set<string> {
    return new Set(this.batches.map((entry) => entry.consumer));
  }
}

/** 1..count. */
export function upTo(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}

/** Polls `condition` every 10 ms; fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
