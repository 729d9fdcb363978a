import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** Loopback, private, link-local, unique-local and unspecified ranges: not a public broker. */
const PRIVATE = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  PRIVATE.addSubnet(network, prefix, 'ipv6');
}

/** True when the address is in a loopback or private range (IPv4-mapped IPv6 counts as its IPv4). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped !== undefined) return PRIVATE.check(mapped, 'ipv4');
  const family = isIP(address);
  if (family === 0) return false;
  return PRIVATE.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Null when the broker host may be connected to; else why not. A tenant's broker URL must not reach the
 * platform's own network, so a host resolving to a loopback or private address is refused unless the
 * operator allows private targets (`SLUICE_ALLOW_PRIVATE_TARGETS`, for on-premises gateways and tests).
 */
export async function brokerTargetRefusal(host: string, allowPrivate: boolean): Promise<string | null> {
  if (allowPrivate) return null;
  let addresses: string[];
  try {
    addresses = isIP(host) === 0 ? (await lookup(host, { all: true })).map((a) => a.address) : [host];
  } catch (error) {
    return `broker host ${JSON.stringify(host)} does not resolve: ${(error as Error).message}`;
  }
  const blocked = addresses.find(isPrivateAddress);
  return blocked === undefined
    ? null
    : `broker host ${JSON.stringify(host)} resolves to the private address ${blocked}; set SLUICE_ALLOW_PRIVATE_TARGETS to allow it`;
}
