-- API keys: only the SHA-256 of each key.
CREATE TABLE api_keys (
    id integer PRIMARY KEY,
    name text NOT NULL DEFAULT '',
    key_hash bytea NOT NULL UNIQUE,
    rpm integer NOT NULL,
    created timestamptz NOT NULL,
    revoked timestamptz
);
