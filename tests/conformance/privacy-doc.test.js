// docs/privacy.md backs every claim with a test; this keeps those references true: each named test file exists and
// holds a test of that name (node: a test('…') title; .NET: Class.Method).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const doc = readFileSync(new URL('docs/privacy.md', root), 'utf8');

test('every test docs/privacy.md names exists in the file it names', () => {
  const refs = [...doc.matchAll(/`([^`]+\.(?:js|cs))` › ((?:`[^`]+`(?:, )?)+)/g)];
  assert.ok(refs.length >= 20, `${refs.length} references`);
  for (const [, file, list] of refs) {
    assert.ok(existsSync(new URL(file, root)), file);
    const source = readFileSync(new URL(file, root), 'utf8');
    for (const [, name] of list.matchAll(/`([^`]+)`/g)) {
      if (file.endsWith('.cs')) {
        const [cls, method] = name.split('.');
        assert.match(source, new RegExp(`class ${cls}\\b`), `${file}: class ${cls}`);
        assert.match(source, new RegExp(`\\s${method}\\(`), `${file}: ${name}`);
      } else {
        const quoted = [`test('${name.replaceAll("'", "\\'")}'`, `test("${name}"`];
        assert.ok(quoted.some((q) => source.includes(q)), `${file}: test '${name}'`);
      }
    }
  }
});

test('every table row of docs/privacy.md names a test or says why none applies', () => {
  const rows = doc.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| claim') && !l.startsWith('|---'));
  const claims = rows.filter((l) => l.split('|').length === 4); // | claim | test |
  assert.ok(claims.length >= 30, `${claims.length} claims`);
  for (const row of claims) {
    const evidence = row.split('|')[2];
    assert.ok(/›|no test|by construction/.test(evidence), row);
  }
});
