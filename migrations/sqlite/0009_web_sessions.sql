-- Browser sessions of the web pages. The cookie holds a random id; only its SHA-256 is stored.
-- A session rides on the token its user signed in with, so revoking or expiring that token ends
-- the session too. csrf is the value every form of the session must send back.
CREATE TABLE web_sessions (
    id_hash     TEXT    PRIMARY KEY,
    token_hash  TEXT    NOT NULL,
    csrf        TEXT    NOT NULL,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
