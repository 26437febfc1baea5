-- Staff and demo users, their bearer tokens (stored as SHA-256, never in clear), and the
-- Idempotency-Key records of the HTTP API.

CREATE TABLE users (
    id          TEXT    PRIMARY KEY,
    name        TEXT    NOT NULL,
    kind        TEXT    NOT NULL,   -- officer | designer | auditor | admin | citizen
    role        TEXT,               -- the procedure role of an officer, e.g. mot_cua
    unit        TEXT,               -- the unit of an officer
    citizen_id  TEXT,               -- the identification number of a demo citizen
    created_at  BIGINT  NOT NULL
);

CREATE TABLE tokens (
    hash        TEXT    PRIMARY KEY,
    user_id     TEXT    NOT NULL REFERENCES users (id),
    created_at  BIGINT  NOT NULL,
    expires_at  BIGINT  NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE idempotency_keys (
    principal     TEXT    NOT NULL,
    key           TEXT    NOT NULL,
    request_hash  TEXT    NOT NULL,
    command_id    TEXT    NOT NULL,
    created_at    BIGINT  NOT NULL,
    PRIMARY KEY (principal, key)
);
