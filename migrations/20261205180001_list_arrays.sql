-- List properties become SQL arrays, as docs/contract.md names them: a key unit's `listed_years` an
-- integer[], a source's `pollutants` a text[]. They were comma-separated text (20261205170001), which made
-- every reader split them; the GeoJSON now carries JSON arrays. Tiles, Shapefiles, CSV and CQL2's string
-- operators still see the comma-separated text (src/store/statements.rs, `joined`).
--
-- ALTER ... TYPE rewrites each table without firing the row triggers that keep versions append-only: the
-- versions keep their values, only their type changes.

ALTER TABLE key_supervised_unit_versions DROP CONSTRAINT key_supervised_unit_versions_listed_years_check;
ALTER TABLE key_supervised_unit_versions
    ALTER COLUMN listed_years TYPE integer[] USING string_to_array(replace(listed_years, ' ', ''), ',')::integer[],
    ADD CONSTRAINT key_supervised_unit_versions_listed_years_check
        CHECK (cardinality(listed_years) > 0 AND 2000 <= ALL (listed_years) AND 2100 >= ALL (listed_years)
               AND array_position(listed_years, NULL) IS NULL);

ALTER TABLE pollution_source_versions
    ALTER COLUMN pollutants TYPE text[] USING string_to_array(replace(pollutants, ' ', ''), ','),
    ADD CONSTRAINT pollution_source_versions_pollutants_check
        CHECK (cardinality(pollutants) > 0
               AND pollutants <@ ARRAY['Cd', 'Hg', 'As', 'Pb', 'Cr', 'Tl', 'Mn', 'Sb', 'Ni', 'Cu', 'Zn']::text[]);

-- "which sources emit cadmium": the tracing and indicator queries ask it of the current versions
CREATE INDEX pollution_source_versions_pollutants ON pollution_source_versions USING gin (pollutants)
    WHERE valid_to IS NULL AND superseded_at IS NULL;
