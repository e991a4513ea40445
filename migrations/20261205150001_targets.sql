-- The plans' targets as data (docs/targets.md): every numbered target of the Guilin 2023 and Liuzhou 2025
-- plans, with the plan document, clause, lead unit, threshold and period. The rules that compute and judge
-- them are the domain table in src/domain/targets.rs; tests/targets.rs keeps these rows equal to it, so a
-- change of target is a new migration and a change of that table together.

CREATE TABLE plans (
    id            text PRIMARY KEY,
    -- 4-digit prefix of the city's county codes
    city          text NOT NULL CHECK (city ~ '^[0-9]{4}$'),
    title_zh      text NOT NULL,
    task_list_zh  text,
    doc_no        text,
    issued_on     text NOT NULL
);

CREATE TABLE targets (
    id          text PRIMARY KEY,
    plan_id     text NOT NULL REFERENCES plans (id),
    city        text CHECK (city ~ '^[0-9]{4}$'),
    county_code text CHECK (county_code ~ '^[0-9]{6}$'),
    title_en    text NOT NULL,
    title_zh    text NOT NULL,
    -- register: computed from the registry (indicator); entered: by the bureau, with evidence
    source      text NOT NULL CHECK (source IN ('register', 'entered')),
    indicator   text,
    evidence    text,
    comparison  text NOT NULL CHECK (comparison IN ('at_least', 'effectively_guaranteed', 'unquantified')),
    threshold   double precision,
    -- the plan's words where it sets no figure
    words       text,
    unit        text NOT NULL CHECK (unit IN ('percent', 'count')),
    period_kind text NOT NULL CHECK (period_kind IN ('year', 'by_end_of')),
    year        integer NOT NULL,
    clause      text NOT NULL,
    clause_zh   text NOT NULL,
    quote       text NOT NULL,
    lead_unit   text,
    CHECK ((city IS NULL) <> (county_code IS NULL)),
    CHECK ((source = 'register') = (indicator IS NOT NULL)),
    CHECK ((source = 'entered') = (evidence IS NOT NULL)),
    CHECK ((comparison = 'at_least') = (threshold IS NOT NULL))
);
CREATE INDEX targets_city_year ON targets (city, year);

-- Values of the entered targets (funds, emission cuts: the registry holds neither), each with the evidence
-- it rests on. Append-only (below): a correction is a newer row.
CREATE TABLE target_values (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id   text NOT NULL REFERENCES targets (id),
    -- the date the figure holds for (e.g. the end of the year it counts)
    as_of       date NOT NULL,
    value       double precision NOT NULL CHECK (value >= 0 AND value < 'Infinity'::double precision),
    evidence    text NOT NULL CHECK (length(btrim(evidence)) > 0),
    document    text,
    note        text,
    entered_by  text NOT NULL,
    entered_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX target_values_target ON target_values (target_id, as_of, entered_at);

-- Key construction land developed (开发利用), for the key-construction-land rate (docs/targets.md): the
-- parcel and the day, with the document that records it. Whether the land was developed only after the whole
-- chain (survey, risk assessment, control or remediation, effect evaluation) is read from the parcel's state
-- on that day, not entered.
CREATE TABLE key_land_developments (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parcel_code   text NOT NULL,
    developed_on  date NOT NULL,
    document      text NOT NULL CHECK (length(btrim(document)) > 0),
    note          text,
    recorded_by   text NOT NULL,
    recorded_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    UNIQUE (parcel_code, developed_on)
);
CREATE INDEX key_land_developments_date ON key_land_developments (developed_on);

-- Enforcement against development found in breach: the decision and, once found, the correction (整改到位).
-- A correction found later is a new row carrying both.
CREATE TABLE key_land_enforcement (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    development_id  bigint NOT NULL REFERENCES key_land_developments (id),
    decision        text NOT NULL CHECK (length(btrim(decision)) > 0),
    decided_on      date NOT NULL,
    corrected_on    date CHECK (corrected_on IS NULL OR corrected_on >= decided_on),
    note            text,
    recorded_by     text NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX key_land_enforcement_development ON key_land_enforcement (development_id);

-- The three tables above are append-only, like the audit log: what a report said on a day can be retraced.
CREATE FUNCTION landguard_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER target_values_no_update_delete BEFORE UPDATE OR DELETE ON target_values
    FOR EACH ROW EXECUTE FUNCTION landguard_append_only();
CREATE TRIGGER target_values_no_truncate BEFORE TRUNCATE ON target_values
    FOR EACH STATEMENT EXECUTE FUNCTION landguard_append_only();
CREATE TRIGGER key_land_developments_no_update_delete BEFORE UPDATE OR DELETE ON key_land_developments
    FOR EACH ROW EXECUTE FUNCTION landguard_append_only();
CREATE TRIGGER key_land_developments_no_truncate BEFORE TRUNCATE ON key_land_developments
    FOR EACH STATEMENT EXECUTE FUNCTION landguard_append_only();
CREATE TRIGGER key_land_enforcement_no_update_delete BEFORE UPDATE OR DELETE ON key_land_enforcement
    FOR EACH ROW EXECUTE FUNCTION landguard_append_only();
CREATE TRIGGER key_land_enforcement_no_truncate BEFORE TRUNCATE ON key_land_enforcement
    FOR EACH STATEMENT EXECUTE FUNCTION landguard_append_only();

INSERT INTO plans (id, city, title_zh, task_list_zh, doc_no, issued_on) VALUES
    ('guilin-2023', '4503', '桂林市2023年度土壤污染防治工作计划', NULL, '市政办〔2023〕20号', '2023-05-14'),
    ('liuzhou-2025', '4502', '柳州市2025年度土壤污染防治工作实施方案', '柳州市2025年度土壤污染防治重点工作任务清单', NULL, '2025');

INSERT INTO targets (id, plan_id, city, county_code, title_en, title_zh, source, indicator, evidence, comparison,
                     threshold, words, unit, period_kind, year, clause, clause_zh, quote, lead_unit) VALUES
    ('guilin-2023-safe-use', 'guilin-2023', '4503', NULL, 'safe-utilisation rate of polluted farmland', '受污染耕地安全利用率', 'register', 'safe_utilisation_rate', NULL, 'at_least', 93.8, NULL, 'percent', 'year', 2023, 'part 一', '一、工作目标', '确保全市受污染耕地安全利用率在93.8%以上', NULL),
    ('guilin-2023-priority-control', 'guilin-2023', '4503', NULL, 'priority-supervision parcels under control', '优先监管地块实施管控的比例', 'register', 'priority_parcels_under_control', NULL, 'at_least', 35.0, NULL, 'percent', 'by_end_of', 2023, '§2(4)', '二（四）推进建设用地风险管控与修复', '到2023年底，全市实施管控的地块比例不少于35%', '市生态环境局牵头，市自然资源局等参与'),
    ('guilin-2023-strict-control-measures', 'guilin-2023', '4503', NULL, 'strict-control farmland with control measures', '严格管控类耕地落实风险管控措施', 'register', 'strict_control_with_measures', NULL, 'at_least', 100.0, NULL, 'percent', 'year', 2023, '§2(3)', '二（三）强化农用地安全利用和风险管控', '对严格管控类耕地实施“前、中、后”闭环管理，原则上全部落实风险管控措施', '市农业农村局、市发展改革委按职责分工负责，市自然资源局、市生态环境局、市市场监管局等参与'),
    ('guilin-2023-tailings-level1', 'guilin-2023', '4503', NULL, 'level-1 tailings ponds inspected at least twice, once before the flood season', '一级环境监管尾矿库现场检查每年不少于2次，汛期前至少1次', 'register', 'tailings_level1_inspected', NULL, 'at_least', 100.0, NULL, 'percent', 'year', 2023, '§2(2)', '二（二）实施尾矿库分类分级环境监管', '对一级环境监管尾矿库现场检查每年不少于2次，汛期前至少开展1次', '市生态环境局牵头，市应急局参与'),
    ('guilin-2023-tailings-level2', 'guilin-2023', '4503', NULL, 'level-2 tailings ponds inspected at least once', '二级尾矿库现场检查每年不少于1次', 'register', 'tailings_level2_inspected', NULL, 'at_least', 100.0, NULL, 'percent', 'year', 2023, '§2(2)', '二（二）实施尾矿库分类分级环境监管', '对二级尾矿库现场检查每年不少于1次', '市生态环境局牵头，市应急局参与'),
    ('guilin-2023-tailings-level3', 'guilin-2023', '4503', NULL, 'level-3 tailings ponds spot-checked', '三级尾矿库随机抽查比例', 'register', 'tailings_level3_spot_checked', NULL, 'at_least', 50.0, NULL, 'percent', 'year', 2023, '§2(2)', '二（二）实施尾矿库分类分级环境监管', '对三级尾矿库随机抽查，比例不低于50%', '市生态环境局牵头，市应急局参与'),
    ('guilin-2023-key-construction-land', 'guilin-2023', '4503', NULL, 'key construction land safely used', '重点建设用地安全利用得到有效保障', 'register', 'key_construction_land_safely_used', NULL, 'effectively_guaranteed', NULL, NULL, 'percent', 'year', 2023, 'part 一', '一、工作目标', '重点建设用地安全利用得到有效保障', NULL),
    ('guilin-2023-fund-2021-completion', 'guilin-2023', '4503', NULL, '2021 central-fund projects completed', '2021年获得中央补助资金的项目完工率', 'entered', NULL, 'the finance bureau''s figures on central soil-fund projects', 'at_least', 90.0, NULL, 'percent', 'by_end_of', 2023, '§2(6)', '二（六）强化土壤污染防治资金与项目管理', '力争到2023年底，2021年获得中央补助资金的项目完工率和资金执行率在90%以上；2022年、2023年获得中央补助资金的项目开工率达到100%，资金执行率分别在80%和52%以上', '各县（市、区）人民政府牵头，市财政局、市生态环境局、市农业农村局等参与'),
    ('guilin-2023-fund-2021-execution', 'guilin-2023', '4503', NULL, '2021 central funds spent', '2021年获得中央补助资金的资金执行率', 'entered', NULL, 'the finance bureau''s figures on central soil-fund projects', 'at_least', 90.0, NULL, 'percent', 'by_end_of', 2023, '§2(6)', '二（六）强化土壤污染防治资金与项目管理', '力争到2023年底，2021年获得中央补助资金的项目完工率和资金执行率在90%以上；2022年、2023年获得中央补助资金的项目开工率达到100%，资金执行率分别在80%和52%以上', '各县（市、区）人民政府牵头，市财政局、市生态环境局、市农业农村局等参与'),
    ('guilin-2023-fund-2022-2023-started', 'guilin-2023', '4503', NULL, '2022 and 2023 central-fund projects started', '2022年、2023年获得中央补助资金的项目开工率', 'entered', NULL, 'the finance bureau''s figures on central soil-fund projects', 'at_least', 100.0, NULL, 'percent', 'by_end_of', 2023, '§2(6)', '二（六）强化土壤污染防治资金与项目管理', '力争到2023年底，2021年获得中央补助资金的项目完工率和资金执行率在90%以上；2022年、2023年获得中央补助资金的项目开工率达到100%，资金执行率分别在80%和52%以上', '各县（市、区）人民政府牵头，市财政局、市生态环境局、市农业农村局等参与'),
    ('guilin-2023-fund-2022-execution', 'guilin-2023', '4503', NULL, '2022 central funds spent', '2022年获得中央补助资金的资金执行率', 'entered', NULL, 'the finance bureau''s figures on central soil-fund projects', 'at_least', 80.0, NULL, 'percent', 'by_end_of', 2023, '§2(6)', '二（六）强化土壤污染防治资金与项目管理', '力争到2023年底，2021年获得中央补助资金的项目完工率和资金执行率在90%以上；2022年、2023年获得中央补助资金的项目开工率达到100%，资金执行率分别在80%和52%以上', '各县（市、区）人民政府牵头，市财政局、市生态环境局、市农业农村局等参与'),
    ('guilin-2023-fund-2023-execution', 'guilin-2023', '4503', NULL, '2023 central funds spent', '2023年获得中央补助资金的资金执行率', 'entered', NULL, 'the finance bureau''s figures on central soil-fund projects', 'at_least', 52.0, NULL, 'percent', 'by_end_of', 2023, '§2(6)', '二（六）强化土壤污染防治资金与项目管理', '力争到2023年底，2021年获得中央补助资金的项目完工率和资金执行率在90%以上；2022年、2023年获得中央补助资金的项目开工率达到100%，资金执行率分别在80%和52%以上', '各县（市、区）人民政府牵头，市财政局、市生态环境局、市农业农村局等参与'),
    ('liuzhou-2025-safe-use', 'liuzhou-2025', '4502', NULL, 'safe-utilisation rate of polluted farmland', '受污染耕地安全利用率', 'register', 'safe_utilisation_rate', NULL, 'at_least', 93.0, NULL, 'percent', 'year', 2025, 'goals; task 5', '一、总体要求（总体目标）；附表任务5', '确保受污染耕地安全利用率达到93%', '市农业农村局、生态环境局、市发改委(粮食和物资储备局)等按职责分工牵头负责'),
    ('liuzhou-2025-strict-control-measures', 'liuzhou-2025', '4502', NULL, 'strict-control farmland with control measures', '严格管控类耕地落实风险管控措施', 'register', 'strict_control_with_measures', NULL, 'at_least', 100.0, NULL, 'percent', 'year', 2025, 'task 5', '附表任务5 强化耕地安全利用和风险管控', '严格管控类耕地全部落实风险管控措施', '市农业农村局、生态环境局、市发改委(粮食和物资储备局)等按职责分工牵头负责'),
    ('liuzhou-2025-priority-parcels', 'liuzhou-2025', '4502', NULL, 'the 58 priority-supervision parcels: control basically complete', '58个优先监管地块基本完成污染管控任务', 'register', 'priority_parcels_under_control', NULL, 'unquantified', NULL, '基本按要求完成污染管控任务', 'percent', 'year', 2025, 'task 7', '附表任务7 落实优先监管地块污染管控', '到2025年，我市58个优先监管地块基本按要求完成污染管控任务', '市生态环境局'),
    ('liuzhou-2025-key-construction-land', 'liuzhou-2025', '4502', NULL, 'key construction land safely used', '重点建设用地安全利用得到有效保障', 'register', 'key_construction_land_safely_used', NULL, 'effectively_guaranteed', NULL, NULL, 'percent', 'year', 2025, 'goals, footnote', '一、总体要求（总体目标）脚注', '“十四五”期间“重点建设用地安全利用率”每年达到100%，或者达到95%以上且对存在违规开发利用的地块全部依法处理处罚到位，并督促整改到位（即未对人居环境造成风险）的，认定为实现“有效保障”', NULL),
    ('liuzhou-2025-heavy-metal-emission-cut', 'liuzhou-2025', '4502', NULL, 'key heavy-metal emissions of key industries cut (14th five-year plan, cumulative)', '重点行业重点重金属污染物减排比例（“十四五”累计）', 'entered', NULL, 'the emission accounts of the key heavy-metal industries', 'at_least', 6.0, NULL, 'percent', 'by_end_of', 2025, 'task 3', '附表任务3 严格控制涉重金属行业重点污染物排放', '到2025年底，全市重点行业重点重金属污染物减排比例达到6%以上（“十四五”累计）', '市生态环境局、市发展改革委'),
    ('liuzhou-2025-key-unit-monitoring', 'liuzhou-2025', '4502', NULL, 'surrounding soil and groundwater monitoring of key supervised units', '重点监管单位周边土壤和地下水环境监测', 'register', 'key_units_surrounding_monitored', NULL, 'at_least', 23.0, NULL, 'count', 'year', 2025, 'task 2', '附表任务2 压实土壤污染重点监管单位监督责任', '配合自治区完成广西两面针亿康药业股份有限公司等23家重点监管单位周边土壤和地下水环境监测项目', '市生态环境局'),
    ('liuzhou-2025-fund-started', 'liuzhou-2025', '4502', NULL, '2025 central-fund projects started', '2025年获得中央土壤污染防治资金的项目开工率', 'entered', NULL, 'the finance bureau''s figures on 2025 central soil-fund projects', 'at_least', 80.0, NULL, 'percent', 'by_end_of', 2025, 'task 11', '附表任务11 强化中央专项资金项目管理', '力争到2025年底，2025年获得中央土壤污染防治资金的项目开工率和完工率分别达到80%和20%以上，预算资金执行率达到52%以上', '市生态环境局'),
    ('liuzhou-2025-fund-completed', 'liuzhou-2025', '4502', NULL, '2025 central-fund projects completed', '2025年获得中央土壤污染防治资金的项目完工率', 'entered', NULL, 'the finance bureau''s figures on 2025 central soil-fund projects', 'at_least', 20.0, NULL, 'percent', 'by_end_of', 2025, 'task 11', '附表任务11 强化中央专项资金项目管理', '力争到2025年底，2025年获得中央土壤污染防治资金的项目开工率和完工率分别达到80%和20%以上，预算资金执行率达到52%以上', '市生态环境局'),
    ('liuzhou-2025-fund-execution', 'liuzhou-2025', '4502', NULL, '2025 central-fund budget spent', '2025年中央土壤污染防治资金预算执行率', 'entered', NULL, 'the finance bureau''s figures on 2025 central soil-fund projects', 'at_least', 52.0, NULL, 'percent', 'by_end_of', 2025, 'task 11', '附表任务11 强化中央专项资金项目管理', '力争到2025年底，2025年获得中央土壤污染防治资金的项目开工率和完工率分别达到80%和20%以上，预算资金执行率达到52%以上', '市生态环境局');
