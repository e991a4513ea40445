#!/usr/bin/env python3
"""CSV rows for bench/duties.sh: N source-control entities in the counties of one city (4 in 10 key units,
3 in 10 tailings ponds, 3 in 10 pollution sources) and their duty records, written to DIR as
key_units.csv, ponds.csv, sources.csv and records.csv for psql \\copy. Seeded: the same rows every run.

    python3 bench/duties_gen.py DIR N CITY
"""

import csv
import random
import sys
from pathlib import Path

CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def credit_code(county: str, serial: int) -> str:
    body = f"91{county}MB{serial:07d}"[:17]
    s = sum(CHARS.index(c) * w for c, w in zip(body, WEIGHTS))
    return body + CHARS[(31 - s % 31) % 31]


def main() -> None:
    out, n, city = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rnd = random.Random(20261205)
    counties = [f"{city}{c:02d}" for c in (2, 3, 4, 5, 6, 22, 23, 24, 25, 26)]
    lon0, lat0 = (109.4, 24.3) if city == "4502" else (110.3, 25.3)
    day = lambda y: f"{y}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
    records = []
    with open(out / "key_units.csv", "w", newline="") as f:
        w = csv.writer(f)
        for i in range(n * 4 // 10):
            county = rnd.choice(counties)
            code = credit_code(county, i)
            first = rnd.randint(2019, 2025)
            years = "{" + ",".join(str(y) for y in range(first, 2027)) + "}"
            lon, lat = lon0 + rnd.random(), lat0 + rnd.random()
            geom = f"SRID=4490;MULTIPOLYGON((({lon} {lat},{lon + 0.002} {lat},{lon + 0.002} {lat + 0.002},{lon} {lat + 0.002},{lon} {lat})))"
            buried = rnd.choice(["t", "f", ""])
            sensitive = rnd.choice(["t", "f", ""])
            status = rnd.choices(["operating", "stopped", "closed"], [90, 6, 4])[0]
            w.writerow([code, f"单元{i}", county, "2619", years, f"柳环发〔{first}〕1号", buried, sensitive, status,
                        geom, 40000, f"{first}-04-01", "bench", "create"])
            for kind in ["hazard_check", "self_monitoring_surface_soil", "self_monitoring_deep_soil",
                         "self_monitoring_groundwater", "emissions_report"]:
                for _ in range(rnd.randint(0, 2)):
                    records.append(["key_supervised_units", code, kind, day(rnd.randint(first, 2026))])
    with open(out / "ponds.csv", "w", newline="") as f:
        w = csv.writer(f)
        for i in range(n * 3 // 10):
            county = rnd.choice(counties)
            code = f"{county}-WK-{i:06d}"
            w.writerow([code, f"尾矿库{i}", county, "某矿业公司", rnd.choice([1, 2, 3]), "桂环函〔2025〕101号", "operating",
                        f"SRID=4490;POINT({lon0 + rnd.random()} {lat0 + rnd.random()})", 0, "2024-03-01", "bench", "create"])
            for _ in range(rnd.randint(0, 4)):
                records.append(["tailings_ponds", code, "inspection", day(rnd.choice([2025, 2026]))])
    with open(out / "sources.csv", "w", newline="") as f:
        w = csv.writer(f)
        for i in range(n - n * 4 // 10 - n * 3 // 10):
            county = rnd.choice(counties)
            code = f"{county}-WR-{i:06d}"
            state = rnd.choice(["listed", "rectifying", "rectified", "closed_out"])
            lst = "remediation" if state != "listed" else rnd.choice(["full", "screened", "remediation"])
            w.writerow([code, f"污染源{i}", county, "legacy_solid_waste", "{Cd,Pb}", lst, state, day(rnd.choice([2025, 2026, 2027])),
                        "柳城环〔2024〕3号", f"SRID=4490;POINT({lon0 + rnd.random()} {lat0 + rnd.random()})", 0, "2024-01-01", "bench", "create"])
            if state == "closed_out":
                records.append(["pollution_sources", code, "closed_out", day(rnd.choice([2023, 2024, 2025]))])
                if rnd.random() < 0.5:
                    records.append(["pollution_sources", code, "follow_up_check", day(2026)])
    with open(out / "records.csv", "w", newline="") as f:
        csv.writer(f).writerows(r + ["bench"] for r in records)
    print(f"{n} entities in {len(counties)} counties of {city}, {len(records)} records")


if __name__ == "__main__":
    main()
