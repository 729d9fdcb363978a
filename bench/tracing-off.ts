/**
 * `node bench/tracing-off.ts`: what the stages' spans cost one ingest call while tracing is off (no SDK
 * registered, as without `OTEL_EXPORTER_OTLP_ENDPOINT`): the `ingest` span the ingestor starts, its check
 * for a context to hand on, and its end, through the OpenTelemetry API's no-op. Prints ns per call for a
 * few rounds of a million, then one JSON line.
 */
import { traceparentOfSpan, tracer } from '@sluice/core';

const CALLS = 1_000_000;

function round(): number {
  let carried = 0;
  const started = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) {
    const span = tracer.startSpan('ingest');
    if (span.isRecording()) span.setAttributes({ 'sluice.emissions': 1 });
    if (traceparentOfSpan(span) !== null) carried++;
    span.end();
  }
  if (carried !== 0) throw new Error('tracing is on: this measures the no-op');
  return Number(process.hrtime.bigint() - started) / CALLS;
}

const rounds = [round(), round(), round(), round(), round()];
for (const [index, ns] of rounds.entries())
  console.log(`round ${index + 1}: ${ns.toFixed(0)} ns per ingest call`);
const best = Math.min(...rounds);
console.log(JSON.stringify({ bench: 'tracing-off', calls: CALLS, best_ns_per_call: Math.round(best) }));
