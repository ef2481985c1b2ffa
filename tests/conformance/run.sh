#!/usr/bin/env bash
# Runs the real third-party clients (npm hibp, @zxcvbn-ts/matcher-pwned), an independent RFC 9497 client
# (@noble/curves) and the page in real Chromium (playwright-core driving /usr/bin/chromium) against a live
# `leakwatch serve` on loopback, over data ingested by the real CLI; plus the web/ client's unit tests (vectors
# shared with C#, a doc-conformant fake server, the bundle-freshness check). Prints node's own "# pass N" /
# "# fail N" summary and one `conformance: N passed, M failed` line for test.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
lw="$root/leakwatch"
cd "$here"
"$root/scripts/ensure-deps.sh" chromium node npm curl python3
[ -d node_modules/playwright-core ] && [ -d node_modules/@noble/curves ] || npm ci --no-audit --no-fund --silent
[ -d "$root/web/node_modules/esbuild" ] || (cd "$root/web" && npm ci --no-audit --no-fund --silent)

work="$(mktemp -d /tmp/lw-conformance-XXXXXX)"
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
dirs=(--data-dir "$work/data" --key-file "$work/keys/leakwatch.key")

# Both breaches go into the private index too; the tests make many evaluations from one IP.
private=(--private)
serve_private=(--private-rpm 1000 --private-global-rps 1000)

# --truth: the identifiers each dump holds, as the generator planted them; the expected answers come from these,
# not from `leakwatch check` (the code under test).
"$lw" generate --records 4000 --seed 11 --format colon --out "$work/older.txt" --truth "$work/older.truth.json" >/dev/null
"$lw" generate --records 4000 --seed 12 --format csv --out "$work/newer.csv" --recycle-from "$work/older.txt" --recycle-rate 0.3 \
  --truth "$work/newer.truth.json" >/dev/null
# Stealer logs (issue 16): a ULP file of every layout, ingested first so the two breaches above stay the latest.
# Its addresses and passwords are its own, so no other test's expected answer changes.
cat >"$work/stealer.txt" <<'ULP'
https://www.netflix.com/login:conf.stealer@example.com:conf-pw-1
conf.stealer@example.com|conf-pw-2|https://accounts.spotify.com/
android://c2lnbmF0dXJl==@com.instagram.android/:Conf.App@Example.com:conf:pw:3
user_name_only:conf-pw-4:steamcommunity.com
not a credential
https://stealer-verified.com/login:Alice@Stealer-Verified.com:conf-pw-5
bob@stealer-verified.com|conf-pw-6|https://www.netflix.com/
carol@elsewhere-conf.example.com:conf-pw-7:http://www.stealer-verified.com
ULP
"$lw" "${dirs[@]}" ingest "$work/stealer.txt" --breach StealerConformance --format ulp >/dev/null
# Domain search (issue 16): addresses on the verified domain below, in a breach and a spam list, ingested before the two
# breaches above so they stay the latest; breachedDomain and the subscribedDomains counts come from these.
printf 'email\nalice@conformance-verified.com\nBob@Conformance-Verified.com\ncarol@conformance-verified.com\nsomeone@elsewhere-conformance.com\n' >"$work/domain-one.csv"
printf 'email\nbob@conformance-verified.com\ndave@conformance-verified.com\n' >"$work/domain-spam.csv"
"$lw" "${dirs[@]}" ingest "$work/domain-one.csv" --breach DomainConformance --date 2018-06-01 >/dev/null
"$lw" "${dirs[@]}" ingest "$work/domain-spam.csv" --breach DomainSpamList --date 2018-07-01 >/dev/null
"$lw" "${dirs[@]}" breach set DomainSpamList --spam-list >/dev/null
"$lw" "${dirs[@]}" ingest "$work/older.txt" --breach OlderScrape --date 2019-08-01 --domain facebook.com \
  --columns phone,uid,first_name,last_name,gender,city,country,relationship,employer,email,dob "${private[@]}" >/dev/null
"$lw" "${dirs[@]}" ingest "$work/newer.csv" --breach NewerLeak --date 2025-05-01 --domain newer.example "${private[@]}" >/dev/null

printf 'password\npassword\n123456\nqwerty\nletmein\npassword\n' >"$work/passwords.txt"
"$lw" "${dirs[@]}" ingest-passwords "$work/passwords.txt" --mode plain >/dev/null

key_json=$("$lw" "${dirs[@]}" keys create --name conformance --rpm 1000 --json)
limited_json=$("$lw" "${dirs[@]}" keys create --name limited --rpm 3 --json)

# Domain verification (issue 16): one domain the conformance key verified by a TXT record a throwaway dnsmasq served,
# one it only added; subscribedDomains must list the first only.
dns_port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
txt=$("$lw" "${dirs[@]}" domains add conformance-verified.com --key-name conformance 2>/dev/null)
# Stealer logs by domain: the key verifies the stealer log's email and website domain too.
txt_stealer=$("$lw" "${dirs[@]}" domains add stealer-verified.com --key-name conformance 2>/dev/null)
"$root/scripts/dnsmasq.sh" start "$work/dns" "$dns_port" "--txt-record=conformance-verified.com,$txt" \
  "--txt-record=stealer-verified.com,$txt_stealer" >/dev/null
"$lw" "${dirs[@]}" domains verify conformance-verified.com --key-name conformance --dns "127.0.0.1:$dns_port" >/dev/null
"$lw" "${dirs[@]}" domains verify stealer-verified.com --key-name conformance --dns "127.0.0.1:$dns_port" >/dev/null
"$root/scripts/dnsmasq.sh" stop "$work/dns"
"$lw" "${dirs[@]}" domains add conformance-pending.com --key-name conformance >/dev/null 2>&1

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$lw" "${dirs[@]}" serve --urls "http://127.0.0.1:$port" "${serve_private[@]}" >"$work/server.log" 2>&1 &
server_pid=$!
up=""
for _ in $(seq 1 300); do
  if curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then up=1; break; fi
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$up" ]; then
  # Every test below would fail against nothing, or worse, against whatever else answers on the port.
  echo "conformance: the server did not come up on 127.0.0.1:$port within 30 s; its log:" >&2
  tail -n 20 "$work/server.log" >&2 || true
  echo "conformance: 0 passed, 1 failed"
  exit 1
fi

python3 - "$work" "$port" "$key_json" "$limited_json" "$lw" <<'PY'
import json, subprocess, sys, hashlib
work, port, key_json, limited_json, lw = sys.argv[1:6]
dirs = ["--data-dir", f"{work}/data", "--key-file", f"{work}/keys/leakwatch.key"]
# The generator's truth: normalized emails and E.164 phones per dump, in the order the breaches were ingested.
truth = [(name, {k: set(v) for k, v in json.load(open(f"{work}/{file}")).items()})
         for name, file in (("OlderScrape", "older.truth.json"), ("NewerLeak", "newer.truth.json"))]
def e164(p): return "+" + "".join(c for c in p if c.isdigit())
def expected(account):
    kind, canon = ("emails", account.strip().lower()) if "@" in account else ("phones", e164(account))
    return [name for name, t in truth if canon in t[kind]]
older, newer = truth[0][1], truth[1][1]
# Some accounts in both breaches, some in one only; sorted, so the choice is the same every run.
emails = sorted(newer["emails"] & older["emails"])[:6] + sorted(newer["emails"] - older["emails"])[:6]
phones = sorted(newer["phones"] & older["phones"])[:8] + sorted(newer["phones"] - older["phones"])[:8] + sorted(older["phones"] - newer["phones"])[:8]
assert len(emails) >= 6 and len(phones) >= 12, "the generated dumps hold too few identifiers"
got = {a: expected(a) for a in emails + phones}
def check_raw(accounts, region=None):
    out = subprocess.run([lw, *dirs, "check", "--json", *(["--region", region] if region else []), *accounts], capture_output=True, text=True).stdout
    return {(j := json.loads(l))["account"]: j for l in out.splitlines() if l.strip()}
# Absent but valid phones: neighbours of real ones that no dump holds (by the truth); the CLI only tells which are
# valid numbers (an invalid one would be a 400).
candidates = [e164(str(int(p[1:]) + d)) for p in phones[:10] for d in (7919, 104729)]
candidates = [c for c in candidates if not expected(c)]
cand = check_raw(candidates)
absent_phones = [a for a, j in cand.items() if "error" not in j][:3]
assert absent_phones, "no valid absent phone found"
shared = next(a for a in emails + phones if got[a] == ["OlderScrape", "NewerLeak"])
def formats(p):
    d = "".join(c for c in p if c.isdigit())
    return ["+" + d, d, f"+{d[:2]} {d[2:6]} {d[6:]}", f"00{d[:2]} {d[2:]}"]
def sha1(s): return hashlib.sha1(s.encode()).hexdigest().upper()
def ntlm(s):
    try: return hashlib.new("md4", s.encode("utf-16le")).hexdigest().upper()
    except ValueError: return None
fx = {
  "baseUrl": f"http://127.0.0.1:{port}",
  "apiKey": json.loads(key_json)["key"], "apiKeyRpm": 1000,
  "limitedKey": json.loads(limited_json)["key"], "limitedKeyRpm": 3,
  "emails": [{"account": e, "breaches": got[e]} for e in emails],
  "phones": [{"account": p, "formats": formats(p), "breaches": got[p]} for p in phones],
  "shared": {"account": shared},
  "absent": ["nobody-here@example.com", *absent_phones],
  "breachNames": ["OlderScrape", "NewerLeak"], "newerBreach": "NewerLeak", "newerDomain": "newer.example",
  "publicBreachNames": ["StealerConformance", "DomainConformance", "DomainSpamList", "OlderScrape", "NewerLeak"],
  # Written above in stealer.txt: the websites each address was captured on, sorted; usernames are not indexed.
  "stealer": {"breach": "StealerConformance",
              "emails": [{"account": "conf.stealer@example.com", "websites": ["accounts.spotify.com", "netflix.com"]},
                         {"account": "conf.app@example.com", "websites": ["com.instagram.android"]}],
              "absent": ["nobody-here@example.com", "user_name_only@example.com"],
              # By domain, for the key's verified stealer-verified.com: aliases → websites, and the website's logins.
              "emailDomain": "stealer-verified.com",
              "byEmailDomain": {"alice": ["stealer-verified.com"], "bob": ["netflix.com"]},
              "websiteDomain": "stealer-verified.com",
              "byWebsiteDomain": ["alice@stealer-verified.com", "carol@elsewhere-conf.example.com"],
              "emptyDomain": "conformance-verified.com", "unverifiedDomain": "conformance-pending.com"},
  "passwords": [{"password": "password", "count": 3}, {"password": "123456", "count": 1}],
  "cleanPassword": "leakwatch-conformance-not-in-any-list-7f3a",
  "sha1": {"prefix": sha1("password")[:5], "suffix": sha1("password")[5:], "count": 3},
}
# The domain store's counts (docs/organisations.md "Domain search"): alice, bob, carol, dave breached; dave only in the
# spam list; Leakwatch has no renewals, so the renewal count is the spam-free one; no renewal date. On the stealer
# log's verified domain, its two logins (alice, bob) count like any breached address.
fx["subscribedDomains"] = [
    {"DomainName": "conformance-verified.com", "PwnCount": 4, "PwnCountExcludingSpamLists": 3,
     "PwnCountExcludingSpamListsAtLastSubscriptionRenewal": 3, "NextSubscriptionRenewal": None},
    {"DomainName": "stealer-verified.com", "PwnCount": 2, "PwnCountExcludingSpamLists": 2,
     "PwnCountExcludingSpamListsAtLastSubscriptionRenewal": 2, "NextSubscriptionRenewal": None}]
fx["breachedDomain"] = {"domain": "conformance-verified.com", "pending": "conformance-pending.com",
                        "aliases": {"alice": ["DomainConformance"], "bob": ["DomainConformance", "DomainSpamList"],
                                    "carol": ["DomainConformance"], "dave": ["DomainSpamList"]}}
n = ntlm("password") or "8846F7EAEE8FB117AD06BDD830B7586C"
fx["ntlm"] = {"prefix": n[:5], "suffix": n[5:], "count": 3}

# The private tier and the page: expected answers from the truth too.
def national(p):
    # The national form a person types at home, for a few countries whose rule is simple.
    d = e164(p)[1:]
    if d.startswith("44"): return "0" + d[2:5] + " " + d[5:], "GB"
    if d.startswith("1"): return f"({d[1:4]}) {d[4:7]}-{d[7:]}", "US"
    if d.startswith("49"): return "0" + d[2:], "DE"
    if d.startswith("33"): return "0" + " ".join(d[i:i+2] for i in range(2, len(d), 2)), "FR"
    if d.startswith("39"): return d[2:5] + " " + d[5:], "IT"
    return None, None
fx["privateEmails"] = fx["emails"][:6]
fx["privatePhones"] = [{"account": e164(p["account"]), "typed": p["account"], "breaches": p["breaches"]} for p in fx["phones"]][:6]
assert len(fx["privatePhones"]) >= 3, "too few exposed phones"
fx["privateAbsent"] = ["nobody-here@example.com", *absent_phones]
page_phone = None
for p in fx["phones"]:
    text, region = national(p["account"])
    if text:
        page_phone = {"national": text, "region": region, "e164": e164(p["account"]), "breaches": p["breaches"]}
        break
assert page_phone, "no exposed phone in a country whose national form the fixture knows"
page_email = next((e for e in fx["emails"] if len(e["breaches"]) == 2), fx["emails"][0])
fx["page"] = {
  "email": {"typed": "  " + page_email["account"].upper() + " ", "canonical": page_email["account"], "breaches": page_email["breaches"]},
  "phone": page_phone,
  "cleanEmail": "still-nobody-here@example.com",
  "password": {"password": "password", "count": 3},
}
json.dump(fx, open(f"{work}/fixture.json", "w"), indent=1)
PY

mkdir -p "$root/artifacts"
LEAKWATCH_FIXTURE="$work/fixture.json" LEAKWATCH_ARTIFACTS="$root/artifacts" node --test --test-reporter=tap \
  hibp-client.test.js zxcvbn-pwned.test.js private-oprf.test.js page.browser.test.js privacy-doc.test.js "$root"/web/test/*.test.js \
  | tee "$work/node.tap" "$root/artifacts/conformance.tap" | grep -E '^(not ok|# (tests|pass|fail|skipped))' || true
fail=$(sed -n 's/^# fail //p' "$work/node.tap")
pass=$(sed -n 's/^# pass //p' "$work/node.tap")
skipped=$(sed -n 's/^# skipped //p' "$work/node.tap")
# A skipped test is a failure here: nothing in this suite is optional.
if [ "${skipped:-0}" != 0 ]; then
  echo "conformance: ${skipped} test(s) skipped; counted as failed"
  fail=$(( ${fail:-0} + skipped ))
fi
echo "conformance: ${pass:-0} passed, ${fail:-1} failed"
[ "${fail:-1}" = 0 ] && [ "${pass:-0}" -gt 0 ]
