-- API keys: only the SHA-256 of each key. Versions 1-3 created this table on demand, hence IF NOT EXISTS.
CREATE TABLE IF NOT EXISTS api_keys (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    key_hash BLOB NOT NULL UNIQUE,
    rpm INTEGER NOT NULL,
    created TEXT NOT NULL,
    revoked TEXT
);
PRAGMA user_version = 4;
