-- Dossiers that `hoso archive` moved out of the working store once their retention period passed:
-- the archive file that holds their evidence and the chain head they ended at, so the audit tells
-- an archived dossier from one removed by hand, and checks old checkpoints against that head.
CREATE TABLE archived_dossiers (
    code          TEXT    PRIMARY KEY,
    archive_file  TEXT    NOT NULL,
    last_seq      BIGINT  NOT NULL,
    last_hash     TEXT    NOT NULL,
    closed_at     BIGINT  NOT NULL,
    archived_at   BIGINT  NOT NULL
);
