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

  readonly requests = new Counter({
    name: 'sluice_http_requests_total',
    help: 'HTTP requests by route, status and outcome code: the stable error code of an error answer, else ok.',
    labelNames: ['route', 'method', 'status', 'code'] as const,
    registers: [this.registry],
  });

  readonly envelopes = new Counter({
    name: 'sluice_ingest_envelopes_total',
    help: 'Emissions ingested, by connection and outcome: accepted (a new envelope) or duplicate (an existing dedupe key).',
    labelNames: ['connection_id', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly stageLatency = new Histogram({
    name: 'sluice_stage_latency_seconds',
    help: 'Time between two stages of one event: receive_to_commit (request in → ingest committed), commit_to_relayed (outbox row written → published), relayed_to_job (published → its jobs committed), job_to_done (job created → its final outcome).',
    labelNames: ['stage'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60, 600],
    registers: [this.registry],
  });

  readonly pollLag = new Histogram({
    name: 'sluice_poll_lag_seconds',
    help: 'How late a poll stream run started after it was due, by connector.',
    labelNames: ['connector'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300],
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

  readonly relayed = new Counter({
    name: 'sluice_relay_envelopes_total',
    help: 'Outbox rows the relay moved: published (onto the bus; repeats after a lapsed lease count again) or quiet (marked, never published).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly relayLag = new Histogram({
    name: 'sluice_relay_lag_seconds',
    help: 'Age of the oldest envelope of each relay claim, from receipt to claim.',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120],
    registers: [this.registry],
  });

  readonly routed = new Counter({
    name: 'sluice_router_envelopes_total',
    help: 'Envelopes the router handled, by outcome: matched, unmatched, quiet, unreadable (redeliveries count again).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly unmatched = new Counter({
    name: 'sluice_router_unmatched_total',
    help: 'Live envelopes that matched no trigger, by what the tenant setting did with them: dropped or dead_lettered.',
    labelNames: ['disposition'] as const,
    registers: [this.registry],
  });

  readonly jobsCreated = new Counter({
    name: 'sluice_router_jobs_created_total',
    help: 'Jobs the router created (one per event and matching trigger; redeliveries create none).',
    registers: [this.registry],
  });

  readonly jobsFinished = new Counter({
    name: 'sluice_jobs_finished_total',
    help: 'Job attempts the executor ended, by outcome: succeeded, remembered, retry, postponed (circuit open), dead_lettered, disabled (410), skipped, lost (the lease had lapsed).',
    labelNames: ['outcome', 'action'] as const,
    registers: [this.registry],
  });

  readonly attemptLatency = new Histogram({
    name: 'sluice_job_attempt_duration_seconds',
    help: 'How long an action attempt took (an http delivery: to the status line), by action type.',
    labelNames: ['action'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30],
    registers: [this.registry],
  });

  readonly jobLatency = new Histogram({
    name: 'sluice_job_latency_seconds',
    help: 'From a job being created to its action done (its final outcome), retries included.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120, 600, 3600],
    registers: [this.registry],
  });

  /** The error code each failed request answered with, until its response is counted. */
  readonly #errorCodes = new WeakMap<object, string>();

  /** Counts the stable error code a request is answered with (the error handlers). */
  noteError(request: object, code: string): void {
    this.errors.inc({ code });
    this.#errorCodes.set(request, code);
  }

  /** The outcome code a request that is not an error answers with (`dead_lettered`); `ok` otherwise. */
  noteCode(request: object, code: string): void {
    this.#errorCodes.set(request, code);
  }

  /** Counts a finished request under its route, status and outcome code. */
  countRequest(request: object, labels: { route: string; method: string; status: string }): void {
    this.requests.inc({ ...labels, code: this.#errorCodes.get(request) ?? 'ok' });
  }

  constructor(options: { defaultMetrics?: boolean } = {}) {
    // Process metrics keep their standard names (process_*, nodejs_*), which stock dashboards look for.
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Reports the outbox's pending rows on every scrape (one indexed count); the first caller wins. */
  watchOutbox(pending: () => Promise<number>): void {
    if (this.registry.getSingleMetric('sluice_outbox_pending') !== undefined) return;
    new Gauge({
      name: 'sluice_outbox_pending',
      help: 'Outbox rows not yet relayed.',
      registers: [this.registry],
      async collect() {
        this.set(await pending());
      },
    });
  }

  /** Reports queued and running jobs by tenant and priority on every scrape; the first caller wins. */
  watchQueue(
    depth: () => Promise<
      ReadonlyArray<{ tenant_id: string; priority: string; queued: number; running: number }>
    >,
  ): void {
    if (this.registry.getSingleMetric('sluice_jobs_queued') !== undefined) return;
    const running = new Gauge({
      name: 'sluice_jobs_running',
      help: 'Jobs running now, by tenant and priority.',
      labelNames: ['tenant', 'priority'] as const,
      registers: [this.registry],
    });
    new Gauge({
      name: 'sluice_jobs_queued',
      help: 'Jobs waiting (queued or waiting for a retry), by tenant and priority.',
      labelNames: ['tenant', 'priority'] as const,
      registers: [this.registry],
      async collect() {
        const rows = await depth();
        this.reset();
        running.reset();
        for (const row of rows) {
          this.set({ tenant: row.tenant_id, priority: row.priority }, row.queued);
          running.set({ tenant: row.tenant_id, priority: row.priority }, row.running);
        }
      },
    });
  }

  /** Counts one commit's outcomes under its connection (connection ids are bounded; event ids never label). */
  countResults(results: ReadonlyArray<{ status: 'accepted' | 'duplicate' }>, connectionId: string): void {
    let accepted = 0;
    for (const result of results) if (result.status === 'accepted') accepted++;
    if (accepted > 0) this.envelopes.inc({ connection_id: connectionId, outcome: 'accepted' }, accepted);
    if (results.length > accepted) {
      this.envelopes.inc({ connection_id: connectionId, outcome: 'duplicate' }, results.length - accepted);
    }
  }

  /** Observes one stage latency per value, in ms. */
  observeStage(
    stage: 'receive_to_commit' | 'commit_to_relayed' | 'relayed_to_job' | 'job_to_done',
    valuesMs: ReadonlyArray<number> | number,
  ): void {
    const values = typeof valuesMs === 'number' ? [valuesMs] : valuesMs;
    if (values.length === 0) return;
    const child = this.stageLatency.labels({ stage });
    for (const ms of values) child.observe(ms / 1000);
  }
}
