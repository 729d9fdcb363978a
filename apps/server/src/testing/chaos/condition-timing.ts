import type { Envelope } from '@sluice/core';
import { cesqlHook, compileCondition, parseCondition } from '@sluice/route';
import { PATHOLOGICAL_TEXTS } from './hostile-values.ts';

/** Envelopes whose fields are where a naive evaluator would backtrack or recurse. */
function hostileEnvelopes(): Envelope[] {
  return PATHOLOGICAL_TEXTS.map((text, i) => ({
    event_id: '0193a1b2-0000-7000-8000-00000000000' + String(i),
    reseller_id: null,
    tenant_id: 'ten_fuzz',
    workspace_id: null,
    connection_id: 'con_fuzz',
    source: text,
    event_type: 'order.created',
    stream: 'orders',
    dedupe_key: `fuzz:${i}`,
    correlation_id: 'c',
    causation_id: null,
    trace_id: '0'.repeat(32),
    occurred_at: null,
    received_at: '2025-03-14T10:21:33.000Z',
    mode: 'live',
    schema_version: '1',
    payload: { note: text, x: text, name: text, total: i, entity: { kind: 'order', id: text.slice(0, 64) } },
    agent_id: null,
    session_id: null,
    cloudevent: null,
  }));
}

/**
 * Compiles each condition the server accepted, as the router does, and times its evaluation on envelopes
 * built to make a naive LIKE or a deep tree slow (the fastest of five runs of each); answers the slowest
 * evaluation in ms and its condition.
 */
export function slowestCondition(conditions: ReadonlyArray<unknown>): {
  ms: number;
  condition: string | null;
  compiled: number;
} {
  const envelopes = hostileEnvelopes();
  let slowest = { ms: 0, condition: null as string | null };
  let compiled = 0;
  for (const input of conditions) {
    const ast = typeof input === 'string' ? parseCondition(input) : { ok: true as const, condition: input };
    if (!ast.ok) continue;
    const result = compileCondition(ast.condition, { sql: cesqlHook });
    if (!result.ok) continue;
    compiled++;
    for (const envelope of envelopes) {
      // The fastest of five runs: a blow-up is slow every time, a GC pause or a busy machine only once.
      let ms = Number.POSITIVE_INFINITY;
      for (let run = 0; run < 5; run++) {
        const started = performance.now();
        result.matches(envelope);
        ms = Math.min(ms, performance.now() - started);
      }
      if (ms > slowest.ms) slowest = { ms, condition: JSON.stringify(input).slice(0, 300) };
    }
  }
  return { ...slowest, compiled };
}
