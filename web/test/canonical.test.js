// The JS canonicalizer against the vectors C# EmailNormalizer/PhoneNormalizer are tested with
// (tests/Leakwatch.Core.Tests/CanonicalVectorsTests.cs): a mismatch would make a private lookup ask for a
// different identifier than ingest indexed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { canonicalEmail, canonicalPhone, canonicalize } from '../../src/Leakwatch.Server/wwwroot/assets/leakwatch.js';

const vectors = JSON.parse(readFileSync(new URL('../../tests/vectors/canonical-identifiers.json', import.meta.url), 'utf8'));

test('canonicalEmail gives the shared vectors (same answers as EmailNormalizer)', () => {
  assert.ok(vectors.emails.length >= 40);
  for (const { input, canonical } of vectors.emails) assert.equal(canonicalEmail(input), canonical, JSON.stringify(input));
});

test('canonicalPhone gives the shared vectors (same answers as PhoneNormalizer)', () => {
  assert.ok(vectors.phones.length >= 40);
  for (const { input, region, e164 } of vectors.phones) assert.equal(canonicalPhone(input, region), e164, `${JSON.stringify(input)} in ${region}`);
});

test('canonicalize prefixes the kind (domain separation) and reads anything with @ as an email', () => {
  assert.deepEqual(canonicalize(' Alice@Example.COM '), { kind: 'email', canonical: 'alice@example.com', x: 'email:alice@example.com' });
  assert.deepEqual(canonicalize('07911 123456', { region: 'GB' }), { kind: 'phone', canonical: '+447911123456', x: 'phone:+447911123456' });
  assert.equal(canonicalize('+44 7911 123456@'), null);
  assert.equal(canonicalize('not an account'), null);
  assert.equal(canonicalize('07911 123456', { region: 'XX' }), null);
});
