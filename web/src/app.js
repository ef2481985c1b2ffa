// The page at `/`: a private lookup for an email or phone number, a k-anonymous password check, and the
// breaches and advice that apply. Everything it fetches is the same for every visitor (catalogue, advice
// rules, private config) except the private evaluation (a bucket number and a blinded element) and the
// password range (5 hex digits of SHA-1); all matching happens here.
import {
  PrivateLookupClient, LeakwatchError, pwnedPasswordCount, matchAdvice, phoneRegions, canonicalize,
} from 'leakwatch';

const $ = (id) => document.getElementById(id);
const client = new PrivateLookupClient();
const languages = navigator.languages?.length ? navigator.languages : [navigator.language || 'en'];
const numberFormat = new Intl.NumberFormat(languages);
const dateFormat = new Intl.DateTimeFormat(languages, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' });

// Both are the same for every visitor; fetched once, up front, so that nothing fetched after a lookup depends
// on what it found.
const catalogue = getJson('/api/v3/breaches').then((list) => new Map(list.map((b) => [b.Name, b])));
const adviceRules = getJson('/api/advice').then((a) => a.rules);
catalogue.catch(() => {});
adviceRules.catch(() => {});

async function getJson(url) {
  const r = await fetch(url, { credentials: 'omit', headers: { accept: 'application/json' } });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.json();
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

/** The region of the browser's locale (en-GB → GB; a bare language is expanded: de → DE), if it has numbers. */
function localeRegion(known) {
  for (const tag of languages) {
    try {
      const region = new Intl.Locale(tag).maximize().region;
      if (region && known.has(region)) return region;
    } catch { /* not a valid tag */ }
  }
  return known.has('US') ? 'US' : [...known][0];
}

function fillRegions() {
  const select = $('region');
  const regions = phoneRegions();
  let names;
  try {
    names = new Intl.DisplayNames(languages, { type: 'region' });
  } catch {
    names = { of: (c) => c };
  }
  const options = regions
    .map(({ code, callingCode }) => ({ code, label: `${names.of(code) ?? code} (+${callingCode})` }))
    .sort((a, b) => a.label.localeCompare(b.label, languages));
  const preferred = localeRegion(new Set(regions.map((r) => r.code)));
  for (const { code, label } of options) {
    const option = el('option', { value: code, text: label });
    if (code === preferred) option.selected = true;
    select.append(option);
  }
}

function setBusy(form, busy) {
  form.setAttribute('aria-busy', String(busy));
  form.querySelector('button[type=submit]').disabled = busy;
}

function status(node, tone, text) {
  node.className = `status ${tone}`;
  node.textContent = text;
}

function describeError(e) {
  if (e instanceof LeakwatchError) return e.message;
  return 'The server could not be reached or answered unexpectedly. Please try again.';
}

function breachCard(name, b) {
  if (!b) return el('li', { class: 'breach' }, el('h3', { text: name }));
  const flags = [];
  if (!b.IsVerified) flags.push('Unverified');
  if (b.IsFabricated) flags.push('Fabricated');
  if (b.IsSpamList) flags.push('Spam list');
  const date = /^\d{4}-\d{2}-\d{2}$/.test(b.BreachDate) ? dateFormat.format(new Date(`${b.BreachDate}T00:00:00Z`)) : b.BreachDate;
  return el('li', { class: 'breach' },
    el('div', { class: 'breach-head' },
      el('h3', { text: b.Title || b.Name }),
      flags.map((f) => el('span', { class: 'flag', text: f }))),
    el('p', { class: 'meta' },
      el('span', { text: `Breached ${date}` }),
      b.Domain ? el('span', { text: b.Domain }) : null,
      el('span', { text: `${numberFormat.format(b.PwnCount)} accounts` })),
    el('p', { class: 'classes-label', text: 'Exposed data' }),
    el('ul', { class: 'classes', 'aria-label': `Data exposed in ${b.Title || b.Name}` },
      (b.DataClasses ?? []).map((c) => el('li', { text: c }))),
    el('a', { class: 'report', href: `/breaches/${encodeURIComponent(b.Name)}/report` }, 'Verification report'));
}

function adviceList(rules, heading) {
  if (rules.length === 0) return null;
  return el('section', { class: 'advice', 'aria-label': heading },
    el('h3', { text: heading }),
    rules.map((r) => el('div', { class: `advice-item advice-${r.id}` },
      el('h4', { text: r.title }),
      el('ul', {}, r.steps.map((s) => el('li', { text: s }))))));
}

async function onAccount(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const out = $('account-status');
  const details = $('account-details');
  const input = $('account').value;
  const region = $('region').value;
  details.replaceChildren();
  if (canonicalize(input, { region }) === null) {
    status(out, 'error', input.includes('@')
      ? 'That does not look like a valid email address.'
      : 'That does not look like a valid phone number for the country chosen. Numbers starting with + work for any country.');
    $('account').setAttribute('aria-invalid', 'true');
    return;
  }
  $('account').removeAttribute('aria-invalid');
  setBusy(form, true);
  status(out, 'pending', 'Checking privately…');
  try {
    const result = await client.lookup(input, { region });
    const what = result.kind === 'email' ? 'email address' : 'phone number';
    if (!result.found) {
      status(out, 'good', `Good news: this ${what} is not in any breach this server holds.`);
      details.append(el('p', { class: 'note', text: 'Breaches this server has not loaded can still hold it; keep using unique passwords and two-factor sign-in.' }));
      return;
    }
    const [byName, rules] = await Promise.all([catalogue, adviceRules]);
    const found = result.breaches.map((b) => ({ name: b.name, info: byName.get(b.name) }));
    found.sort((a, b) => (a.info?.BreachDate ?? '').localeCompare(b.info?.BreachDate ?? ''));
    const n = found.length;
    status(out, 'bad', `This ${what} is in ${n} breach${n === 1 ? '' : 'es'}: ${found.map((f) => f.info?.Title || f.name).join(', ')}.`);
    const classes = new Set(found.flatMap((f) => f.info?.DataClasses ?? []));
    details.append(
      el('ul', { class: 'breaches' }, found.map((f) => breachCard(f.name, f.info))),
      adviceList(matchAdvice(rules, classes), 'What to do now'));
  } catch (e) {
    status(out, 'error', describeError(e));
  } finally {
    setBusy(form, false);
  }
}

async function onPassword(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const out = $('password-status');
  const details = $('password-details');
  const password = $('password').value;
  details.replaceChildren();
  if (!password) {
    status(out, 'error', 'Type a password to check.');
    return;
  }
  setBusy(form, true);
  status(out, 'pending', 'Checking…');
  try {
    const count = await pwnedPasswordCount(password);
    if (count === 0) {
      status(out, 'good', 'This password is not in the breached-password list this server holds.');
      details.append(el('p', { class: 'note', text: 'That does not make it strong: use a long, unique password for every site.' }));
      return;
    }
    status(out, 'bad', `This password has appeared ${numberFormat.format(count)} time${count === 1 ? '' : 's'} in breaches. Do not use it.`);
    const rules = await adviceRules;
    details.append(adviceList(matchAdvice(rules, ['Passwords']), 'What to do now'));
  } catch (e) {
    status(out, 'error', describeError(e));
  } finally {
    setBusy(form, false);
  }
}

function explainBucket() {
  client.config().then((c) => {
    const buckets = 2 ** c.bucketBits;
    $('bucket-note').textContent = `This server splits identifiers into ${numberFormat.format(buckets)} bucket${buckets === 1 ? '' : 's'}; ` +
      'a lookup reveals only which one yours falls in, never the email or number itself.';
  }, (e) => {
    if (e instanceof LeakwatchError && e.code === 'not-enabled') {
      $('bucket-note').textContent = 'Private lookups are not enabled on this server (its operator has not built a private index).';
      $('account-fields').disabled = true;
    }
  });
}

function init() {
  fillRegions();
  $('account-form').addEventListener('submit', onAccount);
  $('password-form').addEventListener('submit', onPassword);
  const toggle = $('show-password');
  toggle.addEventListener('click', () => {
    const shown = $('password').type === 'text';
    $('password').type = shown ? 'password' : 'text';
    toggle.setAttribute('aria-pressed', String(!shown));
    toggle.textContent = shown ? 'Show' : 'Hide';
  });
  for (const fs of document.querySelectorAll('fieldset[data-needs-script]')) fs.disabled = false;
  document.documentElement.classList.add('ready');
  explainBucket();
}

init();
