-- The year's list of key supervised units (土壤污染重点监管单位名录) as the registry knows it now: the units
-- whose version valid at the year's end (or today) names the year in listed_years.
-- $1 the year, $2 the date read, $3 the county-code prefix pattern ('4502%', '%' for all)
SELECT v.enterprise_code, v.name, v.county_code, v.industry, v.status, v.list_doc, v.listed_years
FROM key_supervised_unit_versions v
WHERE v.superseded_at IS NULL AND v.valid_from <= $2 AND (v.valid_to IS NULL OR v.valid_to > $2)
  AND $1 = ANY(v.listed_years)
  AND v.county_code LIKE $3
ORDER BY v.county_code, v.enterprise_code
