import type { AppendInput } from './event-log-port.ts';

/** How a poll stream stands: polling fine, its last run failed, waiting out a rate limit, or paused. */
export const STREAM_STATUSES = ['ok', 'failing', 'rate_limited', 'paused'] as const;

export type StreamStatus = (typeof STREAM_STATUSES)[number];

/** Per-stream scheduling settings (from the connection config's `streams.<key>`). */
export interface StreamScheduleSettings {
  /** Adaptive bounds in ms; without both the stream runs on its cron schedule alone. */
  readonly min_interval_ms?: number;
  readonly max_interval_ms?: number;
  /** Poll only inside this window (tenant time zone); outside it the stream waits for the next opening. */
  readonly business_hours?: { readonly days: string; readonly start: string; readonly end: string };
}

/** Changes seen per hour of week (0 = Monday 00:00 in the stream's time zone): polls and polls with changes. */
export type ChangeHistory = Readonly<Record<string, { readonly polls: number; readonly changed: number }>>;

/** Identifies one poll stream. */
export interface StreamRef {
  readonly tenant_id: string;
  readonly connection_id: string;
  readonly stream: string;
}

/** A poll stream's schedule and health, as the store keeps it. */
export interface StreamSchedule extends StreamRef {
  readonly connector_id: string;
  readonly schedule: string;
  readonly timezone: string;
  readonly settings: StreamScheduleSettings;
  readonly next_run_at: string;
  readonly interval_ms: number | null;
  /** Why the interval and the next run are what they are. */
  readonly interval_reason: string;
  readonly status: StreamStatus;
  readonly paused: boolean;
  readonly last_run_at: string | null;
  readonly last_success_at: string | null;
  readonly last_error_at: string | null;
  readonly last_error: string | null;
  readonly rate_limited_until: string | null;
  readonly records: number;
  readonly envelopes: number;
  readonly history: ChangeHistory;
  readonly lease_owner: string | null;
  readonly lease_until: string | null;
}

/** A poll stream a connection declares, to be scheduled. */
export interface NewStreamSchedule extends StreamRef {
  readonly connector_id: string;
  readonly schedule: string;
  readonly timezone: string;
  readonly settings: StreamScheduleSettings;
  readonly next_run_at: Date;
}

/** What one run of a claimed stream leaves behind. */
export interface StreamRunCompletion {
  readonly status: Exclude<StreamStatus, 'paused'>;
  readonly next_run_at: Date;
  readonly interval_ms: number | null;
  readonly interval_reason: string;
  readonly ran_at: Date;
  readonly succeeded: boolean;
  readonly error: string | null;
  readonly rate_limited_until: Date | null;
  readonly records: number;
  readonly envelopes: number;
  readonly history: ChangeHistory;
}

export interface StreamScheduleFilter {
  readonly connection_id?: string;
  readonly status?: StreamStatus;
}

/**
 * The poll scheduler's state: one row per (connection, stream). Claims are leased and taken with
 * `SKIP LOCKED`, so any number of schedulers share the streams and one stream never runs twice at once.
 */
export interface ScheduleStore {
  /** Adds the connection's poll streams (existing rows keep their state but take the new schedule). */
  upsertStreams(streams: ReadonlyArray<NewStreamSchedule>): Promise<void>;
  /** Removes every stream of a connection (it was retired). */
  removeConnection(tenantId: string, connectionId: string): Promise<number>;
  /** Leases up to `limit` due, unpaused streams whose lease is free or lapsed, earliest first. */
  claimDue(owner: string, now: Date, limit: number, leaseMs: number): Promise<ReadonlyArray<StreamSchedule>>;
  /**
   * Records a run and releases the lease, with the platform events that report it in the same transaction;
   * null (and nothing written) when `owner` no longer holds the lease.
   */
  complete(
    owner: string,
    ref: StreamRef,
    run: StreamRunCompletion,
    facts?: ReadonlyArray<AppendInput>,
  ): Promise<StreamSchedule | null>;
  /**
   * Extends `owner`'s lease on a stream it is running to `now + leaseMs` (the run's heartbeat); false, and
   * nothing written, when `owner` no longer holds it (it lapsed and another scheduler took it).
   */
  renewLease(owner: string, ref: StreamRef, now: Date, leaseMs: number): Promise<boolean>;
  /** The earliest `next_run_at` of an unpaused stream (or lapsing lease), across tenants; null when none. */
  nextDueAt(): Promise<Date | null>;
  get(ref: StreamRef): Promise<StreamSchedule | null>;
  list(tenantId: string, filter?: StreamScheduleFilter): Promise<ReadonlyArray<StreamSchedule>>;
  /**
   * Pauses or resumes a stream; `previous` is its status before. The facts are written in the same
   * transaction when the status changed. Null when the stream does not exist.
   */
  setPaused(
    ref: StreamRef,
    paused: boolean,
    now: Date,
    facts?: ReadonlyArray<AppendInput>,
  ): Promise<{ readonly stream: StreamSchedule; readonly previous: StreamStatus } | null>;
  /** Makes a stream due now (paused streams stay paused). */
  runNow(ref: StreamRef, now: Date): Promise<StreamSchedule | null>;
  /** Moves a stream to another time zone with the next run computed in it (its tenant's zone changed). */
  retime(ref: StreamRef, timezone: string, nextRunAt: Date, reason: string): Promise<StreamSchedule | null>;
}

/** A tenant's cron schedule: the `cron` source emits `cron.tick` on each slot. */
export interface CronSchedule {
  readonly id: string;
  readonly tenant_id: string;
  readonly name: string;
  readonly schedule: string;
  readonly timezone: string;
  readonly next_slot_at: string;
  readonly last_slot_at: string | null;
  readonly created_at: string;
}

export interface NewCronSchedule {
  readonly id?: string;
  readonly tenant_id: string;
  readonly name: string;
  readonly schedule: string;
  readonly timezone: string;
  readonly next_slot_at: Date;
}

/** Tenants' cron schedules and their slots; claimed like poll streams. */
export interface CronScheduleStore {
  create(input: NewCronSchedule): Promise<CronSchedule>;
  get(tenantId: string, id: string): Promise<CronSchedule | null>;
  list(tenantId: string): Promise<ReadonlyArray<CronSchedule>>;
  delete(tenantId: string, id: string): Promise<boolean>;
  /** Leases up to `limit` schedules whose next slot is due, across tenants. */
  claimDue(owner: string, now: Date, limit: number, leaseMs: number): Promise<ReadonlyArray<CronSchedule>>;
  /** Records the slot emitted (or null when none was) and the next one; releases the lease. */
  complete(owner: string, id: string, lastSlot: Date | null, nextSlot: Date): Promise<boolean>;
  /**
   * Extends `owner`'s leases on the schedules it is ticking to `now + leaseMs` (the round's heartbeat);
   * answers the ids it still held, the others are left alone.
   */
  renewLeases(
    owner: string,
    ids: ReadonlyArray<string>,
    now: Date,
    leaseMs: number,
  ): Promise<ReadonlyArray<string>>;
  /** The earliest next slot across tenants; null when none. */
  nextDueAt(): Promise<Date | null>;
  /** Moves a schedule to another time zone with its next slot computed in it (its tenant's zone changed). */
  retime(tenantId: string, id: string, timezone: string, nextSlot: Date): Promise<CronSchedule | null>;
}
