import type { CompiledTrigger } from './compile-trigger.ts';
import { type EventTypePattern, matchesEventType } from './event-type-pattern.ts';
import type { RoutableTrigger } from './trigger.ts';
import { byTriggerId } from './trigger-scan.ts';

/** A trigger in the index; `seen` marks the lookup it was last collected in, so it is collected once. */
export interface IndexEntry<T extends RoutableTrigger> {
  readonly compiled: CompiledTrigger<T>;
  seen: number;
}

/** The proper prefixes and suffixes of a dotted event type: `a.b.c` → `a`, `a.b` and `b.c`, `c`. */
export interface TypeParts {
  readonly prefixes: ReadonlyArray<string>;
  readonly suffixes: ReadonlyArray<string>;
}

/** Event types remembered per tenant; a tenant sending more distinct types only loses the shortcut. */
const MEMO_SIZE = 256;

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
  #globs: Array<Glob<T>> = [];
  #size = 0;
  #stamp = 0;
  /** Candidates by event type, in id order; emptied on every edit of this tenant and when full. */
  readonly #memo = new Map<string, ReadonlyArray<IndexEntry<T>>>();

  /** Triggers filed here. */
  get size(): number {
    return this.#size;
  }

  add(entry: IndexEntry<T>): void {
    this.#memo.clear();
    this.#size++;
    for (const pattern of entry.compiled.patterns) {
      if (pattern.kind === 'exact') add(this.#exact, pattern.type, entry);
      else if (pattern.kind === 'prefix') add(this.#prefix, pattern.prefix, entry);
      else if (pattern.kind === 'suffix') add(this.#suffix, pattern.suffix, entry);
      else if (pattern.kind === 'all') {
        if (!this.#all.includes(entry)) this.#all.push(entry);
      } else this.#globs.push(glob(pattern, entry));
    }
  }

  remove(entry: IndexEntry<T>): void {
    this.#memo.clear();
    this.#size--;
    for (const pattern of entry.compiled.patterns) {
      if (pattern.kind === 'exact') drop(this.#exact, pattern.type, entry);
      else if (pattern.kind === 'prefix') drop(this.#prefix, pattern.prefix, entry);
      else if (pattern.kind === 'suffix') drop(this.#suffix, pattern.suffix, entry);
    }
    this.#all = this.#all.filter((other) => other !== entry);
    this.#globs = this.#globs.filter((glob) => glob.entry !== entry);
  }

  /** The triggers with a pattern matching `eventType`, each once, by id. */
  candidates(eventType: string, partsOf: (eventType: string) => TypeParts): ReadonlyArray<IndexEntry<T>> {
    const known = this.#memo.get(eventType);
    if (known !== undefined) return known;
    const found: Array<IndexEntry<T>> = [];
    this.#collect(eventType, partsOf, ++this.#stamp, found);
    if (found.length > 1) found.sort((a, b) => byTriggerId(a.compiled.trigger, b.compiled.trigger));
    if (this.#memo.size >= MEMO_SIZE) this.#memo.clear();
    this.#memo.set(eventType, found);
    return found;
  }

  /** Appends to `out` each trigger whose pattern matches `eventType`, once per `stamp`. */
  #collect(
    eventType: string,
    partsOf: (eventType: string) => TypeParts,
    stamp: number,
    out: Array<IndexEntry<T>>,
  ): void {
    if (this.#exact.size > 0) take(this.#exact.get(eventType), stamp, out);
    if (this.#prefix.size > 0 || this.#suffix.size > 0) {
      const parts = partsOf(eventType);
      if (this.#prefix.size > 0)
        for (const prefix of parts.prefixes) take(this.#prefix.get(prefix), stamp, out);
      if (this.#suffix.size > 0)
        for (const suffix of parts.suffixes) take(this.#suffix.get(suffix), stamp, out);
    }
    if (eventType.length > 0) take(this.#all, stamp, out);
    // The full glob match is linear in pattern × type segments; the literal ends rule most globs out first.
    for (const { pattern, head, tail, entry } of this.#globs) {
      if (entry.seen === stamp || !eventType.startsWith(head) || !eventType.endsWith(tail)) continue;
      if (matchesEventType(pattern, eventType)) {
        entry.seen = stamp;
        out.push(entry);
      }
    }
  }
}

function take<T extends RoutableTrigger>(
  bucket: ReadonlyArray<IndexEntry<T>> | undefined,
  stamp: number,
  out: Array<IndexEntry<T>>,
): void {
  if (bucket === undefined) return;
  for (const entry of bucket) {
    if (entry.seen === stamp) continue;
    entry.seen = stamp;
    out.push(entry);
  }
}

/** A glob with the literal segments before its first `*` and after its last, checked before the full match. */
interface Glob<T extends RoutableTrigger> {
  readonly pattern: EventTypePattern;
  readonly head: string;
  readonly tail: string;
  readonly entry: IndexEntry<T>;
}

function glob<T extends RoutableTrigger>(pattern: EventTypePattern, entry: IndexEntry<T>): Glob<T> {
  const segments = pattern.kind === 'glob' ? pattern.segments : [];
  const first = segments.indexOf('*');
  const last = segments.lastIndexOf('*');
  const head = first > 0 ? `${segments.slice(0, first).join('.')}.` : '';
  const tail = last >= 0 && last < segments.length - 1 ? `.${segments.slice(last + 1).join('.')}` : '';
  return { pattern, head, tail, entry };
}
