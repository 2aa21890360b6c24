-- Delivery (issue 11), continued.
--
-- An active service is kept as periods: a quantity change on day D ends the running row on
-- D - 1 and starts a new one on D with the same activation date (what the statements price
-- from: the one-off fee stays in the activation year). `from_date` is the day a period starts;
-- `previous_id` links it to the period it follows. A deactivation sets `end_date`.
ALTER TABLE active_services ADD COLUMN from_date TEXT NOT NULL DEFAULT '';
UPDATE active_services SET from_date = activation_date;
ALTER TABLE active_services ADD COLUMN previous_id BIGINT REFERENCES active_services (id);
CREATE INDEX active_services_period ON active_services (entity_id, from_date);

-- The share of a package already announced to staff and the contact (0, 80 or 100), so each
-- warning goes once even when several processes record work at the same time.
ALTER TABLE packages ADD COLUMN warned_percent BIGINT NOT NULL DEFAULT 0;
-- The least share of on-site work a package's days must reach (per mille; 0: none; Padova's
-- packages: 800), and whether staff and the contact were told it can no longer be reached.
ALTER TABLE packages ADD COLUMN min_onsite_share BIGINT NOT NULL DEFAULT 0;
ALTER TABLE packages ADD COLUMN warned_onsite BIGINT NOT NULL DEFAULT 0;
