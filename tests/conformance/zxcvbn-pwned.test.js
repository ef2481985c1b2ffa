// @zxcvbn-ts/matcher-pwned pointed at our /range/ through its `url` option: strict about CRLF and padding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { zxcvbnAsync, zxcvbnOptions } from '@zxcvbn-ts/core';
import { matcherPwnedFactory } from '@zxcvbn-ts/matcher-pwned';

const fx = JSON.parse(readFileSync(process.env.LEAKWATCH_FIXTURE, 'utf8'));

test('matcher-pwned finds a pwned password and passes a clean one', async () => {
  const matcherPwned = matcherPwnedFactory(fetch, zxcvbnOptions, { url: `${fx.baseUrl}/range/` });
  zxcvbnOptions.addMatcher('pwned', matcherPwned);
  const { password, count } = fx.passwords[0];
  const pwned = await zxcvbnAsync(password);
  const match = pwned.sequence.find((m) => m.pattern === 'pwned');
  assert.ok(match, 'pwned match expected');
  assert.equal(match.pwnedAmount, count);
  const clean = await zxcvbnAsync(fx.cleanPassword);
  assert.ok(!clean.sequence.some((m) => m.pattern === 'pwned'), 'no pwned match expected');
});
