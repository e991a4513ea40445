-- Records of duties done on the source-control registers (docs/source-control.md, "Records of duties done"):
-- a hazard check, a self-monitoring report, a pond inspection, a source's close-out, each with its date and
-- document. The duties of GET /duties are computed from them as of any date.
--
-- Part of the audit trail, like audit_log and check_answers: the triggers refuse UPDATE, DELETE and TRUNCATE
-- for every role, the table owner included. A mistaken record is corrected by a newer one with a note; each
-- record also has its entry in audit_log, written in the same transaction.
CREATE TABLE duty_records (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    collection  text NOT NULL,
    feature_id  text NOT NULL CHECK (length(btrim(feature_id)) > 0),
    kind        text NOT NULL,
    date        date NOT NULL,
    document    text CHECK (document IS NULL OR length(btrim(document)) > 0),
    result      text,
    note        text,
    recorded_by text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- the kinds of each register, as src/domain/sources.rs (RecordKind::register) has them
    CHECK ((collection = 'key_supervised_units' AND kind IN ('hazard_check', 'self_monitoring_surface_soil',
                'self_monitoring_deep_soil', 'self_monitoring_groundwater', 'emissions_report',
                'demolition_plan_filed', 'surrounding_monitoring', 'survey_report'))
        OR (collection = 'tailings_ponds' AND kind = 'inspection')
        OR (collection = 'pollution_sources' AND kind IN ('plan_approved', 'rectified', 'closed_out',
                'follow_up_check')))
);
CREATE INDEX duty_records_feature ON duty_records (collection, feature_id, date);

CREATE FUNCTION duty_records_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'duty_records is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER duty_records_no_update_delete BEFORE UPDATE OR DELETE ON duty_records
    FOR EACH ROW EXECUTE FUNCTION duty_records_is_append_only();
CREATE TRIGGER duty_records_no_truncate BEFORE TRUNCATE ON duty_records
    FOR EACH STATEMENT EXECUTE FUNCTION duty_records_is_append_only();
