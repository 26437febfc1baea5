-- Signed checkpoints over every dossier's chain head; each names the one before it, so the
-- checkpoints form a chain of their own. `heads` is the JSON list the Merkle root was taken over.
CREATE TABLE audit_checkpoints (
    sequence    INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    checkpoint  TEXT    NOT NULL,
    heads       TEXT    NOT NULL
);
