-- The unit directory: real units by their national code (V1V2V3.Z1Z2.Y1Y2.MX1X2, e.g.
-- 000.00.17.H21), and routes from (receiving unit, unit kind named by a procedure) to a unit.
-- A retired unit keeps its row with the day its successor takes over, so dossiers that name it
-- still read, and routes and open dossiers follow the successor.
CREATE TABLE units (
    code          TEXT    PRIMARY KEY,
    name          TEXT    NOT NULL,
    parent        TEXT,
    level         TEXT,
    valid_from    TEXT,
    retired_from  TEXT,
    successor     TEXT,
    updated_at    BIGINT NOT NULL
);

CREATE TABLE unit_routes (
    receiving   TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    unit        TEXT    NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (receiving, kind)
);

-- Consultations still waiting for an answer, by the unit asked: that unit's inbox.
CREATE TABLE open_consultations (
    case_code  TEXT    NOT NULL,
    unit       TEXT    NOT NULL,
    PRIMARY KEY (case_code, unit)
);
CREATE INDEX open_consultations_by_unit ON open_consultations (unit);

-- The units a dossier stayed at besides the one that received it (liên thông): their reports and
-- registers count their own stays.
CREATE TABLE unit_stays (
    unit       TEXT    NOT NULL,
    case_code  TEXT    NOT NULL,
    PRIMARY KEY (unit, case_code)
);
