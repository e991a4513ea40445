-- The measures ledger (措施台账) of farmland units (issue 16, docs/targets.md#the-measures-ledger): each row is
-- one measure taken on (part of) a unit in a year, or a season of it, with the document that records it.
-- The safe-utilisation rate reads it (src/store/sql/ledger_cover.sql).
--
-- Append-only, like a paper ledger: a row is never changed or deleted. A wrong line is withdrawn (struck
-- through, still legible: who, when, why) and the right one entered as a new row. A correcting row with a
-- negative area would not fit the method, which counts the largest measure of a unit, not a sum.
CREATE TABLE farmland_measures (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_code       text NOT NULL,
    year            integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    season          smallint CHECK (season BETWEEN 1 AND 4),
    kind            text NOT NULL CHECK (kind IN ('variety', 'lime', 'water', 'foliar', 'deep_plough', 'other',
                        'planting_structure', 'strict_zone', 'forest_grass', 'fallow', 'non_farmland')),
    area_m2         double precision NOT NULL CHECK (area_m2 > 0),
    document        text NOT NULL CHECK (btrim(document) <> ''),
    note            text,
    recorded_by     text NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    withdrawn_at    timestamptz,
    withdrawn_by    text,
    withdrawn_reason text,
    CHECK ((withdrawn_at IS NULL) = (withdrawn_by IS NULL) AND (withdrawn_at IS NULL) = (withdrawn_reason IS NULL))
);

CREATE INDEX farmland_measures_unit_year ON farmland_measures (unit_code, year) WHERE withdrawn_at IS NULL;
CREATE INDEX farmland_measures_year ON farmland_measures (year) WHERE withdrawn_at IS NULL;

-- The one change a row may see: its withdrawal, once. Everything else (and any delete) is refused.
CREATE FUNCTION farmland_measures_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.withdrawn_at IS NULL AND NEW.withdrawn_at IS NOT NULL
       AND (NEW.id, NEW.unit_code, NEW.year, NEW.season, NEW.kind, NEW.area_m2, NEW.document, NEW.note,
            NEW.recorded_by, NEW.recorded_at)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.unit_code, OLD.year, OLD.season, OLD.kind, OLD.area_m2, OLD.document, OLD.note,
            OLD.recorded_by, OLD.recorded_at) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'farmland_measures is append-only: a row is only ever withdrawn, once (% refused)', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;
CREATE TRIGGER farmland_measures_no_update_delete BEFORE UPDATE OR DELETE ON farmland_measures
    FOR EACH ROW EXECUTE FUNCTION farmland_measures_append_only();
CREATE TRIGGER farmland_measures_no_truncate BEFORE TRUNCATE ON farmland_measures
    FOR EACH STATEMENT EXECUTE FUNCTION farmland_measures_append_only();
