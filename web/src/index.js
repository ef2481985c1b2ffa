// The Leakwatch client library: private lookups (leakwatch/private/v1), k-anonymous password checks, advice
// matching. Bundled by web/build.sh into src/Leakwatch.Server/wwwroot/assets/leakwatch.js; works in browsers and
// Node >= 20 (WebCrypto only).
export { canonicalize, canonicalEmail, canonicalPhone, phoneRegions, dotnetTrim } from './canonical.js';
export {
  PrivateLookupClient, LeakwatchError, bucketOf, entryKeys, openBucket, toBase64, fromBase64, PROTOCOL, ENTRY_SIZE,
  IDS_PER_ENTRY, CONFIG_VERSION, MIN_PHONE_CROWD, maxSectionBits, sectionOf, readLayout, bucketIn,
} from './private-lookup.js';
export { pwnedPasswordCount, passwordSha1, countInRange } from './passwords.js';
export { matchAdvice } from './advice.js';
