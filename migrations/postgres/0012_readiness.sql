-- One row that /readyz rewrites: a store that answers reads but cannot write (a full disk, a
-- read-only file system) is not ready.
CREATE TABLE readiness (
    id          BIGINT  PRIMARY KEY,
    checked_at  BIGINT  NOT NULL
);
INSERT INTO readiness (id, checked_at) VALUES (1, 0);
-- Kept beside SQLite's: there /readyz takes a few pages here and gives them back.
CREATE TABLE readiness_room (
    room  BYTEA
);
