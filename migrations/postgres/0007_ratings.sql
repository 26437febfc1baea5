-- Citizens' satisfaction ratings (đánh giá mức độ hài lòng), one per returned dossier. No identity
-- is stored with a rating, and ratings are not events: the dossier's timeline does not show them.
CREATE TABLE ratings (
    case_code     TEXT    PRIMARY KEY,
    unit          TEXT    NOT NULL,
    satisfaction  TEXT    NOT NULL,
    rated_at      BIGINT  NOT NULL
);
