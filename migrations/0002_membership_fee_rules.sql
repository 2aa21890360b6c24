-- The centre's yearly membership-fee rule, as data: the JSON of catalog::membership::MembershipRule.
-- A rule applies from `valid_from_year` until the year a later rule starts, so last year's fee
-- never changes when this year's rule does.
CREATE TABLE membership_fee_rules (
    id {{pk}},
    valid_from_year BIGINT NOT NULL UNIQUE,
    preset TEXT NOT NULL DEFAULT '',    -- the preset it was made from ('' for a custom rule)
    rule_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
