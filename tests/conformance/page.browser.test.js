// The page at `/` in real Chromium (Debian's /usr/bin/chromium driven by playwright-core; no browser download)
// against a live `leakwatch serve`: what a person sees for an exposed email, an exposed phone typed in national
// format with its country chosen, a clean email and a pwned password; keyboard use; a phone-width screenshot; and
// every request the page makes, checked for anything that identifies what was typed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { chromium } from 'playwright-core';

const fx = JSON.parse(readFileSync(process.env.LEAKWATCH_FIXTURE, 'utf8'));
const artifacts = process.env.LEAKWATCH_ARTIFACTS ?? path.resolve(import.meta.dirname, '../../artifacts');
const base = fx.baseUrl;
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

let browser;
let page;
const pending = [];
const problems = [];
const typed = []; // { kind, text, canonical, national? } for everything typed into the page
let catalogue;
let rules;

before(async () => {
  [catalogue, rules] = await Promise.all([
    fetch(`${base}/api/v3/breaches`).then((r) => r.json()).then((l) => new Map(l.map((b) => [b.Name, b]))),
    fetch(`${base}/api/advice`).then((r) => r.json()).then((a) => a.rules),
  ]);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  // Every request from every page and worker of the context, with the headers Chromium really sent.
  context.on('request', (req) => {
    pending.push(req.allHeaders().then((headers) => ({ url: req.url(), method: req.method(), headers, body: req.postData() ?? '' })));
  });
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
  });
});

after(async () => {
  await browser?.close();
});

const requests = () => Promise.all(pending);

/** Submits a form by clicking its button and waits for its status line to settle on a new answer. */
async function submit(formId, statusId, button) {
  const before = await page.locator(`#${statusId}`).textContent();
  await page.getByRole('button', { name: button }).click();
  await page.waitForFunction(([f, s, prev]) => {
    const status = document.getElementById(s);
    return document.getElementById(f).getAttribute('aria-busy') !== 'true' && status.textContent !== prev &&
      !status.classList.contains('pending') && status.textContent !== '';
  }, [formId, statusId, before], { timeout: 20_000 });
  const status = page.locator(`#${statusId}`);
  return { tone: (await status.getAttribute('class')).replace('status', '').trim(), text: await status.textContent() };
}

function expectedAdviceTitles(dataClasses) {
  const exposed = new Set([...dataClasses].map((c) => c.toLowerCase()));
  return rules.filter((r) => r.when.some((all) => all.every((c) => exposed.has(c.toLowerCase())))).map((r) => r.title);
}

/** The breach cards and advice the page shows, as data. */
async function shownResults() {
  const cards = await page.locator('#account-details .breach').evaluateAll((lis) => lis.map((li) => ({
    title: li.querySelector('h3').textContent,
    classes: [...li.querySelectorAll('.classes li')].map((x) => x.textContent),
    report: li.querySelector('a.report')?.getAttribute('href'),
  })));
  const advice = await page.locator('#account-details .advice h4').allTextContents();
  return { cards, advice };
}

async function assertBreachesShown(expectedNames) {
  const { cards, advice } = await shownResults();
  const expected = expectedNames.map((n) => catalogue.get(n)).sort((a, b) => a.BreachDate.localeCompare(b.BreachDate));
  assert.deepEqual(cards.map((c) => c.title), expected.map((b) => b.Title));
  for (const [i, b] of expected.entries()) {
    assert.deepEqual(cards[i].classes, b.DataClasses, b.Name);
    assert.equal(cards[i].report, `/breaches/${encodeURIComponent(b.Name)}/report`);
  }
  const classes = new Set(expected.flatMap((b) => b.DataClasses));
  assert.deepEqual(advice, expectedAdviceTitles(classes));
  return { classes, advice };
}

test('the page loads under the strict CSP with its forms ready and no script errors', async () => {
  const response = await page.goto(`${base}/`);
  assert.equal(response.status(), 200);
  const h = response.headers();
  assert.equal(h['content-security-policy'], CSP);
  assert.equal(h['x-content-type-options'], 'nosniff');
  assert.equal(h['referrer-policy'], 'no-referrer');
  await page.waitForSelector('#password:enabled');
  // The fixture has a private index, so the lookup form is ready.
  await page.waitForSelector('#account:enabled');
  assert.equal(await page.title(), 'Leakwatch: has your data leaked?');
  // The country list is filled and defaults to the browser's locale.
  assert.equal(await page.locator('#region').inputValue(), 'US');
  assert.ok(await page.locator('#region option').count() > 200);
  assert.deepEqual(problems, []);
});

test('in Chromium the bundle canonicalizes every shared vector exactly as the C# normalizers do', async () => {
  const vectors = JSON.parse(readFileSync(new URL('../vectors/canonical-identifiers.json', import.meta.url), 'utf8'));
  const got = await page.evaluate(async (v) => {
    const lw = await import('/assets/leakwatch.js');
    return {
      emails: v.emails.map((e) => lw.canonicalEmail(e.input)),
      phones: v.phones.map((p) => lw.canonicalPhone(p.input, p.region)),
    };
  }, vectors);
  assert.deepEqual(got.emails, vectors.emails.map((e) => e.canonical));
  assert.deepEqual(got.phones, vectors.phones.map((p) => p.e164));
});

test('keyboard: the controls are reached in reading order and Enter checks a pwned password', async () => {
  await page.locator('body').focus();
  const order = [];
  for (let i = 0; i < 16; i++) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => document.activeElement.id || document.activeElement.textContent.trim()));
  }
  const wanted = ['account', 'region', 'Check privately', 'password', 'show-password', 'Check password'];
  const seen = order.filter((x) => wanted.includes(x));
  assert.deepEqual(seen.slice(0, wanted.length), wanted, order.join(' → '));

  await page.locator('#password').focus();
  await page.keyboard.type(fx.page.password.password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#password-status.bad, #password-status.good, #password-status.error', { timeout: 20_000 });
  typed.push({ kind: 'password', text: fx.page.password.password });
});

test('a pwned password shows how often it appeared and the password advice', async () => {
  const status = page.locator('#password-status');
  assert.equal(await status.getAttribute('class'), 'status bad');
  assert.equal(await status.textContent(), `This password has appeared ${fx.page.password.count} times in breaches. Do not use it.`);
  const rule = rules.find((r) => r.id === 'password');
  assert.deepEqual(await page.locator('#password-details .advice h4').allTextContents(), [rule.title]);
  assert.deepEqual(await page.locator('#password-details .advice li').allTextContents(), rule.steps);
  assert.equal(await page.locator('#password-status').getAttribute('role'), 'status');
});

test('an exposed email, typed with spaces and capitals, shows its breaches, their data classes and the advice that fits', async () => {
  const { typed: text, canonical, breaches } = fx.page.email;
  await page.locator('#account').fill(text);
  const { tone, text: said } = await submit('account-form', 'account-status', 'Check privately');
  typed.push({ kind: 'email', text, canonical });
  assert.equal(tone, 'bad', said);
  assert.match(said, new RegExp(`^This email address is in ${breaches.length} breach`));
  const { advice } = await assertBreachesShown(breaches);
  assert.ok(advice.includes(rules.find((r) => r.id === 'email').title));
});

test('an exposed phone typed in national format, with its country chosen, shows its breaches and SIM-swap advice', async () => {
  const { national, region, e164, breaches } = fx.page.phone;
  await page.locator('#region').selectOption(region);
  await page.locator('#account').fill(national);
  const { tone, text } = await submit('account-form', 'account-status', 'Check privately');
  typed.push({ kind: 'phone', text: national, canonical: e164 });
  assert.equal(tone, 'bad', text);
  assert.match(text, /^This phone number is in/);
  await assertBreachesShown(breaches);
  assert.match((await page.locator('#account-details .advice-phone').textContent()), /SIM-swap/);
});

test('at phone width the page fits without sideways scrolling (screenshot of the results saved)', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => window.scrollTo(0, 0));
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'horizontal overflow at 390px');
  mkdirSync(artifacts, { recursive: true });
  const file = path.join(artifacts, 'page-phone.png');
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(readFileSync(file).length > 10_000);
  await page.setViewportSize({ width: 1280, height: 900 });
});

test('a clean email is reported as in no breach, with nothing listed', async () => {
  const text = fx.page.cleanEmail;
  await page.locator('#account').fill(text);
  const { tone, text: said } = await submit('account-form', 'account-status', 'Check privately');
  typed.push({ kind: 'email', text, canonical: text });
  assert.equal(tone, 'good', said);
  assert.equal(said, 'Good news: this email address is not in any breach this server holds.');
  assert.equal(await page.locator('#account-details .breach').count(), 0);
});

test('each private lookup makes exactly one request, the same whatever it finds', async () => {
  const shape = async (account, region) => {
    const before = pending.length;
    if (region) await page.locator('#region').selectOption(region);
    await page.locator('#account').fill(account);
    await submit('account-form', 'account-status', 'Check privately');
    const made = (await requests()).slice(before);
    return made.map((r) => `${r.method} ${new URL(r.url).pathname} ${Object.keys(JSON.parse(r.body || '{}')).sort().join(',')}`);
  };
  const found = await shape(fx.page.email.canonical);
  const clean = await shape('yet-another-nobody@example.com');
  typed.push({ kind: 'email', text: fx.page.email.canonical, canonical: fx.page.email.canonical });
  typed.push({ kind: 'email', text: 'yet-another-nobody@example.com', canonical: 'yet-another-nobody@example.com' });
  assert.deepEqual(found, ['POST /api/private/evaluate blindedElement,bucket']);
  assert.deepEqual(clean, found);
});

// ---- What left the browser -------------------------------------------------------------------------------

const digest = (alg, s) => createHash(alg).update(s, 'utf8').digest();
function encodings(bytes) {
  const hex = bytes.toString('hex');
  return [hex, hex.toUpperCase(), bytes.toString('base64'), bytes.toString('base64url')];
}

/** Every string that would identify what was typed: plaintext forms and their full SHA-1/SHA-256 (and MD5). */
function forbidden() {
  const out = new Set();
  for (const t of typed) {
    const forms = new Set([t.text, t.text.trim()]);
    if (t.kind === 'password') {
      const sha1 = digest('sha1', t.text);
      for (const e of encodings(sha1)) out.add(e);
      out.add(sha1.toString('hex').slice(5)); // the suffix stays in the browser too
      out.add(sha1.toString('hex').slice(5).toUpperCase());
      for (const e of encodings(digest('sha256', t.text))) out.add(e);
      out.add(t.text);
      continue;
    }
    forms.add(t.canonical);
    forms.add(t.text.trim().toLowerCase());
    forms.add(t.text.trim().toUpperCase());
    forms.add(`${t.kind}:${t.canonical}`);
    if (t.kind === 'email') forms.add(t.canonical.split('@')[0]);
    if (t.kind === 'phone') {
      forms.add(t.canonical.slice(1)); // E.164 digits
      forms.add(t.text.replace(/\D/g, '')); // the national digits as typed
      forms.add(encodeURIComponent(t.canonical));
    }
    for (const f of forms) {
      out.add(f);
      for (const alg of ['sha1', 'sha256', 'md5']) for (const e of encodings(digest(alg, f))) out.add(e);
    }
    // The full hash the bucket is cut from.
    const bucketHash = createHash('sha256').update(Buffer.concat([Buffer.from('leakwatch/private/v1/bucket'), Buffer.from([0]), Buffer.from(`${t.kind}:${t.canonical}`)])).digest();
    for (const e of encodings(bucketHash)) out.add(e);
  }
  return [...out].filter((s) => s.length >= 6);
}

function haystack(r) {
  const parts = [r.url, r.method, JSON.stringify(r.headers), r.body];
  try {
    parts.push(decodeURIComponent(r.url));
  } catch { /* not decodable */ }
  // Base64 tokens in bodies are also searched as the bytes they carry.
  for (const token of r.body.match(/[A-Za-z0-9+/=_-]{16,}/g) ?? []) parts.push(Buffer.from(token, 'base64').toString('hex'));
  return parts.join('\n');
}

test('nothing identifying leaves the browser: no account in any form, no E.164, no full SHA-1/SHA-256, no password hash', async () => {
  const all = await requests();
  const needles = forbidden();
  assert.ok(typed.length >= 6, `typed ${typed.length}`);
  assert.ok(needles.length >= 100, `${needles.length} needles`);
  for (const r of all) {
    const hay = haystack(r);
    const lower = hay.toLowerCase();
    for (const n of needles) {
      const hit = /^[0-9a-f]+$/i.test(n) || !/[A-Za-z0-9+/_-]{20,}/.test(n) ? lower.includes(n.toLowerCase()) : hay.includes(n);
      assert.ok(!hit, `${r.method} ${r.url} carries ${JSON.stringify(n)}`);
    }
  }
  // The capture is real: the password's 5-hex prefix went out, padded, and (with a private index) the evaluations.
  const prefix = digest('sha1', fx.page.password.password).toString('hex').slice(0, 5).toUpperCase();
  const range = all.filter((r) => r.url === `${base}/range/${prefix}`);
  assert.equal(range.length, 1);
  assert.equal(range[0].headers['add-padding'], 'true');
  const evaluations = all.filter((r) => r.url === `${base}/api/private/evaluate`);
  assert.equal(evaluations.length, 5);
  for (const e of evaluations) {
    const body = JSON.parse(e.body);
    assert.deepEqual(Object.keys(body).sort(), ['blindedElement', 'bucket']);
    assert.equal(Buffer.from(body.blindedElement, 'base64').length, 32);
  }
});

test('every request goes to the page\'s own origin, without cookies or referrer', async () => {
  const all = await requests();
  assert.ok(all.length >= 8, `${all.length} requests`);
  for (const r of all) {
    assert.ok(r.url.startsWith(`${base}/`), r.url);
    assert.equal(r.headers.cookie, undefined, r.url);
    assert.equal(r.headers.referer, undefined, r.url);
  }
});

test('the breach catalogue fits a phone too, under the same CSP, with no script errors anywhere', async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  const response = await page.goto(`${base}/breaches`);
  assert.equal(response.headers()['content-security-policy'], CSP);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'horizontal overflow on /breaches');
  assert.equal(await page.locator('.catalogue > li').count(), catalogue.size);
  await page.screenshot({ path: path.join(artifacts, 'breaches-phone.png'), fullPage: true });
  assert.deepEqual(problems, []);
});
