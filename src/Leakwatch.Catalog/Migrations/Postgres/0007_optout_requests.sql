-- Opt-out requests waiting for their mailed link, and what the private tier needs to drop an opted-out identifier's
-- bucket entries without a rebuild. No identifier is stored: an identifier is its 10-byte index key (keyed hash), the
-- link's token only its SHA-256, and the identifier's OPRF outputs (one per OPRF key of the key file, with its bucket)
-- only sealed (AES-GCM under a key-file subkey). A pending row is erased when its link is used or found expired.
CREATE TABLE optout_requests (
    token_hash bytea PRIMARY KEY,
    match_key bytea NOT NULL,
    sealed_private bytea,
    expires timestamptz NOT NULL
);
CREATE INDEX optout_requests_by_key ON optout_requests (match_key);
CREATE TABLE optout_private (
    match_key bytea PRIMARY KEY,
    sealed_private bytea NOT NULL,
    created timestamptz NOT NULL
);
