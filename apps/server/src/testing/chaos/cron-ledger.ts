import type { SqlClient } from '@sluice/store';
import type { WebhookTarget } from '../webhook-target.ts';
import type { StageCluster } from './stage-cluster.ts';
import { post } from './world.ts';

/** A cron schedule a scenario runs beside its load, and the trigger that delivers its ticks. */
export interface ChaosSchedule {
  readonly id: string;
  /** Its slots are `periodMs` apart (a six-field schedule every n seconds). */
  readonly periodMs: number;
  readonly triggerId: string;
  /** The path on the world's target its ticks go to. */
  readonly path: string;
}

/** What the ticks of one schedule came to. */
export interface TickCounts {
  /** `cron.tick` envelopes stored. */
  readonly ticks: number;
  /** Slots not ticked themselves, counted in a later tick's `missed` (the catch-up rule). */
  readonly collapsed: number;
  /** Slots neither ticked nor counted in a later tick's `missed`. */
  readonly lost_slots: number;
  /** Slots ticked twice, ticks routed twice, ticks that took effect twice. */
  readonly duplicated: number;
  /** Ticks that took effect at the target. */
  readonly delivered: number;
  /** Ticks stored but never taking effect. */
  readonly undelivered: number;
  readonly problems: ReadonlyArray<string>;
}

/** A schedule every `periodSeconds` s and a trigger of its ticks to `path` on the target. */
export async function openSchedule(
  cluster: StageCluster,
  auth: Record<string, string>,
  target: WebhookTarget,
  targetSecret: string,
  periodSeconds: number,
  path = '/ticks',
): Promise<ChaosSchedule> {
  const made = await post(cluster, '/api/v1/schedules', auth, {
    name: 'chaos ticks',
    schedule: `*/${periodSeconds} * * * * *`,
    timezone: 'UTC',
  });
  if (made.status !== 201) throw new Error(`schedule: ${made.status} ${JSON.stringify(made.json)}`);
  const trigger = await post(cluster, '/api/v1/triggers', auth, {
    name: 'chaos ticks',
    event_types: ['cron.tick'],
    condition: null,
    priority: null,
    action: { type: 'http', url: `${target.origin}${path}`, secret: targetSecret },
    retry: { max_attempts: 50, initial_delay_ms: 100, max_delay_ms: 1_000, timeout_ms: 10_000 },
  });
  if (trigger.status !== 201)
    throw new Error(`tick trigger: ${trigger.status} ${JSON.stringify(trigger.json)}`);
  return {
    id: (made.json['schedule'] as { id: string }).id,
    periodMs: periodSeconds * 1_000,
    triggerId: (trigger.json['trigger'] as { id: string }).id,
    path,
  };
}

/** Ends the schedule (its row goes), so the last ticks can drain before they are counted. */
export async function endSchedule(sql: SqlClient, schedule: ChaosSchedule): Promise<void> {
  await sql.query('DELETE FROM cron_schedules WHERE id = $1', [schedule.id]);
}

/**
 * Every slot from the first tick to the last must be ticked once, or counted once in the `missed` of the
 * tick after it (slots missed while no scheduler ran become one tick); each tick routed once and taking
 * effect once.
 */
export async function countTicks(
  sql: SqlClient,
  tenantId: string,
  schedule: ChaosSchedule,
  target: WebhookTarget,
): Promise<TickCounts> {
  const problems: string[] = [];
  const rows = await sql.query<{ event_id: string; dedupe_key: string; slot: string; missed: string }>(
    `SELECT event_id::text AS event_id, dedupe_key, payload->>'slot' AS slot, payload->>'missed' AS missed
       FROM envelopes WHERE tenant_id = $1 AND dedupe_key LIKE $2`,
    [tenantId, `${schedule.id}:%`],
  );
  let duplicated = 0;
  const bySlot = new Map<number, { eventId: string; missed: number }>();
  for (const row of rows) {
    const slot = Date.parse(row.slot);
    if (bySlot.has(slot)) {
      duplicated++;
      problems.push(`slot ${row.slot} ticked twice`);
    }
    bySlot.set(slot, { eventId: row.event_id, missed: Number(row.missed) });
  }
  const slots = [...bySlot.keys()].sort((a, b) => a - b);
  let collapsed = 0;
  let lost = 0;
  for (let i = 1; i < slots.length; i++) {
    const between = Math.round(((slots[i] as number) - (slots[i - 1] as number)) / schedule.periodMs) - 1;
    const missed = bySlot.get(slots[i] as number)?.missed ?? 0;
    // A tick's `missed` counts back from its recorded next slot, which may be a slot already ticked
    // (a scheduler killed between the tick and its `complete`): it covers at least `between`.
    if (between > missed) {
      lost += between - missed;
      const [from, to] = [slots[i - 1], slots[i]].map((ms) => new Date(ms as number).toISOString());
      problems.unshift(`${between - missed} slots lost between ${from} and ${to} (missed ${missed})`);
    }
    collapsed += Math.max(0, between);
  }
  const jobs = await sql.query<{ event_id: string; n: string }>(
    `SELECT event_id::text AS event_id, count(*)::text AS n FROM jobs
      WHERE tenant_id = $1 AND trigger_id = $2 GROUP BY event_id`,
    [tenantId, schedule.triggerId],
  );
  const jobsOf = new Map(jobs.map((job) => [job.event_id, Number(job.n)]));
  const effects = new Map<string, Set<string>>();
  for (const d of target.deliveries.filter((d) => d.path === schedule.path)) {
    const ids = effects.get(d.envelope.event_id) ?? new Set<string>();
    ids.add(d.webhookId);
    effects.set(d.envelope.event_id, ids);
  }
  let delivered = 0;
  let undelivered = 0;
  for (const { eventId } of bySlot.values()) {
    const n = jobsOf.get(eventId) ?? 0;
    const took = effects.get(eventId)?.size ?? 0;
    if (n !== 1) problems.push(`tick ${eventId} routed ${n} times`);
    if (n > 1) duplicated += n - 1;
    if (took === 0) {
      undelivered++;
      problems.push(`tick ${eventId} never took effect`);
    } else delivered++;
    if (took > 1) {
      duplicated += took - 1;
      problems.push(`tick ${eventId} took effect ${took} times`);
    }
  }
  return {
    ticks: rows.length,
    collapsed,
    lost_slots: lost,
    duplicated,
    delivered,
    undelivered,
    problems: problems.length > 5 ? [...problems.slice(0, 5), `… ${problems.length - 5} more`] : problems,
  };
}

/**
 * Samples the schedule while a scenario runs: the longest it was overdue, that is past its next slot,
 * whoever holds it (a scheduler that died mid-tick holds it until its lease lapses, or none is running).
 */
export class ScheduleWatch {
  maxOverdueSeconds = 0;
  private timer: NodeJS.Timeout | null = null;
  private pending: Promise<void> = Promise.resolve();
  private readonly sql: SqlClient;
  private readonly scheduleId: string;

  constructor(sql: SqlClient, scheduleId: string) {
    this.sql = sql;
    this.scheduleId = scheduleId;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.pending = this.pending.then(() => this.sample()).catch(() => {});
    }, 500);
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    await this.pending;
  }

  private async sample(): Promise<void> {
    const [row] = await this.sql.query<{ s: string }>(
      `SELECT GREATEST(0, EXTRACT(EPOCH FROM now() - next_slot_at))::text AS s
         FROM cron_schedules WHERE id = $1`,
      [this.scheduleId],
    );
    this.maxOverdueSeconds = Math.max(this.maxOverdueSeconds, Number(row?.s ?? 0));
  }
}
