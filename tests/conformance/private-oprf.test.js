// The private tier (docs/private-lookup.md, leakwatch/private/v1) against a live Leakwatch server over data the
// real CLI ingested with --private. Two clients: an independent one written here from the doc with
// @noble/curves' RFC 9497 OPRF and node:crypto (no code shared with web/), and the committed page bundle
// (src/Leakwatch.Server/wwwroot/assets/leakwatch.js) loaded as a module. Expected answers are the CLI's
// `check --json` (fixture from run.sh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createHash, hkdfSync } from 'node:crypto';
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import * as bundle from '../../src/Leakwatch.Server/wwwroot/assets/leakwatch.js';

const fx = JSON.parse(readFileSync(process.env.LEAKWATCH_FIXTURE, 'utf8'));
const base = fx.baseUrl;
const oprf = ristretto255_oprf.oprf;
const sorted = (a) => [...a].sort();

async function config() {
  const r = await fetch(`${base}/api/private/config`);
  assert.equal(r.status, 200);
  return r.json();
}

async function evaluate(body) {
  return fetch(`${base}/api/private/evaluate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

// §2's numbering plans: valid numbers per calling code, the table the doc names (calling codes are prefix-free).
const plans = new Map(readFileSync(new URL('../../src/Leakwatch.Core/Resources/numbering-plans.txt', import.meta.url), 'utf8')
  .split('\n').filter((l) => /^\d/.test(l)).map((l) => l.split(' ')).map(([c, n]) => [Number(c), BigInt(n)]));

/** §2's bound: 24 for emails; for a calling code the largest b <= 24 with floor(plan / 2^b) >= 10,000 (0 if none). */
function bound(code) {
  if (code === 0) return 24;
  let b = 0;
  while (b < 24 && plans.get(code) >> BigInt(b + 1) >= 10000n) b++;
  return b;
}

/** §2: the config's sections as { code: { bits, first } }; throws on a section finer than its bound. */
function layoutOf(cfg) {
  const layout = new Map();
  let first = 0;
  for (const s of [...cfg.sections].sort((a, b) => (a.callingCode ?? 0) - (b.callingCode ?? 0))) {
    const code = s.kind === 'email' ? 0 : s.callingCode;
    assert.ok(code === 0 || plans.has(code), `unknown section ${code}`);
    if (s.bucketBits > bound(code)) throw new Error(`section ${code}: bucketBits ${s.bucketBits} above the bound ${bound(code)}`);
    assert.equal(s.first, first, `section ${code} first`);
    layout.set(code, { bits: s.bucketBits, first });
    first += 2 ** s.bucketBits;
  }
  assert.equal(cfg.bucketCount, first);
  return layout;
}

function sectionOf(x) {
  if (!x.startsWith('phone:+')) return 0;
  for (let n = 1; n <= 3; n++) if (plans.has(Number(x.slice(7, 7 + n)))) return Number(x.slice(7, 7 + n));
  throw new Error(`no calling code in ${x}`);
}

/** §1–§6 from the doc, independently of web/: returns the breach names, or [] when absent. */
async function independentLookup(x, cfg) {
  const input = Buffer.from(x, 'utf8');
  const section = layoutOf(cfg).get(sectionOf(x));
  if (section === undefined) return []; // nothing indexed under this calling code: nothing to ask
  const h = createHash('sha256').update(Buffer.concat([Buffer.from('leakwatch/private/v1/bucket'), Buffer.from([0]), input])).digest();
  const bucket = section.first + (section.bits === 0 ? 0 : Number(BigInt(`0x${h.toString('hex')}`) >> BigInt(256 - section.bits)));
  const { blind, blinded } = oprf.blind(input);
  const r = await evaluate({ bucket, blindedElement: Buffer.from(blinded).toString('base64') });
  assert.equal(r.status, 200, await r.clone().text());
  const body = await r.json();
  assert.equal(body.keyId, cfg.keyId);
  assert.equal(body.bucket, bucket);
  const y = oprf.finalize(input, blind, Buffer.from(body.evaluatedElement, 'base64'));
  const entries = Buffer.from(body.entries, 'base64');
  assert.equal(entries.length, cfg.bucketEntries * 48);
  const salt = Buffer.from(cfg.salt, 'base64');
  const ids = [];
  for (let i = 0; i < 256; i++) {
    const keycheck = Buffer.from(hkdfSync('sha256', y, salt, Buffer.concat([Buffer.from('leakwatch/private/v1/keycheck'), Buffer.from([i])]), 16));
    let at = -1;
    for (let o = 0; o < entries.length; o += 48) if (entries.subarray(o, o + 16).equals(keycheck)) at = o;
    if (at < 0) break;
    const nonce = entries.subarray(at + 16, at + 24);
    const pad = Buffer.from(hkdfSync('sha256', y, salt, Buffer.concat([Buffer.from('leakwatch/private/v1/payload'), Buffer.from([i]), nonce]), 24));
    const plain = entries.subarray(at + 24, at + 48).map((b, j) => b ^ pad[j]);
    assert.ok(plain[0] <= 11, `entry ${i} count ${plain[0]}`);
    for (let k = 0; k < plain[0]; k++) ids.push(plain.readUInt16BE(2 + 2 * k));
    if ((plain[1] & 1) === 0) break;
  }
  const names = new Map(cfg.breaches.map((b) => [b.id, b.name]));
  return [...new Set(ids)].filter((id) => names.has(id)).map((id) => names.get(id));
}

test('private config follows the doc: version, sizes, salt, the listed breaches', async () => {
  const r = await fetch(`${base}/api/private/config`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  const c = await r.json();
  assert.equal(c.version, 2);
  assert.equal(c.entrySize, 48);
  const layout = layoutOf(c);
  assert.ok(layout.has(0), 'an email section');
  for (const { account } of fx.privatePhones) assert.ok(layout.has(sectionOf(`phone:${account}`)), `a section for ${account}`);
  assert.ok(c.bucketEntries > 0 && c.bucketEntries % 16 === 0, `bucketEntries ${c.bucketEntries}`);
  assert.equal(Buffer.from(c.salt, 'base64').length, 32);
  assert.ok(typeof c.keyId === 'string' && c.keyId.length > 0);
  // The listing names every published breach (the stealer log too, which has no private entries).
  assert.deepEqual(sorted(c.breaches.map((b) => b.name)), sorted(fx.publicBreachNames));
  for (const b of c.breaches) assert.ok(Number.isInteger(b.id) && b.id > 0 && b.id < 65536);
});

test('independent client (noble OPRF, node HKDF) finds exposed emails with exactly their breaches', async () => {
  const cfg = await config();
  assert.ok(fx.privateEmails.length > 0);
  for (const { account, breaches } of fx.privateEmails) {
    assert.deepEqual(sorted(await independentLookup(`email:${account.trim().toLowerCase()}`, cfg)), sorted(breaches), account);
  }
});

test('independent client finds exposed phones (E.164) with exactly their breaches', async () => {
  const cfg = await config();
  for (const { account, breaches } of fx.privatePhones) {
    assert.deepEqual(sorted(await independentLookup(`phone:${account}`, cfg)), sorted(breaches), account);
  }
});

test('independent client reports absent emails and phones as absent', async () => {
  const cfg = await config();
  for (const a of fx.privateAbsent) {
    assert.deepEqual(await independentLookup(a.includes('@') ? `email:${a}` : `phone:${a}`, cfg), [], a);
  }
  // Domain separation: an email's canonical form under the phone label is not the email.
  assert.deepEqual(await independentLookup(`phone:${fx.privateEmails[0].account}`, cfg), []);
});

test('evaluate answers are uncacheable, every bucket is the same size, and a repeated lookup is blinded afresh', async () => {
  const cfg = await config();
  const sizes = new Set();
  for (const bucket of [0, cfg.bucketCount - 1]) {
    const { blinded } = oprf.blind(Buffer.from(`email:size-probe-${bucket}@example.com`));
    const r = await evaluate({ bucket, blindedElement: Buffer.from(blinded).toString('base64') });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('cache-control') ?? '', /no-store/);
    sizes.add(Buffer.from((await r.json()).entries, 'base64').length);
  }
  assert.deepEqual([...sizes], [cfg.bucketEntries * 48]);
  const x = Buffer.from(`email:${fx.privateEmails[0].account}`);
  assert.notDeepEqual(oprf.blind(x).blinded, oprf.blind(x).blinded);
});

test('evaluate rejects bad input with 400 naming the field', async () => {
  const cfg = await config();
  const good = Buffer.from(oprf.blind(Buffer.from('email:x@example.com')).blinded).toString('base64');
  const cases = [
    [{ bucket: cfg.bucketCount, blindedElement: good }, /bucket/i],
    [{ bucket: -1, blindedElement: good }, /bucket/i],
    [{ bucket: 0, blindedElement: 'not base64!' }, /blindedElement/i],
    [{ bucket: 0, blindedElement: Buffer.alloc(31, 1).toString('base64') }, /blindedElement/i],
    [{ bucket: 0, blindedElement: Buffer.alloc(32, 0).toString('base64') }, /blindedElement/i], // the identity
    [{ bucket: 0, blindedElement: Buffer.alloc(32, 0xff).toString('base64') }, /blindedElement/i], // not canonical
  ];
  for (const [body, field] of cases) {
    const r = await evaluate(body);
    assert.equal(r.status, 400, JSON.stringify(body));
    const j = await r.json();
    assert.equal(j.statusCode, 400);
    assert.match(j.message, field, JSON.stringify(body));
  }
  const malformed = await fetch(`${base}/api/private/evaluate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"bucket":' });
  assert.equal(malformed.status, 400);
});

test('the committed bundle, as a module in Node, finds emails and phones as people type them', async () => {
  const client = new bundle.PrivateLookupClient({ baseUrl: base });
  const { account, breaches } = fx.privateEmails[0];
  const r = await client.lookup(`  ${account.toUpperCase()} `);
  assert.equal(r.kind, 'email');
  assert.deepEqual(sorted(r.breaches.map((b) => b.name)), sorted(breaches));
  for (const { typed, breaches: expected } of fx.privatePhones.slice(0, 3)) {
    const p = await client.lookup(typed);
    assert.equal(p.kind, 'phone');
    assert.deepEqual(sorted(p.breaches.map((b) => b.name)), sorted(expected), typed);
  }
  const { national, region, breaches: phoneBreaches } = fx.page.phone;
  assert.deepEqual(sorted((await client.lookup(national, { region })).breaches.map((b) => b.name)), sorted(phoneBreaches), national);
  for (const a of fx.privateAbsent) assert.deepEqual(await client.lookup(a), { kind: a.includes('@') ? 'email' : 'phone', found: false, breaches: [] }, a);
});

test('the committed bundle checks passwords k-anonymously against the live range API', async () => {
  for (const { password, count } of fx.passwords) assert.equal(await bundle.pwnedPasswordCount(password, { baseUrl: base }), count, password);
  assert.equal(await bundle.pwnedPasswordCount(fx.cleanPassword, { baseUrl: base }), 0);
});

test('the bundle reads the server\'s private tier configuration', async () => {
  const client = new bundle.PrivateLookupClient({ baseUrl: base });
  assert.equal((await client.config()).version, 2);
});

test('both clients refuse a config whose phone section is finer than its plan allows', async () => {
  const real = await config();
  const phone = real.sections.find((s) => s.kind === 'phone');
  assert.ok(phone, 'the fixture indexes phones');
  const finer = (c) => {
    const sections = c.sections.map((s) => (s.callingCode === phone.callingCode ? { ...s, bucketBits: bound(phone.callingCode) + 1 } : { ...s }));
    let first = 0;
    for (const s of sections.sort((a, b) => (a.callingCode ?? 0) - (b.callingCode ?? 0))) {
      s.first = first;
      first += 2 ** s.bucketBits;
    }
    return { ...c, sections, bucketCount: first };
  };
  assert.throws(() => layoutOf(finer(real)), /above the bound/);
  // The bundle, its config answered by the live server and then made finer, as a malicious server would.
  const posts = [];
  const client = new bundle.PrivateLookupClient({
    baseUrl: base,
    fetch: async (url, init) => {
      const r = await fetch(url, init);
      if (String(url).endsWith('/api/private/config')) return new Response(JSON.stringify(finer(await r.json())), { status: 200 });
      posts.push(url);
      return r;
    },
  });
  await assert.rejects(client.lookup(fx.privateEmails[0].account), (e) => e.code === 'bad-response' && /exceeds its bound/.test(e.message));
  assert.equal(posts.length, 0);
});
