-- The file store (issue 9): every stored document as bytes addressed by its SHA-256, kept
-- once, in chunks of 256 KiB so that nothing needs a whole file in memory. A `files` row
-- with no hash is a file still being written in an open transaction.
CREATE TABLE files (
    id {{pk}},
    sha256 TEXT UNIQUE,
    size BIGINT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE file_chunks (
    file_id BIGINT NOT NULL REFERENCES files (id),
    seq BIGINT NOT NULL,
    data {{blob}} NOT NULL,
    PRIMARY KEY (file_id, seq)
);

-- After this file, a step in Rust (`db::migrate`) moves every attachment's base64 text into
-- the store; migration 17 then drops the column.
