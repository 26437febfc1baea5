-- Every set of calendars a node has decided with, by its version (the fingerprint a dossier
-- records), with each year's fingerprint and whether it was provisional. When an official year
-- replaces a draft, comparing a dossier's version with the current one tells which years moved
-- under its deadlines, so only those dossiers are recomputed.
CREATE TABLE calendar_versions (
    version      TEXT    PRIMARY KEY,
    years        TEXT    NOT NULL,
    recorded_at  INTEGER NOT NULL
);
