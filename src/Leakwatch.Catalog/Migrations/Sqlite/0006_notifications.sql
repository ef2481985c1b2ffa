-- Notifications (subscriptions, opt-outs, monitored identifiers, webhooks, the outbox). No identifier is stored:
-- an identifier is kept as its 10-byte index key (the keyed hash the exposure index uses) for matching, and an
-- address needed for delivery only sealed (AES-GCM under a key-file subkey). Tokens are kept as SHA-256 hashes.
-- None of these writes moves state_revision: they are not part of what replicas cache.
CREATE TABLE subscriptions (
    id INTEGER PRIMARY KEY,
    match_key BLOB NOT NULL UNIQUE,
    sealed_address BLOB NOT NULL,
    verify_token_hash BLOB UNIQUE,
    verify_expires TEXT,
    verify_sent TEXT,
    verified TEXT,
    unsubscribe_token_hash BLOB NOT NULL UNIQUE,
    created TEXT NOT NULL
);
CREATE TABLE opt_outs (
    match_key BLOB PRIMARY KEY,
    created TEXT NOT NULL
);
CREATE TABLE monitored (
    key_id INTEGER NOT NULL,
    match_key BLOB NOT NULL,
    kind INTEGER NOT NULL,
    hint TEXT NOT NULL DEFAULT '',
    created TEXT NOT NULL,
    PRIMARY KEY (key_id, match_key)
);
CREATE INDEX monitored_by_key ON monitored (match_key);
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    key_id INTEGER NOT NULL,
    url TEXT NOT NULL,
    sealed_secret BLOB NOT NULL,
    events INTEGER NOT NULL,
    created TEXT NOT NULL,
    disabled TEXT,
    disabled_reason TEXT
);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    dedupe TEXT NOT NULL UNIQUE,
    channel INTEGER NOT NULL,
    target_id INTEGER NOT NULL,
    breach_id INTEGER NOT NULL,
    event TEXT NOT NULL,
    message_id TEXT NOT NULL,
    sealed_payload BLOB,
    state INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt TEXT NOT NULL,
    claimed_until TEXT,
    last_error TEXT,
    created TEXT NOT NULL,
    finished TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt);
CREATE INDEX outbox_by_breach ON outbox (breach_id, state);
CREATE TABLE notify_progress (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT INTO notify_progress (id, generation) VALUES (1, 0);
PRAGMA user_version = 6;
