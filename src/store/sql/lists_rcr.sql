-- The RCR list (parcels in a listed state: listed, under_control, under_remediation, effect_evaluation) as
-- of $1, as known now, for the counties whose code is LIKE $3; with $2 (not NULL) also every parcel that
-- was on it on $2, so that the caller can say added, kept or removed. Each row: whether the parcel was on
-- the list on $2 and on $1, its record as of $1 (or its last record, when it was deleted before $1), when
-- and by which document it was last listed, and for a parcel off the list on $1 the step that took it off.
WITH on_list AS (
    SELECT parcel_code, valid_from, valid_to
    FROM construction_parcel_versions
    WHERE superseded_at IS NULL AND rcr_listed AND county_code LIKE $3
), codes AS (
    SELECT parcel_code,
           bool_or(valid_from <= $1 AND (valid_to IS NULL OR valid_to > $1)) AS on_after,
           coalesce(bool_or($2::date IS NOT NULL AND valid_from <= $2 AND (valid_to IS NULL OR valid_to > $2)), false)
               AS on_before
    FROM on_list
    GROUP BY parcel_code
)
SELECT c.parcel_code, c.on_before, c.on_after,
       v.county_code, v.name, v.state, v.area_m2, v.former_industry,
       l.valid_from AS listed_on, l.document AS listed_document,
       r.valid_from AS removed_on, r.state AS removed_to, r.document AS removed_document
FROM codes c
JOIN LATERAL (
    SELECT county_code, name, state, area_m2, former_industry
    FROM construction_parcel_versions
    WHERE parcel_code = c.parcel_code AND superseded_at IS NULL AND valid_from <= $1
    ORDER BY valid_from DESC, version_id DESC
    LIMIT 1
) v ON true
LEFT JOIN LATERAL (
    SELECT valid_from, document
    FROM construction_parcel_versions
    WHERE parcel_code = c.parcel_code AND superseded_at IS NULL AND state = 'listed' AND valid_from <= $1
    -- the latest lifecycle step to listed; failing one (a parcel registered as listed), its first record
    ORDER BY (change = 'transition') DESC,
             CASE WHEN change = 'transition' THEN DATE '2000-01-01' - valid_from ELSE valid_from - DATE '2000-01-01' END,
             version_id DESC
    LIMIT 1
) l ON true
LEFT JOIN LATERAL (
    SELECT valid_from, state, document
    FROM construction_parcel_versions
    WHERE NOT c.on_after AND parcel_code = c.parcel_code AND superseded_at IS NULL AND NOT rcr_listed
      AND valid_from > coalesce($2::date, '-infinity'::date) AND valid_from <= $1
    ORDER BY valid_from, version_id
    LIMIT 1
) r ON true
WHERE c.on_after OR c.on_before
ORDER BY v.county_code, c.parcel_code
