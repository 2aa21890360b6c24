-- Attachments live in the file store (migration 16 moved their content there, by hash).
ALTER TABLE ticket_attachments DROP COLUMN content_b64;
CREATE INDEX ticket_attachments_sha256 ON ticket_attachments (sha256);
