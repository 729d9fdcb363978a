/** A token of the text condition form; `column` is 1-based. */
export interface Token {
  readonly kind: 'word' | 'string' | 'number' | 'punct' | 'end';
  readonly text: string;
  readonly column: number;
}

/** The tokens, or the column of the first character that starts no token. */
export type Lexed =
  | { readonly ok: true; readonly tokens: ReadonlyArray<Token> }
  | { readonly ok: false; readonly column: number; readonly message: string };

const SPACE = /[ \t\r\n]+/y;
const WORD = /[A-Za-z_][A-Za-z0-9_.-]*/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// One JSON string: plain characters or escapes, never ambiguous, so matching is linear.
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings exclude raw control characters.
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const PUNCT = '()[],';

function sticky(pattern: RegExp, text: string, at: number): string | null {
  pattern.lastIndex = at;
  return pattern.exec(text)?.[0] ?? null;
}

/** Splits condition text into tokens. Linear in the text and never throws. */
export function lexCondition(text: string): Lexed {
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const space = sticky(SPACE, text, at);
    if (space !== null) {
      at += space.length;
      continue;
    }
    const char = text[at] ?? '';
    const column = at + 1;
    if (PUNCT.includes(char)) {
      tokens.push({ kind: 'punct', text: char, column });
      at++;
      continue;
    }
    const kind = char === '"' ? 'string' : char === '-' || (char >= '0' && char <= '9') ? 'number' : 'word';
    const match = sticky(kind === 'string' ? STRING : kind === 'number' ? NUMBER : WORD, text, at);
    if (match === null) {
      const message =
        kind === 'string'
          ? `column ${column}: unterminated or invalid string (strings are JSON strings in double quotes)`
          : `column ${column}: unexpected character ${JSON.stringify(char)}`;
      return { ok: false, column, message };
    }
    tokens.push({ kind, text: match, column });
    at += match.length;
  }
  tokens.push({ kind: 'end', text: '', column: text.length + 1 });
  return { ok: true, tokens };
}
