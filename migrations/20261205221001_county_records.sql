-- Records whose subject is a county rather than a feature of a register (docs/source-control.md, "County
-- duties"): the county's quarterly report to the city bureau (Guilin 2023 §2(2)), kind `quarterly_report`,
-- stored in duty_records with collection 'counties' and the county code as feature_id. The table stays
-- append-only; only its check of which kinds belong to which subject widens.
ALTER TABLE duty_records DROP CONSTRAINT duty_records_check;
ALTER TABLE duty_records ADD CONSTRAINT duty_records_check CHECK (
    (collection = 'key_supervised_units' AND kind IN ('hazard_check', 'self_monitoring_surface_soil',
        'self_monitoring_deep_soil', 'self_monitoring_groundwater', 'emissions_report',
        'demolition_plan_filed', 'surrounding_monitoring', 'survey_report'))
    OR (collection = 'tailings_ponds' AND kind = 'inspection')
    OR (collection = 'pollution_sources' AND kind IN ('plan_approved', 'rectified', 'closed_out',
        'follow_up_check'))
    OR (collection = 'counties' AND kind = 'quarterly_report' AND feature_id ~ '^[0-9]{6}$'));
