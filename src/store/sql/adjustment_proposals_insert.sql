-- A chunk of a batch's proposals, one array per column (batch $1).
INSERT INTO adjustment_proposals (batch_id, unit_code, unit_version_id, current_class, proposed_class, direction,
                                  outcome, denser_sampling, evidence, reason_zh, reason_en)
SELECT $1, p.unit_code, p.unit_version_id, p.current_class, p.proposed_class, p.direction, p.outcome,
       p.denser_sampling, p.evidence::jsonb, p.reason_zh, p.reason_en
FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::text[],
            $10::text[], $11::text[])
     AS p (unit_code, unit_version_id, current_class, proposed_class, direction, outcome, denser_sampling, evidence,
           reason_zh, reason_en)
