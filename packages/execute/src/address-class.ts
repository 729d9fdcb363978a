import { formatIp, type IpAddress, parseIpv4, parseIpv6 } from './ip-address.ts';

/** What kind of address a target resolved to; only `public` is reachable without opting in. */
export type AddressClass =
  | 'public'
  | 'private'
  | 'loopback'
  | 'link-local'
  | 'unique-local'
  | 'cgnat'
  | 'multicast'
  | 'unspecified'
  | 'metadata'
  | 'reserved';

/** The class of an address, and the IPv4 address inside it when an IPv6 form carries one. */
export interface AddressClassification {
  readonly class: AddressClass;
  /** How an embedded IPv4 address was found, when the class is that address's. */
  readonly via?: 'ipv4-mapped' | 'ipv4-compatible' | 'nat64' | '6to4';
  readonly embedded?: string;
}

interface Range {
  readonly base: IpAddress;
  readonly bits: number;
  readonly class: AddressClass;
}

function v4(cidr: string, cls: AddressClass): Range {
  const [base = '', bits = '32'] = cidr.split('/');
  const address = parseIpv4(base);
  if (address === null) throw new Error(`bad IPv4 range ${cidr}`);
  return { base: address, bits: Number(bits), class: cls };
}

function v6(cidr: string, cls: AddressClass): Range {
  const [base = '', bits = '128'] = cidr.split('/');
  const address = parseIpv6(base);
  if (address === null) throw new Error(`bad IPv6 range ${cidr}`);
  return { base: address, bits: Number(bits), class: cls };
}

/** IPv4 special-purpose ranges (RFC 6890 and the cloud metadata endpoints), most specific first. */
const IPV4_RANGES: ReadonlyArray<Range> = [
  v4('169.254.169.254/32', 'metadata'), // AWS, GCP, Azure, OpenStack instance metadata
  v4('169.254.170.2/32', 'metadata'), // AWS ECS task metadata
  v4('100.100.100.200/32', 'metadata'), // Alibaba Cloud metadata
  v4('0.0.0.0/8', 'unspecified'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'cgnat'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'reserved'), // IETF protocol assignments
  v4('192.0.2.0/24', 'reserved'), // documentation
  v4('192.88.99.0/24', 'reserved'), // 6to4 relay anycast
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'reserved'), // benchmarking
  v4('198.51.100.0/24', 'reserved'), // documentation
  v4('203.0.113.0/24', 'reserved'), // documentation
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'), // future use, and 255.255.255.255 broadcast
];

/** IPv6 special-purpose ranges that carry no IPv4 address, most specific first. */
const IPV6_RANGES: ReadonlyArray<Range> = [
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('fd00:ec2::254/128', 'metadata'), // AWS instance metadata over IPv6
  v6('64:ff9b:1::/48', 'private'), // local-use NAT64
  v6('100::/64', 'reserved'), // discard
  v6('2001::/32', 'reserved'), // Teredo: the IPv4 part is obfuscated, so it cannot be checked
  v6('2001:db8::/32', 'reserved'), // documentation
  v6('fc00::/7', 'unique-local'),
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'private'), // site-local, deprecated
  v6('ff00::/8', 'multicast'),
];

/** IPv6 ranges whose addresses stand for an IPv4 address: the class is that address's. */
const EMBEDDING: ReadonlyArray<{ range: Range; offset: number; via: AddressClassification['via'] }> = [
  { range: v6('::ffff:0:0/96', 'reserved'), offset: 12, via: 'ipv4-mapped' },
  { range: v6('64:ff9b::/96', 'reserved'), offset: 12, via: 'nat64' },
  { range: v6('2002::/16', 'reserved'), offset: 2, via: '6to4' },
  { range: v6('::/96', 'reserved'), offset: 12, via: 'ipv4-compatible' },
];

function inRange(address: IpAddress, range: Range): boolean {
  if (address.family !== range.base.family) return false;
  let bits = range.bits;
  for (let index = 0; bits > 0; index += 1, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if (((address.bytes[index] ?? 0) & mask) !== ((range.base.bytes[index] ?? 0) & mask)) return false;
  }
  return true;
}

/**
 * Classifies an address. IPv4-mapped (`::ffff:10.0.0.1`), IPv4-compatible, NAT64 (`64:ff9b::/96`) and 6to4
 * (`2002::/16`) addresses take the class of the IPv4 address they carry, so a private address cannot hide
 * in an IPv6 form.
 */
export function classifyAddress(address: IpAddress): AddressClassification {
  const ranges = address.family === 4 ? IPV4_RANGES : IPV6_RANGES;
  for (const range of ranges) {
    if (inRange(address, range)) return { class: range.class };
  }
  if (address.family === 6) {
    for (const { range, offset, via } of EMBEDDING) {
      if (!inRange(address, range)) continue;
      const inner: IpAddress = { family: 4, bytes: address.bytes.slice(offset, offset + 4) };
      const embedded = classifyAddress(inner);
      return { class: embedded.class, ...(via === undefined ? {} : { via }), embedded: formatIp(inner) };
    }
  }
  return { class: 'public' };
}

/** Classes a deployment may reach when it opts in to private targets (`SLUICE_ALLOW_PRIVATE_TARGETS=1`). */
export const PRIVATE_CLASSES: ReadonlySet<AddressClass> = new Set([
  'private',
  'loopback',
  'link-local',
  'unique-local',
  'cgnat',
]);

/**
 * Whether an outbound delivery may connect to an address of this class. `public` always; the private
 * classes only with `allowPrivate`; metadata endpoints, multicast, unspecified and reserved addresses never
 * (no webhook receiver lives there, and the metadata endpoint hands out cloud credentials).
 */
export function isAllowedClass(cls: AddressClass, allowPrivate: boolean): boolean {
  return cls === 'public' || (allowPrivate && PRIVATE_CLASSES.has(cls));
}
