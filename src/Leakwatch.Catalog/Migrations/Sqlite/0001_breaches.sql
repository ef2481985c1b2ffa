-- The breach catalogue as schema version 1 created it; a catalogue with PRAGMA user_version >= 1 has it already.
CREATE TABLE breaches (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    title TEXT NOT NULL,
    domain TEXT NOT NULL DEFAULT '',
    breach_date TEXT NOT NULL,
    added_date TEXT NOT NULL,
    modified_date TEXT NOT NULL,
    pwn_count INTEGER NOT NULL DEFAULT 0,
    description TEXT NOT NULL DEFAULT '',
    logo_path TEXT NOT NULL DEFAULT '',
    data_classes TEXT NOT NULL DEFAULT '[]',
    is_verified INTEGER NOT NULL DEFAULT 1,
    is_fabricated INTEGER NOT NULL DEFAULT 0,
    is_sensitive INTEGER NOT NULL DEFAULT 0,
    is_retired INTEGER NOT NULL DEFAULT 0,
    is_spam_list INTEGER NOT NULL DEFAULT 0,
    is_malware INTEGER NOT NULL DEFAULT 0,
    is_subscription_free INTEGER NOT NULL DEFAULT 0,
    is_stealer_log INTEGER NOT NULL DEFAULT 0,
    stats_json TEXT
);
PRAGMA user_version = 1;
