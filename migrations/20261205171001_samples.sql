-- Soil and crop samples (issue 16): point collections made by landguard_versioned_table, described in
-- src/domain/collection/soil_samples.rs and crop_samples.rs. grade, compliant and worst_ratio are derived by
-- the description when a sample is written or imported (GB 15618 / GB 2762); they are stored so that maps and
-- CQL2 filters read them like any other column. "as" is an SQL keyword, hence quoted.
SELECT landguard_versioned_table('soil_samples', 'soil_sample_versions', 'sample_code', $$
    county_code text NOT NULL CHECK (county_code ~ '^[0-9]{6}$'),
    sampled_on  date NOT NULL,
    land        text NOT NULL CHECK (land IN ('paddy', 'other')),
    ph          double precision NOT NULL CHECK (ph >= 0 AND ph <= 14),
    cd double precision, hg double precision, "as" double precision, pb double precision,
    cr double precision, cu double precision, ni double precision, zn double precision,
    lab         text,
    report_doc  text,
    grade       text NOT NULL CHECK (grade IN ('A', 'B', 'C'))
$$, 'Point');

SELECT landguard_versioned_table('crop_samples', 'crop_sample_versions', 'sample_code', $$
    county_code  text NOT NULL CHECK (county_code ~ '^[0-9]{6}$'),
    sampled_on   date NOT NULL,
    crop         text NOT NULL,
    cd double precision, pb double precision, as_inorganic double precision, hg double precision,
    cr double precision,
    lab          text,
    report_doc   text,
    compliant    boolean,
    worst_ratio  double precision CHECK (worst_ratio >= 0)
$$, 'Point');

CREATE INDEX soil_sample_versions_grade ON soil_sample_versions (grade) WHERE valid_to IS NULL AND superseded_at IS NULL;
