import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AddressClass, classifyAddress, isAllowedClass } from './address-class.ts';
import { formatIp, parseIp, parseIpv4, parseIpv6 } from './ip-address.ts';

function classOf(text: string): AddressClass {
  const address = parseIp(text);
  assert.ok(address, `${text} parses`);
  return classifyAddress(address).class;
}

describe('parseIp', () => {
  it('parses dotted quads and refuses other IPv4 forms', () => {
    assert.deepEqual([...(parseIpv4('192.168.1.20')?.bytes ?? [])], [192, 168, 1, 20]);
    for (const bad of ['256.0.0.1', '1.2.3', '01.2.3.4', '1.2.3.4.5', '0x7f.0.0.1', '', 'a.b.c.d']) {
      assert.equal(parseIpv4(bad), null, bad);
    }
  });

  it('parses IPv6 with compression, brackets, zones and a dotted-quad tail', () => {
    assert.equal(formatIp(parseIpv6('::1')!), '0:0:0:0:0:0:0:1');
    assert.equal(formatIp(parseIpv6('[fe80::1%eth0]')!), 'fe80:0:0:0:0:0:0:1');
    assert.equal(formatIp(parseIpv6('::ffff:127.0.0.1')!), '0:0:0:0:0:ffff:7f00:1');
    assert.equal(formatIp(parseIpv6('2001:db8:0:0:1:0:0:1')!), '2001:db8:0:0:1:0:0:1');
    assert.equal(formatIp(parseIpv6('1::')!), '1:0:0:0:0:0:0:0');
    for (const bad of ['1:2:3:4:5:6:7', '1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7:8:9', '::1.2.3']) {
      assert.equal(parseIpv6(bad), null, bad);
    }
  });
});

describe('classifyAddress', () => {
  const table: ReadonlyArray<[string, AddressClass]> = [
    ['8.8.8.8', 'public'],
    ['93.184.216.34', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.0.10', 'private'],
    ['100.64.0.1', 'cgnat'],
    ['100.127.255.255', 'cgnat'],
    ['100.128.0.1', 'public'],
    ['169.254.1.1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['febf::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fd00:ec2::254', 'metadata'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:8.8.8.8', 'public'],
    ['::127.0.0.1', 'loopback'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['64:ff9b::8.8.8.8', 'public'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:c0a8:101::1', 'private'],
  ];
  for (const [address, expected] of table) {
    it(`${address} is ${expected}`, () => assert.equal(classOf(address), expected));
  }

  it('names the IPv4 address inside an IPv6 form', () => {
    assert.deepEqual(classifyAddress(parseIp('::ffff:10.0.0.1')!), {
      class: 'private',
      via: 'ipv4-mapped',
      embedded: '10.0.0.1',
    });
  });
});

describe('isAllowedClass', () => {
  it('admits only public addresses by default', () => {
    assert.equal(isAllowedClass('public', false), true);
    for (const cls of ['private', 'loopback', 'link-local', 'unique-local', 'cgnat'] as const) {
      assert.equal(isAllowedClass(cls, false), false, cls);
      assert.equal(isAllowedClass(cls, true), true, cls);
    }
  });

  it('never admits metadata, multicast, unspecified or reserved addresses', () => {
    for (const cls of ['metadata', 'multicast', 'unspecified', 'reserved'] as const) {
      assert.equal(isAllowedClass(cls, true), false, cls);
    }
  });
});
