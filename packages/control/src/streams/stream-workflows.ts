import {
  type AppendInput,
  type Connection,
  type Connector,
  platformDedupeKey,
  SluiceError,
  type Stores,
  type StreamRef,
  type StreamSchedule,
  type StreamScheduleFilter,
  type StreamStatus,
} from '@sluice/core';
import type { PlatformEvents } from '@sluice/ingest';
import { pollStreamSchedules, rezonedRun, type StreamStatusChange } from '@sluice/receive';

export interface StreamWorkflowDeps {
  readonly stores: Pick<Stores, 'schedules' | 'tenancy'>;
  readonly platform: Pick<PlatformEvents, 'fact'>;
  readonly now: () => Date;
  /** Told when a stream became due now (the local scheduler wakes up). */
  readonly onDue?: () => void;
}

/** The `stream.status_changed` fact of a stream, for the transaction that changes its status. */
export function streamStatusFact(
  platform: Pick<PlatformEvents, 'fact'>,
  change: StreamStatusChange,
  at: Date,
): Promise<AppendInput> {
  const { stream, previous } = change;
  const entity = { kind: 'stream', id: `${stream.connection_id}:${stream.stream}` };
  return platform.fact(stream.tenant_id, {
    event_type: 'stream.status_changed',
    entity,
    dedupe_key: platformDedupeKey(entity, 'status_changed', stream.status, at.toISOString()),
    payload: {
      connection_id: stream.connection_id,
      stream: stream.stream,
      status: stream.status,
      previous,
      reason: stream.interval_reason,
      last_error: stream.last_error,
      rate_limited_until: stream.rate_limited_until,
    },
  });
}

/** Poll streams' schedules and health: listing, pause, resume, run now, and keeping them with connections. */
export class StreamWorkflows {
  readonly #deps: StreamWorkflowDeps;

  constructor(deps: StreamWorkflowDeps) {
    this.#deps = deps;
  }

  list(tenantId: string, filter: StreamScheduleFilter = {}): Promise<ReadonlyArray<StreamSchedule>> {
    return this.#deps.stores.schedules.list(tenantId, filter);
  }

  async get(ref: StreamRef): Promise<StreamSchedule> {
    const stream = await this.#deps.stores.schedules.get(ref);
    if (stream === null) throw notFound(ref);
    return stream;
  }

  /** Pauses (or resumes) a stream; a change of status publishes `stream.status_changed` with it. */
  async setPaused(ref: StreamRef, paused: boolean): Promise<StreamSchedule> {
    const now = this.#deps.now();
    const current = await this.get(ref);
    const status: StreamStatus = paused ? 'paused' : resumedStatus(current, now);
    const facts =
      status === current.status
        ? []
        : [
            await streamStatusFact(
              this.#deps.platform,
              { stream: { ...current, status }, previous: current.status },
              now,
            ),
          ];
    const result = await this.#deps.stores.schedules.setPaused(ref, paused, now, facts);
    if (result === null) throw notFound(ref);
    if (!paused) this.#deps.onDue?.();
    return result.stream;
  }

  /** Makes the stream due now. */
  async runNow(ref: StreamRef): Promise<StreamSchedule> {
    const stream = await this.#deps.stores.schedules.runNow(ref, this.#deps.now());
    if (stream === null) throw notFound(ref);
    this.#deps.onDue?.();
    return stream;
  }

  /** Schedules the poll streams of a new connection, in its tenant's time zone. */
  async connectionCreated(connection: Connection, connector: Connector): Promise<void> {
    const tenant = await this.#deps.stores.tenancy.getTenant(connection.tenant_id);
    const schedules = pollStreamSchedules(connection, connector, tenant?.timezone ?? 'UTC', this.#deps.now());
    await this.#deps.stores.schedules.upsertStreams(schedules);
    if (schedules.length > 0) this.#deps.onDue?.();
  }

  /**
   * Moves every poll stream of the tenant to its new time zone (poll streams always run in their tenant's
   * zone), each with its next run recomputed there.
   */
  async tenantTimezoneChanged(tenantId: string, timezone: string): Promise<void> {
    const now = this.#deps.now();
    for (const stream of await this.#deps.stores.schedules.list(tenantId)) {
      if (stream.timezone === timezone) continue;
      const next = rezonedRun(stream, timezone, now);
      await this.#deps.stores.schedules.retime(stream, timezone, next.next_run_at, next.reason);
    }
    this.#deps.onDue?.();
  }

  /** Stops polling a retired connection. */
  async connectionRetired(connection: Connection): Promise<void> {
    await this.#deps.stores.schedules.removeConnection(connection.tenant_id, connection.id);
  }
}

/** The status a stream returns to when resumed. */
function resumedStatus(stream: StreamSchedule, now: Date): StreamStatus {
  if (stream.rate_limited_until !== null && Date.parse(stream.rate_limited_until) > now.getTime()) {
    return 'rate_limited';
  }
  const failed = stream.last_error_at !== null && (stream.last_success_at ?? '') < stream.last_error_at;
  return failed ? 'failing' : 'ok';
}

const notFound = (ref: StreamRef): SluiceError =>
  new SluiceError(
    'stream_not_found',
    `Connection "${ref.connection_id}" has no poll stream "${ref.stream}".`,
  );
