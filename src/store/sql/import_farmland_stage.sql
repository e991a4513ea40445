-- The staging table an import streams its checked features into (binary COPY), in its own transaction.
-- Temporary, so nothing of a refused or dry-run import outlives the transaction. ord is the feature's
-- 1-based position in the file, for reports.
CREATE TEMP TABLE import_staging (
    ord               integer PRIMARY KEY,
    unit_code         text NOT NULL,
    county_code       text NOT NULL,
    class             text NOT NULL,
    land_type         text NOT NULL,
    measures_in_place boolean NOT NULL,
    crops_compliant   boolean,
    basis_doc         text,
    geom              geometry(MultiPolygon, 4490) NOT NULL,
    area_m2           double precision NOT NULL,
    valid_from        date NOT NULL
) ON COMMIT DROP
