import type { Envelope } from '@sluice/core';
import { compileTrigger, type TriggerProblem } from './compile-trigger.ts';
import type { SqlHook } from './sql-hook.ts';
import { type IndexEntry, TenantTriggers, type TypeParts } from './tenant-triggers.ts';
import type { RoutableTrigger } from './trigger.ts';

/** The outcome of {@link TriggerIndex.upsert}: on problems the index keeps what it had. */
export type TriggerUpsert =
  | { readonly ok: true }
  | { readonly ok: false; readonly problems: ReadonlyArray<TriggerProblem> };

/** The outcome of {@link TriggerIndex.replaceAll}: triggers with problems are left out and listed. */
export interface TriggerReload {
  readonly loaded: number;
  readonly rejected: ReadonlyArray<{ readonly id: string; readonly problems: ReadonlyArray<TriggerProblem> }>;
}

/** Options of {@link TriggerIndex}. */
export interface TriggerIndexOptions {
  /** The CloudEvents SQL engine for `{sql}` conditions. */
  readonly sql?: SqlHook | undefined;
}

/** Event types whose prefixes and suffixes are kept; beyond it the cache starts over. */
const PARTS_CACHE_SIZE = 4096;

/**
 * Every tenant's triggers, indexed so that matching an envelope looks only at its own tenant's triggers
 * whose pattern can match its type. Edits apply live through `upsert` and `remove`.
 */
export class TriggerIndex<T extends RoutableTrigger> {
  readonly #sql: SqlHook | undefined;
  #byId = new Map<string, IndexEntry<T>>();
  #tenants = new Map<string, TenantTriggers<T>>();
  readonly #partsCache = new Map<string, TypeParts>();
  /** Looked up only for tenants that have `x.*` or `*.x` patterns. */
  readonly #parts = (eventType: string): TypeParts => this.#partsOf(eventType);

  constructor(options: TriggerIndexOptions = {}) {
    this.#sql = options.sql;
  }

  /** Triggers held, enabled or not. */
  get size(): number {
    return this.#byId.size;
  }

  /** Adds or replaces the trigger with this id; an invalid trigger changes nothing. */
  upsert(trigger: T): TriggerUpsert {
    const compiled = compileTrigger(trigger, { sql: this.#sql });
    if (!compiled.ok) return compiled;
    this.remove(trigger.id);
    const entry: IndexEntry<T> = { compiled: compiled.compiled, seen: 0 };
    this.#byId.set(trigger.id, entry);
    if (trigger.enabled) {
      let tenant = this.#tenants.get(trigger.tenant_id);
      if (tenant === undefined) {
        tenant = new TenantTriggers<T>();
        this.#tenants.set(trigger.tenant_id, tenant);
      }
      tenant.add(entry);
    }
    return { ok: true };
  }

  /** Removes the trigger with this id; false when there was none. */
  remove(id: string): boolean {
    const entry = this.#byId.get(id);
    if (entry === undefined) return false;
    this.#byId.delete(id);
    const { trigger } = entry.compiled;
    const tenant = this.#tenants.get(trigger.tenant_id);
    if (trigger.enabled && tenant !== undefined) {
      tenant.remove(entry);
      if (tenant.size === 0) this.#tenants.delete(trigger.tenant_id);
    }
    return true;
  }

  /** Replaces every trigger at once; matches in between see the old set or the new, never a mix. */
  replaceAll(triggers: Iterable<T>): TriggerReload {
    const next = new TriggerIndex<T>({ sql: this.#sql });
    const rejected: Array<{ id: string; problems: ReadonlyArray<TriggerProblem> }> = [];
    for (const trigger of triggers) {
      const outcome = next.upsert(trigger);
      if (!outcome.ok) rejected.push({ id: String(trigger.id), problems: outcome.problems });
    }
    this.#byId = next.#byId;
    this.#tenants = next.#tenants;
    return { loaded: this.#byId.size, rejected };
  }

  /**
   * Replaces one tenant's triggers at once (a reload after a change): matches see the tenant's old set or
   * its new one, never a mix. Other tenants are untouched. Triggers with problems are left out and listed;
   * a trigger of another tenant in `triggers` is refused as `trigger_shape`.
   */
  replaceTenant(tenantId: string, triggers: Iterable<T>): TriggerReload {
    const compiled: Array<IndexEntry<T>> = [];
    const rejected: Array<{ id: string; problems: ReadonlyArray<TriggerProblem> }> = [];
    for (const trigger of triggers) {
      if (trigger.tenant_id !== tenantId) {
        const message = `id: rule trigger_shape: belongs to tenant ${trigger.tenant_id}, not ${tenantId}`;
        rejected.push({ id: String(trigger.id), problems: [{ path: 'id', rule: 'trigger_shape', message }] });
        continue;
      }
      const outcome = compileTrigger(trigger, { sql: this.#sql });
      if (outcome.ok) compiled.push({ compiled: outcome.compiled, seen: 0 });
      else rejected.push({ id: String(trigger.id), problems: outcome.problems });
    }
    const tenant = new TenantTriggers<T>();
    for (const entry of compiled) if (entry.compiled.trigger.enabled) tenant.add(entry);
    for (const [id, entry] of this.#byId) {
      if (entry.compiled.trigger.tenant_id === tenantId) this.#byId.delete(id);
    }
    for (const entry of compiled) this.#byId.set(entry.compiled.trigger.id, entry);
    if (tenant.size === 0) this.#tenants.delete(tenantId);
    else this.#tenants.set(tenantId, tenant);
    return { loaded: compiled.length, rejected };
  }

  /**
   * The enabled triggers of the envelope's tenant whose type pattern and condition hold, by id. A quiet
   * (backfill) envelope matches nothing, even if one reaches the router.
   */
  match(envelope: Envelope): T[] {
    const matched: T[] = [];
    const tenant = envelope.mode === 'quiet' ? undefined : this.#tenants.get(envelope.tenant_id);
    if (tenant === undefined) return matched;
    for (const { compiled } of tenant.candidates(envelope.event_type, this.#parts)) {
      if (compiled.condition === null || compiled.condition(envelope)) matched.push(compiled.trigger);
    }
    return matched;
  }

  #partsOf(eventType: string): TypeParts {
    const cached = this.#partsCache.get(eventType);
    if (cached !== undefined) return cached;
    const prefixes: string[] = [];
    const suffixes: string[] = [];
    for (let dot = eventType.indexOf('.'); dot !== -1; dot = eventType.indexOf('.', dot + 1)) {
      // Both sides of the dot are non-empty, as `order.*` and `*.created` each take one segment or more.
      if (dot + 1 < eventType.length) prefixes.push(eventType.slice(0, dot));
      if (dot > 0) suffixes.push(eventType.slice(dot + 1));
    }
    const parts = { prefixes, suffixes };
    if (this.#partsCache.size >= PARTS_CACHE_SIZE) this.#partsCache.clear();
    this.#partsCache.set(eventType, parts);
    return parts;
  }
}
