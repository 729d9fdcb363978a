import Table from 'cli-table3';
import pc from 'picocolors';
import { ApiError } from './api-client.ts';

type Colors = ReturnType<typeof pc.createColors>;

/** Where a command writes: stdout for its result, stderr for notes and errors. */
export interface Streams {
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
}

/**
 * Whether to colour a stream: only a terminal, and never when NO_COLOR is set (picocolors reads it, and
 * `--no-color`). picocolors alone would also colour a pipe under CI or FORCE_COLOR; a pipe stays plain here.
 */
export const colorFor = (stream: { readonly isTTY?: boolean }, json: boolean): boolean =>
  !json && stream.isTTY === true && pc.isColorSupported;

const BORDERLESS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: '  ',
};

/** How a command shows what it did: a table or lines for people, JSON with `--json`. */
export class Output {
  readonly json: boolean;
  /** Colours for stdout (no-ops off a terminal). */
  readonly color: Colors;
  readonly streams: Streams;

  constructor(json: boolean, streams: Streams = { stdout: process.stdout, stderr: process.stderr }) {
    this.json = json;
    this.streams = streams;
    this.color = pc.createColors(colorFor(streams.stdout, json));
  }

  /** Whether progress may be redrawn in place: a terminal on stderr, and not `--json`. */
  get interactive(): boolean {
    return !this.json && this.streams.stderr.isTTY === true;
  }

  /** Writes text to stdout as is. */
  print(text: string): void {
    this.streams.stdout.write(text);
  }

  /** A note for people on stderr (so stdout stays the result, and `--json` stays parseable). */
  note(text: string): void {
    this.streams.stderr.write(`${text}\n`);
  }

  /** The command's result: `value` as JSON with `--json`, else what `human` makes of it. */
  result(value: unknown, human: () => string): void {
    this.print(this.json ? `${JSON.stringify(value, null, 2)}\n` : human());
  }

  /** One record of a stream of results (tail, listen): a JSON line with `--json`. */
  line(value: unknown, human: () => string): void {
    this.print(this.json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
  }

  /** A borderless table with a header row; empty: `none`. */
  table(headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>, none: string): string {
    if (rows.length === 0) return `${none}\n`;
    const table = new Table({
      head: headers.map((h) => this.color.bold(h)),
      chars: BORDERLESS,
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    });
    table.push(...rows.map((row) => [...row]));
    return `${table
      .toString()
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')}\n`;
  }

  /** `key  value` lines, the keys aligned. */
  fields(entries: ReadonlyArray<readonly [string, string]>): string {
    const width = Math.max(...entries.map(([k]) => k.length));
    return entries.map(([k, v]) => `${this.color.dim(k.padEnd(width))}  ${v}\n`).join('');
  }

  /** Reports a failure on stderr: the API error's code, message and hint (as JSON with `--json`). */
  fail(error: unknown): void {
    const colors = pc.createColors(colorFor(this.streams.stderr, this.json));
    if (error instanceof ApiError) {
      if (this.json) {
        const body = { code: error.code, message: error.message, status: error.status, hint: error.hint };
        this.streams.stderr.write(
          `${JSON.stringify({ error: error.details === undefined ? body : { ...body, details: error.details } })}\n`,
        );
        return;
      }
      const status = error.status > 0 ? ` (${error.status})` : '';
      const lines = [`${colors.red('error')} ${colors.bold(error.code)}${status}: ${error.message}`];
      for (const problem of problemsOf(error.details)) lines.push(`  - ${problem}`);
      if (error.hint !== null) lines.push(`${colors.dim('hint')}: ${error.hint}`);
      this.streams.stderr.write(`${lines.join('\n')}\n`);
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    this.streams.stderr.write(
      this.json
        ? `${JSON.stringify({ error: { code: 'cli_error', message } })}\n`
        : `${colors.red('error')}: ${message}\n`,
    );
  }
}

/** The problems of an error's details (a rejected trigger's, a request's validation), one line each. */
function problemsOf(details: unknown): string[] {
  const list = Array.isArray(details)
    ? details
    : Array.isArray((details as { problems?: unknown } | null)?.problems)
      ? (details as { problems: unknown[] }).problems
      : [];
  return list.map((p) => {
    const { path, instancePath, message } = p as { path?: string; instancePath?: string; message?: string };
    const at = path ?? instancePath;
    return `${at === undefined || at === '' ? '' : `${at}: `}${message ?? JSON.stringify(p)}`;
  });
}
