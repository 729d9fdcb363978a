import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppendInput, AppendResult } from '@sluice/core';
import type { GroupItemResult } from './append-group.ts';
import { GroupCommit, type GroupCommitOptions } from './group-commit.ts';
import { preparedEnvelope } from './testing/fixtures.ts';

const connection = { id: 'c1', tenant_id: 't1', reseller_id: 'r1', workspace_id: null };

/** An input named by its first dedupe key, carrying `envelopes` envelopes. */
function input(name: string, envelopes = 1): AppendInput {
  return {
    connection,
    envelopes: Array.from({ length: envelopes }, (_, i) => preparedEnvelope(connection, `${name}-${i}`)),
    dedupeWindowMs: 1000,
  };
}

const nameOf = (appendInput: AppendInput) =>
  appendInput.envelopes[0]?.dedupe_key.split(':')[2]?.split('-')[0];

/** What a commit of `inputs` answers when every input is accepted: one outcome naming each input. */
const committed = (appendInput: AppendInput): AppendResult => ({
  status: 'committed',
  outcomes: [{ status: 'accepted', event_id: `event-${nameOf(appendInput)}`, sequence: 1 }],
});

interface Call {
  readonly names: ReadonlyArray<string | undefined>;
  resolve(results: GroupItemResult[]): void;
  reject(error: unknown): void;
}

/** A commit function the test finishes by hand, recording each group it is handed. */
function manualCommit() {
  const calls: Call[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const commit = (inputs: ReadonlyArray<AppendInput>) =>
    new Promise<GroupItemResult[]>((resolve, reject) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const done = () => {
        inFlight--;
      };
      calls.push({
        names: inputs.map(nameOf),
        resolve: (results) => {
          done();
          resolve(results);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
    });
  /** Finishes call `index` with every input accepted. */
  const accept = (index: number, inputs: ReadonlyArray<AppendInput>) => {
    const call = calls[index];
    assert.ok(call, `commit call ${index} happened`);
    call.resolve(inputs.map((each) => ({ ok: true, result: committed(each) })));
  };
  return { commit, calls, accept, maxInFlight: () => maxInFlight };
}

/** Lets a few turns of the event loop pass: a finished commit's caller, then the next group's start. */
const settle = async () => {
  for (let turn = 0; turn < 3; turn++) await new Promise<void>((resolve) => setImmediate(resolve));
};

function groupCommit(options: GroupCommitOptions = {}) {
  const manual = manualCommit();
  return { ...manual, group: new GroupCommit(manual.commit, { maxInFlight: 1, ...options }) };
}

describe('GroupCommit', () => {
  it('commits a lone append in the turn it arrived, without waiting for company', async () => {
    const { group, calls } = groupCommit();
    void group.submit(input('a'));
    await settle();
    assert.deepEqual(
      calls.map((call) => call.names),
      [['a']],
    );
  });

  it('puts every append of one turn of the event loop in one group, in arrival order', async () => {
    const { group, calls } = groupCommit();
    for (const name of ['a', 'b', 'c']) void group.submit(input(name));
    assert.equal(calls.length, 0, 'nothing starts before the I/O callbacks of this turn have run');
    await settle();
    assert.deepEqual(
      calls.map((call) => call.names),
      [['a', 'b', 'c']],
    );
  });

  it('answers a caller only after the commit that holds its input', async () => {
    const { group, accept } = groupCommit();
    const a = input('a');
    let answered = false;
    const pending = group.submit(a).then((result) => {
      answered = true;
      return result;
    });
    await settle();
    assert.equal(answered, false);
    accept(0, [a]);
    assert.deepEqual(await pending, committed(a));
  });

  it('queues appends behind a commit under way and commits them together, in arrival order', async () => {
    const { group, calls, accept } = groupCommit();
    const [a, b, c, d] = [input('a'), input('b'), input('c'), input('d')];
    const first = group.submit(a);
    await settle();
    const results = [first, ...[b, c, d].map((each) => group.submit(each))];
    await settle();
    assert.equal(calls.length, 1, 'b, c and d wait for a');
    accept(0, [a]);
    await settle();
    assert.deepEqual(
      calls.map((call) => call.names),
      [['a'], ['b', 'c', 'd']],
    );
    accept(1, [b, c, d]);
    assert.deepEqual(await Promise.all(results), [a, b, c, d].map(committed));
  });

  it('gives each caller the result at its own position in the group', async () => {
    const { group, calls } = groupCommit();
    const [a, b, c] = [input('a'), input('b'), input('c')];
    const first = group.submit(a);
    await settle();
    const rest = [group.submit(b), group.submit(c)];
    calls[0]?.resolve([{ ok: true, result: committed(a) }]);
    await first;
    await settle();
    // The group answers in reverse content to prove results are matched by index, not by content.
    calls[1]?.resolve([
      { ok: true, result: committed(b) },
      { ok: true, result: { status: 'replayed' } },
    ]);
    assert.deepEqual(await Promise.all(rest), [committed(b), { status: 'replayed' }]);
  });

  it('takes at most maxInputs inputs per group', async () => {
    const { group, calls, accept } = groupCommit({ maxInputs: 2 });
    const inputs = ['a', 'b', 'c', 'd', 'e'].map((name) => input(name));
    const results = [group.submit(inputs[0] as AppendInput)];
    await settle();
    results.push(...inputs.slice(1).map((each) => group.submit(each)));
    accept(0, inputs.slice(0, 1));
    await settle();
    accept(1, inputs.slice(1, 3));
    await settle();
    accept(2, inputs.slice(3, 5));
    await Promise.all(results);
    assert.deepEqual(
      calls.map((call) => call.names),
      [['a'], ['b', 'c'], ['d', 'e']],
    );
  });

  it('takes at most maxEnvelopes envelopes per group, but never leaves a large input behind for ever', async () => {
    const sizes: Array<[number, number]> = [];
    const { group, calls, accept } = groupCommit({
      maxEnvelopes: 5,
      onGroup: (inputs, envelopes) => sizes.push([inputs, envelopes]),
    });
    const [a, b, c, d, e] = [input('a'), input('b', 3), input('c', 2), input('d', 7), input('e')];
    const results = [group.submit(a)];
    await settle();
    results.push(...[b, c, d, e].map((each) => group.submit(each)));
    accept(0, [a]);
    await settle();
    accept(1, [b, c]);
    await settle();
    accept(2, [d]);
    await settle();
    accept(3, [e]);
    await Promise.all(results);
    assert.deepEqual(
      calls.map((call) => call.names),
      [['a'], ['b', 'c'], ['d'], ['e']],
    );
    assert.deepEqual(sizes, [
      [1, 1],
      [2, 5],
      [1, 7],
      [1, 1],
    ]);
  });

  it('fails only the input the commit refused; the rest of its group succeeds', async () => {
    const { group, calls } = groupCommit();
    const [a, b, c] = [input('a'), input('b'), input('c')];
    const first = group.submit(a);
    await settle();
    const outcomes = Promise.allSettled([group.submit(b), group.submit(c)]);
    calls[0]?.resolve([{ ok: true, result: committed(a) }]);
    await first;
    await settle();
    const refused = new Error('connection_retired');
    calls[1]?.resolve([
      { ok: false, error: refused },
      { ok: true, result: committed(c) },
    ]);
    assert.deepEqual(await outcomes, [
      { status: 'rejected', reason: refused },
      { status: 'fulfilled', value: committed(c) },
    ]);
  });

  it('fails every input of a group whose commit throws, and goes on with the next group', async () => {
    const { group, calls, accept } = groupCommit();
    const [a, b, c, d] = [input('a'), input('b'), input('c'), input('d')];
    const first = group.submit(a);
    await settle();
    const thrown = Promise.allSettled([group.submit(b), group.submit(c)]);
    accept(0, [a]);
    await first;
    await settle();
    const outage = new Error('storage_unavailable');
    const after = group.submit(d);
    calls[1]?.reject(outage);
    assert.deepEqual(await thrown, [
      { status: 'rejected', reason: outage },
      { status: 'rejected', reason: outage },
    ]);
    await settle();
    assert.deepEqual(calls[2]?.names, ['d']);
    accept(2, [d]);
    assert.deepEqual(await after, committed(d));
  });

  it('rejects a caller whose result the commit did not return', async () => {
    const { group, calls } = groupCommit();
    const pending = group.submit(input('a'));
    await settle();
    calls[0]?.resolve([]);
    await assert.rejects(pending, /group commit lost a result/);
  });

  it('keeps at most maxInFlight groups committing at once', async () => {
    const { group, calls, accept, maxInFlight } = groupCommit({ maxInFlight: 2 });
    const inputs = ['a', 'b', 'c', 'd', 'e'].map((name) => input(name));
    const results = [group.submit(inputs[0] as AppendInput)];
    await settle();
    results.push(group.submit(inputs[1] as AppendInput));
    await settle();
    results.push(...inputs.slice(2).map((each) => group.submit(each)));
    await settle();
    assert.deepEqual(
      calls.map((call) => call.names),
      [['a'], ['b']],
      'two groups start at once; the rest queue',
    );
    accept(1, inputs.slice(1, 2));
    await settle();
    assert.deepEqual(calls[2]?.names, ['c', 'd', 'e'], 'a freed slot takes everything queued');
    assert.equal(calls.length, 3);
    accept(0, inputs.slice(0, 1));
    accept(2, inputs.slice(2));
    await Promise.all(results);
    assert.equal(maxInFlight(), 2);
  });

  it('defaults to two groups in flight', async () => {
    const manual = manualCommit();
    const group = new GroupCommit(manual.commit);
    for (const name of ['a', 'b', 'c']) {
      void group.submit(input(name));
      await settle();
    }
    assert.equal(manual.calls.length, 2);
  });
});
