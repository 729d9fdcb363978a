/**
 * `node bench/router-match.ts [--quick]`: trigger matching on one core, the index against a brute-force
 * scan over every trigger, measured in the same run. Pure CPU: needs no server. Prints a table, then one
 * JSON line per scenario for a harness to collect. `events_per_s` is per second of the process's CPU
 * time (its GC and compiler threads included), so other load on a shared machine does not deflate it;
 * `events_per_wall_s` is the plain wall-clock rate.
 */
import type { Condition, Envelope } from '@sluice/core';
import {
  type CompiledTrigger,
  compileTrigger,
  type RoutableTrigger,
  scanTriggers,
  TriggerIndex,
} from '@sluice/route';
import { envelopeFixture } from '@sluice/route/testing';
import { printTable } from './harness.ts';

/** One scenario's figures. */
export interface RouterMatchFigures {
  readonly bench: 'router-match';
  readonly scenario: 'index' | 'brute-force scan';
  readonly triggers: number;
  readonly tenants: number;
  readonly events: number;
  readonly seconds: number;
  /** Per second of this process's CPU time: one core's rate, even on a machine shared with other work. */
  readonly events_per_s: number;
  readonly events_per_wall_s: number;
  readonly matches_per_event: number;
}

const TRIGGERS = 10_000;
const TENANTS = 1_000;
const NOUNS = ['order', 'customer', 'invoice', 'payment', 'shipment', 'product', 'refund', 'hvac.zone'];
const VERBS = ['created', 'updated', 'deleted', 'paid', 'failed', 'shipped'];
const STATUSES = ['open', 'paid', 'shipped', 'refunded'];

/** A seeded generator (mulberry32), so every run measures the same triggers and envelopes. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function buildTriggers(next: () => number): RoutableTrigger[] {
  const pick = <T>(items: ReadonlyArray<T>): T => items[Math.floor(next() * items.length)] as T;
  const patternOf = (): string => {
    const roll = next();
    if (roll < 0.55) return `${pick(NOUNS)}.${pick(VERBS)}`;
    if (roll < 0.75) return `${pick(NOUNS)}.*`;
    if (roll < 0.88) return `*.${pick(VERBS)}`;
    if (roll < 0.93) return '*';
    return `${pick(NOUNS).split('.')[0]}.*.${pick(VERBS)}`;
  };
  const conditionOf = (): Condition | null => {
    const roll = next();
    const big: Condition = { path: 'payload.total', op: 'gt', value: Math.floor(next() * 200) };
    const status: Condition = { path: 'payload.status', op: 'in', value: [pick(STATUSES), pick(STATUSES)] };
    if (roll < 0.3) return null;
    if (roll < 0.6) return big;
    if (roll < 0.8) return status;
    return { all: [big, status] };
  };
  return Array.from({ length: TRIGGERS }, (_, i) => ({
    id: `trg_${String(i).padStart(5, '0')}`,
    tenant_id: `ten_${i % TENANTS}`,
    event_types: next() < 0.85 ? [patternOf()] : [patternOf(), patternOf()],
    condition: conditionOf(),
    enabled: next() < 0.95,
  }));
}

function buildEnvelopes(next: () => number, count: number): Envelope[] {
  const pick = <T>(items: ReadonlyArray<T>): T => items[Math.floor(next() * items.length)] as T;
  return Array.from({ length: count }, (_, i) =>
    envelopeFixture({
      // One envelope in twenty belongs to a tenant without triggers.
      tenant_id: `ten_${Math.floor(next() * TENANTS * 1.05)}`,
      event_type: `${pick(NOUNS)}.${pick(VERBS)}`,
      payload: {
        entity: { kind: 'order', id: String(i) },
        total: Math.round(next() * 30_000) / 100,
        status: pick(STATUSES),
        currency: 'USD',
      },
    }),
  );
}

/** Runs `match` over the envelopes, round after round, for about `seconds`. */
function measure(envelopes: ReadonlyArray<Envelope>, seconds: number, match: (e: Envelope) => unknown[]) {
  let events = 0;
  let matches = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < 1000; i++) {
      matches += match(envelopes[events % envelopes.length] as Envelope).length;
      events++;
    }
  }
  const elapsed = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  return {
    events,
    seconds: elapsed,
    events_per_s: events / cpuSeconds,
    events_per_wall_s: events / elapsed,
    matches_per_event: matches / events,
  };
}

/** Builds the triggers and envelopes, checks the index against the scan, and measures both. */
export function runRouterMatch(options: { quick?: boolean } = {}): RouterMatchFigures[] {
  const next = random(20_260_611);
  const triggers = buildTriggers(next);
  const envelopes = buildEnvelopes(next, 20_000);
  const index = new TriggerIndex<RoutableTrigger>();
  const compiled: Array<CompiledTrigger<RoutableTrigger>> = [];
  for (const trigger of triggers) {
    const result = compileTrigger(trigger);
    if (!result.ok || !index.upsert(trigger).ok) throw new Error(`bench trigger ${trigger.id} is invalid`);
    compiled.push(result.compiled);
  }
  for (const envelope of envelopes.slice(0, 2_000)) {
    const [a, b] = [index.match(envelope), scanTriggers(compiled, envelope)];
    if (a.length !== b.length || a.some((t, i) => t !== b[i])) throw new Error('index and scan disagree');
  }
  const seconds = options.quick ? 0.5 : 3;
  // Warm up: JIT, and the per-tenant memo of candidates, over the whole envelope pool twice.
  for (let round = 0; round < 2; round++) for (const envelope of envelopes) index.match(envelope);
  measure(envelopes, 0.3, (e) => index.match(e));
  const indexed = measure(envelopes, seconds, (e) => index.match(e));
  const scanned = measure(envelopes, seconds / 2, (e) => scanTriggers(compiled, e));
  const base = { bench: 'router-match', triggers: TRIGGERS, tenants: TENANTS } as const;
  return [
    { ...base, scenario: 'index', ...indexed },
    { ...base, scenario: 'brute-force scan', ...scanned },
  ];
}

if (import.meta.main) {
  const figures = runRouterMatch({ quick: process.argv.includes('--quick') });
  const [indexed, scanned] = figures;
  const fmt = (value: number) => Math.round(value).toLocaleString('en-US');
  process.stdout.write(
    `\nTrigger matching — ${fmt(TRIGGERS)} triggers across ${fmt(TENANTS)} tenants, one core\n\n`,
  );
  printTable(
    ['scenario', 'events/s (CPU time)', 'events/s (wall)', 'matches/event', 'vs scan'],
    figures.map((f) => [
      f.scenario,
      fmt(f.events_per_s),
      fmt(f.events_per_wall_s),
      f.matches_per_event.toFixed(2),
      `${(f.events_per_s / (scanned?.events_per_s ?? Number.NaN)).toFixed(1)}x`,
    ]),
  );
  const target = 250_000;
  const verdict = (indexed?.events_per_s ?? 0) >= target ? 'met' : 'NOT met';
  process.stdout.write(`\ntarget ≥ ${fmt(target)} events/s: ${verdict}\n\n`);
  for (const f of figures) process.stdout.write(`${JSON.stringify(f)}\n`);
}
