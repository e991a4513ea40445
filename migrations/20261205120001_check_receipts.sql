-- Receipts for access-rule checks, and the county outlines a check is located in.

-- County (and district) outlines: where the registry holds land. A check whose query touches none of them
-- is refused rather than answered (a wrong CRS or axis order puts a site in the sea, where nothing is
-- registered and everything would look allowed). `landguard demo` loads the approximate outlines of
-- fixtures/counties.geojson; `landguard counties-load FILE` loads real ones.
CREATE TABLE counties (
    county_code text PRIMARY KEY CHECK (county_code ~ '^[0-9]{6}$'),
    name        text NOT NULL,
    city        text,
    geom        geometry(MultiPolygon, 4490) NOT NULL CHECK (ST_IsValid(geom)),
    -- the file the outline came from: the demo outlines are approximate, an officer should be able to tell
    source      text NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX counties_geom ON counties USING gist (geom);

-- Every check answer as it was sent, byte for byte (text, not jsonb: jsonb would reorder the members and
-- rewrite numbers), so that GET /checks/{kind}/{id} returns the answer as given whatever changed since.
-- Append-only like the audit log: the triggers refuse UPDATE, DELETE and TRUNCATE for every role, the
-- table owner included.
CREATE TABLE check_answers (
    id          text PRIMARY KEY CHECK (id ~ '^[0-9a-f]{32}$'),
    kind        text NOT NULL,
    answer      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- the token or user that asked (NULL: anonymous), or 'cli:' and the operating-system user
    asked_by    text
);

CREATE FUNCTION check_answers_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'check_answers is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER check_answers_no_update_delete BEFORE UPDATE OR DELETE ON check_answers
    FOR EACH ROW EXECUTE FUNCTION check_answers_is_append_only();
CREATE TRIGGER check_answers_no_truncate BEFORE TRUNCATE ON check_answers
    FOR EACH STATEMENT EXECUTE FUNCTION check_answers_is_append_only();
