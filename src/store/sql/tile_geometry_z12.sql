-- A feature's tile geometry cut from the stored `tile_z12` (tile.sql's {geometry} for tiles of zoom 12 and
-- less; migration 20261205223001: the geometry as a zoom-12 tile draws it, in the world's zoom-12 grid of
-- 4096 * 2^12 units, y down).
-- At zoom 12 and full detail a feature inside the tile and its 64-unit buffer is the stored geometry moved
-- to the tile's origin: exactly what ST_AsMVTGeom makes of it, without its per-feature work (most of a
-- dense tile's time). `@` compares the stored bounding box (single precision: exact for the grid's
-- integers, all below 2^24), where ST_XMin and the like would deserialise the whole geometry.
-- The rest, features across the tile's edge and every feature at lower zooms or coarser detail, go through
-- ST_AsMVTGeom on the stored geometry with y flipped back up (ST_AsMVTGeom flips it) and the tile's box in
-- that grid (t.z12_span units wide). A tolerance coarser than the stored one (one unit of the zoom-12 grid)
-- simplifies again by the whole tolerance: simplifying by only what it exceeds the stored one would keep
-- vertices that one pass at the tolerance drops (what the live path does).
CASE WHEN $1 = 12 AND $4 <= 1
          AND v.tile_z12 @ ST_MakeEnvelope($2 * 4096.0 - 64, $3 * 4096.0 - 64, ($2 + 1) * 4096.0 + 64, ($3 + 1) * 4096.0 + 64)
     THEN ST_Translate(v.tile_z12, -$2 * 4096.0, -$3 * 4096.0)
     ELSE ST_AsMVTGeom(CASE WHEN $4 * t.z12_span / 4096.0 > 1
                            THEN ST_Simplify(ST_Affine(v.tile_z12, 1, 0, 0, -1, 0, 0), $4 * t.z12_span / 4096.0, true)
                            ELSE ST_Affine(v.tile_z12, 1, 0, 0, -1, 0, 0) END,
                       ST_MakeBox2D(ST_Point($2 * t.z12_span, -($3 + 1) * t.z12_span),
                                    ST_Point(($2 + 1) * t.z12_span, -$3 * t.z12_span)),
                       4096, 64, true)
END
