import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BusMessage } from '../ports/bus-port.ts';
import { InProcessLog } from './in-process-log.ts';
import { InProcessTransport } from './in-process-transport.ts';

const message = (n: number): BusMessage => ({
  key: 'con_1',
  attributes: {
    event_id: `evt-${n}`,
    event_type: 'order.created',
    tenant_id: 'tnt_1',
    connection_id: 'con_1',
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    correlation_id: `corr-${n}`,
    schema_version: '1',
    mode: 'live',
    origin: 'webhook',
    position: `${String(n).padStart(20, '0')}.${String(n).padStart(20, '0')}`,
  },
  body: JSON.stringify({ n }),
});

const publish = (log: InProcessLog, from: number, count: number) => {
  for (let n = from; n < from + count; n++) log.append('envelopes', 0, message(n));
};

/** A consumer of `group` on partition 0: reads up to `count` new entries and acknowledges them (or not). */
const reader = (log: InProcessLog, group: string) => {
  const transport = new InProcessTransport({
    log,
    topic: 'envelopes',
    group,
    consumer: `${group}-1`,
    leaseTtlMs: 10_000,
    now: () => 0,
  });
  return {
    async read(count: number, acknowledge = true): Promise<number[]> {
      const batch = (await transport.readNew([0], count, 0)).get(0) ?? [];
      if (acknowledge)
        await transport.ack(
          0,
          batch.map((delivered) => delivered.id),
        );
      return batch.map((delivered) => (JSON.parse(delivered.body) as { n: number }).n);
    },
    pending: (count: number) => transport.readPending(0, count),
  };
};

const kept = (log: InProcessLog) => {
  const [partition] = log.entries('envelopes');
  return { length: partition?.messages.length, offset: partition?.offset };
};

describe('InProcessLog retention', () => {
  it('drops what every group of the topic acknowledged, in steps, and keeps what one group still lags on', async () => {
    const log = new InProcessLog(1, { maxLen: 100_000, unreadMaxLen: 1_000 });
    const fast = reader(log, 'router');
    const slow = reader(log, 'audit');
    publish(log, 0, 2_000);
    assert.equal((await fast.read(2_000)).length, 2_000);
    assert.deepEqual(
      await slow.read(600),
      Array.from({ length: 600 }, (_, n) => n),
    );
    publish(log, 2_000, 1);
    // The audit group acknowledged 600: those go, the 1,400 it has not read stay for it.
    assert.deepEqual(kept(log), { length: 1_401, offset: 600 });
    assert.deepEqual((await slow.read(3)).slice(0, 3), [600, 601, 602]);
  });

  it('keeps an entry that is delivered but not acknowledged, and redelivers it', async () => {
    const log = new InProcessLog(1, { maxLen: 100_000, unreadMaxLen: 1_000 });
    const router = reader(log, 'router');
    publish(log, 0, 1_000);
    await router.read(10, false);
    await router.read(990);
    publish(log, 1_000, 1);
    assert.deepEqual(kept(log), { length: 1_001, offset: 0 });
    const again = await router.pending(20);
    assert.deepEqual(
      again.map((delivered) => delivered.redelivered),
      Array.from({ length: 10 }, () => true),
    );
    assert.equal(again[0]?.body, JSON.stringify({ n: 0 }));
  });

  it('keeps a topic no group reads short, and a group started later begins at its oldest kept entry', async () => {
    const log = new InProcessLog(1, { maxLen: 100_000, unreadMaxLen: 1_000 });
    publish(log, 0, 5_000);
    const { length, offset } = kept(log);
    assert.ok(length !== undefined && length >= 1_000 && length <= 1_100, `kept ${length}`);
    assert.equal(offset, 5_000 - length);
    const late = reader(log, 'late');
    assert.deepEqual((await late.read(1))[0], offset);
  });

  it('bounds what a group that never acknowledges holds at maxLen', async () => {
    const log = new InProcessLog(1, { maxLen: 2_000, unreadMaxLen: 1_000 });
    const stuck = reader(log, 'router');
    publish(log, 0, 10);
    await stuck.read(10, false);
    publish(log, 10, 9_990);
    const { length } = kept(log);
    assert.ok(length !== undefined && length >= 2_000 && length <= 2_200, `kept ${length}`);
  });
});
