import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The Prometheus metrics of one server, in a registry of its own (several apps may share a process). */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Histogram({
    name: 'sluice_http_request_duration_seconds',
    help: 'HTTP requests by route, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly envelopes = new Counter({
    name: 'sluice_ingest_envelopes_total',
    help: 'Emissions ingested, by outcome: accepted (a new envelope) or duplicate (an existing dedupe key).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 'sluice_http_errors_total',
    help: 'Error responses by stable error code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly deadLetters = new Counter({
    name: 'sluice_dead_letters_total',
    help: 'Signed deliveries kept as dead letters because the mapping could not handle them.',
    labelNames: ['connector'] as const,
    registers: [this.registry],
  });

  readonly deadLetterDepth = new Gauge({
    name: 'sluice_dead_letter_depth',
    help: 'Pending dead letters by tenant and kind (ingest or job), as of the last depth check.',
    labelNames: ['tenant_id', 'kind'] as const,
    registers: [this.registry],
  });

  readonly missingEntity = new Counter({
    name: 'sluice_emissions_missing_entity_total',
    help: 'Emissions accepted without payload.entity (single-flight cannot serialize them).',
    labelNames: ['event_type'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'sluice_' });
  }

  countResults(results: ReadonlyArray<{ status: 'accepted' | 'duplicate' }>): void {
    let accepted = 0;
    for (const result of results) if (result.status === 'accepted') accepted++;
    if (accepted > 0) this.envelopes.inc({ outcome: 'accepted' }, accepted);
    if (results.length > accepted) this.envelopes.inc({ outcome: 'duplicate' }, results.length - accepted);
  }
}
