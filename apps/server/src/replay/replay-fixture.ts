/** One recorded webhook delivery: its headers and body (JSON, or the raw text when a string). */
export interface RecordedDelivery {
  /** How the failure report names it; `#<index>` when absent. */
  readonly name?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** One recorded poll response: the status and JSON body the source answered. */
export interface RecordedPage {
  readonly name?: string;
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/**
 * A replay fixture (`sluice dev replay --twice <file>`), one of two shapes:
 * `{connector, deliveries: [{name?, headers, body}]}` — webhook deliveries through the connector's mapping;
 * `{connector, stream, config?, base_url_config?, pages: [{name?, status?, body}]}` — recorded responses of a
 * poll stream's source, served in order from a local server whose URL goes into the connection config
 * key `base_url_config` (default `api_base`).
 */
export type ReplayFixture =
  | {
      readonly kind: 'deliveries';
      readonly connector: string;
      readonly deliveries: ReadonlyArray<RecordedDelivery>;
    }
  | {
      readonly kind: 'pages';
      readonly connector: string;
      readonly stream: string;
      readonly config: Readonly<Record<string, unknown>>;
      readonly baseUrlConfig: string;
      readonly pages: ReadonlyArray<RecordedPage>;
    };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads a fixture's JSON; an error says what the file lacks. */
export function parseReplayFixture(json: unknown): ReplayFixture {
  if (!isRecord(json) || typeof json['connector'] !== 'string') {
    throw new Error(
      'a replay fixture is an object with "connector" and either "deliveries" or "stream" and "pages"',
    );
  }
  const connector = json['connector'];
  if (Array.isArray(json['deliveries'])) {
    json['deliveries'].forEach((d, i) => {
      if (!isRecord(d) || !('body' in d)) throw new Error(`deliveries[${i}] needs a "body"`);
    });
    return { kind: 'deliveries', connector, deliveries: json['deliveries'] as RecordedDelivery[] };
  }
  if (typeof json['stream'] === 'string' && Array.isArray(json['pages'])) {
    json['pages'].forEach((p, i) => {
      if (!isRecord(p) || !('body' in p)) throw new Error(`pages[${i}] needs a "body"`);
    });
    return {
      kind: 'pages',
      connector,
      stream: json['stream'],
      config: isRecord(json['config']) ? json['config'] : {},
      baseUrlConfig: typeof json['base_url_config'] === 'string' ? json['base_url_config'] : 'api_base',
      pages: json['pages'] as RecordedPage[],
    };
  }
  throw new Error('a replay fixture needs "deliveries", or "stream" and "pages"');
}

/** The name a payload goes by in the report. */
export const payloadName = (item: { readonly name?: string }, index: number): string =>
  item.name ?? `#${index}`;
