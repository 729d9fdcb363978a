import type { Change, ChangeFeed, ChangeListener } from '../ports/change-feed-port.ts';

/** The embedded change feed: one process, so subscribers are called directly. */
export class InProcessChangeFeed implements ChangeFeed {
  readonly #listeners = new Set<ChangeListener>();

  async publish(change: Change): Promise<void> {
    for (const listener of [...this.#listeners]) listener(change);
  }

  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.#listeners.clear();
  }
}
