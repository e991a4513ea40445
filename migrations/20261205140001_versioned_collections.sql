-- Every collection's version table is made by one function, so that the migration of a new register
-- states only its own properties (its collection description in src/domain/collection.rs says the rest):
-- the bookkeeping of valid and transaction time, the indexes that current and as-of reads use, and the
-- change counter with its trigger are the same for every collection. farmland_unit_versions and
-- construction_parcel_versions (migrations 20261122000001/2) have exactly this shape.
--
--   SELECT landguard_versioned_table('tailings_ponds', 'tailings_pond_versions', 'pond_code',
--       $$county_code text NOT NULL CHECK (county_code ~ '^[0-9]{6}$'), level smallint NOT NULL$$);
--
-- collection  the collection id (URLs, collection_changes)
-- tbl         the version table
-- code        the id property's column
-- attributes  the other stored properties' column definitions, as SQL (written by the migration's author,
--             never by a user)
-- geometry    the PostGIS geometry type: MultiPolygon (with an area) or Point
CREATE FUNCTION landguard_versioned_table(collection text, tbl text, code text, attributes text,
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
            change        text NOT NULL CHECK (change IN ('create', 'replace', 'patch', 'import', 'transition')),
            from_state    text,
            document      text,
            note          text,
            ended_by      text,
            ended_change  text CHECK (ended_change IN ('replace', 'patch', 'import', 'transition', 'delete'))
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
