#!/usr/bin/env python3
"""Farmland units for the import benchmark, as CSV with a WKT column (CGCS2000 lon/lat), on stdout.

    python3 bench/import_gen.py 200000 > units.csv     # prints "N polygons, V vertices" on stderr

Deterministic (fixed seed). Each unit is an irregular star-shaped polygon of 8-24 vertices, about
1 ha, in its own cell of a grid over Liuzhou (109.0-109.9 E, 24.0-24.9 N), so every polygon is valid and
none overlaps another. Properties follow farmland_units in docs/contract.md (booleans as 1/0, unknown as empty; bench/import.sh gives
GDAL the column types in a .csvt). bench/import.sh turns the CSV into a
GeoPackage in EPSG:4545 (CGCS2000 3-degree Gauss-Krueger zone 36, as Liuzhou's bureaus hold their data).
"""
import csv
import math
import random
import sys

COUNTIES = ["450202", "450203", "450204", "450205", "450206", "450221", "450222", "450223", "450224", "450225", "450226"]
CLASSES = ["priority_protection", "safe_use", "strict_control"]
LAND_TYPES = ["0101", "0102", "0103"]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    rng = random.Random(20261122)
    side = math.ceil(math.sqrt(n))
    cell = 0.9 / side  # degrees
    w = csv.writer(sys.stdout, lineterminator="\n")
    vertices = 0
    w.writerow(["unit_code", "county_code", "class", "land_type", "measures_in_place", "crops_compliant",
                "valid_from", "basis_doc", "WKT"])
    for i in range(n):
        cx = 109.0 + (i % side + 0.5) * cell
        cy = 24.0 + (i // side + 0.5) * cell
        k = rng.randint(8, 24)
        r0 = cell * 0.35
        pts = []
        for j in range(k):
            a = 2 * math.pi * j / k
            r = r0 * rng.uniform(0.7, 1.0)
            pts.append(f"{cx + r * math.cos(a):.9f} {cy + r * math.sin(a):.9f}")
        pts.append(pts[0])
        vertices += len(pts)
        cls = CLASSES[i % 3]
        w.writerow([
            f"LZ-B-{i:06d}",
            COUNTIES[i % len(COUNTIES)],
            cls,
            LAND_TYPES[i % 3],
            "1" if i % 4 else "0",
            "" if cls == "priority_protection" else ("1" if i % 5 else "0"),
            "2024-01-01",
            "柳环发〔2024〕3号",
            f"POLYGON (({', '.join(pts)}))",
        ])
    print(f"{n} polygons, {vertices} vertices", file=sys.stderr)


if __name__ == "__main__":
    main()
