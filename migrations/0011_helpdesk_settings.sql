-- Help-desk settings chosen by the administrators (issue 4): the SLA policy (take-charge and
-- resolution targets by priority, the share to meet), as JSON under a key.
CREATE TABLE helpdesk_settings (
    key TEXT PRIMARY KEY,
    value_json TEXT NOT NULL,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);
