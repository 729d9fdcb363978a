import {
  type NewTrigger,
  newId,
  type Page,
  type PageRequest,
  PRIORITIES,
  type Priority,
  type RetryPolicy,
  SINGLE_FLIGHT_MODES,
  type SingleFlightMode,
  type Trigger,
  type TriggerAction,
  type TriggerChanges,
  type TriggerCondition,
  type TriggerStore,
} from '@sluice/core';
import { iso } from './row-mappers.ts';
import type { SqlClient } from './sql-client.ts';

type Row = Record<string, unknown>;

/** Every column but the sealed secret, which only `sealedSecret` reads. */
const COLUMNS = `id, tenant_id, name, event_types, condition, priority, action, enabled, single_flight, retry,
  idempotency_key, created_at, updated_at`;

const isPriority = (value: unknown): value is Priority =>
  (PRIORITIES as ReadonlyArray<unknown>).includes(value);

const isSingleFlight = (value: unknown): value is SingleFlightMode =>
  (SINGLE_FLIGHT_MODES as ReadonlyArray<unknown>).includes(value);

export function toTrigger(row: Row): Trigger {
  const condition = row['condition'];
  return {
    id: String(row['id']),
    tenant_id: String(row['tenant_id']),
    name: String(row['name']),
    event_types: (row['event_types'] ?? []) as ReadonlyArray<string>,
    condition: condition === null || condition === undefined ? null : (condition as TriggerCondition),
    priority: isPriority(row['priority']) ? row['priority'] : null,
    action: row['action'] as TriggerAction,
    enabled: row['enabled'] === true,
    single_flight: isSingleFlight(row['single_flight']) ? row['single_flight'] : 'queue',
    retry: (row['retry'] ?? null) as RetryPolicy | null,
    idempotency_key:
      row['idempotency_key'] === null || row['idempotency_key'] === undefined
        ? null
        : String(row['idempotency_key']),
    created_at: iso(row['created_at']),
    updated_at: iso(row['updated_at']),
  };
}

/** A jsonb parameter: both drivers take JSON text; SQL NULL for null. */
const json = (value: unknown): string | null => (value === null ? null : JSON.stringify(value));

/**
 * Triggers over SQL, every read and write scoped by tenant but the router's start-up load. Conditions are
 * stored as written (a JSON string for the text form); the sealed secret is never read back with a trigger.
 */
export class SqlTriggerStore implements TriggerStore {
  readonly #db: SqlClient;
  readonly #now: () => Date;

  constructor(db: SqlClient, now: () => Date) {
    this.#db = db;
    this.#now = now;
  }

  async create(input: NewTrigger): Promise<Trigger> {
    const now = this.#now();
    const [row] = await this.#db.query(
      `INSERT INTO triggers (id, tenant_id, name, event_types, condition, priority, action, secret_ciphertext,
         enabled, single_flight, retry, idempotency_key, created_at, updated_at)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7::jsonb, $8, $9, $11, $12::jsonb, $13, $10, $10)
       RETURNING ${COLUMNS}`,
      [
        input.id ?? newId('trigger'),
        input.tenant_id,
        input.name,
        json(input.event_types),
        json(input.condition),
        input.priority,
        json(input.action),
        input.secret_ciphertext,
        input.enabled,
        now,
        input.single_flight ?? 'queue',
        json(input.retry ?? null),
        input.idempotency_key ?? null,
      ],
    );
    return toTrigger(row as Row);
  }

  async get(tenantId: string, id: string): Promise<Trigger | null> {
    const [row] = await this.#db.query(`SELECT ${COLUMNS} FROM triggers WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      id,
    ]);
    return row === undefined ? null : toTrigger(row);
  }

  async list(
    tenantId: string,
    filter: { readonly enabled?: boolean },
    page: PageRequest,
  ): Promise<Page<Trigger>> {
    const descending = page.order === 'desc';
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM triggers WHERE tenant_id = $1
         AND ($2::boolean IS NULL OR enabled = $2)
         AND ($3::text IS NULL OR id ${descending ? '<' : '>'} $3)
       ORDER BY id ${descending ? 'DESC' : 'ASC'} LIMIT $4`,
      [tenantId, filter.enabled ?? null, page.after ?? null, page.limit + 1],
    );
    const items = rows.slice(0, page.limit).map(toTrigger);
    const last = items.at(-1);
    return { items, next: rows.length > page.limit && last !== undefined ? last.id : null };
  }

  async update(tenantId: string, id: string, changes: TriggerChanges): Promise<Trigger | null> {
    const params: unknown[] = [tenantId, id, this.#now()];
    const sets = ['updated_at = $3'];
    const set = (column: string, value: unknown, cast = ''): void => {
      params.push(value);
      sets.push(`${column} = $${params.length}${cast}`);
    };
    if (changes.name !== undefined) set('name', changes.name);
    if (changes.event_types !== undefined) set('event_types', json(changes.event_types), '::jsonb');
    if (changes.condition !== undefined) set('condition', json(changes.condition), '::jsonb');
    if (changes.priority !== undefined) set('priority', changes.priority);
    if (changes.action !== undefined) set('action', json(changes.action), '::jsonb');
    if (changes.secret_ciphertext !== undefined) set('secret_ciphertext', changes.secret_ciphertext);
    if (changes.enabled !== undefined) set('enabled', changes.enabled);
    if (changes.single_flight !== undefined) set('single_flight', changes.single_flight);
    if (changes.retry !== undefined) set('retry', json(changes.retry), '::jsonb');
    if (changes.idempotency_key !== undefined) set('idempotency_key', changes.idempotency_key);
    const [row] = await this.#db.query(
      `UPDATE triggers SET ${sets.join(', ')} WHERE tenant_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      params,
    );
    return row === undefined ? null : toTrigger(row);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const rows = await this.#db.query('DELETE FROM triggers WHERE tenant_id = $1 AND id = $2 RETURNING id', [
      tenantId,
      id,
    ]);
    return rows.length > 0;
  }

  async enabledOf(tenantId: string): Promise<ReadonlyArray<Trigger>> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM triggers WHERE tenant_id = $1 AND enabled ORDER BY id`,
      [tenantId],
    );
    return rows.map(toTrigger);
  }

  async enabledAfter(afterId: string | null, limit: number): Promise<ReadonlyArray<Trigger>> {
    const rows = await this.#db.query(
      `SELECT ${COLUMNS} FROM triggers WHERE enabled AND ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2`,
      [afterId, limit],
    );
    return rows.map(toTrigger);
  }

  async sealedSecret(tenantId: string, id: string): Promise<string | null> {
    const [row] = await this.#db.query<{ secret_ciphertext: string | null }>(
      'SELECT secret_ciphertext FROM triggers WHERE tenant_id = $1 AND id = $2',
      [tenantId, id],
    );
    return row?.secret_ciphertext ?? null;
  }
}
