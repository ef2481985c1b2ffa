#!/usr/bin/env python3
"""Input preparation for bench/compare.sh (never timed).

  normalize DUMP OUT.csv ACCOUNTS RECORDS  the peers' input: one (identifier, breach) row per email and per phone
                                           of the dump, plus a lookup sample (half present, half absent)
  accounts DUMP ACCOUNTS                   a lookup sample only (growth rows), from the first rows of the dump
  raw DUMP N                               N emails exactly as the dump spells them (ripgrep's needles)

The peers cannot normalize, so this gives them identifiers already normalized, but deliberately NOT with a
re-implementation of Leakwatch's normalizers: emails are only trimmed and lowercased (no IDN → A-label, no
validity rules), phones are kept only when they already start with '+' and become '+' + their ASCII digits
(no libphonenumber, no national numbers). Rows whose identifier could break CSV quoting are skipped.
So the peers load slightly different (more, some invalid) identifiers than Leakwatch indexes; counts are printed.
"""
import csv, gzip, random, sys

csv.field_size_limit(sys.maxsize)
UNSAFE = set(',"\\\t\r\n ')
DIGITS = set("0123456789")


def rows(path):
    f = gzip.open(path, "rt", encoding="utf-8", errors="replace", newline="") if path.endswith(".gz") \
        else open(path, encoding="utf-8", errors="replace", newline="")
    with f:
        r = csv.reader(l.replace("\0", "") for l in f)
        header = next(r)
        ie, ip = header.index("email"), header.index("phone")
        for row in r:
            if len(row) == len(header):
                yield row[ie], row[ip]
            else:
                yield None, None


def email(v):
    e = v.strip().lower()
    return e if e and "@" in e and not (UNSAFE & set(e)) else None


def phone(v):
    p = v.strip()
    if not p.startswith("+"):
        return None
    d = "".join(c for c in p if c in DIGITS)
    return "+" + d if d else None


def absent(n):
    rnd = random.Random(1)
    out = []
    for i in range(n):
        out.append(f"absent-{i}-q7x@example.com" if i % 2 else f"+4479{rnd.randint(10000000, 99999999)}")
    return out


def normalize(dump, out, accounts, records, present_wanted=5000):
    step = max(1, int(records) * 5 // (present_wanted * 6))  # ~1 in 6 sampled rows has no usable identifier
    present, n_e, n_p, bad_rows, n = [], 0, 0, 0, 0
    with open(out, "w", encoding="utf-8", newline="") as o:
        w = o.write
        for ev, pv in rows(dump):
            if ev is None:
                bad_rows += 1
                continue
            e, p = email(ev), phone(pv)
            if e:
                w(e + ",Bench\n"); n_e += 1
            if p:
                w(p + ",Bench\n"); n_p += 1
            n += 1
            if n % step == 0 and len(present) < present_wanted and (e or p):
                present.append((e or p) if n % 2 else (p or e))
    acc = present + absent(len(present))
    random.Random(2).shuffle(acc)
    open(accounts, "w").write("\n".join(acc) + "\n")
    print(f"peer_emails={n_e} peer_phones={n_p} peer_rows={n_e + n_p} peer_skipped_rows={bad_rows} accounts={len(acc)}")


def accounts_only(dump, accounts, present_wanted=5000):
    present = []
    for i, (ev, pv) in enumerate(rows(dump)):
        if ev is None or i % 7:
            continue
        x = email(ev) if i % 2 else phone(pv)
        if x:
            present.append(x)
        if len(present) >= present_wanted:
            break
    acc = present + absent(len(present))
    random.Random(2).shuffle(acc)
    open(accounts, "w").write("\n".join(acc) + "\n")


def raw(dump, n):
    out = []
    for i, (ev, _) in enumerate(rows(dump)):
        if ev and i % 1013 == 0 and email(ev) == ev.strip().lower() and ev == ev.strip():
            out.append(ev)
            if len(out) >= int(n):
                break
    print("\n".join(out))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"normalize": normalize, "accounts": accounts_only, "raw": raw}[cmd](*args)
