-- Nonces hoso issues for citizens' OpenID Connect sign-ins (stored as SHA-256). An ID token is
-- accepted only with a nonce from here that no other token has used: the first token to present
-- it is bound to it (token_hash), so a token obtained in another sign-in cannot be replayed here.
CREATE TABLE oidc_nonces (
    nonce_hash   TEXT    PRIMARY KEY,
    expires_at   BIGINT  NOT NULL,
    token_hash   TEXT
);
CREATE INDEX oidc_nonces_expiry ON oidc_nonces (expires_at);
