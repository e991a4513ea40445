-- Class adjustment batches (调整批次, issue 16; docs/adjustment.md): a batch proposes a class for each farmland
-- unit of a county from the samples inside it, is reviewed (overrides with reasons), submitted, and approved
-- (applied as new unit versions) or rejected. Proposals keep the unit version they were computed from, so
-- that approval can refuse when a unit changed meanwhile.
CREATE TABLE adjustment_batches (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    county_code     text NOT NULL CHECK (county_code ~ '^[0-9]{6}$'),
    -- NULL: every current unit of the county; else only these units
    unit_codes      text[],
    as_of           date NOT NULL,
    trigger         text NOT NULL CHECK (trigger IN ('monitoring', 'denser_sampling', 'boundaries', 'land_use_change')),
    note            text,
    state           text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'submitted', 'approved', 'rejected')),
    -- the AdjustmentSettings the proposals were computed with
    settings        jsonb NOT NULL,
    -- BatchSummary over the proposals with their overrides, kept current by every override
    summary         jsonb NOT NULL,
    -- the farmland change counter (collection_changes) when the proposals were computed
    farmland_seq    bigint NOT NULL,
    created_by      text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    submitted_by    text,
    submitted_at    timestamptz,
    decided_by      text,
    decided_at      timestamptz,
    document        text,
    effective_from  date,
    reject_reason   text,
    applied_units   integer,
    CHECK ((state = 'approved') = (document IS NOT NULL AND effective_from IS NOT NULL AND decided_by IS NOT NULL)),
    CHECK ((state = 'rejected') = (reject_reason IS NOT NULL)),
    CHECK ((state = 'draft') = (submitted_at IS NULL))
);
CREATE INDEX adjustment_batches_county ON adjustment_batches (county_code, id DESC);

CREATE TABLE adjustment_proposals (
    batch_id         bigint NOT NULL REFERENCES adjustment_batches (id),
    unit_code        text NOT NULL,
    -- the farmland_unit_versions row the proposal was computed from
    unit_version_id  bigint NOT NULL,
    current_class    text NOT NULL CHECK (current_class IN ('priority_protection', 'safe_use', 'strict_control')),
    proposed_class   text NOT NULL CHECK (proposed_class IN ('priority_protection', 'safe_use', 'strict_control')),
    direction        text NOT NULL CHECK (direction IN ('unchanged', 'up', 'down')),
    outcome          text NOT NULL CHECK (outcome IN ('moved', 'confirmed', 'too_few_samples', 'awaiting_clean_seasons')),
    denser_sampling  boolean NOT NULL,
    evidence         jsonb NOT NULL,
    reason_zh        text NOT NULL,
    reason_en        text NOT NULL,
    override_class   text CHECK (override_class IN ('priority_protection', 'safe_use', 'strict_control')),
    override_reason  text,
    override_by      text,
    override_at      timestamptz,
    CHECK ((override_class IS NULL) = (override_reason IS NULL)),
    PRIMARY KEY (batch_id, unit_code)
);

-- An approved batch writes its changes as versions of their own kind, so that a unit's history tells them
-- from hand edits.
ALTER TABLE farmland_unit_versions DROP CONSTRAINT farmland_unit_versions_change_check,
    ADD CONSTRAINT farmland_unit_versions_change_check
        CHECK (change IN ('create', 'replace', 'patch', 'import', 'adjustment'));
ALTER TABLE farmland_unit_versions DROP CONSTRAINT farmland_unit_versions_ended_change_check,
    ADD CONSTRAINT farmland_unit_versions_ended_change_check
        CHECK (ended_change IN ('replace', 'patch', 'import', 'delete', 'adjustment'));
