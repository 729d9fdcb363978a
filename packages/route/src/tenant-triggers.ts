import type { CompiledTrigger } from './compile-trigger.ts';
import { type EventTypePattern, matchesEventType } from './event-type-pattern.ts';
import type { RoutableTrigger } from './trigger.ts';

/** A trigger in the index; `seen` marks the match it was last collected in, so it is collected once. */
export interface IndexEntry<T extends RoutableTrigger> {
  readonly compiled: CompiledTrigger<T>;
  seen: number;
}

/** The proper prefixes and suffixes of a dotted event type: `a.b.c` → `a`, `a.b` and `b.c`, `c`. */
export interface TypeParts {
  readonly prefixes: ReadonlyArray<string>;
  readonly suffixes: ReadonlyArray<string>;
}

type Buckets<T extends RoutableTrigger> = Map<string, Array<IndexEntry<T>>>;

function add<T extends RoutableTrigger>(buckets: Buckets<T>, key: string, entry: IndexEntry<T>): void {
  const bucket = buckets.get(key);
  if (bucket === undefined) buckets.set(key, [entry]);
  else if (!bucket.includes(entry)) bucket.push(entry);
}

function drop<T extends RoutableTrigger>(buckets: Buckets<T>, key: string, entry: IndexEntry<T>): void {
  const rest = buckets.get(key)?.filter((other) => other !== entry) ?? [];
  if (rest.length === 0) buckets.delete(key);
  else buckets.set(key, rest);
}

/**
 * One tenant's enabled triggers, filed by pattern kind so a match looks only at candidates: exact types
 * by type, `x.*` by prefix, `*.x` by suffix, `*` in a list, and other globs in a short fallback list.
 */
export class TenantTriggers<T extends RoutableTrigger> {
  readonly #exact: Buckets<T> = new Map();
  readonly #prefix: Buckets<T> = new Map();
  readonly #suffix: Buckets<T> = new Map();
  #all: Array<IndexEntry<T>> = [];
  #globs: Array<{ readonly pattern: EventTypePattern; readonly entry: IndexEntry<T> }> = [];
  #size = 0;

  /** Triggers filed here. */
  get size(): number {
    return this.#size;
  }

  add(entry: IndexEntry<T>): void {
    this.#size++;
    for (const pattern of entry.compiled.patterns) {
      if (pattern.kind === 'exact') add(this.#exact, pattern.type, entry);
      else if (pattern.kind === 'prefix') add(this.#prefix, pattern.prefix, entry);
      else if (pattern.kind === 'suffix') add(this.#suffix, pattern.suffix, entry);
      else if (pattern.kind === 'all') {
        if (!this.#all.includes(entry)) this.#all.push(entry);
      } else this.#globs.push({ pattern, entry });
    }
  }

  remove(entry: IndexEntry<T>): void {
    this.#size--;
    for (const pattern of entry.compiled.patterns) {
      if (pattern.kind === 'exact') drop(this.#exact, pattern.type, entry);
      else if (pattern.kind === 'prefix') drop(this.#prefix, pattern.prefix, entry);
      else if (pattern.kind === 'suffix') drop(this.#suffix, pattern.suffix, entry);
    }
    this.#all = this.#all.filter((other) => other !== entry);
    this.#globs = this.#globs.filter((glob) => glob.entry !== entry);
  }

  /** Appends to `out` each trigger whose pattern matches `eventType`, once per `stamp`. */
  collect(eventType: string, parts: TypeParts, stamp: number, out: Array<IndexEntry<T>>): void {
    const take = (bucket: ReadonlyArray<IndexEntry<T>> | undefined): void => {
      if (bucket === undefined) return;
      for (const entry of bucket) {
        if (entry.seen === stamp) continue;
        entry.seen = stamp;
        out.push(entry);
      }
    };
    take(this.#exact.get(eventType));
    if (this.#prefix.size > 0) for (const prefix of parts.prefixes) take(this.#prefix.get(prefix));
    if (this.#suffix.size > 0) for (const suffix of parts.suffixes) take(this.#suffix.get(suffix));
    if (eventType.length > 0) take(this.#all);
    for (const { pattern, entry } of this.#globs) {
      if (entry.seen !== stamp && matchesEventType(pattern, eventType)) take([entry]);
    }
  }
}
