/** An IP address as its bytes: 4 for IPv4, 16 for IPv6. */
export interface IpAddress {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
}

const IPV4_PART = /^(0|[1-9][0-9]{0,2})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

/**
 * Parses a dotted-quad IPv4 address (`127.0.0.1`; no octal, hex or short forms — the URL parser already
 * turns those into dotted quads), or null.
 */
export function parseIpv4(text: string): IpAddress | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (const [index, part] of parts.entries()) {
    if (!IPV4_PART.test(part)) return null;
    const value = Number(part);
    if (value > 255) return null;
    bytes[index] = value;
  }
  return { family: 4, bytes };
}

/**
 * Parses an IPv6 address: eight hex groups, one `::` for a run of zero groups, an optional dotted-quad
 * tail (`::ffff:127.0.0.1`), an optional zone (`fe80::1%eth0`, ignored) and optional brackets (`[::1]`, as
 * a URL's hostname has them). Null when it is not one.
 */
export function parseIpv6(text: string): IpAddress | null {
  let rest = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = rest.indexOf('%');
  if (zone !== -1) rest = rest.slice(0, zone);
  const halves = rest.split('::');
  if (halves.length > 2) return null;
  const head = groupsOf(halves[0] ?? '');
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? '') : [];
  if (head === null || tail === null) return null;
  const words = [...head, ...tail];
  if (halves.length === 1 ? words.length !== 8 : words.length > 7) return null;
  const zeros = new Array<number>(8 - words.length).fill(0);
  const all = halves.length === 2 ? [...head, ...zeros, ...tail] : head;
  const bytes = new Uint8Array(16);
  for (const [index, word] of all.entries()) {
    bytes[index * 2] = word >> 8;
    bytes[index * 2 + 1] = word & 0xff;
  }
  return { family: 6, bytes };
}

/** The 16-bit groups of one side of `::`; a trailing dotted quad counts as two groups. */
function groupsOf(side: string): number[] | null {
  if (side === '') return [];
  const parts = side.split(':');
  const words: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (index === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (v4 === null) return null;
      const [a = 0, b = 0, c = 0, d = 0] = v4.bytes;
      words.push((a << 8) | b, (c << 8) | d);
    } else if (HEX_GROUP.test(part)) {
      words.push(Number.parseInt(part, 16));
    } else {
      return null;
    }
  }
  return words;
}

/** Parses either family, or null when `text` is not an IP address literal. */
export function parseIp(text: string): IpAddress | null {
  return parseIpv4(text) ?? parseIpv6(text);
}

/** The usual text form: dotted quad, or the eight IPv6 groups in hex (uncompressed, lowercase). */
export function formatIp(address: IpAddress): string {
  if (address.family === 4) return [...address.bytes].join('.');
  const groups: string[] = [];
  for (let index = 0; index < 16; index += 2) {
    groups.push((((address.bytes[index] ?? 0) << 8) | (address.bytes[index + 1] ?? 0)).toString(16));
  }
  return groups.join(':');
}
