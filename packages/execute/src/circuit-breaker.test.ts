import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { originOf } from './breaker-signal.ts';
import { CircuitBreaker } from './circuit-breaker.ts';

const ORIGIN = 'https://hooks.example.com';

function setup(options: ConstructorParameters<typeof CircuitBreaker>[0] = {}) {
  let now = 1_000_000;
  const clock = {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
  const breaker = new CircuitBreaker(
    { failureThreshold: 3, coolDownMs: 10_000, maxCoolDownMs: 40_000, probeTimeoutMs: 5_000, ...options },
    clock.now,
  );
  return { breaker, clock };
}

function fail(breaker: CircuitBreaker, times: number, origin = ORIGIN) {
  for (let i = 0; i < times; i += 1)
    breaker.record(origin, { kind: 'retry', status: 503, error: 'HTTP 503' });
}

describe('CircuitBreaker', () => {
  it('stays closed below the threshold, and a success resets the count', () => {
    const { breaker } = setup();
    fail(breaker, 2);
    assert.equal(breaker.state(ORIGIN), 'closed');
    breaker.record(ORIGIN, { kind: 'delivered', status: 200, latency_ms: 3 });
    fail(breaker, 2);
    assert.equal(breaker.state(ORIGIN), 'closed');
    assert.deepEqual(breaker.canSend(ORIGIN), { allowed: true, probe: false });
  });

  it('opens after N consecutive failures and refuses at once for the cool-down', () => {
    const { breaker, clock } = setup();
    fail(breaker, 3);
    assert.equal(breaker.state(ORIGIN), 'open');
    assert.deepEqual(breaker.canSend(ORIGIN), { allowed: false, state: 'open', retry_in_ms: 10_000 });
    clock.advance(4_000);
    assert.deepEqual(breaker.canSend(ORIGIN), { allowed: false, state: 'open', retry_in_ms: 6_000 });
  });

  it('keeps origins apart', () => {
    const { breaker } = setup();
    fail(breaker, 3);
    assert.equal(breaker.state('https://other.example.com'), 'closed');
    assert.equal(breaker.canSend('https://other.example.com').allowed, true);
  });

  it('lets exactly one probe through when half-open, and another once a probe is lost', () => {
    const { breaker, clock } = setup();
    fail(breaker, 3);
    clock.advance(10_000);
    assert.equal(breaker.state(ORIGIN), 'half-open');
    assert.deepEqual(breaker.canSend(ORIGIN), { allowed: true, probe: true });
    assert.deepEqual(breaker.canSend(ORIGIN), { allowed: false, state: 'half-open', retry_in_ms: 5_000 });
    clock.advance(5_000);
    assert.deepEqual(breaker.canSend(ORIGIN), { allowed: true, probe: true });
  });

  it('reopens for twice the cool-down when the probe fails, up to the maximum', () => {
    const { breaker, clock } = setup();
    fail(breaker, 3);
    for (const coolDown of [20_000, 40_000, 40_000]) {
      clock.advance(40_000);
      assert.equal(breaker.canSend(ORIGIN).allowed, true);
      fail(breaker, 1);
      assert.deepEqual(breaker.canSend(ORIGIN), { allowed: false, state: 'open', retry_in_ms: coolDown });
    }
  });

  it('ignores late outcomes while open and refused targets always', () => {
    const { breaker } = setup();
    fail(breaker, 3);
    breaker.record(ORIGIN, { kind: 'delivered', status: 200, latency_ms: 1 });
    assert.equal(breaker.state(ORIGIN), 'open');
    const fresh = setup().breaker;
    for (let i = 0; i < 10; i += 1)
      fresh.record(ORIGIN, { kind: 'refused', rule: 'address_not_allowed', error: '' });
    assert.equal(fresh.state(ORIGIN), 'closed');
  });

  it('closes on a successful probe and paces the redrive with a token bucket', () => {
    const { breaker, clock } = setup({ redriveRatePerSecond: 4, redriveBurst: 4, redriveMaxMs: 60_000 });
    fail(breaker, 3);
    clock.advance(10_000);
    assert.equal(breaker.canSend(ORIGIN).allowed, true);
    breaker.record(ORIGIN, 'success');
    assert.equal(breaker.state(ORIGIN), 'closed');
    assert.deepEqual(breaker.redrivePace(ORIGIN), { rate_per_second: 4, until_ms: clock.now() + 60_000 });
    // The bucket starts empty: the first slot comes after 1/rate seconds.
    assert.deepEqual(breaker.canSend(ORIGIN), { allowed: false, state: 'paced', retry_in_ms: 250 });
    let released = 0;
    for (let tick = 0; tick < 40; tick += 1) {
      clock.advance(50);
      while (breaker.canSend(ORIGIN).allowed) released += 1;
    }
    // 2 s at 4/s.
    assert.equal(released, 8);
    assert.notEqual(breaker.redrivePace(ORIGIN), null);
  });

  it('ends pacing once the bucket fills again (the backlog drained) or after redriveMaxMs', () => {
    const { breaker, clock } = setup({ redriveRatePerSecond: 4, redriveBurst: 4, redriveMaxMs: 3_000 });
    fail(breaker, 3);
    clock.advance(10_000);
    breaker.canSend(ORIGIN);
    breaker.record(ORIGIN, 'success');
    clock.advance(1_000);
    assert.equal(breaker.redrivePace(ORIGIN), null);
    assert.deepEqual(breaker.canSend(ORIGIN), { allowed: true, probe: false });

    const busy = setup({ redriveRatePerSecond: 4, redriveBurst: 4, redriveMaxMs: 3_000 });
    fail(busy.breaker, 3);
    busy.clock.advance(10_000);
    busy.breaker.canSend(ORIGIN);
    busy.breaker.record(ORIGIN, 'success');
    for (let tick = 0; tick < 11; tick += 1) {
      busy.clock.advance(250);
      while (busy.breaker.canSend(ORIGIN).allowed) {}
      assert.notEqual(busy.breaker.redrivePace(ORIGIN), null, `still pacing at tick ${tick}`);
    }
    busy.clock.advance(250);
    assert.equal(busy.breaker.redrivePace(ORIGIN), null);
  });

  it('a failure while pacing counts towards opening again', () => {
    const { breaker, clock } = setup();
    fail(breaker, 3);
    clock.advance(10_000);
    breaker.canSend(ORIGIN);
    breaker.record(ORIGIN, 'success');
    fail(breaker, 3);
    assert.equal(breaker.state(ORIGIN), 'open');
    assert.equal(breaker.redrivePace(ORIGIN), null);
  });
});

describe('originOf', () => {
  it('keys by scheme, host and port', () => {
    assert.equal(originOf('https://Hooks.Example.com/a?b'), 'https://hooks.example.com');
    assert.equal(originOf('http://127.0.0.1:8080/x'), 'http://127.0.0.1:8080');
    assert.equal(originOf('nope'), null);
  });
});
