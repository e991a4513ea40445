-- One construction parcel version as a GeoJSON Feature.
SELECT v.version_id,
       v.parcel_code AS code,
       json_build_object(
           'type', 'Feature',
           'id', v.parcel_code,
           'geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(v.geom), 8, 0)::json,
           'properties', json_build_object(
               'parcel_code', v.parcel_code,
               'county_code', v.county_code,
               'name', v.name,
               'state', v.state,
               'rcr_listed', v.rcr_listed,
               'priority_supervision', v.priority_supervision,
               'key_unit_land', v.key_unit_land,
               'current_use', v.current_use,
               'use_code_system', v.use_code_system,
               'remediated_for_class', v.remediated_for_class,
               'former_industry', v.former_industry,
               'valid_from', v.valid_from,
               'area_m2', round(v.area_m2::numeric, 2),
               'area_mu', round((v.area_m2 * 15 / 10000)::numeric, 3)
           )
       )::text AS feature
FROM construction_parcel_versions v
