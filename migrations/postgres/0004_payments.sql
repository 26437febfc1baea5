-- Online payment attempts. One row per attempt (its vnp_TxnRef); only the gateway's IPN, or a
-- reconciliation query, moves it out of 'pending'.
CREATE TABLE payments (
    txn_ref              TEXT    PRIMARY KEY,
    case_code            TEXT    NOT NULL,
    gateway              TEXT    NOT NULL,
    amount               BIGINT  NOT NULL,
    state                TEXT    NOT NULL,
    create_date          TEXT    NOT NULL,
    created_at           BIGINT  NOT NULL,
    updated_at           BIGINT  NOT NULL,
    gateway_transaction  TEXT,
    gateway_response     TEXT
);
CREATE INDEX payments_state ON payments (state, created_at);
CREATE INDEX payments_case ON payments (case_code);
