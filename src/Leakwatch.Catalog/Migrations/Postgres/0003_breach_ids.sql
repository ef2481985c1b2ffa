-- The highest id ever handed out: ids are never reused, so an id held anywhere (a private index entry, a report,
-- a webhook) can never come to name a different breach after a removal. One row; writers lock it to take an id.
CREATE TABLE breach_ids (last integer NOT NULL);
INSERT INTO breach_ids (last) SELECT COALESCE(MAX(id), 0) FROM breaches;
