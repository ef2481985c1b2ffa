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

/** §1–§6 from the doc, independently of web/: returns the breach names, or [] when absent. */
async function independentLookup(x, cfg) {
  const input = Buffer.from(x, 'utf8');
  const h = createHash('sha256').update(Buffer.concat([Buffer.from('leakwatch/private/v1/bucket'), Buffer.from([0]), input])).digest();
  const bucket = cfg.bucketBits === 0 ? 0 : Number(BigInt(`0x${h.toString('hex')}`) >> BigInt(256 - cfg.bucketBits));
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
  assert.equal(c.version, 1);
  assert.equal(c.entrySize, 48);
  assert.ok(Number.isInteger(c.bucketBits) && c.bucketBits >= 0 && c.bucketBits <= 24, `bucketBits ${c.bucketBits}`);
  assert.ok(c.bucketEntries > 0 && c.bucketEntries % 16 === 0, `bucketEntries ${c.bucketEntries}`);
  assert.equal(Buffer.from(c.salt, 'base64').length, 32);
  assert.ok(typeof c.keyId === 'string' && c.keyId.length > 0);
  assert.deepEqual(sorted(c.breaches.map((b) => b.name)), sorted(fx.breachNames));
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
  for (const bucket of [0, 2 ** cfg.bucketBits - 1]) {
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
    [{ bucket: 2 ** cfg.bucketBits, blindedElement: good }, /bucket/i],
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
  assert.equal((await client.config()).version, 1);
});
