// A leakwatch/private/v1 server written from docs/private-lookup.md alone, as a `fetch` function, so the client
// can be tested in-process: buckets, dummies, sorting by keycheck and the HTTP shapes of §5. It shares no code with
// the client except @noble/curves (the server side of the OPRF) and WebCrypto.
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';

const oprf = ristretto255_oprf.oprf;
const subtle = webcrypto.subtle;
const utf8 = new TextEncoder();
const b64 = (bytes) => Buffer.from(bytes).toString('base64');

async function hkdf(y, salt, info, length) {
  const key = await subtle.importKey('raw', y, 'HKDF', false, ['deriveBits']);
  return new Uint8Array(await subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info }, key, length * 8));
}

export async function bucketFor(x, bits) {
  const h = new Uint8Array(await subtle.digest('SHA-256', Buffer.concat([Buffer.from('leakwatch/private/v1/bucket'), Buffer.from([0]), Buffer.from(x, 'utf8')])));
  return bits === 0 ? 0 : Number(BigInt(`0x${Buffer.from(h).toString('hex')}`) >> BigInt(256 - bits));
}

/** The entries of one identifier in n breaches: ceil(n/11) of them, at least one (§4). */
export async function entriesFor(y, salt, ids) {
  const out = [];
  const n = Math.max(1, Math.ceil(ids.length / 11));
  for (let i = 0; i < n; i++) {
    const chunk = ids.slice(i * 11, i * 11 + 11);
    const nonce = webcrypto.getRandomValues(new Uint8Array(8));
    const plain = new Uint8Array(24);
    plain[0] = chunk.length;
    plain[1] = i + 1 < n ? 1 : 0;
    chunk.forEach((id, j) => {
      plain[2 + 2 * j] = id >> 8;
      plain[3 + 2 * j] = id & 0xff;
    });
    const keycheck = await hkdf(y, salt, Buffer.concat([Buffer.from('leakwatch/private/v1/keycheck'), Buffer.from([i])]), 16);
    const pad = await hkdf(y, salt, Buffer.concat([Buffer.from('leakwatch/private/v1/payload'), Buffer.from([i]), nonce]), 24);
    out.push(Buffer.concat([keycheck, nonce, plain.map((p, j) => p ^ pad[j])]));
  }
  return out;
}

// Calling codes as the doc defines sections (§2): the bundled plan table lists them; they are prefix-free.
const CODES = new Set(readFileSync(new URL('../../src/Leakwatch.Core/Resources/numbering-plans.txt', import.meta.url), 'utf8')
  .split('\n').filter((l) => /^\d/.test(l)).map((l) => Number(l.split(' ')[0])));
function sectionFor(x) {
  if (!x.startsWith('phone:+')) return 0;
  for (let n = 1; n <= 3; n++) if (CODES.has(Number(x.slice(7, 7 + n)))) return Number(x.slice(7, 7 + n));
  return 0;
}

/**
 * Builds an index of `records` ({ x, ids }) and returns { fetch, requests, rotate(), state }. `breaches` is what the
 * config lists ([{ id, name }]).
 */
export async function fakePrivateServer({ records, breaches, bucketBits = 3, keyId = '00000000000000aa', rpmLeft = Infinity }) {
  const requests = [];
  const state = { rpmLeft, evaluateOverride: null, configOverride: null, generation: 7, staticUrl: null, staticGenerations: new Set() };
  let index = await build(records, bucketBits, keyId);

  async function build(recs, bits, id) {
    const keys = oprf.generateKeyPair();
    const salt = webcrypto.getRandomValues(new Uint8Array(32));
    const buckets = new Map();
    // Sections: emails, then each calling code among the records, in code order; phones get 1 bit (every plan here allows it).
    const codes = [...new Set([0, ...recs.map((r) => sectionFor(r.x))])].sort((a, b) => a - b);
    const sections = [];
    let first = 0;
    for (const code of codes) {
      const sectionBits = code === 0 ? bits : 1;
      sections.push(code === 0 ? { kind: 'email', bucketBits: sectionBits, first } : { kind: 'phone', callingCode: code, bucketBits: sectionBits, first });
      first += 2 ** sectionBits;
    }
    for (const { x, ids } of recs) {
      const input = utf8.encode(x);
      const blind = oprf.blind(input);
      const y = oprf.finalize(input, blind.blind, oprf.blindEvaluate(keys.secretKey, blind.blinded));
      const section = sections[codes.indexOf(sectionFor(x))];
      const bucket = section.first + await bucketFor(x, section.bucketBits);
      if (!buckets.has(bucket)) buckets.set(bucket, []);
      buckets.get(bucket).push(...(await entriesFor(y, salt, ids)));
    }
    const fullest = Math.max(0, ...[...buckets.values()].map((b) => b.length));
    const bucketEntries = Math.max(16, Math.ceil((fullest + 1) / 16) * 16);
    return { keys, salt, buckets, bucketEntries, sections, bucketCount: first, keyId: id };
  }

  function bucketBytes(bucket) {
    const real = index.buckets.get(bucket) ?? [];
    const all = [...real];
    while (all.length < index.bucketEntries) all.push(Buffer.from(webcrypto.getRandomValues(new Uint8Array(48))));
    all.sort((a, b) => Buffer.compare(a.subarray(0, 16), b.subarray(0, 16)));
    return Buffer.concat(all);
  }

  const json = (status, body, headers = {}) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers } });

  async function fetch(url, init = {}) {
    const path = new URL(url, 'http://fake.invalid').pathname;
    requests.push({ url: String(url), method: init.method ?? 'GET', headers: init.headers ?? {}, body: init.body ?? null });
    if (path === '/api/private/config') {
      const config = {
        version: 2, keyId: index.keyId, sections: index.sections, bucketCount: index.bucketCount, bucketEntries: index.bucketEntries,
        entrySize: 48, salt: b64(index.salt), generation: state.generation, breaches,
        ...(state.staticUrl ? { staticUrl: state.staticUrl } : {}),
      };
      return json(200, state.configOverride ? state.configOverride(config) : config);
    }
    if (path === '/api/private/evaluate' && init.method === 'POST') {
      if (state.rpmLeft-- <= 0) return json(429, { statusCode: 429, message: 'Rate limit is exceeded. Try again in 7 seconds.' }, { 'retry-after': '7' });
      let body;
      try {
        body = JSON.parse(init.body);
      } catch {
        return json(400, { statusCode: 400, message: 'body is not JSON' });
      }
      const blinded = Buffer.from(body.blindedElement ?? '', 'base64');
      if (!Number.isInteger(body.bucket) || body.bucket < 0 || body.bucket >= index.bucketCount) return json(400, { statusCode: 400, message: 'bucket' });
      if (blinded.length !== 32) return json(400, { statusCode: 400, message: 'blindedElement' });
      let evaluated;
      try {
        evaluated = oprf.blindEvaluate(index.keys.secretKey, blinded);
      } catch {
        return json(400, { statusCode: 400, message: 'blindedElement' });
      }
      // As `serve --private-static-url`: no entries unless asked for.
      const withEntries = body.entries ?? !state.staticUrl;
      const answer = { keyId: index.keyId, evaluatedElement: b64(evaluated), bucket: body.bucket, generation: state.generation,
        ...(withEntries ? { entries: b64(bucketBytes(body.bucket)) } : {}) };
      return json(200, state.evaluateOverride ? state.evaluateOverride(answer) : answer);
    }
    const bucketPath = state.staticUrl && String(url).startsWith(state.staticUrl) ? /^\/private\/(\d+)\/(\d+)$/.exec(String(url).slice(state.staticUrl.length)) : null;
    if (bucketPath && state.staticGenerations.has(Number(bucketPath[1]))) {
      // The static export: only generations it holds; the bytes are the bucket of the (one) index built here.
      return new Response(bucketBytes(Number(bucketPath[2])), { status: 200, headers: { 'content-type': 'application/octet-stream' } });
    }
    return json(404, { statusCode: 404, message: 'not found' });
  }

  return {
    fetch,
    requests,
    state,
    /** Rotates the key (a new index under a new key id), as `leakwatch` would between a config and an evaluation. */
    async rotate(newKeyId) {
      index = await build(records, bucketBits, newKeyId);
    },
  };
}
