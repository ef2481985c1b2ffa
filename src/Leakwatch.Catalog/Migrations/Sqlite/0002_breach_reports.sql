-- The verification report built during ingest: aggregates only, never an identifier.
ALTER TABLE breaches ADD COLUMN report_json TEXT;
PRAGMA user_version = 2;
