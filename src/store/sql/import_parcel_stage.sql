-- The staging table for construction parcels (see import_farmland_stage.sql). state is NULL when the file
-- does not give one: a new parcel then starts as 'suspected', an existing one keeps its state.
CREATE TEMP TABLE import_staging (
    ord                  integer PRIMARY KEY,
    parcel_code          text NOT NULL,
    county_code          text NOT NULL,
    name                 text NOT NULL,
    state                text,
    priority_supervision boolean NOT NULL,
    key_unit_land        boolean NOT NULL,
    current_use          text,
    use_code_system      text NOT NULL,
    remediated_for_class smallint,
    former_industry      text,
    geom                 geometry(MultiPolygon, 4490) NOT NULL,
    area_m2              double precision NOT NULL,
    valid_from           date NOT NULL
) ON COMMIT DROP
