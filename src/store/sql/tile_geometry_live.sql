-- A feature's tile geometry made from `geom` on every request (tile.sql's {geometry}): simplified in the
-- storage CRS (fewer vertices to project), projected as WGS 84 (see tile.sql), clipped and snapped to the
-- tile's 4096 grid by ST_AsMVTGeom.
ST_AsMVTGeom(ST_Transform(ST_SetSRID(ST_Simplify(v.geom, $4 * t.tolerance_deg, true), 4326), 3857), t.env, 4096, 64, true)
