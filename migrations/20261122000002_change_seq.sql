-- A per-collection change counter, bumped in the same transaction as every write to a collection (by any
-- process: the service, an import, psql). Caches (tiles, item pages) key on it, so an answer cached before
-- a write can never be served after it.
CREATE TABLE collection_changes (
    collection text PRIMARY KEY,
    seq        bigint NOT NULL DEFAULT 0,
    changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO collection_changes (collection) VALUES ('farmland_units'), ('construction_parcels');

CREATE FUNCTION bump_collection_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE collection_changes SET seq = seq + 1, changed_at = now() WHERE collection = TG_ARGV[0];
    RETURN NULL;
END
$$;

CREATE TRIGGER farmland_units_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON farmland_unit_versions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_collection_change('farmland_units');
CREATE TRIGGER construction_parcels_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON construction_parcel_versions
    FOR EACH STATEMENT EXECUTE FUNCTION bump_collection_change('construction_parcels');
