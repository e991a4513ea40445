-- The counties of GET /duties with the dates of their quarterly reports up to the as-of date (records whose
-- subject is the county: duty_records.collection 'counties'). A few dozen rows at most.
-- $1 the as-of date, $2 the county-code pattern ('4503%', '%' for all)
SELECT c.county_code, c.name,
       coalesce(array_agg(d.date) FILTER (WHERE d.date IS NOT NULL), '{}')
FROM counties c
LEFT JOIN duty_records d ON d.collection = 'counties' AND d.feature_id = c.county_code
    AND d.kind = 'quarterly_report' AND d.date <= $1
WHERE c.county_code LIKE $2
GROUP BY c.county_code, c.name
ORDER BY c.county_code
