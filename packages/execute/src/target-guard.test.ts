import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkAddress, checkTargetUrl } from './target-guard.ts';

const strict = { allowPrivate: false };
const open = { allowPrivate: true };

describe('checkTargetUrl', () => {
  it('accepts http and https URLs with a public or named host', () => {
    const named = checkTargetUrl('https://hooks.example.com/in?x=1', strict);
    assert.ok(named.ok);
    assert.equal(named.literal, null);
    const literal = checkTargetUrl('http://93.184.216.34:8080/hook', strict);
    assert.ok(literal.ok);
    assert.equal(literal.literal, '93.184.216.34');
  });

  it('refuses what is not an http(s) URL', () => {
    for (const [url, rule] of [
      ['not a url', 'url_invalid'],
      ['ftp://example.com/x', 'url_scheme'],
      ['file:///etc/passwd', 'url_scheme'],
      ['javascript:alert(1)', 'url_scheme'],
      ['gopher://example.com', 'url_scheme'],
      [`https://example.com/${'a'.repeat(2100)}`, 'url_invalid'],
    ] as const) {
      const check = checkTargetUrl(url, open);
      assert.equal(check.ok, false, url);
      assert.equal(!check.ok && check.rule, rule, url);
    }
  });

  it('refuses credentials in the URL', () => {
    for (const url of [
      'https://user:pass@example.com/',
      'https://user@example.com/',
      'https://:p@example.com/',
    ]) {
      const check = checkTargetUrl(url, open);
      assert.equal(!check.ok && check.rule, 'url_credentials', url);
    }
  });

  it('refuses loopback, private, link-local and IPv6 internal literals unless private targets are allowed', () => {
    for (const url of [
      'http://127.0.0.1:8080/',
      'http://10.0.0.5/',
      'http://192.168.1.1/',
      'http://100.64.1.1/',
      'http://[::1]:3000/',
      'http://[fd00::5]/',
      'http://[fe80::1]/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::ffff:7f00:1]/',
      // The URL parser turns these spellings into 127.0.0.1 before the check sees them.
      'http://2130706433/',
      'http://0x7f.0.0.1/',
      'http://127.1/',
    ]) {
      const refused = checkTargetUrl(url, strict);
      assert.equal(!refused.ok && refused.rule, 'address_not_allowed', url);
      assert.match(!refused.ok ? refused.message : '', /SLUICE_ALLOW_PRIVATE_TARGETS=1/);
      assert.equal(checkTargetUrl(url, open).ok, true, url);
    }
  });

  it('refuses the metadata endpoint, multicast and unspecified addresses even when private targets are allowed', () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://[::ffff:169.254.169.254]/',
      'http://[fd00:ec2::254]/',
      'http://0.0.0.0:8080/',
      'http://[::]/',
      'http://224.0.0.1/',
    ]) {
      const refused = checkTargetUrl(url, open);
      assert.equal(!refused.ok && refused.rule, 'address_not_allowed', url);
    }
  });

  it('names the embedded address of a mapped IPv6 literal', () => {
    const refused = checkTargetUrl('http://[::ffff:10.0.0.1]/', strict);
    assert.match(!refused.ok ? refused.message : '', /ipv4-mapped 10\.0\.0\.1\) is a private address/);
  });
});

describe('checkAddress', () => {
  it('is null for an allowed address and a refusal otherwise', () => {
    assert.equal(checkAddress('8.8.8.8', strict), null);
    assert.equal(checkAddress('127.0.0.1', open), null);
    assert.equal(checkAddress('127.0.0.1', strict)?.rule, 'address_not_allowed');
    assert.equal(checkAddress('not-an-ip', open)?.rule, 'address_not_allowed');
  });
});
