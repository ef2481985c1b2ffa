// k-anonymous password check against the Pwned Passwords range API: only the first 5 hex digits (20 bits) of the
// password's SHA-1 leave the browser, the response is padded with `Add-Padding: true`, and the suffix is compared
// here.
import { LeakwatchError } from './private-lookup.js';

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();

/** SHA-1 of the UTF-8 password, upper-case hex (as the Pwned Passwords corpus writes it). */
export async function passwordSha1(password) {
  const digest = await globalThis.crypto.subtle.digest('SHA-1', new TextEncoder().encode(password));
  return hex(new Uint8Array(digest));
}

/** The count a range body gives for `suffix` (35 hex), 0 when absent; padding lines (`:0`) count as absent. */
export function countInRange(body, suffix) {
  const want = suffix.toUpperCase();
  for (const line of body.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim().toUpperCase() !== want) continue;
    const n = Number.parseInt(line.slice(colon + 1).trim(), 10);
    return Number.isFinite(n) ? n : 0;
  }
  return 0;
}

/** How often the password appears in the server's corpus (0 when never); sends only the 5-hex prefix. */
export async function pwnedPasswordCount(password, { baseUrl = '', fetch = globalThis.fetch.bind(globalThis) } = {}) {
  if (typeof password !== 'string' || password.length === 0) throw new LeakwatchError('invalid-input', 'Type a password to check.');
  const sha1 = await passwordSha1(password);
  const response = await fetch(`${baseUrl.replace(/\/+$/, '')}/range/${sha1.slice(0, 5)}`, {
    headers: { 'Add-Padding': 'true' },
    credentials: 'omit',
  });
  if (response.status === 429) {
    const retryAfter = Number.parseInt(response.headers.get('retry-after') ?? '60', 10);
    throw new LeakwatchError('rate-limited', `Too many checks from here; try again in ${retryAfter} seconds.`, { retryAfter });
  }
  if (!response.ok) throw new LeakwatchError('http', `password range: HTTP ${response.status}`, { status: response.status });
  return countInRange(await response.text(), sha1.slice(5));
}
