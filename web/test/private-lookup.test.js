// The private-lookup client: the protocol vectors shared with C# (tests/vectors/private-v1.json), then the whole
// client algorithm (§6) against a server written from the doc (fake-private-server.js), run in-process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import {
  PrivateLookupClient, LeakwatchError, bucketOf, openBucket, entryKeys, maxSectionBits, sectionOf,
} from '../../src/Leakwatch.Server/wwwroot/assets/leakwatch.js';
import { fakePrivateServer } from './fake-private-server.js';

const vectors = JSON.parse(readFileSync(new URL('../../tests/vectors/private-v1.json', import.meta.url), 'utf8'));
const hex = (h) => Uint8Array.from(Buffer.from(h, 'hex'));
const salt = hex(vectors.salt);

test('bucketOf gives the vector buckets (leading bits of the labelled SHA-256)', async () => {
  for (const c of vectors.cases) assert.equal(await bucketOf(c.x, c.bucketBits), c.bucket, c.x);
  await assert.rejects(bucketOf('email:a@example.com', 25), RangeError);
});

test('the OPRF output of the vector key is the vector y (noble client = OprfSuite.Evaluate)', () => {
  const oprf = ristretto255_oprf.oprf;
  const keys = oprf.deriveKeyPair(hex(vectors.seed), new TextEncoder().encode(vectors.keyInfo));
  assert.equal(Buffer.from(keys.secretKey).toString('hex'), vectors.secretKey);
  for (const c of vectors.cases) {
    const input = new TextEncoder().encode(c.x);
    const { blind, blinded } = oprf.blind(input);
    const y = oprf.finalize(input, blind, oprf.blindEvaluate(keys.secretKey, blinded));
    assert.equal(Buffer.from(y).toString('hex'), c.y, c.x);
  }
});

test('WebCrypto HKDF gives the vector keychecks and pads', async () => {
  for (const c of vectors.cases) {
    const k = await entryKeys(hex(c.y), salt);
    for (const e of c.entries) {
      assert.equal(Buffer.from(await k.keycheck(e.i)).toString('hex'), e.keycheck);
      assert.equal(Buffer.from(await k.pad(e.i, hex(e.nonce))).toString('hex'), e.pad);
    }
  }
});

test('openBucket decodes the vector entries among dummies, following the "more" flag', async () => {
  for (const c of vectors.cases) {
    const dummies = Array.from({ length: 13 }, () => crypto.getRandomValues(new Uint8Array(48)));
    const all = [...c.entries.map((e) => hex(e.entry)), ...dummies].sort((a, b) => Buffer.compare(a.subarray(0, 16), b.subarray(0, 16)));
    const bucket = Uint8Array.from(Buffer.concat(all));
    assert.deepEqual(await openBucket(bucket, hex(c.y), salt), c.ids, c.x);
    // Another identifier's y opens nothing in the same bucket.
    const other = vectors.cases[(vectors.cases.indexOf(c) + 1) % vectors.cases.length];
    assert.deepEqual(await openBucket(bucket, hex(other.y), salt), [], `${other.x} in ${c.x}'s bucket`);
  }
});

test('openBucket stops at the first missing entry: a chain cut short yields its first part only', async () => {
  const c = vectors.cases.find((v) => v.entries.length === 2);
  const bucket = hex(c.entries[0].entry);
  assert.deepEqual(await openBucket(bucket, hex(c.y), salt), c.ids.slice(0, 11));
});

const breaches = [{ id: 1, name: 'Alpha' }, { id: 2, name: 'Beta' }, { id: 3, name: 'Gamma' }];
const many = Array.from({ length: 14 }, (_, i) => i + 1);
const records = [
  { x: 'email:alice@example.com', ids: [1, 2] },
  { x: 'phone:+447911123456', ids: [3] },
  { x: 'email:many@example.com', ids: many },
  { x: 'email:ghost@example.com', ids: [99] }, // a breach the config does not list (removed, sensitive)
];

async function setup(opts = {}) {
  const server = await fakePrivateServer({ records, breaches: [...breaches, ...many.slice(3).map((id) => ({ id, name: `B${id}` }))], ...opts });
  return { server, client: new PrivateLookupClient({ baseUrl: 'http://fake.invalid', fetch: server.fetch }) };
}

test('lookup finds an email and a national-format phone with exactly their breaches', async () => {
  const { client } = await setup();
  assert.deepEqual(await client.lookup('  ALICE@example.com '), { kind: 'email', found: true, breaches: [{ id: 1, name: 'Alpha' }, { id: 2, name: 'Beta' }] });
  assert.deepEqual(await client.lookup('07911 123456', { region: 'GB' }), { kind: 'phone', found: true, breaches: [{ id: 3, name: 'Gamma' }] });
  const m = await client.lookup('many@example.com');
  assert.deepEqual(m.breaches.map((b) => b.id), many);
});

test('lookup reports an absent identifier, and one whose ids the config does not list, as not found', async () => {
  const { client } = await setup();
  assert.deepEqual(await client.lookup('nobody@example.com'), { kind: 'email', found: false, breaches: [] });
  assert.deepEqual(await client.lookup('ghost@example.com'), { kind: 'email', found: false, breaches: [] });
});

test('what the client sends is the bucket and a fresh blinded element, never the identifier', async () => {
  const { server, client } = await setup();
  await client.lookup('alice@example.com');
  await client.lookup('alice@example.com');
  const posts = server.requests.filter((r) => r.method === 'POST');
  assert.equal(posts.length, 2);
  const bodies = posts.map((p) => JSON.parse(p.body));
  for (const b of bodies) assert.deepEqual(Object.keys(b).sort(), ['blindedElement', 'bucket']);
  assert.equal(bodies[0].bucket, bodies[1].bucket);
  assert.notEqual(bodies[0].blindedElement, bodies[1].blindedElement, 'a blinded element must never repeat');
  for (const r of server.requests) assert.ok(!JSON.stringify(r).toLowerCase().includes('alice'), r.url);
  assert.equal(server.requests.filter((r) => r.url.endsWith('/api/private/config')).length, 1, 'config is fetched once');
});

test('a key rotated between config and evaluation: the client refetches the config and retries once', async () => {
  const { server, client } = await setup();
  await client.config();
  await server.rotate('00000000000000bb');
  const r = await client.lookup('alice@example.com');
  assert.deepEqual(r.breaches.map((b) => b.name), ['Alpha', 'Beta']);
  assert.equal(server.requests.filter((q) => q.url.endsWith('/api/private/config')).length, 2);
  assert.equal(server.requests.filter((q) => q.method === 'POST').length, 2);
});

test('a key that keeps changing fails with key-rotated after one retry', async () => {
  const { server, client } = await setup();
  server.state.evaluateOverride = (a) => ({ ...a, keyId: 'ffffffffffffffff' });
  await assert.rejects(client.lookup('alice@example.com'), (e) => e instanceof LeakwatchError && e.code === 'key-rotated');
  assert.equal(server.requests.filter((q) => q.method === 'POST').length, 2);
});

test('429 surfaces as rate-limited with retry-after; 404 as not-enabled; invalid input sends nothing', async () => {
  const { server, client } = await setup({ rpmLeft: 0 });
  await assert.rejects(client.lookup('alice@example.com'), (e) => e.code === 'rate-limited' && e.retryAfter === 7);
  const none = new PrivateLookupClient({ baseUrl: 'http://x.invalid', fetch: async () => new Response('{"statusCode":404,"message":"no private index"}', { status: 404 }) });
  await assert.rejects(none.lookup('alice@example.com'), (e) => e.code === 'not-enabled');
  const before = server.requests.length;
  await assert.rejects(client.lookup('not-an-email@'), (e) => e.code === 'invalid-input');
  await assert.rejects(client.lookup('12345', { region: 'US' }), (e) => e.code === 'invalid-input');
  assert.equal(server.requests.length, before);
});

test('malformed answers are refused: wrong bucket echoed, short entries, bad element', async () => {
  for (const [override, pattern] of [
    [(a) => ({ ...a, bucket: a.bucket ^ 1 }), /bucket/],
    [(a) => ({ ...a, entries: a.entries.slice(0, 64) }), /bytes/],
    [(a) => ({ ...a, evaluatedElement: Buffer.alloc(32, 0xff).toString('base64') }), /evaluatedElement/],
  ]) {
    const { server, client } = await setup();
    server.state.evaluateOverride = override;
    await assert.rejects(client.lookup('alice@example.com'), (e) => e.code === 'bad-response' && pattern.test(e.message));
  }
});

test('phone buckets are chosen within the calling code section; a calling code the index lacks is not found without asking', async () => {
  const { server, client } = await setup();
  const config = await client.config();
  assert.deepEqual([...config.layout.keys()], [0, 44]);
  await client.lookup('+447911123456');
  const post = JSON.parse(server.requests.filter((r) => r.method === 'POST').at(-1).body);
  const uk = config.layout.get(44);
  assert.ok(post.bucket >= uk.first && post.bucket < uk.first + 2 ** uk.bits, `bucket ${post.bucket}`);
  const before = server.requests.length;
  assert.deepEqual(await client.lookup('+3545512345'), { kind: 'phone', found: false, breaches: [] });
  assert.equal(server.requests.length, before, 'no +354 section: nothing sent');
});

test('the plan bounds: a phone bucket holds at least 10,000 possible numbers of its plan (Iceland, +1)', () => {
  for (const code of [354, 1, 298]) {
    const bits = maxSectionBits(code);
    assert.ok(bits >= 1 && bits <= 24, `+${code}: ${bits}`);
    assert.equal(sectionOf(`phone:+${code}5512345`), code);
  }
  assert.equal(maxSectionBits(0), 24);
  assert.equal(maxSectionBits(999), -1);
  assert.equal(maxSectionBits(683), 0); // Niue: the whole plan is smaller than a crowd
});

test('a server config asking for finer buckets than the bound is refused before anything is sent', async () => {
  const cases = [
    [(c) => ({ ...c, sections: c.sections.map((s) => (s.callingCode === 44 ? { ...s, bucketBits: maxSectionBits(44) + 1 } : s)) }), /\+44 exceeds its bound/],
    [(c) => ({ ...c, sections: c.sections.map((s) => (s.kind === 'email' ? { ...s, bucketBits: 25 } : s)) }), /email bucketBits 25/],
    [(c) => ({ ...c, sections: [...c.sections, { kind: 'phone', callingCode: 354, bucketBits: 10, first: c.bucketCount }], bucketCount: c.bucketCount + 1024 }), /\+354 exceeds its bound 9/],
    [(c) => ({ ...c, version: 1, bucketBits: 3 }), /version 2/],
  ];
  for (const [override, pattern] of cases) {
    const { server, client } = await setup();
    server.state.configOverride = override;
    await assert.rejects(client.lookup('alice@example.com'), (e) => e.code === 'bad-response' && pattern.test(e.message), String(pattern));
    assert.equal(server.requests.filter((r) => r.method === 'POST').length, 0);
  }
});

test('with a static export the bucket comes from staticUrl/private/<generation>/<bucket>, never another generation', async () => {
  const { server, client } = await setup();
  server.state.staticUrl = 'https://static.fake.invalid/lw';
  server.state.staticGenerations.add(7);
  assert.deepEqual((await client.lookup('alice@example.com')).breaches.map((b) => b.name), ['Alpha', 'Beta']);
  const gets = server.requests.filter((r) => r.url.startsWith('https://static.fake.invalid/lw/private/'));
  assert.equal(gets.length, 1);
  assert.match(gets[0].url, /^https:\/\/static\.fake\.invalid\/lw\/private\/7\/\d+$/);
  assert.equal(server.requests.filter((r) => r.method === 'POST').length, 1);

  // A publish the export has not caught up with: generation 8 is not static yet; the client asks the server, once.
  server.state.generation = 8;
  const fresh = new PrivateLookupClient({ baseUrl: 'http://fake.invalid', fetch: server.fetch });
  const before = server.requests.length;
  assert.deepEqual((await fresh.lookup('alice@example.com')).breaches.map((b) => b.name), ['Alpha', 'Beta']);
  const after = server.requests.slice(before);
  assert.ok(!after.some((r) => r.url.includes('/private/7/')), 'never the previous generation');
  assert.equal(after.filter((r) => r.url.includes('/private/8/')).length, 1);
  const posts = after.filter((r) => r.method === 'POST').map((r) => JSON.parse(r.body));
  assert.deepEqual(posts.map((b) => b.entries), [undefined, true]);
  assert.equal(posts[0].blindedElement, posts[1].blindedElement, 'the same element asked again, not a new guess');
});
