#!/usr/bin/env python3
"""Writes the demo samples: fixtures/soil_samples.geojson and fixtures/crop_samples.geojson (see
fixtures/README.md).

    python3 scripts/gen_sample_fixtures.py          # regenerate
    python3 scripts/gen_sample_fixtures.py --check  # exit 1 if the files are stale

Synthetic, like every fixture: one Liuzhou county (450222 柳城县) and one Guilin county (450324 全州县).
Every fourth demo farmland unit of those counties gets a soil sample at a point inside it, graded as its
class suggests (A under priority protection, B under safe use, C under strict control), except every fifth
sample, which points the other way so that an adjustment batch has units to move; every other sampled unit
gets a rice sample, compliant or over the GB 2762 cadmium limit with its soil, and a unit whose soil points to a
less strict class gets its early and late rice (two clean seasons, so that it may move down). The grades, compliance and
ratios are the service's to work out on load: the files hold only what a laboratory reports. Standard
library only, no randomness: the output is the same on every run.
"""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "fixtures"
COUNTIES = {"450222": "柳环监", "450324": "桂环监"}
# Cd in mg/kg for a paddy sample at pH 6.0 (GB 15618: screening 0.4, intervention 2.0)
SOIL_CD = {"priority_protection": 0.22, "safe_use": 0.85, "strict_control": 2.6}
AGAINST = {"priority_protection": "safe_use", "safe_use": "priority_protection", "strict_control": "safe_use"}
STRICTNESS = {"priority_protection": 0, "safe_use": 1, "strict_control": 2}


def inside(ring):
    """A point inside a convex-ish ring: the mean of its vertices (the demo units are small, near-regular)."""
    pts = ring[:-1]
    return [round(sum(p[0] for p in pts) / len(pts), 7), round(sum(p[1] for p in pts) / len(pts), 7)]


def point(coords):
    return {"type": "Point", "coordinates": coords}


def build():
    units = json.loads((ROOT / "farmland_units.geojson").read_text(encoding="utf-8"))["features"]
    soil, crop = [], []
    for county, lab in COUNTIES.items():
        mine = [u for u in units if u["properties"]["county_code"] == county]
        for n, u in enumerate(mine[::4]):
            p = u["properties"]
            ring = u["geometry"]["coordinates"][0] if u["geometry"]["type"] == "Polygon" else u["geometry"]["coordinates"][0][0]
            at = inside(ring)
            looks_like = AGAINST[p["class"]] if n % 5 == 4 else p["class"]
            cd = SOIL_CD[looks_like]
            paddy = p["land_type"] == "0101"
            code = f"{county}-S-{n + 1:04d}"
            soil.append({"type": "Feature", "geometry": point(at), "properties": {
                "sample_code": code, "county_code": county, "sampled_on": "2025-09-15",
                "land": "paddy" if paddy else "other", "ph": 6.0 if n % 3 else 5.2,
                "cd": cd, "hg": 0.12, "as": 12.0, "pb": 45.0, "cr": 80.0, "cu": 25.0, "ni": 30.0, "zn": 110.0,
                "lab": f"{lab}测〔2025〕", "report_doc": f"{lab}测〔2025〕{n + 1}号"}})
            rice_cd = 0.08 if looks_like == "priority_protection" else 0.16 if looks_like == "safe_use" else 0.42
            # A unit whose soil points to a less strict class also gets its early rice of July: two clean
            # seasons in a row, what the method asks before a unit moves down.
            down = STRICTNESS[looks_like] < STRICTNESS[p["class"]]
            if down:
                crop.append({"type": "Feature", "geometry": point(at), "properties": {
                    "sample_code": f"{county}-C-{n + 1:04d}E", "county_code": county, "sampled_on": "2025-07-20",
                    "crop": "rice", "cd": rice_cd, "pb": 0.05, "as_inorganic": 0.08, "hg": 0.005, "cr": 0.2,
                    "lab": f"{lab}测〔2025〕", "report_doc": f"{lab}测〔2025〕农{n + 1}E号"}})
            if n % 2 == 0 or down:
                crop.append({"type": "Feature", "geometry": point(at), "properties": {
                    "sample_code": f"{county}-C-{n + 1:04d}", "county_code": county, "sampled_on": "2025-10-08",
                    "crop": "rice", "cd": rice_cd, "pb": 0.05, "as_inorganic": 0.08, "hg": 0.005, "cr": 0.2,
                    "lab": f"{lab}测〔2025〕", "report_doc": f"{lab}测〔2025〕农{n + 1}号"}})
    return {"soil_samples.geojson": soil, "crop_samples.geojson": crop}


def text(features):
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=None) + "\n"


def main():
    check = "--check" in sys.argv[1:]
    stale = []
    for name, features in build().items():
        path, body = ROOT / name, text(features)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != body:
                stale.append(name)
        else:
            path.write_text(body, encoding="utf-8")
            print(f"{path}: {len(features)} features")
    if stale:
        print(f"stale: {', '.join(stale)} (run python3 scripts/gen_sample_fixtures.py)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
