-- hoso schema v1: events are the truth; dossiers, timers and outbox are written with them in one
-- transaction. Instants are integer microseconds since the Unix epoch (UTC); money is integer đồng.

CREATE TABLE procedures (
    code          TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    definition    TEXT    NOT NULL,
    sha256        TEXT    NOT NULL,
    published_at  INTEGER NOT NULL,
    PRIMARY KEY (code, version)
);

-- The last dossier number of each receiving unit's day; allocated in the registering transaction.
CREATE TABLE dossier_sequences (
    unit  TEXT    NOT NULL,
    day   TEXT    NOT NULL,
    last  INTEGER NOT NULL,
    PRIMARY KEY (unit, day)
);

CREATE TABLE dossiers (
    code               TEXT    PRIMARY KEY,
    procedure_code     TEXT    NOT NULL,
    procedure_version  INTEGER NOT NULL,
    receiving_unit     TEXT    NOT NULL,
    unit               TEXT    NOT NULL,
    status             INTEGER NOT NULL,
    step               TEXT,
    applicant_id       TEXT    NOT NULL,
    applicant_name     TEXT    NOT NULL,
    attention_unit     TEXT,
    attention_role     TEXT,
    appointment_at     INTEGER,
    step_due_at        INTEGER,
    urgency_at         INTEGER,
    submitted_at       INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    version            INTEGER NOT NULL,
    state              TEXT    NOT NULL
);
CREATE INDEX dossiers_inbox ON dossiers (attention_unit, attention_role, urgency_at);
CREATE INDEX dossiers_status ON dossiers (status, submitted_at);
CREATE INDEX dossiers_unit ON dossiers (unit, submitted_at);
CREATE INDEX dossiers_receiving_unit ON dossiers (receiving_unit, submitted_at);
CREATE INDEX dossiers_applicant ON dossiers (applicant_id, submitted_at);
CREATE INDEX dossiers_submitted ON dossiers (submitted_at);

CREATE TABLE events (
    case_code   TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    command_id  TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    PRIMARY KEY (case_code, seq)
);
CREATE INDEX events_command ON events (command_id);

-- One row per applied command: a retried command id finds its first result here.
CREATE TABLE commands (
    command_id  TEXT    PRIMARY KEY,
    case_code   TEXT    NOT NULL,
    at          INTEGER NOT NULL
);

CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    topic            TEXT    NOT NULL,
    payload          TEXT    NOT NULL,
    case_code        TEXT,
    state            TEXT    NOT NULL DEFAULT 'pending',
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    last_error       TEXT,
    created_at       INTEGER NOT NULL,
    delivered_at     INTEGER
);
CREATE INDEX outbox_pending ON outbox (state, next_attempt_at);

CREATE TABLE timers (
    case_code      TEXT    NOT NULL,
    deadline       TEXT    NOT NULL,
    passed         INTEGER NOT NULL,
    due_at         INTEGER NOT NULL,
    claimed_until  INTEGER,
    PRIMARY KEY (case_code, deadline, passed)
);
CREATE INDEX timers_due ON timers (due_at);
