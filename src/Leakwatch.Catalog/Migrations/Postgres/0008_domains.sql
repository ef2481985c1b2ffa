-- Domains an API key claims, and the proof of control it gave (docs/organisations.md, "Domain verification").
-- A domain name is kept in clear (it names an organisation, not a person); every token only as its SHA-256, so a
-- copy of the store neither shows the TXT record to publish nor opens a mailed link. One row per (key, domain):
-- each key proves control on its own. A mailed link's row is erased when it is used or found expired.
CREATE TABLE domains (
    key_id integer NOT NULL,
    domain text NOT NULL,
    token_hash bytea NOT NULL,
    created timestamptz NOT NULL,
    verified timestamptz,
    method text,
    PRIMARY KEY (key_id, domain)
);
CREATE INDEX domains_by_name ON domains (domain);
CREATE TABLE domain_mail_tokens (
    token_hash bytea PRIMARY KEY,
    key_id integer NOT NULL,
    domain text NOT NULL,
    created timestamptz NOT NULL,
    expires timestamptz NOT NULL
);
CREATE INDEX domain_mail_tokens_by_domain ON domain_mail_tokens (key_id, domain);
