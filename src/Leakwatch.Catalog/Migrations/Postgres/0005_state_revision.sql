-- One counter every committed state write increments in its own transaction: replicas poll it (one tiny query a
-- second) to learn that what they cache (breach rows, keys) is stale.
CREATE TABLE state_revision (id integer PRIMARY KEY CHECK (id = 1), value bigint NOT NULL);
INSERT INTO state_revision (id, value) VALUES (1, 0);
