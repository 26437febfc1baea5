-- One row that /readyz rewrites: a store that answers reads but cannot write (a full disk, a
-- read-only file system) is not ready.
CREATE TABLE readiness (
    id          INTEGER PRIMARY KEY,
    checked_at  INTEGER NOT NULL
);
INSERT INTO readiness (id, checked_at) VALUES (1, 0);
-- Where /readyz takes a few pages and gives them back: a database at its size cap is not ready.
CREATE TABLE readiness_room (
    room  BLOB
);
