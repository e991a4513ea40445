-- The registry: every version of every record, with its valid time (when it held on the ground, from
-- `valid_from` and transition dates) and its transaction time (when it was recorded and, if a later
-- record corrected it, when it was superseded). A row with valid_to IS NULL and superseded_at IS NULL
-- is the current state of a feature.

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE farmland_unit_versions (
    version_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_code         text NOT NULL,
    county_code       text NOT NULL CHECK (county_code ~ '^[0-9]{6}$'),
    class             text NOT NULL CHECK (class IN ('priority_protection', 'safe_use', 'strict_control')),
    land_type         text NOT NULL CHECK (land_type IN ('0101', '0102', '0103')),
    measures_in_place boolean NOT NULL,
    crops_compliant   boolean,
    basis_doc         text,
    geom              geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
    area_m2           double precision NOT NULL CHECK (area_m2 >= 0),
    valid_from        date NOT NULL,
    valid_to          date CHECK (valid_to IS NULL OR valid_to >= valid_from),
    recorded_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    recorded_by       text NOT NULL,
    superseded_at     timestamptz,
    change            text NOT NULL CHECK (change IN ('create', 'replace', 'patch', 'import')),
    ended_by          text,
    ended_change      text CHECK (ended_change IN ('replace', 'patch', 'import', 'delete'))
);

CREATE UNIQUE INDEX farmland_unit_current_code ON farmland_unit_versions (unit_code)
    WHERE valid_to IS NULL AND superseded_at IS NULL;
CREATE INDEX farmland_unit_current_geom ON farmland_unit_versions USING gist (geom)
    WHERE valid_to IS NULL AND superseded_at IS NULL;
CREATE INDEX farmland_unit_known_geom ON farmland_unit_versions USING gist (geom)
    WHERE superseded_at IS NULL;
CREATE INDEX farmland_unit_code_time ON farmland_unit_versions (unit_code, valid_from);
CREATE INDEX farmland_unit_county ON farmland_unit_versions (county_code)
    WHERE valid_to IS NULL AND superseded_at IS NULL;

CREATE TABLE construction_parcel_versions (
    version_id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parcel_code          text NOT NULL,
    county_code          text NOT NULL CHECK (county_code ~ '^[0-9]{6}$'),
    name                 text NOT NULL,
    state                text NOT NULL CHECK (state IN ('suspected', 'surveying', 'cleared', 'risk_assessment',
                             'listed', 'under_control', 'under_remediation', 'effect_evaluation', 'delisted',
                             'post_management')),
    rcr_listed           boolean GENERATED ALWAYS AS
                             (state IN ('listed', 'under_control', 'under_remediation', 'effect_evaluation')) STORED,
    priority_supervision boolean NOT NULL,
    key_unit_land        boolean NOT NULL,
    current_use          text,
    use_code_system      text NOT NULL CHECK (use_code_system IN ('ydyh2023', 'gbt21010', 'gb50137')),
    remediated_for_class smallint CHECK (remediated_for_class IN (1, 2)),
    former_industry      text,
    geom                 geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
    area_m2              double precision NOT NULL CHECK (area_m2 >= 0),
    valid_from           date NOT NULL,
    valid_to             date CHECK (valid_to IS NULL OR valid_to >= valid_from),
    recorded_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    recorded_by          text NOT NULL,
    superseded_at        timestamptz,
    change               text NOT NULL CHECK (change IN ('create', 'replace', 'patch', 'import', 'transition')),
    -- for change = 'transition': the lifecycle step and the document behind it
    from_state           text,
    document             text,
    note                 text,
    ended_by             text,
    ended_change         text CHECK (ended_change IN ('replace', 'patch', 'import', 'transition', 'delete'))
);

CREATE UNIQUE INDEX construction_parcel_current_code ON construction_parcel_versions (parcel_code)
    WHERE valid_to IS NULL AND superseded_at IS NULL;
CREATE INDEX construction_parcel_current_geom ON construction_parcel_versions USING gist (geom)
    WHERE valid_to IS NULL AND superseded_at IS NULL;
CREATE INDEX construction_parcel_known_geom ON construction_parcel_versions USING gist (geom)
    WHERE superseded_at IS NULL;
CREATE INDEX construction_parcel_code_time ON construction_parcel_versions (parcel_code, valid_from);

-- Append-only audit log of every write. The triggers refuse UPDATE, DELETE and TRUNCATE for every role,
-- the table owner included.
CREATE TABLE audit_log (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor       text NOT NULL,
    action      text NOT NULL,
    collection  text,
    feature_id  text,
    version_id  bigint,
    detail      jsonb
);
CREATE INDEX audit_log_feature ON audit_log (collection, feature_id);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- API tokens: only a SHA-256 of the token is kept; the token itself is shown once, at creation.
CREATE TABLE api_tokens (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    role        text NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
    token_hash  bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

CREATE TABLE landguard_meta (
    key   text PRIMARY KEY,
    value text NOT NULL
);
