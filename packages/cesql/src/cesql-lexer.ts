/** A lexical token. `start` is the 0-based offset of its first character. */
export type Token =
  | { readonly type: 'integer'; readonly text: string; readonly start: number }
  | { readonly type: 'string'; readonly value: string; readonly start: number }
  | { readonly type: 'word'; readonly text: string; readonly start: number }
  | { readonly type: 'symbol'; readonly text: string; readonly start: number }
  | { readonly type: 'end'; readonly start: number };

/** A lexing failure: what and where. */
export interface LexFailure {
  readonly message: string;
  readonly position: number;
}

const TWO_CHAR_SYMBOLS = new Set(['!=', '<>', '<=', '>=']);
const ONE_CHAR_SYMBOLS = new Set(['=', '<', '>', '+', '-', '*', '/', '%', '(', ')', ',']);

/** Splits `text` into tokens, ending with an `end` token. */
export function tokenize(text: string): { ok: true; tokens: Token[] } | { ok: false; failure: LexFailure } {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (isWordChar(c)) {
      const start = i;
      let allDigits = true;
      while (i < text.length && isWordChar(text.charCodeAt(i))) {
        if (!isDigit(text.charCodeAt(i))) allDigits = false;
        i++;
      }
      const word = text.slice(start, i);
      tokens.push(allDigits ? { type: 'integer', text: word, start } : { type: 'word', text: word, start });
      continue;
    }
    if (c === 0x27 || c === 0x22) {
      const read = readString(text, i);
      if (!read.ok) return read;
      tokens.push({ type: 'string', value: read.value, start: i });
      i = read.end;
      continue;
    }
    const two = text.slice(i, i + 2);
    if (TWO_CHAR_SYMBOLS.has(two)) {
      tokens.push({ type: 'symbol', text: two, start: i });
      i += 2;
      continue;
    }
    const one = text[i] ?? '';
    if (ONE_CHAR_SYMBOLS.has(one)) {
      tokens.push({ type: 'symbol', text: one, start: i });
      i++;
      continue;
    }
    const shown = String.fromCodePoint(text.codePointAt(i) ?? c);
    return { ok: false, failure: { message: `unexpected character ${JSON.stringify(shown)}`, position: i } };
  }
  tokens.push({ type: 'end', start: text.length });
  return { ok: true, tokens };
}

/**
 * Reads a quoted string literal. The only escape is a backslash before the delimiting quote (spec 2.2);
 * any other backslash is kept as written, so `'ab\c'` is the four characters a, b, \, c.
 */
function readString(
  text: string,
  open: number,
): { ok: true; value: string; end: number } | { ok: false; failure: LexFailure } {
  const quote = text[open];
  let value = '';
  let runStart = open + 1;
  let i = open + 1;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\' && text[i + 1] === quote) {
      value += text.slice(runStart, i) + quote;
      i += 2;
      runStart = i;
      continue;
    }
    if (ch === quote) return { ok: true, value: value + text.slice(runStart, i), end: i + 1 };
    i++;
  }
  return { ok: false, failure: { message: 'unterminated string literal', position: open } };
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0x0b;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isWordChar(c: number): boolean {
  return isDigit(c) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;
}
