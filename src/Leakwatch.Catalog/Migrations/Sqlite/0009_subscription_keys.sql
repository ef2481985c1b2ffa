-- Matching on publish reads every verified subscription's index key in key order. This index holds all it reads
-- (match_key, verified, and the rowid id), so that read is one scan of a small index in the order the matcher merges
-- in, instead of a scan of the whole table (sealed addresses included) followed by a sort.
CREATE INDEX subscriptions_verified_keys ON subscriptions (match_key, verified);
PRAGMA user_version = 9;
