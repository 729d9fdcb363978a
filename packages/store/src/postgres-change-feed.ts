import type { Change, ChangeFeed, ChangeListener } from '@sluice/core';
import type pg from 'pg';
import { postgresDriver } from './postgres-client.ts';

export interface PostgresChangeFeedOptions {
  readonly connectionString: string;
  /** The NOTIFY channel; processes that share one see each other's changes. */
  readonly channel?: string;
  /** Told when the listening connection drops; it reconnects by itself. */
  readonly onError?: (error: unknown) => void;
}

const isChange = (value: unknown): value is Change =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Change).kind === 'string' &&
  typeof (value as Change).tenant_id === 'string' &&
  typeof (value as Change).id === 'string';

/**
 * The server-mode change feed: `pg_notify` to publish, one dedicated `LISTEN` connection to hear every
 * process's changes. A notification sent while the listener is reconnecting is lost, which is why caches
 * keep their time-out as the fallback. Used for control-plane changes only, never inside the ingest
 * transaction: a NOTIFY there would serialize commits.
 */
export class PostgresChangeFeed implements ChangeFeed {
  readonly #options: PostgresChangeFeedOptions;
  readonly #channel: string;
  readonly #listeners = new Set<ChangeListener>();
  readonly #publisher: pg.Pool;
  #listener: pg.Client | null = null;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;

  private constructor(options: PostgresChangeFeedOptions) {
    this.#options = options;
    this.#channel = options.channel ?? 'sluice_changes';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.#channel)) {
      throw new Error(`"${this.#channel}" is not a valid channel name (lowercase letters, digits, _).`);
    }
    this.#publisher = new (postgresDriver().Pool)({ connectionString: options.connectionString, max: 1 });
    this.#publisher.on('error', () => {});
  }

  /** Opens the feed and waits until it listens. */
  static async open(options: PostgresChangeFeedOptions): Promise<PostgresChangeFeed> {
    const feed = new PostgresChangeFeed(options);
    await feed.#listen();
    return feed;
  }

  async #listen(): Promise<void> {
    const client = new (postgresDriver().Client)({ connectionString: this.#options.connectionString });
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, new Error('the listening connection ended')));
    client.on('notification', (message) => {
      if (message.channel !== this.#channel || message.payload === undefined) return;
      let change: unknown;
      try {
        change = JSON.parse(message.payload);
      } catch {
        return;
      }
      if (!isChange(change)) return;
      for (const listener of [...this.#listeners]) listener(change);
    });
    await client.connect();
    await client.query(`LISTEN ${this.#channel}`);
    this.#listener = client;
  }

  #lost(client: pg.Client, error: unknown): void {
    if (this.#listener !== client || this.#closed) return;
    this.#listener = null;
    this.#options.onError?.(error);
    const reconnect = (delay: number) => {
      this.#retry = setTimeout(() => {
        this.#listen().catch((failure: unknown) => {
          this.#options.onError?.(failure);
          if (!this.#closed) reconnect(Math.min(delay * 2, 5_000));
        });
      }, delay);
      this.#retry.unref();
    };
    reconnect(100);
  }

  async publish(change: Change): Promise<void> {
    await this.#publisher.query('SELECT pg_notify($1, $2)', [this.#channel, JSON.stringify(change)]);
  }

  subscribe(listener: ChangeListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#listeners.clear();
    const listener = this.#listener;
    this.#listener = null;
    await Promise.allSettled([listener?.end(), this.#publisher.end()]);
  }
}
