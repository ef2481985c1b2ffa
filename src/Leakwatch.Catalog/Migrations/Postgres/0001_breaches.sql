-- The breach catalogue. Names are unique regardless of ASCII case, as SQLite's COLLATE NOCASE makes them.
CREATE TABLE breaches (
    id integer PRIMARY KEY,
    name text NOT NULL,
    title text NOT NULL,
    domain text NOT NULL DEFAULT '',
    breach_date date NOT NULL,
    added_date timestamptz NOT NULL,
    modified_date timestamptz NOT NULL,
    pwn_count bigint NOT NULL DEFAULT 0,
    description text NOT NULL DEFAULT '',
    logo_path text NOT NULL DEFAULT '',
    data_classes text NOT NULL DEFAULT '[]',
    is_verified boolean NOT NULL DEFAULT true,
    is_fabricated boolean NOT NULL DEFAULT false,
    is_sensitive boolean NOT NULL DEFAULT false,
    is_retired boolean NOT NULL DEFAULT false,
    is_spam_list boolean NOT NULL DEFAULT false,
    is_malware boolean NOT NULL DEFAULT false,
    is_subscription_free boolean NOT NULL DEFAULT false,
    is_stealer_log boolean NOT NULL DEFAULT false,
    stats_json text
);
CREATE UNIQUE INDEX breaches_name_nocase ON breaches (lower(name));
