/**
 * A Map that refuses changes once built: `Object.freeze` does not stop `Map.prototype.set`, and a
 * defined connector's event-type catalog must not change after validation.
 */
export class SealedMap<K, V> extends Map<K, V> {
  #sealed = false;

  constructor(entries: Iterable<readonly [K, V]>) {
    super();
    for (const [key, value] of entries) super.set(key, value);
    this.#sealed = true;
    Object.freeze(this);
  }

  override set(key: K, value: V): this {
    if (this.#sealed) throw new TypeError('SealedMap is read-only');
    return super.set(key, value);
  }

  override delete(_key: K): boolean {
    throw new TypeError('SealedMap is read-only');
  }

  override clear(): void {
    throw new TypeError('SealedMap is read-only');
  }
}
