// The k-anonymous password check: only 5 hex digits of SHA-1 leave, Add-Padding is asked for, padding is ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { pwnedPasswordCount, passwordSha1, countInRange, matchAdvice } from '../../src/Leakwatch.Server/wwwroot/assets/leakwatch.js';

test('passwordSha1 is the upper-case SHA-1 of the UTF-8 password', async () => {
  for (const p of ['password', 'pässwörd', '🔑 key']) {
    assert.equal(await passwordSha1(p), createHash('sha1').update(p, 'utf8').digest('hex').toUpperCase());
  }
});

test('countInRange reads CRLF bodies, any case, and treats padding (:0) as absent', () => {
  const body = '0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n1E4C9B93F3F0682250B6CF8331B7EE68FD8:3\r\nFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0';
  assert.equal(countInRange(body, '1e4c9b93f3f0682250b6cf8331b7ee68fd8'), 3);
  assert.equal(countInRange(body, 'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF'), 0);
  assert.equal(countInRange(body, '00000000000000000000000000000000000'), 0);
});

test('pwnedPasswordCount sends the 5-hex prefix with Add-Padding and nothing else about the password', async () => {
  const seen = [];
  const fetch = async (url, init) => {
    seen.push({ url, init });
    return new Response('1E4C9B93F3F0682250B6CF8331B7EE68FD8:3\r\n0000000000000000000000000000000000A:0', { status: 200 });
  };
  assert.equal(await pwnedPasswordCount('password', { baseUrl: 'http://x.invalid/', fetch }), 3);
  assert.equal(seen.length, 1);
  assert.equal(seen[0].url, 'http://x.invalid/range/5BAA6');
  assert.equal(seen[0].init.headers['Add-Padding'], 'true');
  assert.equal(seen[0].init.body, undefined);
  assert.ok(!JSON.stringify(seen).includes('1E4C9B93F3F0682250B6CF8331B7EE68FD8'));
});

test('matchAdvice applies a rule when all classes of one of its sets were exposed', () => {
  const rules = [
    { id: 'identity', when: [['Names', 'Dates of birth']], title: 't', steps: [] },
    { id: 'location', when: [['Geographic locations'], ['Physical addresses']], title: 't', steps: [] },
  ];
  assert.deepEqual(matchAdvice(rules, ['Names']).map((r) => r.id), []);
  assert.deepEqual(matchAdvice(rules, new Set(['names', 'Dates of birth', 'Physical addresses'])).map((r) => r.id), ['identity', 'location']);
});
