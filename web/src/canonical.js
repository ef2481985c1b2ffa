// Canonical identifiers, exactly as ingest indexes them (docs/private-lookup.md §1). This is a port of
// Leakwatch.Core's EmailNormalizer and PhoneNormalizer; tests/vectors/canonical-identifiers.json holds the
// cases both implementations are tested against, so the two cannot drift apart silently.
import { parsePhoneNumberWithError, getCountries, getCountryCallingCode } from 'libphonenumber-js/max';
// The same IANA list the server bundles (one A-label per line, '#' comments); esbuild inlines it as text.
import tldText from '../../src/Leakwatch.Core/Resources/tlds.txt';

const TLDS = new Set(tldText.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));

const MAX_LOCAL = 64;
const MIN_DOMAIN = 4;
const MAX_DOMAIN = 255;
const MAX_LABEL = 63;

// .NET's char.IsWhiteSpace: Zs, Zl, Zp, U+0009–U+000D, U+0085. Not String.prototype.trim, which also strips
// U+FEFF and keeps U+0085: the same typed text must trim the same way on both sides.
const WS = '\\u0009-\\u000D\\u0020\\u0085\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000';
const TRIM = new RegExp(`^[${WS}]+|[${WS}]+$`, 'g');

/** Trims the characters .NET's string.Trim() trims. */
export function dotnetTrim(s) {
  return s.replace(TRIM, '');
}

/** The canonical email (trimmed, lowercase, IDN domain as A-labels), or null when HIBP's rules reject it. */
export function canonicalEmail(input) {
  const s = dotnetTrim(String(input));
  const at = s.indexOf('@');
  if (at <= 0 || at > MAX_LOCAL || s.indexOf('@', at + 1) >= 0) return null;
  const local = localPart(s.slice(0, at));
  if (local === null) return null;
  const domain = asciiDomain(s.slice(at + 1));
  if (domain === null || !validDomain(domain)) return null;
  return `${local}@${domain}`;
}

function localPart(local) {
  if (local[0] === '.' || local[local.length - 1] === '.') return null;
  let out = '';
  let previous = '';
  for (const ch of local) {
    let c = ch;
    if (c >= 'A' && c <= 'Z') c = c.toLowerCase();
    else if (!/^[a-z0-9_+.-]$/.test(c)) return null; // all non-ASCII too: HIBP does not index Unicode local parts
    if (c === '.' && previous === '.') return null;
    out += c;
    previous = c;
  }
  return out;
}

function asciiDomain(domain) {
  // eslint-disable-next-line no-control-regex
  if (/^[\u0000-\u007F]*$/.test(domain)) return domain.length > MAX_DOMAIN ? null : domain.toLowerCase();
  // Unicode domain: UTS #46 ToASCII, which .NET's IdnMapping (ICU, nontransitional) and the WHATWG URL host
  // parser both implement. Any ASCII that is not LDH or a dot would be rejected afterwards anyway; refusing it
  // first keeps the URL parser from reading '/', '?', '#', ':' or '@' as URL syntax.
  if (/[\u0000-\u002C\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007F]/.test(domain)) return null;
  // .NET (ICU) rejects a Unicode label that starts or ends with '-', where WHATWG does not check hyphens.
  // (Both accept '--' in the 3rd and 4th places: the shared vectors pin this.)
  for (const label of domain.toLowerCase().split(/[.\u3002\uFF0E\uFF61]/)) {
    if (label.startsWith('-') || label.endsWith('-')) return null;
  }
  let host;
  try {
    host = new URL(`http://${domain.toLowerCase()}/`).hostname;
  } catch {
    return null;
  }
  return host.length > MAX_DOMAIN ? null : host.toLowerCase();
}

/** LDH labels, at least one dot, and a TLD that IANA has delegated. */
function validDomain(domain) {
  if (domain.length < MIN_DOMAIN || domain.length > MAX_DOMAIN) return false;
  const labels = domain.split('.');
  if (labels.length < 2) return false;
  for (const label of labels) {
    if (label.length === 0 || label.length > MAX_LABEL) return false;
    if (!/^[a-z0-9-]+$/.test(label) || label[0] === '-' || label[label.length - 1] === '-') return false;
  }
  return TLDS.has(labels[labels.length - 1]);
}

/**
 * The E.164 form (`+447911123456`) of a phone number as a person types it, or null when it is not a valid
 * number. `region` (ISO 3166 alpha-2) reads national numbers; without one, digits without '+' (or after a
 * leading 00) start with a country calling code (the server's convention for dumps like the 2021 533M files).
 * Google's libphonenumber Parse + IsValidNumber is the reference; libphonenumber-js with its "max" metadata
 * (the same metadata release as the server's libphonenumber-csharp) reproduces it.
 */
export function canonicalPhone(input, region) {
  const s = dotnetTrim(String(input));
  if (!s) return null;
  const r = region ? String(region).trim().toUpperCase() : '';
  if (r && !getCountries().includes(r)) return null;
  // Google's parser reads a fullwidth plus as '+'; libphonenumber-js needs the ASCII one.
  const plain = s[0] === '\uFF0B' ? `+${s.slice(1)}` : s;
  // Without a region, digits are read as international, and a leading 00 (the ITU international call prefix)
  // stands for the '+'.
  const text = !r && plain[0] !== '+' ? `+${/^[0\uFF10]{2}/.test(plain) ? plain.slice(2) : plain}` : plain;
  const options = r ? { defaultCountry: r } : undefined;
  let number = parse(text, options);
  if (number === null || (!number.ext && !number.isValid())) {
    // Google's parser reads vanity numbers (1-800-FLOWERS: three or more letters after the number starts) by
    // the keypad; libphonenumber-js does not, so spell them out first. Extensions were split off above.
    const start = text.search(/[+\p{Nd}]/u);
    const rest = start < 0 ? '' : text.slice(start);
    if ((rest.match(/[A-Za-z]/g) ?? []).length >= 3) {
      number = parse(text.slice(0, start) + rest.replace(/[A-Za-z]/g, (c) => KEYPAD[c.toUpperCase()]), options);
    }
  }
  if (number === null || number.ext || !number.isValid()) return null;
  return number.number;
}

const KEYPAD = Object.fromEntries([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((c, i) => [c, '22233344455566677778889999'[i]]));

function parse(text, options) {
  try {
    return parsePhoneNumberWithError(text, options);
  } catch {
    return null;
  }
}

/**
 * What a person typed, as the private protocol's input: `{ kind, canonical, x }` where x is the OPRF input
 * string (`email:` or `phone:` + canonical form), or null when it is neither a valid email nor phone number.
 * As on the server, anything with an '@' is read as an email.
 */
export function canonicalize(input, { region } = {}) {
  const s = String(input);
  if (s.includes('@')) {
    const email = canonicalEmail(s);
    return email === null ? null : { kind: 'email', canonical: email, x: `email:${email}` };
  }
  const phone = canonicalPhone(s, region);
  return phone === null ? null : { kind: 'phone', canonical: phone, x: `phone:${phone}` };
}

/** Regions libphonenumber knows, with their calling codes, for a region picker. */
export function phoneRegions() {
  return getCountries().map((code) => ({ code, callingCode: getCountryCallingCode(code) }));
}
