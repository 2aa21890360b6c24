-- API tokens end for good (issue 9): each has an expiry (one year unless chosen otherwise)
-- and the instant it was last used, shown on the account's page. Tokens issued before this
-- migration expire one year after they were made.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
UPDATE api_tokens SET expires_at = CAST(CAST(SUBSTR(created_at, 1, 4) AS BIGINT) + 1 AS TEXT) || SUBSTR(created_at, 5);

-- Failed logins per account and client address together (issue 9), kept in the database so
-- that several `cst serve` processes share them. Technical state: not audited, not backed up.
CREATE TABLE login_failures (
    username TEXT NOT NULL,
    client TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_failure_at TEXT NOT NULL,
    retry_after TEXT NOT NULL,
    PRIMARY KEY (username, client)
);
