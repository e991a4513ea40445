-- Each version's GeoJSON Feature, rendered when the version is written (issue 13, goal 3): a full pull spent
-- about three quarters of its statement rendering (ST_AsGeoJSON and the properties' json_build_object, about
-- half each), while a version row never changes once written; docs/benchmarks.md, Features.
--
-- feature_json is the feature exactly as an items page renders it by default (CRS84, the default 6 decimals,
-- every published property in published order): the expression store::items builds for that request, passed
-- in by the migration that opts a collection in. Items pages asking for exactly that rendering read this
-- column; any other crs, precision or properties selection still renders live, and so does a single feature
-- without parameters (its own statement, feature.sql, with 8 decimals).
--
--   SELECT landguard_feature_json('farmland_unit_versions', $r$<the expression>$r$);
--
-- The expression is a copy of what store::items makes from the collection's description, so it could drift
-- from it: the unit test `store::items::tests::every_stored_rendering_is_the_live_one` holds the last call per
-- table in migrations/ equal to the description's rendering (it prints the call to paste when it is not), and
-- tests/ogc.rs holds the stored bytes equal to the live rendering for rows written through the API, the
-- import and plain SQL. A change of a description's published properties ships a new migration calling this
-- again: it replaces the trigger and re-renders every row.
--
-- A trigger, not a generated column: json_build_object and to_json are STABLE (their output may depend on
-- settings), which a generated column refuses, and an IMMUTABLE wrapper would be a promise PostgreSQL cannot
-- check. Whoever writes (the API, the import's merge, psql) goes through it. The trigger evaluates the
-- expression over the row being written (NEW); a generated column it reads (construction parcels'
-- rcr_listed) is not yet computed in a BEFORE trigger, so its generation expression, read from the
-- catalogue, stands in for it, over a one-row subquery of NEW's columns. It fires on INSERT and on an
-- UPDATE of any column but the end-of-version bookkeeping (valid_to, superseded_at, ended_by, ended_change,
-- ended_reason), which the published properties do not show: ending a version does not render again.
--
-- The rows already there are rendered by one rewrite of the table (ALTER COLUMN ... TYPE ... USING, which
-- leaves no dead copy of every row behind as an UPDATE would), about as long as the tile_geometry migration's;
-- the rewrite of a large table outlasts the service's statement_timeout, which `landguard migrate` runs under.
SET LOCAL statement_timeout = 0;

CREATE FUNCTION landguard_feature_json(tbl text, rendering text) RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
    in_trigger text := rendering;
    g record;
    updated text;
BEGIN
    -- A generated column read by the rendering: its generation expression, over the subquery's columns.
    FOR g IN SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) AS expr
             FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE a.attrelid = tbl::regclass AND a.attgenerated = 's' AND NOT a.attisdropped LOOP
        in_trigger := regexp_replace(in_trigger, '\mv\.' || g.attname || '\M', '(' || g.expr || ')', 'g');
    END LOOP;
    -- Without a generated column, the rendering over NEW's fields is one plain expression, which PL/pgSQL
    -- evaluates without running a query: 100 000 rows took 1.6-2.4 s in the trigger that way against
    -- 2.6-3.8 s as a SELECT over (SELECT NEW.*) (bench/results/write-cost-*). Names are quoted: `as` is a
    -- property.
    IF in_trigger = rendering THEN
        in_trigger := format('NEW.feature_json := %s;', regexp_replace(rendering, '\mv\.(\w+)', 'NEW."\1"', 'g'));
    ELSE
        in_trigger := format('SELECT %s INTO NEW.feature_json FROM (SELECT NEW.*) v;', in_trigger);
    END IF;
    EXECUTE format($t$
        CREATE OR REPLACE FUNCTION %I() RETURNS trigger LANGUAGE plpgsql AS $b$
        BEGIN
            %s
            RETURN NEW;
        END
        $b$$t$, tbl || '_feature_json', in_trigger);
    IF NOT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = tbl::regclass AND attname = 'feature_json'
                   AND NOT attisdropped) THEN
        EXECUTE format('ALTER TABLE %I ADD COLUMN feature_json text', tbl);
    END IF;
    -- The USING expression reads the row's own columns, named by the table (a property may be named like a
    -- keyword: soil samples' `as`); stored generated columns hold their values.
    EXECUTE format('ALTER TABLE %I ALTER COLUMN feature_json TYPE text USING (%s), ALTER COLUMN feature_json SET NOT NULL',
                   tbl, regexp_replace(rendering, '\mv\.', quote_ident(tbl) || '.', 'g'));
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO updated
    FROM pg_attribute
    WHERE attrelid = tbl::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
      AND attname NOT IN ('version_id', 'valid_to', 'superseded_at', 'ended_by', 'ended_change', 'ended_reason',
                          'feature_json');
    EXECUTE format('CREATE OR REPLACE TRIGGER %I BEFORE INSERT OR UPDATE OF %s ON %I '
                   'FOR EACH ROW EXECUTE FUNCTION %I()', tbl || '_feature_json', updated, tbl, tbl || '_feature_json');
END
$fn$;

-- Every collection opts in: the expressions below are store::items::feature_json_call of each description.
SELECT landguard_feature_json('farmland_unit_versions', $r$'{"type":"Feature","id":' || to_json(v.unit_code)::text || ',"geometry":' || coalesce(ST_AsGeoJSON(ST_ForcePolygonCCW(v.geom), 6, 0), 'null') || ',"properties":' || json_build_object('unit_code', v.unit_code, 'county_code', v.county_code, 'class', v.class, 'land_type', v.land_type, 'measures_in_place', v.measures_in_place, 'crops_compliant', v.crops_compliant, 'valid_from', v.valid_from, 'basis_doc', v.basis_doc, 'area_m2', round(v.area_m2::numeric, 2), 'area_mu', round((v.area_m2 * 15 / 10000)::numeric, 3))::text || '}'$r$);
SELECT landguard_feature_json('construction_parcel_versions', $r$'{"type":"Feature","id":' || to_json(v.parcel_code)::text || ',"geometry":' || coalesce(ST_AsGeoJSON(ST_ForcePolygonCCW(v.geom), 6, 0), 'null') || ',"properties":' || json_build_object('parcel_code', v.parcel_code, 'county_code', v.county_code, 'name', v.name, 'state', v.state, 'rcr_listed', v.rcr_listed, 'priority_supervision', v.priority_supervision, 'key_unit_land', v.key_unit_land, 'current_use', v.current_use, 'use_code_system', v.use_code_system, 'remediated_for_class', v.remediated_for_class, 'former_industry', v.former_industry, 'valid_from', v.valid_from, 'area_m2', round(v.area_m2::numeric, 2), 'area_mu', round((v.area_m2 * 15 / 10000)::numeric, 3))::text || '}'$r$);
SELECT landguard_feature_json('key_supervised_unit_versions', $r$'{"type":"Feature","id":' || to_json(v.enterprise_code)::text || ',"geometry":' || coalesce(ST_AsGeoJSON(ST_ForcePolygonCCW(v.geom), 6, 0), 'null') || ',"properties":' || json_build_object('enterprise_code', v.enterprise_code, 'name', v.name, 'county_code', v.county_code, 'industry', v.industry, 'listed_years', v.listed_years, 'list_doc', v.list_doc, 'buried_facilities', v.buried_facilities, 'groundwater_sensitive', v.groundwater_sensitive, 'status', v.status, 'valid_from', v.valid_from, 'area_m2', round(v.area_m2::numeric, 2), 'area_mu', round((v.area_m2 * 15 / 10000)::numeric, 3))::text || '}'$r$);
SELECT landguard_feature_json('pollution_source_versions', $r$'{"type":"Feature","id":' || to_json(v.source_code)::text || ',"geometry":' || coalesce(ST_AsGeoJSON(ST_ForcePolygonCCW(v.geom), 6, 0), 'null') || ',"properties":' || json_build_object('source_code', v.source_code, 'name', v.name, 'county_code', v.county_code, 'kind', v.kind, 'pollutants', v.pollutants, 'list', v.list, 'state', v.state, 'deadline', v.deadline, 'plan_doc', v.plan_doc, 'closed_out_doc', v.closed_out_doc, 'valid_from', v.valid_from)::text || '}'$r$);
SELECT landguard_feature_json('tailings_pond_versions', $r$'{"type":"Feature","id":' || to_json(v.pond_code)::text || ',"geometry":' || coalesce(ST_AsGeoJSON(ST_ForcePolygonCCW(v.geom), 6, 0), 'null') || ',"properties":' || json_build_object('pond_code', v.pond_code, 'name', v.name, 'county_code', v.county_code, 'operator', v.operator, 'level', v.level, 'level_doc', v.level_doc, 'safety_class', v.safety_class, 'safety_rating', v.safety_rating, 'status', v.status, 'valid_from', v.valid_from)::text || '}'$r$);
SELECT landguard_feature_json('soil_sample_versions', $r$'{"type":"Feature","id":' || to_json(v.sample_code)::text || ',"geometry":' || coalesce(ST_AsGeoJSON(ST_ForcePolygonCCW(v.geom), 6, 0), 'null') || ',"properties":' || json_build_object('sample_code', v.sample_code, 'county_code', v.county_code, 'sampled_on', v.sampled_on, 'land', v.land, 'ph', v.ph, 'cd', v.cd, 'hg', v.hg, 'as', v.as, 'pb', v.pb, 'cr', v.cr, 'cu', v.cu, 'ni', v.ni, 'zn', v.zn, 'lab', v.lab, 'report_doc', v.report_doc, 'grade', v.grade, 'valid_from', v.valid_from)::text || '}'$r$);
SELECT landguard_feature_json('crop_sample_versions', $r$'{"type":"Feature","id":' || to_json(v.sample_code)::text || ',"geometry":' || coalesce(ST_AsGeoJSON(ST_ForcePolygonCCW(v.geom), 6, 0), 'null') || ',"properties":' || json_build_object('sample_code', v.sample_code, 'county_code', v.county_code, 'sampled_on', v.sampled_on, 'crop', v.crop, 'cd', v.cd, 'pb', v.pb, 'as_inorganic', v.as_inorganic, 'hg', v.hg, 'cr', v.cr, 'lab', v.lab, 'report_doc', v.report_doc, 'compliant', v.compliant, 'worst_ratio', v.worst_ratio, 'valid_from', v.valid_from)::text || '}'$r$);
