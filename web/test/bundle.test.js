// The committed bundles under src/Leakwatch.Server/wwwroot/assets are what web/build.sh makes from web/src and the
// lockfile, byte for byte: the vendored code cannot drift from its sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { build } from '../build.mjs';

test('committed wwwroot bundles equal a fresh build of web/src', async () => {
  const outputs = await build({ write: false });
  assert.equal(outputs.length, 2);
  for (const { path, contents } of outputs) {
    const committed = readFileSync(path);
    assert.ok(Buffer.from(contents).equals(committed), `${path} is stale: run web/build.sh and commit the result`);
  }
});

test('the bundles load nothing from elsewhere (no URL imports, no CDN)', () => {
  for (const name of ['leakwatch.js', 'app.js']) {
    const code = readFileSync(new URL(`../../src/Leakwatch.Server/wwwroot/assets/${name}`, import.meta.url), 'utf8');
    assert.doesNotMatch(code, /\bimport\s*\(?\s*["']https?:/, name);
    assert.doesNotMatch(code, /from\s*["']https?:/, name);
  }
  const app = readFileSync(new URL('../../src/Leakwatch.Server/wwwroot/assets/app.js', import.meta.url), 'utf8');
  assert.match(app, /from\s*"\.\/leakwatch\.js"/);
});
