// The real npm `hibp` client (15.x) against a live Leakwatch server with real ingested data.
// Fixture (accounts and the breaches `leakwatch check` reports for them) comes from run.sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  breachedAccount, breaches, breach, dataClasses, latestBreach, pwnedPassword, pwnedPasswordRange,
  subscriptionStatus, subscribedDomains, stealerLogsByEmail, stealerLogsByEmailDomain, stealerLogsByWebsiteDomain,
  breachedDomain, RateLimitError,
} from 'hibp';

const fx = JSON.parse(readFileSync(process.env.LEAKWATCH_FIXTURE, 'utf8'));
const host = fx.baseUrl;            // bare host: the password calls append /range/…
const v3 = `${fx.baseUrl}/api/v3`;  // API root for v3 calls
const apiKey = fx.apiKey;
const opts = { baseUrl: v3, apiKey };

test('breachedAccount by email, truncated, lists exactly the breach names', async () => {
  for (const { account, breaches: expected } of fx.emails) {
    const got = await breachedAccount(account, opts);
    assert.deepEqual(got.map((b) => b.Name), expected, account);
    for (const b of got) assert.deepEqual(Object.keys(b), ['Name']);
  }
});

test('breachedAccount by phone in the formats people type', async () => {
  for (const { account, formats, breaches: expected } of fx.phones) {
    for (const f of [account, ...formats]) {
      const got = await breachedAccount(f, opts);
      assert.deepEqual(got.map((b) => b.Name), expected, f);
    }
  }
});

test('breachedAccount untruncated returns full breach objects', async () => {
  const { account, breaches: expected } = fx.emails[0];
  const got = await breachedAccount(account, { ...opts, truncate: false });
  assert.deepEqual(got.map((b) => b.Name), expected);
  const fields = ['Name', 'Title', 'Domain', 'BreachDate', 'AddedDate', 'ModifiedDate', 'PwnCount', 'Description',
    'LogoPath', 'DataClasses', 'IsVerified', 'IsFabricated', 'IsSensitive', 'IsRetired', 'IsSpamList', 'IsMalware',
    'IsSubscriptionFree', 'IsStealerLog'];
  for (const b of got) {
    for (const f of fields) assert.ok(f in b, `missing ${f}`);
    assert.match(b.BreachDate, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(Array.isArray(b.DataClasses) && b.DataClasses.length > 0);
  }
});

test('breachedAccount filters by domain', async () => {
  const { account } = fx.shared;
  const got = await breachedAccount(account, { ...opts, domain: fx.newerDomain });
  assert.deepEqual(got.map((b) => b.Name), [fx.newerBreach]);
});

test('breachedAccount for an absent account resolves to null (404)', async () => {
  for (const account of fx.absent) {
    assert.equal(await breachedAccount(account, opts), null, account);
  }
});

test('breachedAccount with a bad key rejects with the 401 text', async () => {
  await assert.rejects(breachedAccount(fx.emails[0].account, { baseUrl: v3, apiKey: 'f'.repeat(32) }), /hibp-api-key/);
});

test('breaches, breach, latestBreach and dataClasses', async () => {
  const all = await breaches({ baseUrl: v3 });
  assert.deepEqual(all.map((b) => b.Name).sort(), [...fx.publicBreachNames].sort());
  const filtered = await breaches({ baseUrl: v3, domain: fx.newerDomain });
  assert.deepEqual(filtered.map((b) => b.Name), [fx.newerBreach]);
  const one = await breach(fx.newerBreach, { baseUrl: v3 });
  assert.equal(one.Name, fx.newerBreach);
  assert.equal(await breach('NoSuchBreach', { baseUrl: v3 }), null);
  const latest = await latestBreach({ baseUrl: v3 });
  assert.equal(latest.Name, fx.newerBreach);
  const classes = await dataClasses({ baseUrl: v3 });
  assert.ok(classes.includes('Phone numbers') && classes.includes('Email addresses'));
});

test('stealerLogsByEmail lists exactly the websites an address was captured on, null when none', async () => {
  for (const { account, websites } of fx.stealer.emails) {
    assert.deepEqual(await stealerLogsByEmail(account, opts), websites, account);
    assert.deepEqual(await stealerLogsByEmail(account.toUpperCase(), opts), websites, account);
  }
  for (const account of fx.stealer.absent) {
    assert.equal(await stealerLogsByEmail(account, opts), null, account);
  }
  await assert.rejects(stealerLogsByEmail(fx.stealer.emails[0].account, { baseUrl: v3, apiKey: 'f'.repeat(32) }), /hibp-api-key/);
  const flagged = await breach(fx.stealer.breach, { baseUrl: v3 });
  assert.equal(flagged.IsStealerLog, true);
  assert.deepEqual(flagged.DataClasses, ['Email addresses', 'Passwords']);
});

test('subscriptionStatus reports the key\'s rate', async () => {
  const s = await subscriptionStatus({ baseUrl: v3, apiKey });
  for (const f of ['SubscriptionName', 'Description', 'SubscribedUntil', 'Rpm', 'DomainSearchMaxBreachedAccounts']) {
    assert.ok(f in s, `missing ${f}`);
  }
  assert.equal(s.Rpm, fx.apiKeyRpm);
});

test('stealerLogsByEmailDomain and stealerLogsByWebsiteDomain answer exactly for a verified domain, null when none, reject when unverified', async () => {
  const s = fx.stealer;
  assert.deepEqual(await stealerLogsByEmailDomain(s.emailDomain, opts), s.byEmailDomain);
  assert.deepEqual(await stealerLogsByWebsiteDomain(s.websiteDomain, opts), s.byWebsiteDomain);
  assert.equal(await stealerLogsByEmailDomain(s.emptyDomain, opts), null);
  assert.equal(await stealerLogsByWebsiteDomain(s.emptyDomain, opts), null);
  await assert.rejects(stealerLogsByEmailDomain(s.unverifiedDomain, opts), /Forbidden/);
  await assert.rejects(stealerLogsByWebsiteDomain(s.unverifiedDomain, opts), /Forbidden/);
  await assert.rejects(stealerLogsByEmailDomain(s.emailDomain, { baseUrl: v3, apiKey: 'f'.repeat(32) }), /hibp-api-key/);
});

test('subscribedDomains lists the key\'s verified domains only, HIBP field names', async () => {
  assert.deepEqual(await subscribedDomains({ baseUrl: v3, apiKey }), fx.subscribedDomains);
});

test('breachedDomain answers the verified domain\'s aliases exactly; 403 for a domain not verified', async () => {
  const { domain, pending, aliases } = fx.breachedDomain;
  assert.deepEqual(await breachedDomain(domain, { baseUrl: v3, apiKey }), aliases);
  assert.deepEqual(await breachedDomain(domain.toUpperCase(), { baseUrl: v3, apiKey }), aliases);
  await assert.rejects(breachedDomain(pending, { baseUrl: v3, apiKey }), /Forbidden/i);
});

test('pwnedPassword and pwnedPasswordRange (sha1, ntlm, padding)', async () => {
  for (const { password, count } of fx.passwords) {
    assert.equal(await pwnedPassword(password, { baseUrl: host }), count, password);
    assert.equal(await pwnedPassword(password, { baseUrl: host, addPadding: true }), count, password);
  }
  assert.equal(await pwnedPassword(fx.cleanPassword, { baseUrl: host }), 0);

  const sha1 = await pwnedPasswordRange(fx.sha1.prefix, { baseUrl: host });
  assert.equal(sha1[fx.sha1.suffix], fx.sha1.count);
  for (const s of Object.keys(sha1)) assert.match(s, /^[0-9A-F]{35}$/);

  const padded = await pwnedPasswordRange(fx.sha1.prefix, { baseUrl: host, addPadding: true });
  const lines = Object.keys(padded).length;
  assert.ok(lines >= 800 && lines <= 1000, `padded lines ${lines}`);
  assert.equal(padded[fx.sha1.suffix], fx.sha1.count);

  const ntlm = await pwnedPasswordRange(fx.ntlm.prefix, { baseUrl: host, mode: 'ntlm' });
  assert.equal(ntlm[fx.ntlm.suffix], fx.ntlm.count);
  for (const s of Object.keys(ntlm)) assert.match(s, /^[0-9A-F]{27}$/);

  await assert.rejects(pwnedPasswordRange('XYZ12', { baseUrl: host }));
});

test('a rate-limited key surfaces as RateLimitError with retryAfterSeconds', async () => {
  const limited = { baseUrl: v3, apiKey: fx.limitedKey };
  let error;
  for (let i = 0; i < fx.limitedKeyRpm + 3 && !error; i++) {
    try {
      await breachedAccount(fx.emails[0].account, limited);
    } catch (e) {
      error = e;
    }
  }
  assert.ok(error instanceof RateLimitError, `expected RateLimitError, got ${error}`);
  assert.ok(Number.isInteger(error.retryAfterSeconds) && error.retryAfterSeconds > 0 && error.retryAfterSeconds <= 60,
    `retryAfterSeconds ${error.retryAfterSeconds}`);
  assert.match(error.message, /Rate limit is exceeded\. Try again in \d+ seconds\./);
});
