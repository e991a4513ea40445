-- Withdrawn and corrected lifecycle steps. A step recorded by mistake is withdrawn, not erased: its version
-- is superseded (ended_change 'withdraw') and the version before it holds again. A step whose document number
-- was mistyped is corrected in transaction time: its version is superseded (ended_change 'correct') by a copy
-- with the right number, the same step on the same date. ended_reason keeps the reason the person gave.
-- Every version table has the same bookkeeping columns (20261205140001), so all of them change here, and
-- landguard_versioned_table makes later tables with the same shape. 'adjustment' (an approved class
-- adjustment batch, 20261205183001) stays allowed.
DO $do$
DECLARE
    t text;
    c text;
BEGIN
    FOR t IN SELECT table_name FROM information_schema.columns
             WHERE table_schema = current_schema() AND column_name = 'ended_change'
    LOOP
        FOR c IN SELECT conname FROM pg_constraint
                 WHERE conrelid = format('%I', t)::regclass AND contype = 'c'
                   AND pg_get_constraintdef(oid) LIKE '%ended_change%'
        LOOP
            EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', t, c);
        END LOOP;
        EXECUTE format($a$ALTER TABLE %I ADD CONSTRAINT %I CHECK (ended_change IN ('replace', 'patch', 'import',
                       'transition', 'delete', 'adjustment', 'withdraw', 'correct')), ADD COLUMN ended_reason text$a$,
                       t, t || '_ended_change_check');
    END LOOP;
END
$do$;

CREATE OR REPLACE FUNCTION landguard_versioned_table(collection text, tbl text, code text, attributes text,
                                          geometry text DEFAULT 'MultiPolygon')
RETURNS void LANGUAGE plpgsql AS $fn$
BEGIN
    IF geometry NOT IN ('MultiPolygon', 'Point') THEN
        RAISE EXCEPTION 'landguard_versioned_table: geometry must be MultiPolygon or Point, not %', geometry;
    END IF;
    EXECUTE format($t$
        CREATE TABLE %I (
            version_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            %I            text NOT NULL,
            %s,
            geom          geometry(%s, 4490) NOT NULL CHECK (ST_IsValid(geom)),
            area_m2       double precision NOT NULL CHECK (area_m2 >= 0),
            valid_from    date NOT NULL,
            valid_to      date CHECK (valid_to IS NULL OR valid_to >= valid_from),
            recorded_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
            recorded_by   text NOT NULL,
            superseded_at timestamptz,
            change        text NOT NULL CHECK (change IN ('create', 'replace', 'patch', 'import', 'transition',
                                                       'adjustment')),
            from_state    text,
            document      text,
            note          text,
            ended_by      text,
            ended_change  text CHECK (ended_change IN ('replace', 'patch', 'import', 'transition', 'delete',
                                                       'adjustment', 'withdraw', 'correct')),
            ended_reason  text
        )$t$, tbl, code, attributes, geometry);
    EXECUTE format('CREATE UNIQUE INDEX %I ON %I (%I) WHERE valid_to IS NULL AND superseded_at IS NULL',
                   tbl || '_current_code', tbl, code);
    EXECUTE format('CREATE INDEX %I ON %I USING gist (geom) WHERE valid_to IS NULL AND superseded_at IS NULL',
                   tbl || '_current_geom', tbl);
    EXECUTE format('CREATE INDEX %I ON %I USING gist (geom) WHERE superseded_at IS NULL', tbl || '_known_geom', tbl);
    EXECUTE format('CREATE INDEX %I ON %I (%I, valid_from)', tbl || '_code_time', tbl, code);
    INSERT INTO collection_changes (collection) VALUES (collection);
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I '
                   'FOR EACH STATEMENT EXECUTE FUNCTION bump_collection_change(%L)', collection || '_changed', tbl,
                   collection);
END
$fn$;
