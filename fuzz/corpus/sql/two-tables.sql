CREATE TABLE t1 (a int);
INSERT INTO t1 VALUES (1);
CREATE TABLE people (mail text, tel text);
INSERT INTO people VALUES ('p@x.com','+15551234567');
