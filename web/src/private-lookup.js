// The client side of `leakwatch/private/v1`, config version 2 (docs/private-lookup.md, the wire contract): the
// server learns the bucket (emails: bucketBits bits of a hash; phones: the calling code and bucketBits bits) and a
// uniformly random group element, nothing else about the identifier.
import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import { canonicalize } from './canonical.js';
import planText from '../../src/Leakwatch.Core/Resources/numbering-plans.txt';

export const PROTOCOL = 'leakwatch/private/v1';
export const ENTRY_SIZE = 48;
export const IDS_PER_ENTRY = 11;
const KEYCHECK_SIZE = 16;
const NONCE_SIZE = 8;
const PAYLOAD_SIZE = 24;
const MAX_ENTRIES = 256; // entry numbers are one byte
export const CONFIG_VERSION = 2;
export const MAX_BUCKET_BITS = 24;
/** Possible valid numbers of its calling code a phone bucket must hide among (privacy.md). */
export const MIN_PHONE_CROWD = 10000;

// Valid numbers per calling code, the table the server bundles (NumberingPlans in C#).
const PLANS = new Map(planText.split('\n').filter((l) => /^\d/.test(l)).map((l) => {
  const [code, size] = l.trim().split(/\s+/);
  return [Number(code), Number(size)];
}));

/**
 * The most bucket bits a section may have: 24 for emails (code 0); for a calling code, the largest b with
 * floor(plan / 2^b) >= 10,000 (0 when the plan is smaller); -1 for a code the table does not know.
 */
export function maxSectionBits(code) {
  if (code === 0) return MAX_BUCKET_BITS;
  const plan = PLANS.get(code);
  if (!plan) return -1;
  let bits = 0;
  while (bits < MAX_BUCKET_BITS && Math.floor(plan / 2 ** (bits + 1)) >= MIN_PHONE_CROWD) bits++;
  return bits;
}

/** The section of an OPRF input: 0 for an email, else the phone's calling code (1-3 digits; calling codes are prefix-free). */
export function sectionOf(x) {
  if (!x.startsWith('phone:+')) return 0;
  const digits = x.slice(7);
  for (let n = 1; n <= 3; n++) {
    const code = Number(digits.slice(0, n));
    if (PLANS.has(code)) return code;
  }
  return 0;
}

const utf8 = new TextEncoder();
const BUCKET_LABEL = utf8.encode(`${PROTOCOL}/bucket`);
const KEYCHECK_LABEL = utf8.encode(`${PROTOCOL}/keycheck`);
const PAYLOAD_LABEL = utf8.encode(`${PROTOCOL}/payload`);

/** A failure a caller can show: `code` is one of the values below, `retryAfter` is set for 'rate-limited'. */
export class LeakwatchError extends Error {
  constructor(code, message, extra = {}) {
    super(message);
    this.name = 'LeakwatchError';
    this.code = code; // 'invalid-input' | 'not-enabled' | 'rate-limited' | 'bad-response' | 'key-rotated' | 'http'
    Object.assign(this, extra);
  }
}

function subtle() {
  const s = globalThis.crypto?.subtle;
  if (!s) throw new LeakwatchError('unsupported', 'This browser has no WebCrypto (crypto.subtle); a secure (https or localhost) page is needed.');
  return s;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function toBase64(bytes) {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

export function fromBase64(text, field, expectedLength) {
  let raw;
  try {
    raw = atob(text);
  } catch {
    throw new LeakwatchError('bad-response', `${field} is not base64`);
  }
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  if (expectedLength !== undefined && out.length !== expectedLength) {
    throw new LeakwatchError('bad-response', `${field} is ${out.length} bytes, expected ${expectedLength}`);
  }
  return out;
}

/** §2: the first `bits` bits of SHA-256("leakwatch/private/v1/bucket" || 0x00 || x), big-endian. */
export async function bucketOf(x, bits) {
  if (!Number.isInteger(bits) || bits < 0 || bits > MAX_BUCKET_BITS) throw new RangeError(`bucketBits ${bits} is outside 0..24`);
  if (bits === 0) return 0;
  const h = new Uint8Array(await subtle().digest('SHA-256', concat(BUCKET_LABEL, [0], utf8.encode(x))));
  const top = ((h[0] << 16) | (h[1] << 8) | h[2]) >>> 0;
  return top >>> (24 - bits);
}

async function hkdf(ikmKey, salt, info, length) {
  return new Uint8Array(await subtle().deriveBits({ name: 'HKDF', hash: 'SHA-256', salt, info }, ikmKey, length * 8));
}

/** The HKDF-SHA256 key material of an OPRF output y, for keycheck_i and pad_i (§4). */
export async function entryKeys(y, salt) {
  const ikm = await subtle().importKey('raw', y, 'HKDF', false, ['deriveBits']);
  return {
    keycheck: (i) => hkdf(ikm, salt, concat(KEYCHECK_LABEL, [i]), KEYCHECK_SIZE),
    pad: (i, nonce) => hkdf(ikm, salt, concat(PAYLOAD_LABEL, [i], nonce), PAYLOAD_SIZE),
  };
}

function sameBytes(a, aOffset, b) {
  for (let j = 0; j < b.length; j++) if (a[aOffset + j] !== b[j]) return false;
  return true;
}

/**
 * §4 and §6 step 4: the breach ids a bucket holds for the identifier whose OPRF output is y, in entry order
 * (duplicates dropped). An empty list means none of the bucket's entries is the identifier's.
 */
export async function openBucket(entries, y, salt) {
  if (entries.length % ENTRY_SIZE !== 0) throw new LeakwatchError('bad-response', `entries are ${entries.length} bytes, not a multiple of ${ENTRY_SIZE}`);
  const keys = await entryKeys(y, salt);
  const ids = [];
  for (let i = 0; i < MAX_ENTRIES; i++) {
    const check = await keys.keycheck(i);
    let at = -1;
    for (let o = 0; o < entries.length; o += ENTRY_SIZE) {
      if (sameBytes(entries, o, check)) {
        at = o;
        break;
      }
    }
    if (at < 0) break;
    const nonce = entries.subarray(at + KEYCHECK_SIZE, at + KEYCHECK_SIZE + NONCE_SIZE);
    const pad = await keys.pad(i, nonce);
    const plain = new Uint8Array(PAYLOAD_SIZE);
    for (let j = 0; j < PAYLOAD_SIZE; j++) plain[j] = entries[at + KEYCHECK_SIZE + NONCE_SIZE + j] ^ pad[j];
    const count = plain[0];
    if (count > IDS_PER_ENTRY) throw new LeakwatchError('bad-response', `entry ${i} claims ${count} breach ids`);
    for (let k = 0; k < count; k++) {
      const id = (plain[2 + 2 * k] << 8) | plain[3 + 2 * k];
      if (!ids.includes(id)) ids.push(id);
    }
    if ((plain[1] & 1) === 0) break;
  }
  return ids;
}

/**
 * The config's sections as a layout (code -> { bits, first }). Refuses a section whose bucketBits exceed its
 * bound: finer phone buckets would hide a number among fewer than 10,000 possible ones.
 */
export function readLayout(sections) {
  if (!Array.isArray(sections) || sections.length === 0) throw new LeakwatchError('bad-response', 'the config has no bucket sections');
  const layout = new Map();
  let first = 0;
  const sorted = [...sections].map((s) => ({ ...s, code: s.kind === 'email' ? 0 : s.callingCode }))
    .sort((a, b) => a.code - b.code);
  for (const s of sorted) {
    const max = Number.isInteger(s.code) ? maxSectionBits(s.code) : -1;
    if (max < 0 || layout.has(s.code)) throw new LeakwatchError('bad-response', `the config names an unknown or repeated section ${s.code}`);
    if (!Number.isInteger(s.bucketBits) || s.bucketBits < 0 || s.bucketBits > max) {
      throw new LeakwatchError('bad-response', s.code === 0
        ? `email bucketBits ${s.bucketBits} is outside 0..${max}`
        : `bucketBits ${s.bucketBits} for +${s.code} exceeds its bound ${max} (fewer than ${MIN_PHONE_CROWD} possible numbers a bucket)`);
    }
    if (s.first !== first) throw new LeakwatchError('bad-response', `section ${s.code} starts at ${s.first}, expected ${first}`);
    layout.set(s.code, { bits: s.bucketBits, first });
    first += 2 ** s.bucketBits;
  }
  layout.bucketCount = first;
  return layout;
}

/** §2: the global bucket of an OPRF input in a layout, or -1 when the index has no section for it. */
export async function bucketIn(x, layout) {
  const section = layout.get(sectionOf(x));
  return section === undefined ? -1 : section.first + await bucketOf(x, section.bits);
}

function checkConfig(c) {
  const ok = c && c.version === CONFIG_VERSION && typeof c.keyId === 'string' && Number.isInteger(c.bucketEntries) &&
    c.bucketEntries > 0 && c.entrySize === ENTRY_SIZE && typeof c.salt === 'string' && Array.isArray(c.breaches);
  if (!ok) throw new LeakwatchError('bad-response', `the private lookup config is not version ${CONFIG_VERSION} of leakwatch/private/v1`);
  const layout = readLayout(c.sections);
  if (c.bucketCount !== layout.bucketCount) throw new LeakwatchError('bad-response', `bucketCount ${c.bucketCount} does not match the sections`);
  return { ...c, layout, saltBytes: fromBase64(c.salt, 'salt', 32) };
}

async function errorFor(response, what) {
  if (response.status === 429) {
    const retryAfter = Number.parseInt(response.headers.get('retry-after') ?? '', 10);
    return new LeakwatchError('rate-limited', `Too many lookups from here; try again in ${Number.isFinite(retryAfter) ? retryAfter : 60} seconds.`,
      { retryAfter: Number.isFinite(retryAfter) ? retryAfter : 60 });
  }
  if (response.status === 404) return new LeakwatchError('not-enabled', 'This server has no private index: private lookups are not enabled.');
  let message = `${what}: HTTP ${response.status}`;
  try {
    const body = await response.json();
    if (body && typeof body.message === 'string') message += ` (${body.message})`;
  } catch { /* not JSON */ }
  return new LeakwatchError('http', message, { status: response.status });
}

/**
 * A client for one server. `baseUrl` is '' for the page's own origin. `fetch` and `oprf` may be replaced
 * (tests); `oprf` is RFC 9497 mode 0 as @noble/curves exposes it.
 */
export class PrivateLookupClient {
  constructor({ baseUrl = '', fetch = globalThis.fetch.bind(globalThis), oprf = ristretto255_oprf.oprf } = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.fetch = fetch;
    this.oprf = oprf;
    this._config = null;
  }

  /** GET /api/private/config (cached; `refresh` fetches it again). */
  async config(refresh = false) {
    if (this._config && !refresh) return this._config;
    const response = await this.fetch(`${this.baseUrl}/api/private/config`, { cache: 'no-store', credentials: 'omit' });
    if (!response.ok) throw await errorFor(response, 'private config');
    this._config = checkConfig(await response.json());
    return this._config;
  }

  /**
   * Looks up what a person typed (an email, or a phone number; `region` reads national numbers). Resolves to
   * `{ kind, found, breaches: [{ id, name }] }`; rejects with a LeakwatchError.
   */
  async lookup(input, { region } = {}) {
    const id = canonicalize(input, { region });
    if (id === null) {
      throw new LeakwatchError('invalid-input', 'That is neither a valid email address nor a valid phone number.');
    }
    let config = await this.config();
    if (await bucketIn(id.x, config.layout) < 0) {
      // Nothing is indexed under this calling code: not found, and nothing about the number is sent.
      return { kind: id.kind, found: false, breaches: [] };
    }
    let result = await this._evaluate(id.x, config);
    if (result.keyId !== config.keyId || !sameGeneration(result, config)) {
      // A publish or key rotation between the config and the evaluation: the config of the new index, and again.
      config = await this.config(true);
      result = await this._evaluate(id.x, config);
      if (result.keyId !== config.keyId || !sameGeneration(result, config)) {
        throw new LeakwatchError('key-rotated', 'The server key changed twice during the lookup; try again.');
      }
    }
    if (result.entries.length !== config.bucketEntries * ENTRY_SIZE) {
      throw new LeakwatchError('bad-response', `the bucket holds ${result.entries.length} bytes, expected ${config.bucketEntries * ENTRY_SIZE}`);
    }
    const ids = await openBucket(result.entries, result.y, config.saltBytes);
    const byId = new Map(config.breaches.map((b) => [b.id, b]));
    // Ids the config does not list (retired, sensitive, removed) are not shown.
    const breaches = ids.filter((i) => byId.has(i)).map((i) => ({ id: i, name: byId.get(i).name }));
    return { kind: id.kind, found: breaches.length > 0, breaches };
  }

  async _evaluate(x, config) {
    const input = utf8.encode(x);
    const bucket = await bucketIn(x, config.layout);
    if (bucket < 0) throw new LeakwatchError('key-rotated', 'The index changed during the lookup; try again.');
    const { blind, blinded } = this.oprf.blind(input);
    let body = await this._post(bucket, blinded, undefined);
    let entries = typeof body.entries === 'string' ? fromBase64(body.entries, 'entries') : null;
    if (entries === null && typeof config.staticUrl === 'string' && Number.isInteger(body.generation)) {
      // The bucket of the evaluation's own generation from the static export (docs/private-lookup.md §5.1); a copy
      // not yet exported after a publish answers 404, and then the server is asked, never an older generation.
      entries = await this._staticBucket(config.staticUrl, body.generation, bucket);
      if (entries === null) {
        const again = await this._post(bucket, blinded, true);
        if (again.generation !== body.generation || typeof again.entries !== 'string') {
          throw new LeakwatchError('key-rotated', 'The index changed during the lookup; try again.');
        }
        body = again;
        entries = fromBase64(again.entries, 'entries');
      }
    }
    if (entries === null) throw new LeakwatchError('bad-response', 'the evaluation is not leakwatch/private/v1');
    if (body.bucket !== bucket) throw new LeakwatchError('bad-response', `asked for bucket ${bucket}, got ${body.bucket}`);
    const evaluated = fromBase64(body.evaluatedElement, 'evaluatedElement', 32);
    let y;
    try {
      y = this.oprf.finalize(input, blind, evaluated);
    } catch {
      throw new LeakwatchError('bad-response', 'evaluatedElement is not a valid ristretto255 element');
    }
    return { keyId: body.keyId, generation: body.generation, y, entries };
  }

  async _post(bucket, blinded, entries) {
    const response = await this.fetch(`${this.baseUrl}/api/private/evaluate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(entries === undefined ? { bucket, blindedElement: toBase64(blinded) } : { bucket, blindedElement: toBase64(blinded), entries }),
      cache: 'no-store',
      credentials: 'omit',
    });
    if (!response.ok) throw await errorFor(response, 'private evaluate');
    const body = await response.json();
    if (!body || typeof body.keyId !== 'string' || typeof body.evaluatedElement !== 'string') {
      throw new LeakwatchError('bad-response', 'the evaluation is not leakwatch/private/v1');
    }
    return body;
  }

  /** GET <staticUrl>/private/<generation>/<bucket>: the bucket's bytes, or null when that generation is not there. */
  async _staticBucket(staticUrl, generation, bucket) {
    const url = `${staticUrl.replace(/\/+$/, '')}/private/${generation}/${bucket}`;
    const response = await this.fetch(url, { credentials: 'omit', referrerPolicy: 'no-referrer' });
    if (response.status === 404) return null;
    if (!response.ok) throw await errorFor(response, 'static bucket');
    return new Uint8Array(await response.arrayBuffer());
  }
}

/** True when the evaluation and the config are of one index generation (an older server names none). */
function sameGeneration(result, config) {
  return result.generation === undefined || config.generation === undefined || result.generation === config.generation;
}
