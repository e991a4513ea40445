-- The staging table an import streams its checked features into (binary COPY), in its own transaction.
-- Temporary, so nothing of a refused or dry-run import outlives the transaction. ord is the feature's
-- 1-based position in the file, for reports. Template (store::statements): {columns} the stored
-- properties with their SQL types, in description order (the order import::source::check encodes rows
-- in). A lifecycle state is NULL when the file does not give one: a new feature then starts in the
-- initial state, an existing one keeps its state.
CREATE TEMP TABLE import_staging (
    ord     integer PRIMARY KEY,
    {columns},
    geom    geometry({geometry_type}, 4490) NOT NULL,
    area_m2 double precision NOT NULL
) ON COMMIT DROP
