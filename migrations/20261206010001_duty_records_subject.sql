-- GET /duties aggregates each register's records per feature (src/store/sql/duties_key_units.sql and its
-- siblings): with the kind in the index, that is one index-only scan in feature order, grouped without a
-- sort and without a probe per feature. The index replaces duty_records_feature (the same key), which the
-- lists of one feature's records also use.
CREATE INDEX duty_records_subject ON duty_records (collection, feature_id, date) INCLUDE (kind);
DROP INDEX duty_records_feature;
