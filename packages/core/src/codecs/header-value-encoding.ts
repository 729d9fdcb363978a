import { Buffer } from 'node:buffer';

/**
 * Percent-encode an attribute value for an HTTP header (CloudEvents HTTP binding §3.1.3.2):
 * space, `"`, `%` and every character outside printable ASCII become the `%XY` bytes of their
 * UTF-8 encoding, upper-case hex; a surrogate pair is one character.
 */
export function encodeHeaderValue(value: string): string {
  let encoded = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code > 0x20 && code < 0x7f && code !== 0x22 && code !== 0x25) {
      encoded += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) {
      encoded += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return encoded;
}

/**
 * Decode a header value into an attribute value: first unescape RFC 7230 double-quoted strings
 * (older senders quote instead of percent-encoding), then one round of percent-decoding.
 * Returns null for an unterminated quote, a malformed escape or invalid (e.g. overlong) UTF-8.
 */
export function decodeHeaderValue(raw: string): string | null {
  const unquoted = unquote(raw.trim());
  if (unquoted === null) return null;
  try {
    return decodeURIComponent(unquoted);
  } catch {
    return null;
  }
}

function unquote(value: string): string | null {
  if (!value.includes('"')) return value;
  let out = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (char === '"') {
      quoted = !quoted;
    } else if (quoted && char === '\\') {
      i++;
      if (i >= value.length) return null;
      out += value[i];
    } else {
      out += char;
    }
  }
  return quoted ? null : out;
}
