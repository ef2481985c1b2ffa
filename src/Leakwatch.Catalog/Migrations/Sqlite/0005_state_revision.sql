-- One counter every committed state write increments in its own transaction: readers poll it to learn that what
-- they cache (breach rows, keys) is stale. The embedded engine also replaces catalog.revision, which a server watches.
CREATE TABLE state_revision (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
INSERT INTO state_revision (id, value) VALUES (1, 0);
PRAGMA user_version = 5;
