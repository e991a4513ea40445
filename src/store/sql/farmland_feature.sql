-- One farmland unit version as a GeoJSON Feature, built here so the service never re-parses it.
SELECT v.version_id,
       v.unit_code AS code,
       json_build_object(
           'type', 'Feature',
           'id', v.unit_code,
           'geometry', ST_AsGeoJSON(ST_ForcePolygonCCW(v.geom), 8, 0)::json,
           'properties', json_build_object(
               'unit_code', v.unit_code,
               'county_code', v.county_code,
               'class', v.class,
               'land_type', v.land_type,
               'measures_in_place', v.measures_in_place,
               'crops_compliant', v.crops_compliant,
               'valid_from', v.valid_from,
               'basis_doc', v.basis_doc,
               'area_m2', round(v.area_m2::numeric, 2),
               'area_mu', round((v.area_m2 * 15 / 10000)::numeric, 3)
           )
       )::text AS feature
FROM farmland_unit_versions v
