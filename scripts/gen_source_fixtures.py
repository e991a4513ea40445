#!/usr/bin/env python3
"""Writes the demo source-control registers: fixtures/key_supervised_units.geojson,
fixtures/pollution_sources.geojson and fixtures/tailings_ponds.geojson, and their duty records,
fixtures/duty_records.json (see fixtures/README.md).

    python3 scripts/gen_source_fixtures.py          # regenerate
    python3 scripts/gen_source_fixtures.py --check  # exit 1 if the files are stale

Synthetic, like every fixture: the county codes are real, and so are the few enterprise names taken from
the plans (广西柳城县川东磷化工有限公司, the 融水 大浪正华选矿厂 tailings site); their credit codes, shapes,
dates and document numbers are invented. Places sit near the demo farmland of scripts/gen_fixtures.py so
that tracing finds them. Standard library only, no randomness: the output is the same on every run.
"""

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "fixtures"
CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(county: str, serial: int) -> str:
    """A GB 32100-2015 code: 9 (enterprise) 1 (company), the county, an invented organisation code."""
    body = f"91{county}MA5{serial:05d}"[:17].ljust(17, "0")
    s = sum(CHARS.index(c) * w for c, w in zip(body, WEIGHTS))
    return body + CHARS[(31 - s % 31) % 31]


def rect(lon: float, lat: float, w: float, h: float) -> dict:
    ring = [[lon, lat], [lon + w, lat], [lon + w, lat + h], [lon, lat + h], [lon, lat]]
    return {"type": "Polygon", "coordinates": [[[round(x, 7), round(y, 7)] for x, y in ring]]}


def point(lon: float, lat: float) -> dict:
    return {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}


# (county, serial, name, industry, listed years, buried, groundwater-sensitive, status, lon, lat)
UNITS = [
    ("450222", 1, "广西柳城县川东磷化工有限公司", "2619", [2021, 2022, 2023, 2024, 2025, 2026], True, False, "operating", 109.2702, 24.6755),
    ("450222", 2, "柳城县某冶炼有限公司", "3216", [2024, 2025, 2026], True, True, "operating", 109.3010, 24.6010),
    ("450223", 3, "鹿寨县某化工有限公司", "2614", [2023, 2024, 2025, 2026], False, None, "operating", 109.7150, 24.6700),
    ("450206", 4, "柳江区某电镀有限公司", "3360", [2022, 2023], None, False, "stopped", 109.2450, 24.0780),
    ("450225", 5, "融水县某有色金属选矿有限公司", "0912", [2025, 2026], True, False, "operating", 109.2350, 24.9700),
    ("450324", 6, "全州县某铅锌冶炼有限公司", "3212", [2022, 2023, 2024, 2025, 2026], True, False, "operating", 110.9550, 25.8200),
    ("450332", 7, "恭城县某锰业有限公司", "3140", [2023, 2024, 2025, 2026], False, True, "operating", 110.9420, 25.0280),
    ("450323", 8, "灵川县某危险废物处置有限公司", "7724", [2024, 2025, 2026], True, False, "operating", 110.4700, 25.5400),
]

# (code, name, county, kind, pollutants, list, state, deadline, plan doc, close-out doc, lon, lat)
SOURCES = [
    ("450225-WR-001", "原融水县大浪正华选矿厂遗留尾矿堆", "450225", "tailings", ["Cd", "Pb", "Zn"], "remediation", "rectifying", "2026-12-31", "融环〔2024〕15号", None, 109.0674, 25.1032),
    ("450222-WR-001", "柳城县某冶炼厂历史遗留废渣堆", "450222", "legacy_solid_waste", ["Cd", "As"], "remediation", "rectified", "2025-12-31", "柳城环〔2024〕6号", None, 109.2990, 24.5960),
    ("450222-WR-002", "柳城县某选矿厂", "450222", "enterprise", ["Pb", "Cd"], "screened", "listed", None, None, None, 109.2870, 24.5890),
    ("450223-WR-001", "鹿寨县某铅锌矿区", "450223", "mining_area", ["Pb", "Zn", "Cd"], "remediation", "listed", "2025-06-30", None, None, 109.7120, 24.6650),
    ("450206-WR-001", "柳江区某电镀厂", "450206", "enterprise", ["Cr", "Ni"], "full", "listed", None, None, None, 109.2400, 24.0730),
    ("450324-WR-001", "全州县某铅锌冶炼厂废渣库", "450324", "legacy_solid_waste", ["Pb", "Cd", "As"], "remediation", "closed_out", "2021-12-31", "全环〔2020〕21号", "全环〔2021〕40号", 110.9510, 25.8150),
    ("450332-WR-001", "恭城县某电解锰渣堆场", "450332", "legacy_solid_waste", ["Mn", "Cd"], "remediation", "closed_out", "2022-12-31", "恭环〔2021〕9号", "恭环〔2022〕33号", 110.9390, 25.0230),
    ("450323-WR-001", "灵川县某硫铁矿区", "450323", "mining_area", ["As", "Cd", "Tl"], "remediation", "rectifying", "2027-06-30", "灵环〔2025〕4号", None, 110.4660, 25.5350),
]

# (code, name, county, operator, level, safety class, rating, status, lon, lat)
PONDS = [
    ("450225-WK-001", "融水县某锡矿尾矿库", "450225", "融水某锡业有限公司", 1, 3, "normal", "operating", 109.0800, 25.0900),
    ("450225-WK-002", "融水县某铅锌矿尾矿库", "450225", "融水某矿业有限公司", 2, 4, "ailing", "operating", 109.2100, 25.0100),
    ("450225-WK-003", "融水县某选矿厂尾矿库", "450225", None, 3, 5, "normal", "ownerless", 109.2400, 24.9800),
    ("450225-WK-004", "融水县某钨矿尾矿库", "450225", "融水某钨业有限公司", 3, 5, "normal", "closed", 109.0550, 25.1200),
    ("450332-WK-001", "恭城县某锰矿尾矿库", "450332", "恭城某锰业有限公司", 1, 4, "normal", "operating", 110.9300, 25.0350),
    ("450324-WK-001", "全州县某铅锌矿尾矿库", "450324", "全州某矿业有限公司", 2, 4, "normal", "operating", 110.9600, 25.8300),
    ("450323-WK-001", "灵川县某硫铁矿尾矿库", "450323", "灵川某矿业有限公司", 3, 5, "risky", "operating", 110.4750, 25.5450),
    ("450312-WK-001", "临桂区某锑矿尾矿库", "450312", None, 3, 5, "normal", "ownerless", 110.0950, 25.1200),
]

# Records of duties done (fixtures/duty_records.json), chosen so that as of December 2026 each city has
# duties done, due and overdue (docs/source-control.md): (collection, feature, kind, date, document, result).
# Units are named by (county, serial) and get their credit code below.
U, P, S = "key_supervised_units", "tailings_ponds", "pollution_sources"
RECORDS = [
    # 川东磷化工: checked in 2023, so its next hidden-hazard check is due by the end of 2026
    (U, ("450222", 1), "hazard_check", "2023-06-15", "柳城县川东磷化工隐患排查报告（2023）", "发现隐患3处，已制定整改方案"),
    (U, ("450222", 1), "self_monitoring_surface_soil", "2026-06-20", "川东磷化工2026年自行监测报告", "表层土壤未超筛选值"),
    (U, ("450222", 1), "self_monitoring_deep_soil", "2024-07-10", "川东磷化工2024年自行监测报告（深层）", "未超筛选值"),
    (U, ("450222", 1), "self_monitoring_groundwater", "2026-05-12", "川东磷化工2026年上半年地下水监测", "总磷略高，其余达标"),
    (U, ("450222", 1), "emissions_report", "2026-03-25", "川东磷化工有毒有害物质排放情况报告（2025年度）", None),
    # the smelter, listed in 2024, has had no hazard check: overdue since April 2025
    (U, ("450222", 2), "self_monitoring_surface_soil", "2025-09-02", "柳城某冶炼2025年自行监测报告", "镉超筛选值"),
    (U, ("450223", 3), "hazard_check", "2024-02-28", "鹿寨某化工隐患排查报告", "无重大隐患"),
    (U, ("450223", 3), "self_monitoring_surface_soil", "2026-08-18", "鹿寨某化工2026年自行监测报告", None),
    (U, ("450225", 5), "hazard_check", "2025-11-05", "融水某选矿隐患排查报告", None),
    # 全州: checked in 2022, the next was due by the end of 2025
    (U, ("450324", 6), "hazard_check", "2022-09-30", "全州某铅锌冶炼隐患排查报告", "发现隐患5处"),
    (U, ("450324", 6), "self_monitoring_surface_soil", "2026-04-22", "全州某铅锌冶炼2026年自行监测报告", "铅超筛选值"),
    (U, ("450332", 7), "hazard_check", "2024-05-16", "恭城某锰业隐患排查报告", None),
    (U, ("450332", 7), "self_monitoring_surface_soil", "2026-05-30", "恭城某锰业2026年自行监测报告", None),
    (U, ("450332", 7), "self_monitoring_groundwater", "2026-04-08", "恭城某锰业2026年上半年地下水监测", "锰超标，已上报"),
    (U, ("450332", 7), "self_monitoring_groundwater", "2026-09-21", "恭城某锰业2026年下半年地下水监测", None),
    (U, ("450323", 8), "hazard_check", "2025-03-18", "灵川某危废处置隐患排查报告", None),
    (U, ("450323", 8), "self_monitoring_surface_soil", "2025-10-11", "灵川某危废处置2025年自行监测报告", None),
    # 融水's level-1 pond: two inspections in 2025, only one in August 2026: the before-flood one is missed
    (P, "450225-WK-001", "inspection", "2025-03-10", "融水县生态环境局检查记录〔2025〕7号", "正常"),
    (P, "450225-WK-001", "inspection", "2025-09-15", "融水县生态环境局检查记录〔2025〕31号", "排洪设施需清淤"),
    (P, "450225-WK-001", "inspection", "2026-08-20", "融水县生态环境局检查记录〔2026〕22号", "正常"),
    (P, "450225-WK-002", "inspection", "2025-06-12", "融水县生态环境局检查记录〔2025〕18号", "渗滤液收集池破损，限期整改"),
    (P, "450225-WK-002", "inspection", "2026-05-08", "融水县生态环境局检查记录〔2026〕12号", "已整改"),
    (P, "450225-WK-004", "inspection", "2025-10-14", "融水县生态环境局检查记录〔2025〕40号", "闭库设施完好"),
    (P, "450225-WK-003", "inspection", "2026-07-02", "融水县生态环境局检查记录〔2026〕19号", "无主库，已报县政府"),
    (P, "450332-WK-001", "inspection", "2025-03-20", "恭城县生态环境局检查记录〔2025〕5号", "正常"),
    (P, "450332-WK-001", "inspection", "2025-08-01", "恭城县生态环境局检查记录〔2025〕26号", "正常"),
    (P, "450332-WK-001", "inspection", "2026-03-15", "恭城县生态环境局检查记录〔2026〕4号", "正常"),
    (P, "450332-WK-001", "inspection", "2026-10-10", "恭城县生态环境局检查记录〔2026〕33号", "正常"),
    (P, "450324-WK-001", "inspection", "2025-07-09", "全州县生态环境局检查记录〔2025〕21号", "正常"),
    (P, "450323-WK-001", "inspection", "2025-05-27", "灵川县生态环境局检查记录〔2025〕15号", "险库，督促治理"),
    # sources: 全州's close-out of 2021 has had no follow-up check (overdue since 2024); 恭城's has
    (S, "450225-WR-001", "plan_approved", "2024-05-10", "融环〔2024〕15号", None),
    (S, "450222-WR-001", "rectified", "2025-10-30", "柳城环〔2025〕41号", "验收合格"),
    (S, "450324-WR-001", "closed_out", "2021-11-20", "全环〔2021〕40号", None),
    (S, "450332-WR-001", "closed_out", "2022-12-10", "恭环〔2022〕33号", None),
    (S, "450332-WR-001", "follow_up_check", "2024-06-18", "恭环〔2024〕17号", "未发现反弹"),
]


def records() -> list:
    out = []
    for collection, feature, kind, date, document, result in RECORDS:
        fid = credit_code(*feature) if isinstance(feature, tuple) else feature
        out.append({"collection": collection, "feature_id": fid, "kind": kind, "date": date,
                    "document": document, "result": result})
    return out


def units() -> list:
    out = []
    for county, serial, name, industry, years, buried, sensitive, status, lon, lat in UNITS:
        code = credit_code(county, serial)
        props = {
            "enterprise_code": code, "name": name, "county_code": county, "industry": industry,
            "listed_years": years, "list_doc": f"{'柳' if county.startswith('4502') else '桂'}环发〔{years[-1]}〕{10 + serial}号",
            "buried_facilities": buried, "groundwater_sensitive": sensitive, "status": status,
            # on the register since its first list came out, so that reads as of earlier years find it
            "valid_from": f"{years[0]}-04-01",
        }
        out.append({"type": "Feature", "id": code, "geometry": rect(lon, lat, 0.0030, 0.0022), "properties": props})
    return out


def sources() -> list:
    out = []
    for code, name, county, kind, pol, lst, state, deadline, plan, closed, lon, lat in SOURCES:
        props = {
            "source_code": code, "name": name, "county_code": county, "kind": kind, "pollutants": pol,
            "list": lst, "state": state, "deadline": deadline, "plan_doc": plan, "closed_out_doc": closed,
            "valid_from": "2025-01-01",
        }
        out.append({"type": "Feature", "id": code, "geometry": point(lon, lat), "properties": props})
    return out


def ponds() -> list:
    out = []
    for code, name, county, operator, level, cls, rating, status, lon, lat in PONDS:
        props = {
            "pond_code": code, "name": name, "county_code": county, "operator": operator, "level": level,
            "level_doc": "桂环函〔2025〕101号", "safety_class": cls, "safety_rating": rating, "status": status,
            "valid_from": "2025-03-01",
        }
        out.append({"type": "Feature", "id": code, "geometry": point(lon, lat), "properties": props})
    return out


def render(name: str, note: str, features: list) -> str:
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    head = json.dumps({"type": "FeatureCollection", "name": name, "note": note}, ensure_ascii=False)[:-1]
    return head + ', "features": [\n' + ",\n".join(lines) + "\n]}\n"


def main() -> int:
    note = "synthetic demo data written by scripts/gen_source_fixtures.py; do not edit by hand"
    files = {
        "key_supervised_units.geojson": render("key_supervised_units", note, units()),
        "pollution_sources.geojson": render("pollution_sources", note, sources()),
        "tailings_ponds.geojson": render("tailings_ponds", note, ponds()),
    }
    lines = [json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in records()]
    files["duty_records.json"] = "[\n" + ",\n".join(lines) + "\n]\n"
    for text in files.values():
        json.loads(text)
    known = {(U, f["id"]) for f in units()} | {(S, f["id"]) for f in sources()} | {(P, f["id"]) for f in ponds()}
    assert all((r["collection"], r["feature_id"]) in known for r in records()), "every record has its feature"
    codes = [f["id"] for f in units()]
    assert len(set(codes)) == len(codes), "credit codes are unique"
    if "--check" in sys.argv:
        stale = [n for n, t in files.items() if not (OUT / n).exists() or (OUT / n).read_text("utf-8") != t]
        if stale:
            print("stale:", ", ".join(stale))
            return 1
        return 0
    for n, t in files.items():
        (OUT / n).write_text(t, "utf-8")
    print(f"{len(UNITS)} key supervised units, {len(SOURCES)} pollution sources, {len(PONDS)} tailings ponds, "
          f"{len(RECORDS)} duty records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
