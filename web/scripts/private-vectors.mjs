import { ristretto255_oprf } from '@noble/curves/ed25519.js';
import * as lw from '../../src/Leakwatch.Server/wwwroot/assets/leakwatch.js';
const oprf = ristretto255_oprf.oprf;
const hex = (b) => Buffer.from(b).toString('hex');
const enc = new TextEncoder();
const seed = new Uint8Array(32).map((_, i) => i * 7 + 1);
const info = enc.encode('leakwatch/private/v1/test-vectors');
const keys = oprf.deriveKeyPair(seed, info);
const salt = new Uint8Array(32).map((_, i) => 255 - i * 3);
const cases = [];
const inputs = [['email:alice@example.com', 11, [1, 3]], ['phone:+447911123456', 17, [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]], ['email:bob@xn--mller-kva.de', 0, [65535]], ['email:carol@example.org', 24, []]];
for (const [x, bits, ids] of inputs) {
  const input = enc.encode(x);
  const b = oprf.blind(input);
  const y = oprf.finalize(input, b.blind, oprf.blindEvaluate(keys.secretKey, b.blinded));
  const k = await lw.entryKeys(y, salt);
  const entries = [];
  const n = Math.max(1, Math.ceil(ids.length / 11));
  for (let i = 0; i < n; i++) {
    const chunk = ids.slice(i * 11, i * 11 + 11);
    const nonce = new Uint8Array(8).map((_, j) => (i * 31 + j * 17 + x.length) & 255);
    const plain = new Uint8Array(24);
    plain[0] = chunk.length; plain[1] = i + 1 < n ? 1 : 0;
    chunk.forEach((id, j) => { plain[2 + 2 * j] = id >> 8; plain[3 + 2 * j] = id & 255; });
    const pad = await k.pad(i, nonce);
    const kc = await k.keycheck(i);
    entries.push({ i, keycheck: hex(kc), nonce: hex(nonce), plaintext: hex(plain), pad: hex(pad), entry: hex([...kc, ...nonce, ...plain.map((p, j) => p ^ pad[j])]) });
  }
  cases.push({ x, bucketBits: bits, bucket: await lw.bucketOf(x, bits), y: hex(y), ids, entries });
}
console.log(JSON.stringify({
  comment: 'leakwatch/private/v1 (docs/private-lookup.md §2-§4) computed from the formulas: Leakwatch.Privacy.Tests (PrivateProtocolVectorsTests) checks them with OprfSuite and .NET HKDF, web/test/private-lookup.test.js with @noble/curves and WebCrypto. skS = DeriveKeyPair(seed, keyInfo); y = Evaluate(skS, x); entry = keycheck || nonce || (plaintext XOR pad).',
  seed: hex(seed), keyInfo: 'leakwatch/private/v1/test-vectors', secretKey: hex(keys.secretKey), salt: hex(salt), cases }, null, 1));
