-- Matching on publish reads every verified subscription's index key in key order: with id and verified included,
-- that read is an index-only scan in the order the matcher merges in.
CREATE INDEX subscriptions_verified_keys ON subscriptions (match_key) INCLUDE (verified, id);
