-- Domain alerts (docs/organisations.md, "Domain alerts"): the role address that proved control of a domain by mail is
-- where its breach alerts go. Kept only sealed (like subscriptions.sealed_address): with the mailed link's row until
-- the link is used, then with the verified claim.
ALTER TABLE domain_mail_tokens ADD COLUMN sealed_address BLOB;
ALTER TABLE domains ADD COLUMN sealed_address BLOB;
PRAGMA user_version = 10;
