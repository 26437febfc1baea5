-- Applicants of every kind: the dossier row says which kind, and who represents the applicant,
-- so a representative's and an organisation's dossiers can be listed for them.
ALTER TABLE dossiers ADD COLUMN applicant_kind TEXT NOT NULL DEFAULT 'citizen';
ALTER TABLE dossiers ADD COLUMN representative_id TEXT;
CREATE INDEX dossiers_representative ON dossiers (representative_id, submitted_at);

-- Browser sessions of citizens signed in through OpenID Connect (the national SSO): no hoso
-- token behind them. The cookie holds a random id; only its SHA-256 is stored. organisation is
-- the tax code of the organisation account the provider vouched for, if any.
CREATE TABLE citizen_sessions (
    id_hash       TEXT    PRIMARY KEY,
    citizen_id    TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    organisation  TEXT,
    csrf          TEXT    NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX citizen_sessions_expiry ON citizen_sessions (expires_at);

-- Sign-ins in flight through the provider: the state (stored as SHA-256) names the PKCE verifier,
-- the nonce and where to go back; each is used once, and only before it expires.
CREATE TABLE oidc_sign_ins (
    state_hash    TEXT    PRIMARY KEY,
    verifier      TEXT    NOT NULL,
    nonce         TEXT    NOT NULL,
    next          TEXT    NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX oidc_sign_ins_expiry ON oidc_sign_ins (expires_at);
