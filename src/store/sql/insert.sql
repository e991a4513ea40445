-- A new version of a feature (template, filled from the description by store::statements): {columns} the
-- stored properties, bound as $1..$n in that order ({params}); then the geometry as GeoJSON ({geom_in}:
-- made a MultiPolygon for polygon collections), its area,
-- who recorded it and the kind of change.
INSERT INTO {table} ({columns}, geom, area_m2, recorded_by, change)
VALUES ({params}, {geom_in}, ${area}, ${actor}, ${change})
RETURNING version_id
