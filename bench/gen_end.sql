-- The end of a generation (bench/gen.sh, after bench/gen_plan.sql and every bench/gen_part.sql): the
-- construction parcels, made from the plan's valleys, then the registry's indexes built again, ANALYZE, the
-- generator's record in landguard_meta ('bench_gen', with the parts' own seconds), and the plan dropped;
-- one transaction.
--
-- psql variables: seed.

\set ON_ERROR_STOP 1
BEGIN;
\ir gen_fn.sql

CREATE TEMP TABLE g_param AS SELECT * FROM bench_gen.param;
CREATE TEMP TABLE g_county AS SELECT * FROM bench_gen.county;
CREATE TEMP TABLE g_block AS SELECT * FROM bench_gen.block;
ALTER TABLE g_block ADD PRIMARY KEY (b);
-- The frames and polluting sites of the valleys that hold fields (bench/gen_plan.sql).
CREATE TEMP TABLE g_frame AS SELECT * FROM bench_gen.frame;
ALTER TABLE g_frame ADD PRIMARY KEY (b);
CREATE TEMP TABLE g_hot AS SELECT * FROM bench_gen.hot;

-- ---------------------------------------------------------------------------------------------------------
-- Construction parcels
-- ---------------------------------------------------------------------------------------------------------

-- Sites: one beside each polluting valley (up to a third of the parcels), then four to an industrial zone
-- at the top-right corner of a super-grid cell (at least 0.52 of a step from any valley: never on farmland).
CREATE TEMP TABLE g_site AS
WITH hot AS (
    SELECT row_number() OVER (ORDER BY h.b) AS n, h.b, bl.county, bl.city, 'hot' AS kind,
           -- the parcel's centre lies one radius further out than the site, so its edge is 2-5 fields away
           h.hu AS u, h.hv + bl.hot_side * (1.2 + 0.8 * pg_temp.h(pg_temp.k(h.b, 0, 0, 40))) * p.c AS v,
           (1.2 + 0.8 * pg_temp.h(pg_temp.k(h.b, 0, 0, 40))) * p.c AS radius, 0 AS slot
    FROM g_hot h JOIN g_block bl ON bl.b = h.b, g_param p
),
hot_kept AS (SELECT * FROM hot WHERE n <= (SELECT round(np / 3.0) FROM g_param)),
zone AS (
    SELECT bl.b, bl.county, bl.city, 'zone' AS kind, s.slot,
           -- zone slots 0.13 step wide around the corner, in valley metres of an unrotated frame
           (0.5 + ((s.slot % 2) - 0.5) * 0.13) * p.step AS x,
           (0.5 + ((s.slot / 2) - 0.5) * 0.13) * p.step AS y,
           0.35 * 0.13 * p.step * (0.8 + 0.2 * pg_temp.h(pg_temp.k(bl.b, s.slot, 0, 41))) AS radius
    FROM g_block bl, g_param p, generate_series(0, 3) AS s(slot)
)
SELECT row_number() OVER (ORDER BY kind, b, slot) AS pid, *
FROM (
    SELECT k.b, k.county, k.city, k.kind, k.slot, k.radius,
           pg_temp.ll(k.u, k.v, f.lon0, f.lat0, f.mlon, f.mlat, f.ct, f.st, f.amp, f.kw, f.phi) AS centre
    FROM hot_kept k JOIN g_frame f ON f.b = k.b
    UNION ALL
    SELECT z.b, z.county, z.city, z.kind, z.slot, z.radius,
           ST_MakePoint(bl.lon0 + z.x / bl.mlon, bl.lat0 + z.y / bl.mlat)
    FROM zone z JOIN g_block bl ON bl.b = z.b
    WHERE (z.b - 1) * 4 + z.slot < (SELECT np FROM g_param) - (SELECT count(*) FROM hot_kept)
) s;

-- Shape: a star-shaped polygon of 6-9 vertices (simple by construction), in local metres around the centre.
CREATE TEMP TABLE g_parcel AS
SELECT s.*,
       ST_Multi(ST_MakePolygon(ST_MakeLine(pts || pts[1]))) AS geom,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 50)) AS r_state,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 51)) AS r_var,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 52)) AS r_key,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 53)) AS r_pri,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 54)) AS r_use,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 55)) AS r_ind,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 56)) AS r_name,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 57)) AS r_start,
       pg_temp.h(pg_temp.k(s.pid, 0, 0, 58)) AS r_rclass
FROM g_site s
CROSS JOIN LATERAL (SELECT 6 + floor(pg_temp.h(pg_temp.k(s.pid, 0, 0, 59)) * 4)::int AS nv) AS n
CROSS JOIN LATERAL (
    SELECT array_agg(ST_MakePoint(
               ST_X(s.centre) + s.radius * (0.75 + 0.25 * pg_temp.h(pg_temp.k(s.pid, t, 0, 61))) * cos(a)
                   / (111320 * cos(radians(ST_Y(s.centre)))),
               ST_Y(s.centre) + s.radius * (0.75 + 0.25 * pg_temp.h(pg_temp.k(s.pid, t, 0, 61))) * sin(a) / 110574)
           ORDER BY t) AS pts
    FROM generate_series(0, n.nv - 1) AS t,
         LATERAL (SELECT 2 * pi() * (t + 0.6 * (pg_temp.h(pg_temp.k(s.pid, t, 0, 60)) - 0.5)) / n.nv
                         + pg_temp.h(pg_temp.k(s.pid, 0, 0, 62)) * pi() AS a) AS ang
) AS ring;

-- Final states in the demo mix (per 120: 13 suspected, 10 surveying, 23 cleared, 8 risk_assessment,
-- 7 listed, 14 under_control, 13 under_remediation, 10 effect_evaluation, 9 delisted, 13 post_management);
-- key-unit land (enterprises still producing) only gets as far as a survey result.
CREATE TEMP TABLE g_parcel2 AS
WITH w(state, lo, hi) AS (VALUES
    ('suspected', 0, 13), ('surveying', 13, 23), ('cleared', 23, 46), ('risk_assessment', 46, 54),
    ('listed', 54, 61), ('under_control', 61, 75), ('under_remediation', 75, 88),
    ('effect_evaluation', 88, 98), ('delisted', 98, 107), ('post_management', 107, 120))
SELECT p.*, p.r_key < 0.08 AND p.kind = 'zone' AS key_unit_land,
       CASE WHEN p.r_key < 0.08 AND p.kind = 'zone' THEN (ARRAY['suspected', 'surveying', 'cleared'])[1 + floor(p.r_state * 3)::int]
            ELSE w.state END AS final
FROM g_parcel p JOIN w ON p.r_state * 120 >= w.lo AND p.r_state * 120 < w.hi;

CREATE TEMP TABLE g_path AS
SELECT p.pid,
       CASE p.final
           WHEN 'suspected' THEN ARRAY['suspected']
           WHEN 'surveying' THEN ARRAY['suspected', 'surveying']
           WHEN 'cleared' THEN CASE WHEN p.r_var < 0.4 THEN ARRAY['suspected', 'surveying', 'risk_assessment', 'cleared']
                                    ELSE ARRAY['suspected', 'surveying', 'cleared'] END
           WHEN 'risk_assessment' THEN ARRAY['suspected', 'surveying', 'risk_assessment']
           WHEN 'listed' THEN ARRAY['suspected', 'surveying', 'risk_assessment', 'listed']
           WHEN 'under_control' THEN ARRAY['suspected', 'surveying', 'risk_assessment', 'listed', 'under_control']
           WHEN 'under_remediation' THEN ARRAY['suspected', 'surveying', 'risk_assessment', 'listed', 'under_remediation']
           ELSE (ARRAY['suspected', 'surveying', 'risk_assessment', 'listed']
                 || CASE WHEN p.r_var < 0.35 THEN ARRAY['under_control', 'effect_evaluation']
                         WHEN p.r_var < 0.43 THEN ARRAY['under_remediation', 'effect_evaluation', 'under_remediation', 'effect_evaluation']
                         ELSE ARRAY['under_remediation', 'effect_evaluation'] END
                 || CASE p.final WHEN 'delisted' THEN ARRAY['delisted']
                                 WHEN 'post_management' THEN ARRAY['delisted', 'post_management']
                                 ELSE ARRAY[]::text[] END)
       END AS path
FROM g_parcel2 p;

-- Steps: registration between 2018-03 and 2022-11, 40-340 days a step, squeezed to end by 2025-10-31.
CREATE TEMP TABLE g_step AS
WITH s AS (
    SELECT p.pid, k, cardinality(t.path) AS len, t.path[k] AS state, t.path[k - 1] AS from_state,
           DATE '2018-03-01' + floor(p.r_start * 1700)::int AS start,
           CASE WHEN k = 1 THEN 0 ELSE 40 + floor(pg_temp.h(pg_temp.k(p.pid, k, 0, 70)) * 300)::int END AS gap
    FROM g_parcel2 p JOIN g_path t ON t.pid = p.pid, LATERAL generate_series(1, cardinality(t.path)) AS k
),
c AS (
    SELECT s.*, sum(gap) OVER (PARTITION BY pid) AS total,
           sum(gap) OVER (PARTITION BY pid ORDER BY k) AS upto
    FROM s
)
SELECT c.pid, c.k, c.len, c.state, c.from_state,
       c.start + floor(c.upto * least(1.0, (DATE '2025-10-31' - c.start)::float8 / greatest(c.total, 1)))::int AS day
FROM c;
-- Steps closer than a day after squeezing are spread so that valid_from increases strictly.
UPDATE g_step s SET day = s.day + s.k WHERE true;

CREATE TEMP TABLE g_names (k int, brand text);
INSERT INTO g_names SELECT row_number() OVER () - 1, b FROM unnest(ARRAY[
    '鑫华', '永固', '宏桂', '红星', '金江', '龙腾', '盛达', '华力', '联丰', '东成', '恒昌', '裕隆', '汇通', '新柳', '南方',
    '兴达', '长青', '荣昌', '嘉禾', '瑞丰', '德兴', '光明', '立新', '前进', '友谊', '红旗', '胜利', '万通', '宏源', '富民',
    '国泰', '远东', '金源', '辉煌', '众力', '建华', '顺发', '利民', '华南', '桂中', '鸿运', '振兴']) AS b;
CREATE TEMP TABLE g_industry (k int, industry text, suffix text);
INSERT INTO g_industry VALUES
    (0, '化工', '化工厂'), (1, '冶炼', '冶炼厂'), (2, '电镀', '电镀厂'), (3, '焦化', '焦化厂'), (4, '制药', '制药厂'),
    (5, '铅蓄电池', '蓄电池厂'), (6, '农药', '农药厂'), (7, '机械制造（铸造）', '铸造厂'), (8, '皮革鞣制', '皮革厂'),
    (9, '印染', '印染厂'), (10, '造纸', '造纸厂'), (11, '有色金属采选', '选矿厂'), (12, '危险废物处置', '废旧物资回收站'),
    (13, '石油化工（储运）', '油库');

-- Parcel attributes; codes per city and registration year, in order of registration.
CREATE TEMP TABLE g_parcel3 AS
SELECT p.*, c.name AS county_name, st.day AS registered,
       format('%s-%s-%s', CASE WHEN p.city = '柳州市' THEN 'LZ' ELSE 'GL' END, extract(year FROM st.day),
              lpad((row_number() OVER (PARTITION BY p.city, extract(year FROM st.day) ORDER BY st.day, p.pid))::text, 5, '0')) AS parcel_code,
       CASE WHEN p.kind = 'hot' THEN (ARRAY[1, 11, 1, 11, 5])[1 + floor(p.r_ind * 5)::int]
            ELSE floor(p.r_ind * 14)::int END AS ind_k,
       p.kind = 'hot' OR p.r_pri < 0.45 AS priority_supervision
FROM g_parcel2 p
JOIN g_county c ON c.code = p.county
JOIN g_step st ON st.pid = p.pid AND st.k = 1;

INSERT INTO construction_parcel_versions
    (parcel_code, county_code, name, state, priority_supervision, key_unit_land, current_use, use_code_system,
     remediated_for_class, former_industry, geom, area_m2, valid_from, valid_to, recorded_at, recorded_by, change,
     from_state, document, note, ended_by, ended_change)
SELECT p.parcel_code, p.county,
       CASE WHEN p.key_unit_land THEN format('%s%s%s厂区地块', p.county_name, n.brand, i.suffix)
            ELSE format('原%s%s%s地块', p.county_name, n.brand, i.suffix) END,
       st.state, p.priority_supervision, p.key_unit_land,
       CASE WHEN p.key_unit_land THEN (CASE WHEN p.r_use < 0.5 THEN '100102' ELSE '100103' END)
            WHEN p.r_use < 0.32 THEN '100102' WHEN p.r_use < 0.54 THEN '100103' WHEN p.r_use < 0.70 THEN '1001'
            WHEN p.r_use < 0.82 THEN '100101' WHEN p.r_use < 0.94 THEN '1101' ELSE '2301' END,
       'ydyh2023',
       CASE WHEN p.final IN ('delisted', 'post_management') THEN (CASE WHEN p.r_rclass < 0.3 THEN 2 ELSE 1 END) END,
       i.industry, p.geom, ST_Area(p.geom::geography), st.day, nx.day, st.day + time '15:00', 'bench-gen',
       CASE WHEN st.k = 1 THEN 'create' ELSE 'transition' END,
       st.from_state,
       CASE WHEN st.k > 1 THEN format('%s〔%s〕%s号',
           CASE WHEN st.state IN ('listed', 'delisted') THEN '桂环函'
                WHEN p.city = '柳州市' THEN (CASE WHEN st.state IN ('cleared', 'risk_assessment', 'under_control', 'under_remediation') THEN '柳环审' ELSE '柳环函' END)
                ELSE (CASE WHEN st.state IN ('cleared', 'risk_assessment', 'under_control', 'under_remediation') THEN '桂市环审' ELSE '桂市环函' END) END,
           extract(year FROM st.day), 1 + (p.pid * 7 + st.k * 13) % 97) END,
       CASE st.state
           WHEN 'surveying' THEN '启动土壤污染状况调查'
           WHEN 'cleared' THEN '土壤污染状况调查报告通过评审，不属于污染地块'
           WHEN 'risk_assessment' THEN '调查发现部分点位超过筛选值，开展风险评估'
           WHEN 'listed' THEN '列入建设用地土壤污染风险管控和修复名录'
           WHEN 'under_control' THEN '风险管控方案备案，实施风险管控'
           WHEN 'under_remediation' THEN '修复方案通过评审，修复工程开工'
           WHEN 'effect_evaluation' THEN '工程完工，启动效果评估'
           WHEN 'delisted' THEN '效果评估达标，移出名录'
           WHEN 'post_management' THEN '后期管理计划备案，开展长期监测'
       END,
       CASE WHEN nx.pid IS NOT NULL THEN 'bench-gen' END,
       CASE WHEN nx.pid IS NOT NULL THEN 'transition' END
FROM g_parcel3 p
JOIN g_step st ON st.pid = p.pid
LEFT JOIN g_step nx ON nx.pid = st.pid AND nx.k = st.k + 1
JOIN g_names n ON n.k = floor(p.r_name * 42)::int
JOIN g_industry i ON i.k = p.ind_k
ORDER BY p.parcel_code, st.k;

INSERT INTO g_time (phase) VALUES ('parcels');
SELECT indexdef FROM bench_gen.index \gexec
INSERT INTO g_time (phase) VALUES ('indexes');
ANALYZE farmland_unit_versions;
ANALYZE construction_parcel_versions;
INSERT INTO g_time (phase) VALUES ('analyze');

-- The generator's record; seconds: the plan, the parts' geometry and rows summed, then this run's.
CREATE TEMP TABLE g_parts AS
SELECT substr(key, length('bench_gen_part_') + 1)::int AS part, value::json AS v
FROM landguard_meta WHERE key ~ '^bench_gen_part_[0-9]+$';
INSERT INTO landguard_meta (key, value)
SELECT 'bench_gen', json_build_object('units', (SELECT n FROM g_param), 'parcels', (SELECT np FROM g_param),
                                      'seed', :seed::bigint, 'field_m', round((SELECT c FROM g_param)::numeric, 2),
                                      'generated_at', now(), 'parts', (SELECT parts FROM g_param),
                                      'seconds', (SELECT json_object_agg(phase, s) FROM (
                                          SELECT 0 AS o, 'plan' AS phase, (SELECT (value::json->>'seconds')::numeric
                                              FROM landguard_meta WHERE key = 'bench_gen_plan') AS s
                                          UNION ALL
                                          SELECT 1, 'geometry', sum((v->'seconds'->>'geometry')::numeric) FROM g_parts
                                          UNION ALL
                                          SELECT 2, 'rows', sum((v->'seconds'->>'rows')::numeric) FROM g_parts
                                          UNION ALL
                                          SELECT 3, phase, round(extract(epoch FROM at - lag)::numeric, 2)
                                          FROM (SELECT phase, at, lag(at) OVER (ORDER BY at) AS lag FROM g_time) t
                                          WHERE lag IS NOT NULL
                                          ORDER BY 1) ph),
                                      'part_seconds', (SELECT json_agg(round((v->'seconds'->>'geometry')::numeric
                                                                             + (v->'seconds'->>'rows')::numeric, 2) ORDER BY part)
                                                       FROM g_parts))::text
ON CONFLICT (key) DO UPDATE SET value = excluded.value;
DELETE FROM landguard_meta WHERE key ~ '^bench_gen_(plan|part_[0-9]+)$';
DROP SCHEMA bench_gen CASCADE;
COMMIT;
