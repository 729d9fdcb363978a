import { type BreakerSignal, breakerSignal } from './breaker-signal.ts';
import type { DeliveryOutcome } from './delivery-outcome.ts';

/** How a breaker opens, probes and paces the recovery. */
export interface BreakerOptions {
  /** Consecutive failures that open it. */
  readonly failureThreshold: number;
  /** How long it stays open before one probe is let through; doubles with each failed probe. */
  readonly coolDownMs: number;
  /** The longest cool-down. */
  readonly maxCoolDownMs: number;
  /** A probe whose outcome is not recorded within this is taken as lost; another is let through. */
  readonly probeTimeoutMs: number;
  /** After recovery, attempts let through per second while what waited drains. */
  readonly redriveRatePerSecond: number;
  /** Attempts the redrive bucket holds; once it is full again (the backlog drained), pacing ends. */
  readonly redriveBurst: number;
  /** Pacing ends after this long in any case. */
  readonly redriveMaxMs: number;
}

/** Opens after 5 failures, 30 s cool-down doubling to 10 min, redrive at 10 attempts/s for at most 1 min. */
export const DEFAULT_BREAKER: BreakerOptions = {
  failureThreshold: 5,
  coolDownMs: 30_000,
  maxCoolDownMs: 600_000,
  probeTimeoutMs: 60_000,
  redriveRatePerSecond: 10,
  redriveBurst: 10,
  redriveMaxMs: 60_000,
};

/** closed: attempts go through; open: they wait; half-open: one probe goes through. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Whether an attempt to an origin may go now. */
export type SendPermit =
  | { readonly allowed: true; readonly probe: boolean }
  | {
      readonly allowed: false;
      /** `paced`: closed again, but what waited is released at the redrive rate. */
      readonly state: 'open' | 'half-open' | 'paced';
      /** When to ask again. */
      readonly retry_in_ms: number;
    };

/** The redrive rate of an origin that just recovered. */
export interface RedrivePace {
  readonly rate_per_second: number;
  /** Pacing ends by this time (epoch ms) at the latest. */
  readonly until_ms: number;
}

interface Pacing {
  tokens: number;
  refilledAt: number;
  untilMs: number;
}

type Circuit =
  | { state: 'closed'; failures: number; pacing: Pacing | null; coolDownMs: number }
  | { state: 'open'; reopenAt: number; coolDownMs: number }
  | { state: 'half-open'; probeAt: number | null; coolDownMs: number };

/**
 * A circuit breaker per endpoint (origin), in memory, on an injected clock. The job queue asks
 * {@link canSend} before an attempt and {@link record}s its outcome after. `failureThreshold` consecutive
 * failures open the circuit: attempts are refused at once for the cool-down, then one probe goes through
 * (half-open). A successful probe closes it, and what waited is let through at the redrive rate (a token
 * bucket) until the backlog has drained or `redriveMaxMs` has passed; a failed probe opens it again for
 * twice as long, up to `maxCoolDownMs`. Each process keeps its own breakers.
 */
export class CircuitBreaker {
  readonly #options: BreakerOptions;
  readonly #now: () => number;
  readonly #circuits = new Map<string, Circuit>();

  constructor(options: Partial<BreakerOptions> = {}, now: () => number = Date.now) {
    this.#options = { ...DEFAULT_BREAKER, ...options };
    this.#now = now;
  }

  /** The origin's state now (an origin never seen is closed). */
  state(origin: string): BreakerState {
    const circuit = this.#advance(origin);
    return circuit?.state ?? 'closed';
  }

  /** Whether an attempt may go to the origin now; a granted probe or redrive slot is taken. */
  canSend(origin: string): SendPermit {
    const now = this.#now();
    const circuit = this.#advance(origin);
    if (circuit === undefined) return { allowed: true, probe: false };
    switch (circuit.state) {
      case 'open':
        return { allowed: false, state: 'open', retry_in_ms: circuit.reopenAt - now };
      case 'half-open': {
        if (circuit.probeAt === null || now - circuit.probeAt >= this.#options.probeTimeoutMs) {
          circuit.probeAt = now;
          return { allowed: true, probe: true };
        }
        const wait = Math.min(
          this.#options.probeTimeoutMs - (now - circuit.probeAt),
          this.#options.coolDownMs,
        );
        return { allowed: false, state: 'half-open', retry_in_ms: wait };
      }
      case 'closed': {
        const pacing = circuit.pacing;
        if (pacing === null) return { allowed: true, probe: false };
        if (pacing.tokens >= 1) {
          pacing.tokens -= 1;
          return { allowed: true, probe: false };
        }
        const wait = Math.ceil(((1 - pacing.tokens) * 1000) / this.#options.redriveRatePerSecond);
        return { allowed: false, state: 'paced', retry_in_ms: wait };
      }
    }
  }

  /** Records an attempt's outcome (or its {@link BreakerSignal}) for the origin. */
  record(origin: string, outcome: DeliveryOutcome | BreakerSignal): void {
    const signal = typeof outcome === 'string' ? outcome : breakerSignal(outcome);
    if (signal === 'ignore') return;
    const now = this.#now();
    const circuit = this.#advance(origin);
    const options = this.#options;
    if (circuit === undefined || circuit.state === 'closed') {
      if (signal === 'success') {
        if (circuit !== undefined) circuit.failures = 0;
        this.#forgetIfIdle(origin);
        return;
      }
      const failures = (circuit?.failures ?? 0) + 1;
      if (failures >= options.failureThreshold) {
        this.#circuits.set(origin, {
          state: 'open',
          reopenAt: now + options.coolDownMs,
          coolDownMs: options.coolDownMs,
        });
      } else if (circuit === undefined) {
        this.#circuits.set(origin, {
          state: 'closed',
          failures,
          pacing: null,
          coolDownMs: options.coolDownMs,
        });
      } else {
        circuit.failures = failures;
      }
      return;
    }
    if (circuit.state === 'open') return; // late outcomes of attempts sent before it opened
    if (signal === 'success') {
      const pacing = { tokens: 0, refilledAt: now, untilMs: now + options.redriveMaxMs };
      this.#circuits.set(origin, { state: 'closed', failures: 0, pacing, coolDownMs: options.coolDownMs });
    } else {
      const coolDownMs = Math.min(circuit.coolDownMs * 2, options.maxCoolDownMs);
      this.#circuits.set(origin, { state: 'open', reopenAt: now + coolDownMs, coolDownMs });
    }
  }

  /** The redrive rate while the origin drains what waited after recovery; null when it is not pacing. */
  redrivePace(origin: string): RedrivePace | null {
    const circuit = this.#advance(origin);
    if (circuit?.state !== 'closed' || circuit.pacing === null) return null;
    return { rate_per_second: this.#options.redriveRatePerSecond, until_ms: circuit.pacing.untilMs };
  }

  /** Brings the origin's circuit up to the clock: a cool-down that ended, a refill, a pacing that ended. */
  #advance(origin: string): Circuit | undefined {
    const circuit = this.#circuits.get(origin);
    if (circuit === undefined) return undefined;
    const now = this.#now();
    if (circuit.state === 'open' && now >= circuit.reopenAt) {
      const halfOpen: Circuit = { state: 'half-open', probeAt: null, coolDownMs: circuit.coolDownMs };
      this.#circuits.set(origin, halfOpen);
      return halfOpen;
    }
    if (circuit.state === 'closed' && circuit.pacing !== null) {
      const pacing = circuit.pacing;
      const { redriveRatePerSecond: rate, redriveBurst: burst } = this.#options;
      pacing.tokens = Math.min(burst, pacing.tokens + ((now - pacing.refilledAt) * rate) / 1000);
      pacing.refilledAt = now;
      if (now >= pacing.untilMs || pacing.tokens >= burst) {
        circuit.pacing = null;
        this.#forgetIfIdle(origin);
        return this.#circuits.get(origin);
      }
    }
    return circuit;
  }

  /** A closed circuit with no failures and no pacing holds nothing worth keeping. */
  #forgetIfIdle(origin: string): void {
    const circuit = this.#circuits.get(origin);
    if (circuit?.state === 'closed' && circuit.failures === 0 && circuit.pacing === null) {
      this.#circuits.delete(origin);
    }
  }
}
