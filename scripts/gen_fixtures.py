#!/usr/bin/env python3
"""Generate the landguard demo fixtures in ``fixtures/``.

    python3 scripts/gen_fixtures.py            # writes fixtures/*.geojson, fixtures/transitions.json
    python3 scripts/gen_fixtures.py --check    # generates in memory, validates, compares with files on disk

Python 3.11, standard library only.  Everything is derived from one ``random.Random(20251122)``; nothing
depends on the clock, the hash seed or the platform's dict/set order, so two runs give byte-identical files.

All data is INVENTED demo data.  County codes, county names and the few enterprise / project names that
appear in the two plans (named in docs/domain.md) are real; every other name, shape, class and date is
synthetic.  County outlines are an approximate Voronoi partition of approximate county centres, not
official boundaries.

The script validates what it writes and exits non-zero (AssertionError with a message) when a check fails:
closed rings, counter-clockwise exteriors, simple rings, no overlapping farmland units, disjoint parcel
bounding boxes, counties that do not overlap, units inside their county, lifecycle-valid transitions with
strictly increasing dates, the class / state / indicator mixes the demos rely on.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import sys
from pathlib import Path

SEED = 20251122
ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures"
LAST_DATE = dt.date(2026, 10, 31)
DECIMALS = 7

rng = random.Random(SEED)


# ----------------------------------------------------------------------------------------------------------
# Small geometry kit (planar; lon/lat or local metres)
# ----------------------------------------------------------------------------------------------------------

def m_per_deg(lat: float) -> tuple[float, float]:
    """Metres per degree of longitude and latitude at `lat` (WGS 84 / CGCS2000 ellipsoid, series form)."""
    p = math.radians(lat)
    mlat = 111132.92 - 559.82 * math.cos(2 * p) + 1.175 * math.cos(4 * p)
    mlon = 111412.84 * math.cos(p) - 93.5 * math.cos(3 * p)
    return mlon, mlat


class Frame:
    """Local tangent-plane frame (metres, x east / y north) around (lon0, lat0)."""

    def __init__(self, lon0: float, lat0: float):
        self.lon0, self.lat0 = lon0, lat0
        self.mlon, self.mlat = m_per_deg(lat0)

    def to_ll(self, x: float, y: float) -> tuple[float, float]:
        return (self.lon0 + x / self.mlon, self.lat0 + y / self.mlat)

    def from_ll(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon - self.lon0) * self.mlon, (lat - self.lat0) * self.mlat)


def rnd(p: tuple[float, float]) -> list[float]:
    return [round(p[0], DECIMALS), round(p[1], DECIMALS)]


def signed_area(ring) -> float:
    """Shoelace over an open or closed ring (closing duplicate contributes 0)."""
    s = 0.0
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        s += x1 * y2 - x2 * y1
    return s / 2.0


def ring_area_m2(ring) -> float:
    """Area (m²) of a lon/lat ring, by projecting onto the local plane at its first vertex."""
    f = Frame(ring[0][0], ring[0][1])
    return abs(signed_area([f.from_ll(*p) for p in ring]))


def centroid(ring) -> tuple[float, float]:
    pts = ring[:-1] if ring[0] == ring[-1] else ring
    return (sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts))


def orient(a, b, c) -> float:
    return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])


def _on_seg(a, b, c) -> bool:
    return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])


def segs_touch(p1, p2, p3, p4) -> bool:
    """Closed segments p1p2 and p3p4 share at least one point."""
    d1, d2 = orient(p3, p4, p1), orient(p3, p4, p2)
    d3, d4 = orient(p1, p2, p3), orient(p1, p2, p4)
    if ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4)):
        return True
    return ((d1 == 0 and _on_seg(p3, p4, p1)) or (d2 == 0 and _on_seg(p3, p4, p2))
            or (d3 == 0 and _on_seg(p1, p2, p3)) or (d4 == 0 and _on_seg(p1, p2, p4)))


def segs_cross(p1, p2, p3, p4) -> bool:
    """Proper crossing (interiors cross at a single point)."""
    d1, d2 = orient(p3, p4, p1), orient(p3, p4, p2)
    d3, d4 = orient(p1, p2, p3), orient(p1, p2, p4)
    return ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4))


def ring_problems(ring) -> str | None:
    """None when `ring` (closed) is a valid simple ring; else a description."""
    if len(ring) < 4:
        return "fewer than 4 positions"
    if ring[0] != ring[-1]:
        return "ring not closed"
    pts = ring[:-1]
    n = len(pts)
    if len(set(map(tuple, pts))) != n:
        return "repeated vertex"
    segs = [(pts[i], pts[(i + 1) % n]) for i in range(n)]
    boxes = [(min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])) for a, b in segs]
    for i in range(n):
        a, b = segs[i]
        # adjacent segment folding back onto this one (spike)
        c = segs[(i + 1) % n][1]
        if orient(a, b, c) == 0 and (_on_seg(a, b, c) or _on_seg(b, c, a)):
            return f"spike at vertex {(i + 1) % n}"
        bi = boxes[i]
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue
            bj = boxes[j]
            if bi[2] < bj[0] or bj[2] < bi[0] or bi[3] < bj[1] or bj[3] < bi[1]:
                continue
            if segs_touch(a, b, *segs[j]):
                return f"self-intersection between edges {i} and {j}"
    return None


def point_in_ring(pt, ring) -> bool:
    x, y = pt
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y):
            xint = xi + (y - yi) * (xj - xi) / (yj - yi)
            if x < xint:
                inside = not inside
        j = i
    return inside


def bbox(ring) -> tuple[float, float, float, float]:
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return (min(xs), min(ys), max(xs), max(ys))


def boxes_overlap(a, b, pad=0.0) -> bool:
    return not (a[2] + pad < b[0] or b[2] + pad < a[0] or a[3] + pad < b[1] or b[3] + pad < a[1])


def rings_intersect(ra, rb) -> bool:
    """Closed polygons (closed rings) share any point (touching counts)."""
    ba, bb = bbox(ra), bbox(rb)
    if not boxes_overlap(ba, bb):
        return False
    ea = [(ra[i], ra[i + 1]) for i in range(len(ra) - 1)
          if boxes_overlap(bbox([ra[i], ra[i + 1]]), bb)]
    eb = [(rb[i], rb[i + 1]) for i in range(len(rb) - 1)
          if boxes_overlap(bbox([rb[i], rb[i + 1]]), ba)]
    for p1, p2 in ea:
        for p3, p4 in eb:
            if segs_touch(p1, p2, p3, p4):
                return True
    return point_in_ring(ra[0], rb) or point_in_ring(rb[0], ra)


def pt_seg_dist(p, a, b) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    L2 = dx * dx + dy * dy
    t = 0.0 if L2 == 0 else max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / L2))
    qx, qy = a[0] + t * dx, a[1] + t * dy
    return math.hypot(p[0] - qx, p[1] - qy)


def ring_distance_m(ra, rb) -> float:
    """Minimum distance in metres between two disjoint lon/lat rings (0 if they intersect)."""
    if rings_intersect(ra, rb):
        return 0.0
    f = Frame(*ra[0])
    a = [f.from_ll(*p) for p in ra]
    b = [f.from_ll(*p) for p in rb]
    d = math.inf
    for p in a:
        for i in range(len(b) - 1):
            d = min(d, pt_seg_dist(p, b[i], b[i + 1]))
    for p in b:
        for i in range(len(a) - 1):
            d = min(d, pt_seg_dist(p, a[i], a[i + 1]))
    return d


class GridIndex:
    """Bounding-box grid index over lon/lat boxes (dict keyed by int tuples: deterministic order)."""

    def __init__(self, cell_deg: float):
        self.cell = cell_deg
        self.cells: dict[tuple[int, int], list[int]] = {}
        self.boxes: list[tuple[float, float, float, float]] = []

    def _keys(self, b):
        c = self.cell
        for i in range(math.floor(b[0] / c), math.floor(b[2] / c) + 1):
            for j in range(math.floor(b[1] / c), math.floor(b[3] / c) + 1):
                yield (i, j)

    def add(self, b) -> int:
        idx = len(self.boxes)
        self.boxes.append(b)
        for k in self._keys(b):
            self.cells.setdefault(k, []).append(idx)
        return idx

    def query(self, b, pad=0.0) -> list[int]:
        pb = (b[0] - pad, b[1] - pad, b[2] + pad, b[3] + pad)
        found = []
        seen = set()
        for k in self._keys(pb):
            for idx in self.cells.get(k, ()):
                if idx not in seen and boxes_overlap(self.boxes[idx], pb):
                    seen.add(idx)
                    found.append(idx)
        return sorted(found)


def lognormal(median: float, sigma: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, median * math.exp(rng.gauss(0.0, sigma))))


def weighted(choices):
    """choices: list of (value, weight)."""
    total = sum(w for _, w in choices)
    r = rng.uniform(0, total)
    acc = 0.0
    for v, w in choices:
        acc += w
        if r <= acc:
            return v
    return choices[-1][0]


def rand_date(lo: dt.date, hi: dt.date) -> dt.date:
    return lo + dt.timedelta(days=rng.randint(0, (hi - lo).days))


# ----------------------------------------------------------------------------------------------------------
# Counties: approximate outlines from a Voronoi partition of approximate county centres
# ----------------------------------------------------------------------------------------------------------

CITY_LZ, CITY_GL = "柳州市", "桂林市"

# (code, name, city, seed lon, seed lat, output?)  Seeds are rough *centres* (not seats), nudged so that the
# partition puts the fixture's valleys and industrial zones into the right county.  Neighbouring counties
# (Hechi, Laibin, Hezhou, Hunan, Guizhou, the rest of Liuzhou and Guilin) are filler seeds, not output.
COUNTY_SEEDS = [
    ("450202", "城中区", CITY_LZ, 109.418, 24.335, True),
    ("450203", "鱼峰区", CITY_LZ, 109.490, 24.290, True),
    ("450204", "柳南区", CITY_LZ, 109.360, 24.330, True),
    ("450205", "柳北区", CITY_LZ, 109.405, 24.430, True),
    ("450206", "柳江区", CITY_LZ, 109.290, 24.160, True),
    ("450222", "柳城县", CITY_LZ, 109.200, 24.680, True),
    ("450223", "鹿寨县", CITY_LZ, 109.800, 24.560, True),
    ("450224", "融安县", CITY_LZ, 109.500, 25.200, False),
    ("450225", "融水苗族自治县", CITY_LZ, 109.080, 25.130, True),
    ("450226", "三江侗族自治县", CITY_LZ, 109.550, 25.780, False),
    ("451225", "罗城仫佬族自治县", None, 108.850, 24.850, False),
    ("451203", "宜州区", None, 108.550, 24.450, False),
    ("451226", "环江毛南族自治县", None, 108.300, 25.050, False),
    ("451321", "忻城县", None, 108.700, 24.050, False),
    ("451302", "兴宾区", None, 109.200, 23.720, False),
    ("451322", "象州县", None, 109.780, 24.000, False),
    ("451324", "金秀瑶族自治县", None, 110.150, 24.120, False),
    ("522633", "从江县", None, 108.900, 25.750, False),
    ("450302", "秀峰区", CITY_GL, 110.255, 25.287, True),
    ("450303", "叠彩区", CITY_GL, 110.312, 25.322, True),
    ("450304", "象山区", CITY_GL, 110.280, 25.232, True),
    ("450305", "七星区", CITY_GL, 110.345, 25.262, True),
    ("450311", "雁山区", CITY_GL, 110.310, 25.050, True),
    ("450312", "临桂区", CITY_GL, 110.110, 25.230, True),
    ("450321", "阳朔县", CITY_GL, 110.470, 24.830, False),
    ("450323", "灵川县", CITY_GL, 110.440, 25.460, True),
    ("450324", "全州县", CITY_GL, 111.050, 25.900, True),
    ("450325", "兴安县", CITY_GL, 110.660, 25.620, False),
    ("450326", "永福县", CITY_GL, 109.880, 24.980, False),
    ("450327", "灌阳县", CITY_GL, 111.160, 25.450, False),
    ("450328", "龙胜各族自治县", CITY_GL, 109.950, 25.850, False),
    ("450329", "资源县", CITY_GL, 110.600, 26.050, False),
    ("450330", "平乐县", CITY_GL, 110.700, 24.580, False),
    ("450332", "恭城瑶族自治县", CITY_GL, 110.860, 24.920, True),
    ("450381", "荔浦市", CITY_GL, 110.390, 24.500, False),
    ("451122", "富川瑶族自治县", None, 111.250, 24.900, False),
    ("451122x", "钟山县", None, 111.250, 24.450, False),
    ("431124", "道县", None, 111.550, 25.500, False),
    ("431125", "江永县", None, 111.300, 25.200, False),
    ("431122", "东安县", None, 111.300, 26.400, False),
    ("430528", "新宁县", None, 110.850, 26.450, False),
    ("430529", "城步苗族自治县", None, 110.300, 26.350, False),
    ("431123", "双牌县", None, 111.650, 25.900, False),
]
VORONOI_FRAME = Frame(110.0, 24.9)
VORONOI_BOX = [(107.9, 23.4), (112.0, 23.4), (112.0, 26.9), (107.9, 26.9)]


def clip_halfplane(poly, a, b, c):
    """Keep the part of convex `poly` where a*x + b*y <= c (Sutherland-Hodgman)."""
    out = []
    n = len(poly)
    for i in range(n):
        p, q = poly[i], poly[(i + 1) % n]
        fp, fq = a * p[0] + b * p[1] - c, a * q[0] + b * q[1] - c
        if fp <= 0:
            out.append(p)
        if (fp < 0 < fq) or (fq < 0 < fp):
            t = fp / (fp - fq)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def build_counties():
    fr = VORONOI_FRAME
    seeds = [fr.from_ll(s[3], s[4]) for s in COUNTY_SEEDS]
    box = [fr.from_ll(*p) for p in VORONOI_BOX]
    cells = []
    for i, si in enumerate(seeds):
        poly = list(box)
        for j, sj in enumerate(seeds):
            if i == j:
                continue
            a, b = sj[0] - si[0], sj[1] - si[1]
            mx, my = (si[0] + sj[0]) / 2, (si[1] + sj[1]) / 2
            poly = clip_halfplane(poly, a, b, a * mx + b * my)
        cells.append(poly)
    # snap vertices to a shared list so that neighbours see the very same vertex ids
    verts: list[tuple[float, float]] = []
    snap = {}

    def vid(p):
        key = (round(p[0] / 5.0), round(p[1] / 5.0))  # 5 m buckets, then exact check among neighbours
        for dk in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)):
            for k in snap.get((key[0] + dk[0], key[1] + dk[1]), ()):
                if math.hypot(verts[k][0] - p[0], verts[k][1] - p[1]) < 1e-3:
                    return k
        verts.append(p)
        snap.setdefault(key, []).append(len(verts) - 1)
        return len(verts) - 1

    cell_ids = []
    for poly in cells:
        ids = []
        for p in poly:
            k = vid(p)
            if not ids or ids[-1] != k:
                ids.append(k)
        if len(ids) > 1 and ids[0] == ids[-1]:
            ids.pop()
        cell_ids.append(ids)
    # perturbed, densified shared edges: drawn once per edge, reused (reversed) by the neighbour; small
    # output cells get more points per edge so that every outline has 12-30 vertices
    edge_pts: dict[tuple[int, int], list[tuple[float, float]]] = {}
    min_segs: dict[tuple[int, int], int] = {}
    for s, ids in zip(COUNTY_SEEDS, cell_ids):
        if s[5]:
            need = math.ceil(14 / len(ids))
            for i in range(len(ids)):
                a, b = ids[i], ids[(i + 1) % len(ids)]
                key = (min(a, b), max(a, b))
                min_segs[key] = max(min_segs.get(key, 1), need)

    def edge(a, b):
        lo, hi = (a, b) if a < b else (b, a)
        if (lo, hi) not in edge_pts:
            p, q = verts[lo], verts[hi]
            L = math.hypot(q[0] - p[0], q[1] - p[1])
            n = 1 if L < 800 else max(2, min(4, round(L / 12000.0) + 1))  # segments along this edge
            n = max(n, min_segs.get((lo, hi), 1)) if L >= 800 else n
            nx, ny = -(q[1] - p[1]) / L, (q[0] - p[0]) / L
            pts = []
            for k in range(1, n):
                t = (k + rng.uniform(-0.2, 0.2)) / n
                off = rng.uniform(-0.06, 0.06) * L / math.sqrt(n)
                pts.append((p[0] + t * (q[0] - p[0]) + off * nx, p[1] + t * (q[1] - p[1]) + off * ny))
            edge_pts[(lo, hi)] = pts
        pts = edge_pts[(lo, hi)]
        return pts if a == lo else list(reversed(pts))

    out = []
    for s, ids in zip(COUNTY_SEEDS, cell_ids):
        if not s[5]:
            continue
        ring = []
        for i in range(len(ids)):
            a, b = ids[i], ids[(i + 1) % len(ids)]
            ring.append(verts[a])
            ring.extend(edge(a, b))
        ll = [rnd(fr.to_ll(*p)) for p in ring]
        if signed_area(ll) < 0:
            ll.reverse()
        ll.append(list(ll[0]))
        out.append({"code": s[0], "name": s[1], "city": s[2], "ring": ll})
    return out


# ----------------------------------------------------------------------------------------------------------
# Farmland: classification units in farming valleys
# ----------------------------------------------------------------------------------------------------------

# (county, centre lon, centre lat, valley length m, strips across, axis deg from east, curve amplitude m,
#  land-type mix (0101, 0102, 0103))
PADDY = (0.74, 0.07, 0.19)
UPLAND = (0.42, 0.05, 0.53)
VALLEYS = [
    ("450206", 109.250, 24.075, 5200, 8, 35, 170, PADDY),     # 柳江 百朋 area
    ("450206", 109.420, 24.065, 4400, 7, 110, 140, PADDY),    # 柳江 成团 area
    ("450206", 109.150, 24.230, 3800, 6, 70, 110, UPLAND),    # 柳江 穿山 area
    ("450222", 109.300, 24.600, 5000, 8, 20, 190, PADDY),     # 柳城 沙埔 area (hotspot)
    ("450222", 109.250, 24.820, 4600, 7, 160, 150, PADDY),    # 柳城 东泉 area
    ("450222", 109.080, 24.640, 3600, 6, 80, 100, UPLAND),    # 柳城 凤山 area
    ("450223", 109.700, 24.660, 5000, 8, 45, 190, PADDY),     # 鹿寨 中渡 area (hotspot)
    ("450223", 109.900, 24.440, 4400, 7, 130, 160, PADDY),    # 鹿寨 寨沙 area
    ("450225", 109.230, 24.960, 4200, 6, 15, 140, PADDY),     # 融水 和睦 area
    ("450225", 109.060, 25.110, 3800, 6, 60, 120, UPLAND),    # 融水 大浪 area (hotspot: tailings)
    ("450312", 110.090, 25.120, 5000, 8, 5, 170, PADDY),      # 临桂 四塘 area (overlapping parcel)
    ("450312", 110.000, 25.340, 4200, 7, 40, 140, PADDY),     # 临桂 五通 area
    ("450323", 110.470, 25.540, 4800, 8, 25, 160, PADDY),     # 灵川 三街 area (historic mining)
    ("450323", 110.300, 25.500, 3600, 6, 150, 120, UPLAND),   # 灵川 定江 area
    ("450324", 110.950, 25.820, 5200, 8, 40, 190, PADDY),     # 全州 绍水 area (hotspot)
    ("450324", 111.140, 26.020, 4200, 7, 0, 150, PADDY),      # 全州 龙水 area
    ("450324", 111.000, 25.700, 3600, 6, 120, 110, UPLAND),   # 全州 石塘 area
    ("450332", 110.870, 24.760, 4600, 7, 10, 150, PADDY),     # 恭城 莲花 area
    ("450332", 110.930, 25.030, 3800, 6, 100, 130, UPLAND),   # 恭城 栗木 area (hotspot)
]

# Mining / smelting hotspots: (valley index, u as a fraction of the half length, side of the valley,
# distance of the source from the outermost fields in m, key of the construction parcel sitting there or None)
HOTSPOTS = [
    (3, 0.10, +1, 180, "lc_smelter"),
    (9, -0.15, -1, 220, "rs_tailings"),
    (6, 0.20, +1, 260, "lz_chem_keyunit"),
    (1, -0.10, -1, 300, "lj_zinc"),
    (14, 0.05, +1, 240, "qz_smelter"),
    (18, -0.05, -1, 200, "gc_mine"),
    (12, 0.15, +1, 350, None),
]

# Safe-utilisation rate (%) each county's units are tuned to (two below their city's target).
RATE_TARGETS = {
    "450206": 95.2, "450222": 92.2, "450223": 94.4, "450225": 93.6,
    "450312": 96.0, "450323": 93.2, "450324": 94.8, "450332": 94.0,
}

# Documents that set farmland classes: (doc number, date).  The first of each city is the initial
# classification; later ones are dynamic adjustments (动态调整).
FARM_DOCS = {
    CITY_LZ: [("柳农发〔2021〕47号", dt.date(2021, 9, 14)), ("柳环发〔2022〕15号", dt.date(2022, 5, 18)),
              ("柳农发〔2022〕88号", dt.date(2022, 11, 7)), ("柳环发〔2023〕22号", dt.date(2023, 7, 21)),
              ("柳农函〔2024〕19号", dt.date(2024, 4, 16))],
    CITY_GL: [("桂市农发〔2021〕62号", dt.date(2021, 10, 11)), ("桂环函〔2022〕908号", dt.date(2022, 6, 2)),
              ("桂环函〔2023〕41号", dt.date(2023, 1, 19)), ("桂市农发〔2023〕35号", dt.date(2023, 9, 5)),
              ("桂市农函〔2024〕11号", dt.date(2024, 5, 28))],
}

COUNTY_CITY = {s[0]: s[2] for s in COUNTY_SEEDS}
COUNTY_NAME = {s[0]: s[1] for s in COUNTY_SEEDS}


class Valley:
    def __init__(self, idx, spec):
        (self.county, lon, lat, self.length, self.nstrips, axis, amp, self.mix) = spec
        self.idx = idx
        self.frame = Frame(lon, lat)
        th = math.radians(axis)
        self.c, self.s = math.cos(th), math.sin(th)
        self.a1, self.l1, self.p1 = 0.75 * amp, rng.uniform(3000, 6000), rng.uniform(0, 2 * math.pi)
        self.a2, self.l2, self.p2 = amp * 0.12, rng.uniform(1200, 2000), rng.uniform(0, 2 * math.pi)
        self.widths = [lognormal(125, 0.32, 65, 280) for _ in range(self.nstrips)]
        self.vgaps = [rng.uniform(4, 12) for _ in range(self.nstrips - 1)]
        self.width = sum(self.widths) + sum(self.vgaps)

    def f(self, u):
        return (self.a1 * math.sin(2 * math.pi * u / self.l1 + self.p1)
                + self.a2 * math.sin(2 * math.pi * u / self.l2 + self.p2))

    def local(self, u, v):
        """Valley (u along, v across) -> local metres of the valley frame (area-preserving shear+rotation)."""
        w = v + self.f(u)
        return (u * self.c - w * self.s, u * self.s + w * self.c)

    def ll(self, u, v):
        return self.frame.to_ll(*self.local(u, v))


def densify(poly, maxlen):
    """Insert points along the edges of an open ring; returns (points, is_inserted flags)."""
    out, flags = [], []
    n = len(poly)
    for i in range(n):
        p, q = poly[i], poly[(i + 1) % n]
        out.append(p)
        flags.append(False)
        L = math.hypot(q[0] - p[0], q[1] - p[1])
        k = int(L // maxlen)
        for j in range(1, k + 1):
            t = j / (k + 1)
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
            flags.append(True)
    return out, flags


def cell_polygon(corners):
    """Irregular field outline inside the convex cell `corners` (open, CCW in u/v)."""
    poly = list(corners)
    # chamfer a corner now and then (field corner lost to a track, pond or house plot)
    if rng.random() < 0.3:
        k = rng.randrange(4)
        p, prv, nxt = poly[k], poly[k - 1], poly[(k + 1) % 4]
        t1, t2 = rng.uniform(0.12, 0.3), rng.uniform(0.12, 0.3)
        a = (p[0] + t1 * (prv[0] - p[0]), p[1] + t1 * (prv[1] - p[1]))
        b = (p[0] + t2 * (nxt[0] - p[0]), p[1] + t2 * (nxt[1] - p[1]))
        poly = poly[:k] + [a, b] + poly[k + 1:]
    pts, flags = densify(poly, 34.0)
    n = len(pts)
    out = []
    for i in range(n):
        p = pts[i]
        if flags[i]:
            a, b = pts[i - 1], pts[(i + 1) % n]
            dx, dy = b[0] - a[0], b[1] - a[1]
            L = math.hypot(dx, dy)
            d = rng.uniform(0.0, 2.5)  # inward only: the outline never leaves its cell
            p = (p[0] - dy / L * d, p[1] + dx / L * d)
        out.append(p)
    return out


def build_valley_units(v: Valley):
    units = []
    vpos = -v.width / 2
    for si in range(v.nstrips):
        w = v.widths[si]
        v_lo, v_hi = vpos, vpos + w
        vpos = v_hi + (v.vgaps[si] if si < v.nstrips - 1 else 0)
        vc = (v_lo + v_hi) / 2
        rel = vc / (v.width / 2)
        half = v.length / 2 * math.sqrt(max(0.0, 1 - 0.85 * rel * rel)) * rng.uniform(0.85, 1.0)
        u_end = half + rng.uniform(-60, 60)
        smax = min(0.22 * w, 35.0)
        prev_uc, prev_s = -half + rng.uniform(-60, 60), rng.uniform(-smax, smax)
        dominant = weighted(list(zip(("0101", "0102", "0103"), v.mix)))
        while True:
            area = lognormal(13000, 0.8, 3300, 140000)
            s = rng.uniform(-smax, smax)
            gap = rng.uniform(3.0, 8.0)
            L = area / w
            L = max(L, 0.45 * w, abs(prev_s) + abs(s) + gap + 25.0)
            L = min(L, 4.0 * w, 800.0)
            uc = prev_uc + L
            if uc + abs(s) > u_end:
                break

            def cut(ucut, sl, vv):
                return ucut + sl * (vv - vc) / (w / 2)

            g2 = gap / 2
            corners = [(cut(prev_uc, prev_s, v_lo) + g2, v_lo), (cut(uc, s, v_lo) - g2, v_lo),
                       (cut(uc, s, v_hi) - g2, v_hi), (cut(prev_uc, prev_s, v_hi) + g2, v_hi)]
            prev_uc, prev_s = uc, s
            if rng.random() < 0.06:  # village, pond, orchard: not farmland of this layer
                continue
            poly_uv = cell_polygon(corners)
            ll = [rnd(v.ll(*p)) for p in poly_uv]
            ll.append(list(ll[0]))
            a = ring_area_m2(ll)
            if not 3000.0 <= a <= 150000.0:
                continue
            land = dominant if rng.random() < 0.8 else weighted(list(zip(("0101", "0102", "0103"), v.mix)))
            units.append({"county": v.county, "valley": v.idx, "ring": ll, "area": a, "land_type": land})
    return units


# ----------------------------------------------------------------------------------------------------------
# Construction parcels
# ----------------------------------------------------------------------------------------------------------

BRANDS = ["鑫华", "永固", "宏桂", "红星", "金江", "龙腾", "盛达", "华力", "联丰", "东成", "恒昌", "裕隆", "汇通",
          "新柳", "南方", "兴达", "长青", "荣昌", "嘉禾", "瑞丰", "德兴", "光明", "立新", "前进", "友谊", "红旗",
          "胜利", "万通", "宏源", "富民", "国泰", "远东", "金源", "辉煌", "众力", "建华", "顺发", "利民", "华南",
          "桂中", "鸿运", "振兴", "启明", "协力", "同心", "天成", "三友", "恒通", "大业", "开元", "丰盛", "隆昌",
          "华兴", "新华", "鹏程", "兆丰", "昌盛", "永兴", "金桥", "华丰", "东兴", "长城", "泰和", "祥和", "安达"]

INDUSTRY_SUFFIX = {
    "化工": ["化工厂", "化工有限公司", "化学工业有限责任公司"],
    "冶炼": ["冶炼厂", "冶化有限公司", "有色金属冶炼厂"],
    "电镀": ["电镀厂", "表面处理有限公司"],
    "焦化": ["焦化厂", "煤气厂"],
    "制药": ["制药厂", "药业有限公司"],
    "铅蓄电池": ["蓄电池厂", "电源有限公司"],
    "农药": ["农药厂", "农化有限公司"],
    "机械制造（铸造）": ["铸造厂", "机械厂"],
    "皮革鞣制": ["皮革厂", "制革厂"],
    "印染": ["印染厂"],
    "造纸": ["造纸厂"],
    "有色金属采选": ["选矿厂", "矿业有限公司"],
    "危险废物处置": ["废旧物资回收站", "环保科技有限公司"],
    "石油化工（储运）": ["油库", "石化储运站"],
}
PRIORITY_INDUSTRIES = [("化工", 14), ("冶炼", 10), ("电镀", 8), ("焦化", 3), ("制药", 5), ("铅蓄电池", 4),
                       ("农药", 3), ("机械制造（铸造）", 5), ("皮革鞣制", 2), ("印染", 2), ("造纸", 2),
                       ("危险废物处置", 2), ("石油化工（储运）", 2)]

# industrial zones: key -> (city, lon, lat, radius m, place prefix for names)
ZONES = {
    "lz_liubei": (CITY_LZ, 109.402, 24.405, 2400, "柳州市"),
    "lz_liunan": (CITY_LZ, 109.362, 24.305, 1800, "柳州市"),
    "lz_yufeng": (CITY_LZ, 109.482, 24.268, 2200, "柳州市"),
    "lz_chengzhong": (CITY_LZ, 109.418, 24.333, 900, "柳州市"),
    "lz_liujiang": (CITY_LZ, 109.318, 24.226, 1300, "柳州市柳江区"),
    "lz_liudong": (CITY_LZ, 109.545, 24.365, 1800, "柳州市"),
    "lz_liucheng": (CITY_LZ, 109.262, 24.668, 1200, "柳城县"),
    "gl_qixing": (CITY_GL, 110.338, 25.262, 1200, "桂林市"),
    "gl_xiangshan": (CITY_GL, 110.278, 25.226, 1300, "桂林市"),
    "gl_diecai": (CITY_GL, 110.306, 25.322, 1200, "桂林市"),
    "gl_xiufeng": (CITY_GL, 110.256, 25.287, 700, "桂林市"),
    "gl_yanshan": (CITY_GL, 110.305, 25.070, 1800, "桂林市雁山区"),
    "gl_lingui": (CITY_GL, 110.158, 25.236, 1500, "桂林市临桂区"),
}

# streets / towns used to name the "other" parcels, by the county the parcel falls in (approximate)
STREETS = {
    "450202": ["文昌路", "潭中路", "中山路"], "450203": ["屏山大道", "柳石路", "箭盘路", "雒容镇"],
    "450204": ["航银路", "河西路", "西环路", "航生路"], "450205": ["北雀路", "跃进路", "柳太路", "胜利路"],
    "450206": ["拉堡镇", "柳堡路", "进德镇"], "450302": ["西城路", "甲山路"], "450303": ["北辰路", "中山北路", "环城北二路"],
    "450304": ["中华路", "瓦窑路", "凯风路"], "450305": ["七星路", "穿山路", "漓江路"], "450311": ["雁山街", "良丰路"],
    "450312": ["临苏路", "西城大道", "秧塘路"],
}
OTHER_KINDS = [("旧厂区", [None, "机械制造（铸造）", "化工"]), ("原仓储", ["石油化工（储运）", None]),
               ("原机修厂", ["机械制造（铸造）"]), ("原物流园", [None]), ("原砖厂", ["建材（砖瓦）"]),
               ("原加油站", ["石油化工（储运）"])]


def parcel_shape(area_m2):
    """Irregular simple polygon (open, CCW, metres, centred near 0,0) of the given area."""
    kind = weighted([("quad", 4), ("chamfer", 3), ("L", 2), ("poly", 2)])
    ar = rng.uniform(1.0, 2.4)
    w, h = math.sqrt(area_m2 * ar), math.sqrt(area_m2 / ar)
    j = lambda s: rng.uniform(-0.07, 0.07) * s  # noqa: E731
    if kind == "quad":
        pts = [(-w / 2 + j(w), -h / 2 + j(h)), (w / 2 + j(w), -h / 2 + j(h)),
               (w / 2 + j(w), h / 2 + j(h)), (-w / 2 + j(w), h / 2 + j(h))]
    elif kind == "chamfer":
        cw, ch = rng.uniform(0.2, 0.45) * w, rng.uniform(0.2, 0.45) * h
        pts = [(-w / 2, -h / 2), (w / 2 - cw, -h / 2), (w / 2, -h / 2 + ch), (w / 2, h / 2), (-w / 2, h / 2)]
        pts = [(x + j(w) * 0.5, y + j(h) * 0.5) for x, y in pts]
    elif kind == "L":
        cw, ch = rng.uniform(0.3, 0.5) * w, rng.uniform(0.3, 0.5) * h
        pts = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2 - ch), (w / 2 - cw, h / 2 - ch),
               (w / 2 - cw, h / 2), (-w / 2, h / 2)]
        pts = [(x + j(w) * 0.3, y + j(h) * 0.3) for x, y in pts]
    else:
        n = rng.randint(6, 9)
        angs = sorted(2 * math.pi * (k + rng.uniform(-0.3, 0.3)) / n for k in range(n))
        pts = [(math.cos(a) * w / 2 * rng.uniform(0.8, 1.1), math.sin(a) * h / 2 * rng.uniform(0.8, 1.1))
               for a in angs]
    th = rng.uniform(0, math.pi)
    c, s = math.cos(th), math.sin(th)
    pts = [(x * c - y * s, x * s + y * c) for x, y in pts]
    if signed_area(pts) < 0:
        pts.reverse()
    k = math.sqrt(area_m2 / abs(signed_area(pts)))
    return [(x * k, y * k) for x, y in pts]


def ring_from_local(frame, cx, cy, pts):
    ll = [rnd(frame.to_ll(cx + x, cy + y)) for x, y in pts]
    ll.append(list(ll[0]))
    return ll


# ----------------------------------------------------------------------------------------------------------
# Lifecycle
# ----------------------------------------------------------------------------------------------------------

NEXT = {
    "suspected": ["surveying"],
    "surveying": ["cleared", "risk_assessment"],
    "risk_assessment": ["cleared", "listed"],
    "listed": ["under_control", "under_remediation"],
    "under_control": ["effect_evaluation"],
    "under_remediation": ["effect_evaluation"],
    "effect_evaluation": ["under_control", "under_remediation", "delisted"],
    "delisted": ["post_management"],
    "cleared": ["suspected"],
    "post_management": [],
}
STATES = ["suspected", "surveying", "cleared", "risk_assessment", "listed", "under_control",
          "under_remediation", "effect_evaluation", "delisted", "post_management"]
UNDER_CONTROL = {"cleared", "under_control", "under_remediation", "effect_evaluation", "delisted",
                 "post_management"}

# (from, to) -> (days min, days max, issuer kind, note choices)
STEP = {
    ("suspected", "surveying"): (30, 300, "city_letter", [
        "启动土壤污染状况调查", "委托第三方机构开展第一阶段土壤污染状况调查", "地块纳入年度调查计划，开展初步采样调查"]),
    ("surveying", "cleared"): (120, 300, "city_review", [
        "土壤污染状况调查报告通过评审，污染物含量未超过第一类用地筛选值",
        "调查报告通过专家评审，地块不属于污染地块", "土壤污染状况调查报告通过评审，无需开展风险评估"]),
    ("surveying", "risk_assessment"): (120, 300, "city_review", [
        "土壤污染状况调查报告通过评审，部分点位超过筛选值，开展风险评估",
        "详细调查发现重金属超标，启动土壤污染风险评估", "调查报告通过评审，需进一步开展风险评估"]),
    ("risk_assessment", "cleared"): (90, 240, "city_review", [
        "风险评估报告通过评审，风险可接受", "风险评估结论为风险可接受，不纳入名录"]),
    ("risk_assessment", "listed"): (60, 180, "province", [
        "风险评估报告通过评审，风险不可接受，列入建设用地土壤污染风险管控和修复名录",
        "列入建设用地土壤污染风险管控和修复名录"]),
    ("listed", "under_control"): (60, 240, "city_review", [
        "风险管控方案备案，实施阻隔和监测自然衰减", "划定管控区域，设置警示标志并开展定期监测",
        "风险管控工程实施，地块封闭管理"]),
    ("listed", "under_remediation"): (60, 240, "city_review", [
        "修复方案通过评审，修复工程开工", "修复实施方案备案，开展异位修复", "土壤修复工程开工建设"]),
    ("under_control", "effect_evaluation"): (180, 540, "city_letter", [
        "风险管控工程完工，启动风险管控效果评估", "风险管控措施运行满一年，开展效果评估"]),
    ("under_remediation", "effect_evaluation"): (240, 720, "city_letter", [
        "修复工程完工，启动修复效果评估", "修复主体工程完成，开展修复效果评估采样"]),
    ("effect_evaluation", "delisted"): (90, 240, "province", [
        "修复效果评估报告通过评审，达到修复目标，移出名录", "修复效果评估达标，移出风险管控和修复名录"]),
    ("effect_evaluation", "delisted", "under_control"): (90, 240, "province", [
        "风险管控效果评估报告通过评审，达到管控目标，移出名录", "风险管控效果评估达标，移出风险管控和修复名录"]),
    ("effect_evaluation", "under_remediation"): (60, 150, "city_review", [
        "修复效果评估未达到修复目标，开展补充修复", "效果评估发现局部超标，补充修复"]),
    ("effect_evaluation", "under_control"): (60, 150, "city_review", [
        "风险管控效果评估未达标，继续实施风险管控", "效果评估未达到管控目标，优化管控措施"]),
    ("delisted", "post_management"): (20, 120, "city_letter", [
        "后期管理计划备案，开展长期监测", "移出名录后实施后期管理，定期开展地下水监测"]),
    ("cleared", "suspected"): (180, 500, "city_letter", [
        "发现新的污染线索，重新纳入疑似污染地块管理", "群众举报发现填埋废渣，地块重新纳入疑似污染地块"]),
}
ISSUER = {
    (CITY_LZ, "city_letter"): "柳环函", (CITY_LZ, "city_review"): "柳环审",
    (CITY_GL, "city_letter"): "桂市环函", (CITY_GL, "city_review"): "桂市环审",
    (CITY_LZ, "province"): "桂环函", (CITY_GL, "province"): "桂环函",
}


def path_to(final: str, loop: str | None = None) -> list[str]:
    """A lifecycle path from suspected to `final` (states after 'suspected')."""
    if final == "suspected":
        return []
    if final == "surveying":
        if loop == "recheck":
            return ["surveying", "cleared", "suspected", "surveying"]
        return ["surveying"]
    if final == "cleared":
        return ["surveying", "cleared"] if rng.random() < 0.6 else ["surveying", "risk_assessment", "cleared"]
    head = ["surveying", "risk_assessment"]
    if final == "risk_assessment":
        return head
    head.append("listed")
    if final == "listed":
        return head
    if final in ("under_control", "under_remediation"):
        if loop == "control_again":
            return head + ["under_control", "effect_evaluation", "under_control"]
        return head + [final]
    mode = "under_remediation" if rng.random() < 0.65 else "under_control"
    tail = [mode, "effect_evaluation"]
    if loop == "remediate_again":
        tail = ["under_remediation", "effect_evaluation", "under_remediation", "effect_evaluation"]
    if final == "effect_evaluation":
        return head + tail
    tail.append("delisted")
    if final == "delisted":
        return head + tail
    return head + tail + ["post_management"]


# ----------------------------------------------------------------------------------------------------------
# Construction parcels: placed (disjoint bounding boxes) and named
# ----------------------------------------------------------------------------------------------------------

class Placer:
    """The parcels placed so far: their bounding-box index and the names already given."""

    def __init__(self):
        self.parcels = []  # dicts with geometry + attributes; codes assigned later
        self.index = GridIndex(0.01)
        self.used_names = set()

    def add(self, spec, ring):
        spec["ring"] = ring
        spec["area"] = ring_area_m2(ring)
        self.index.add(bbox(ring))
        self.parcels.append(spec)

    def free_box(self, ring, pad_deg=0.0004):
        b = bbox(ring)
        return not self.index.query(b, pad_deg)

    def place_in_zone(self, zone_key, spec, area):
        _city, lon, lat, radius, _place = ZONES[zone_key]
        fr = Frame(lon, lat)
        for _ in range(2000):
            r = radius * math.sqrt(rng.random())
            a = rng.uniform(0, 2 * math.pi)
            ring = ring_from_local(fr, r * math.cos(a), r * math.sin(a), parcel_shape(area))
            if self.free_box(ring):
                self.add(spec, ring)
                return
        raise AssertionError(f"could not place a parcel in zone {zone_key}")

    def unique_name(self, make):
        for _ in range(500):
            nm = make()
            if nm not in self.used_names:
                self.used_names.add(nm)
                return nm
        raise AssertionError("ran out of names")

    def enterprise_name(self, place, industry, former=True):
        def make():
            suf = rng.choice(INDUSTRY_SUFFIX[industry])
            nm = f"{place}{rng.choice(BRANDS)}{suf}"
            if former:
                nm = "原" + nm
                nm += "地块" if rng.random() < 0.8 else rng.choice(["地块（一期）", "地块（北区）", "地块（南区）"])
            else:
                nm += "厂区地块"
            return nm
        return self.unique_name(make)


def base(city, name, priority, key, industry, area, fixed=None, zone=None):
    return {"city": city, "name": name, "priority": priority, "key": key, "industry": industry,
            "area_target": area, "fixed_state": fixed, "zone": zone}


# the parcels placed next to farmland hotspots (HOTSPOTS entries with a key)
SPECIAL_PARCELS = {
    "lc_smelter": dict(city=CITY_LZ, priority=True, key=False, industry="冶炼", fixed="under_control",
                       name=None, place="柳城县", area=42000),
    "rs_tailings": dict(city=CITY_LZ, priority=True, key=False, industry="有色金属采选",
                        fixed="under_remediation", name="原融水县大浪正华选矿厂遗留尾矿堆场地块", area=56000),
    "lz_chem_keyunit": dict(city=CITY_LZ, priority=False, key=True, industry="化工", fixed="surveying",
                            name=None, place="鹿寨县", area=88000),
    "lj_zinc": dict(city=CITY_LZ, priority=True, key=False, industry="冶炼", fixed="post_management",
                    name=None, place="柳州市柳江区", area=31000),
    "qz_smelter": dict(city=CITY_GL, priority=True, key=False, industry="冶炼", fixed="listed",
                       name=None, place="全州县", area=38000),
    "gc_mine": dict(city=CITY_GL, priority=True, key=False, industry="有色金属采选", fixed="effect_evaluation",
                    name=None, place="恭城瑶族自治县", area=64000),
}


def place_hotspot_parcels(placer, valleys):
    """1) parcels tied to farmland hotspots (placed next to the valleys' outer fields).

    Returns the hotspots per county (lists of (lon, lat)) and the parcels placed near farmland."""
    hotspot_pts = {}
    near_farmland = []
    for vi, ufrac, side, dist, key in HOTSPOTS:
        v = valleys[vi]
        u = ufrac * v.length / 2
        edge_v = side * v.width / 2
        hx, hy = v.local(u, edge_v + side * dist)
        hotspot_pts.setdefault(v.county, []).append(v.frame.to_ll(hx, hy))
        if key is None:
            continue
        sp = SPECIAL_PARCELS[key]
        pts = parcel_shape(sp["area"])
        # push the parcel outwards until its nearest vertex is `dist` beyond the outer strip
        ext = max(-side * (x * (-v.s) + y * v.c) for x, y in pts)  # extent towards the valley
        px, py = v.local(u, edge_v + side * (dist + ext))
        ring = ring_from_local(v.frame, px, py, pts)
        name = sp["name"] or placer.enterprise_name(sp["place"], sp["industry"], former=not sp["key"])
        placer.used_names.add(name)
        spec = base(sp["city"], name, sp["priority"], sp["key"], sp["industry"], sp["area"], sp["fixed"])
        spec["special"] = key
        assert placer.free_box(ring), f"special parcel {key} collides"
        placer.add(spec, ring)
        near_farmland.append(spec)
    return hotspot_pts, near_farmland


def place_overlap_parcel(placer, valleys):
    """2) the parcel that overlaps priority-protection farmland (临桂, valley 10)."""
    v = valleys[10]
    ox, oy = v.local(0.12 * v.length / 2, 0.0)
    ring = ring_from_local(v.frame, ox, oy, parcel_shape(36000))
    overlap_spec = base(CITY_GL, placer.enterprise_name("桂林市临桂区四塘镇", "机械制造（铸造）"), False, False,
                        "机械制造（铸造）", 36000, "suspected")
    overlap_spec["special"] = "farmland_overlap"
    placer.add(overlap_spec, ring)
    return overlap_spec


def place_named_parcels(placer):
    """3) named parcels from the plans."""
    named = [
        ("lz_yufeng", base(CITY_LZ, "原柳州市辉强冶化有限公司地块", True, False, "冶炼", 74000, "under_remediation")),
        ("lz_liubei", base(CITY_LZ, "柳州香兰大道西侧（原海川家具市场及周边道路、绿地）一号地块（B区）", False, False,
                           None, 52000, "under_remediation")),
        ("lz_liucheng", base(CITY_LZ, "广西柳城县川东磷化工有限公司厂区地块", False, True, "化工", 126000, "suspected")),
        ("lz_liudong", base(CITY_LZ, "广西两面针亿康药业股份有限公司厂区地块", False, True, "制药", 83000, "suspected")),
    ]
    for zone, spec in named:
        placer.used_names.add(spec["name"])
        placer.place_in_zone(zone, spec, spec["area_target"])


def place_liuzhou_parcels(placer):
    """4) the rest of Liuzhou's 58 priority-supervision parcels; 5) its key-unit land and other parcels
    (e.g. old plants to be rezoned)."""
    lz_priority_zones = [("lz_liubei", 17), ("lz_liunan", 12), ("lz_yufeng", 9), ("lz_chengzhong", 4),
                         ("lz_liujiang", 6), ("lz_liudong", 4), ("lz_liucheng", 2)]
    have = sum(1 for p in placer.parcels if p["city"] == CITY_LZ and p["priority"])
    need = 58 - have
    assert sum(n for _, n in lz_priority_zones) == need, (need, have)
    for zone, n in lz_priority_zones:
        for _ in range(n):
            ind = weighted(PRIORITY_INDUSTRIES)
            area = lognormal(38000, 0.75, 5000, 300000)
            spec = base(CITY_LZ, placer.enterprise_name(ZONES[zone][4], ind), True, False, ind, area, zone=zone)
            placer.place_in_zone(zone, spec, area)

    for zone, ind in [("lz_liubei", "冶炼"), ("lz_liunan", "电镀"), ("lz_yufeng", "化工"), ("lz_liujiang", "铅蓄电池")]:
        area = lognormal(90000, 0.5, 20000, 300000)
        spec = base(CITY_LZ, placer.enterprise_name(ZONES[zone][4], ind, former=False), False, True, ind, area,
                    zone=zone)
        placer.place_in_zone(zone, spec, area)
    for zone in ["lz_liunan", "lz_liubei", "lz_chengzhong", "lz_yufeng", "lz_liujiang", "lz_liunan"]:
        area = lognormal(30000, 0.6, 5000, 200000)
        kind, inds = OTHER_KINDS[rng.randrange(len(OTHER_KINDS))]
        spec = base(CITY_LZ, None, False, False, rng.choice(inds), area, zone=zone)
        spec["street_kind"] = kind  # named once its county is known
        placer.place_in_zone(zone, spec, area)


def place_guilin_parcels(placer):
    """6) Guilin: priority-supervision parcels, key-unit land, others."""
    gl_priority_zones = [("gl_qixing", 3), ("gl_xiangshan", 5), ("gl_diecai", 5), ("gl_xiufeng", 2),
                         ("gl_yanshan", 2), ("gl_lingui", 4)]
    for zone, n in gl_priority_zones:
        for _ in range(n):
            ind = weighted(PRIORITY_INDUSTRIES)
            area = lognormal(30000, 0.7, 5000, 250000)
            spec = base(CITY_GL, placer.enterprise_name(ZONES[zone][4], ind), True, False, ind, area, zone=zone)
            placer.place_in_zone(zone, spec, area)
    for zone, ind in [("gl_diecai", "制药"), ("gl_lingui", "化工"), ("gl_xiangshan", "机械制造（铸造）"),
                      ("gl_yanshan", "电镀"), ("gl_qixing", "铅蓄电池")]:
        area = lognormal(70000, 0.5, 15000, 250000)
        spec = base(CITY_GL, placer.enterprise_name(ZONES[zone][4], ind, former=False), False, True, ind, area,
                    zone=zone)
        placer.place_in_zone(zone, spec, area)
    gl_other_zones = ["gl_qixing", "gl_xiangshan", "gl_diecai", "gl_xiufeng", "gl_yanshan", "gl_lingui",
                      "gl_lingui", "gl_qixing", "gl_xiangshan", "gl_diecai", "gl_yanshan", "gl_lingui",
                      "gl_xiangshan", "gl_diecai", "gl_qixing", "gl_lingui", "gl_xiufeng", "gl_yanshan", "gl_qixing"]
    for zone in gl_other_zones:
        area = lognormal(25000, 0.65, 5000, 200000)
        if rng.random() < 0.5:
            ind = weighted(PRIORITY_INDUSTRIES)
            nm = placer.enterprise_name(ZONES[zone][4], ind)
            spec = base(CITY_GL, nm, False, False, ind, area, zone=zone)
        else:
            kind, inds = OTHER_KINDS[rng.randrange(len(OTHER_KINDS))]
            spec = base(CITY_GL, None, False, False, rng.choice(inds), area, zone=zone)
            spec["street_kind"] = kind
        placer.place_in_zone(zone, spec, area)


def assign_parcel_counties(placer, counties):
    """The county of every parcel is the outline its centroid falls in; unnamed parcels are named after
    a street of it."""
    for p in placer.parcels:
        c = centroid(p["ring"])
        hits = [cc["code"] for cc in counties if point_in_ring(c, cc["ring"])]
        assert len(hits) == 1, f"parcel {p['name']} centroid {c} in counties {hits}"
        p["county"] = hits[0]
        assert COUNTY_CITY[p["county"]] == p["city"], f"{p['name']} landed in {p['county']}"
        if p["name"] is None:
            short = COUNTY_NAME[p["county"]]
            p["name"] = placer.unique_name(lambda: f"{short}{rng.choice(STREETS[p['county']])}"
                                                   f"{rng.choice(['北侧', '南侧', '东侧', '西侧'])}{p['street_kind']}地块")


def build_parcels(valleys, counties):
    """All construction parcels with geometry, name and county, plus the farmland hotspots, the parcels
    near farmland and the one that overlaps it (the demos and the validation rely on those)."""
    placer = Placer()
    hotspot_pts, near_farmland = place_hotspot_parcels(placer, valleys)
    overlap_spec = place_overlap_parcel(placer, valleys)
    place_named_parcels(placer)
    place_liuzhou_parcels(placer)
    place_guilin_parcels(placer)
    assign_parcel_counties(placer, counties)
    return placer.parcels, hotspot_pts, near_farmland, overlap_spec


# ----------------------------------------------------------------------------------------------------------
# Farmland units: classes, measures, documents, codes
# ----------------------------------------------------------------------------------------------------------

def classify_units(units, hotspot_pts, overlap_spec):
    """Classes: stricter near hotspots; the units under the overlap parcel are priority_protection."""
    uindex = GridIndex(0.01)
    for u in units:
        uindex.add(bbox(u["ring"]))
    forced_pp = set()
    for i in uindex.query(bbox(overlap_spec["ring"])):
        if rings_intersect(units[i]["ring"], overlap_spec["ring"]):
            forced_pp.add(i)
    assert len(forced_pp) >= 2, "the farmland-overlap parcel must overlap some units"

    for i, u in enumerate(units):
        cx, cy = centroid(u["ring"])
        near = 0.0
        for hx, hy in hotspot_pts.get(u["county"], []):
            mlon, mlat = m_per_deg(hy)
            d = math.hypot((cx - hx) * mlon, (cy - hy) * mlat)
            near = max(near, math.exp(-d / 1300.0))
        p_strict = 0.008 + 0.40 * near ** 1.5
        p_safe = 0.11 + 0.60 * near
        r = rng.random()
        if i in forced_pp:
            cls = "priority_protection"
        elif r < p_strict:
            cls = "strict_control"
        elif r < p_strict + p_safe:
            cls = "safe_use"
        else:
            cls = "priority_protection"
        u["class"] = cls


def set_unit_measures(units):
    """Measures / crops, tuned per county to its safe-utilisation rate target."""
    for i, u in enumerate(units):
        if u["class"] == "priority_protection":
            u["measures"] = rng.random() < 0.99
            u["crops"] = True if rng.random() < 0.14 else None
        elif u["class"] == "safe_use":
            u["measures"] = True
            u["crops"] = True if rng.random() < 0.84 else None
        else:
            u["measures"] = True
            u["crops"] = weighted([(None, 60), (False, 25), (True, 15)])
    for county in sorted(RATE_TARGETS):
        pol = [u for u in units if u["county"] == county and u["class"] != "priority_protection"]
        total = sum(u["area"] for u in pol)
        target_bad = (1 - RATE_TARGETS[county] / 100.0) * total
        order = list(range(len(pol)))
        rng.shuffle(order)
        bad = 0.0
        for k in order:
            u = pol[k]
            if bad + u["area"] <= target_bad + 1500:
                bad += u["area"]
                if u["class"] == "strict_control" or rng.random() < 0.55:
                    u["measures"] = False
                    if u["class"] == "safe_use" and rng.random() < 0.3:
                        u["crops"] = False
                else:
                    u["crops"] = False
            if bad >= target_bad - 1500:
                break


def date_and_code_units(units):
    """Documents and dates; codes per county, in valley / strip / along-valley order."""
    for u in units:
        docs = FARM_DOCS[COUNTY_CITY[u["county"]]]
        if u["class"] == "priority_protection":
            k = weighted([(0, 78), (1, 6), (2, 6), (3, 5), (4, 5)])
        else:
            k = weighted([(0, 45), (1, 14), (2, 14), (3, 14), (4, 13)])
        u["doc"], u["valid_from"] = docs[k]

    seq = {}
    for u in units:
        seq[u["county"]] = seq.get(u["county"], 0) + 1
        u["code"] = f"{u['county']}-GD-{seq[u['county']]:06d}"


# ----------------------------------------------------------------------------------------------------------
# Parcel states, dates, uses, codes and transitions
# ----------------------------------------------------------------------------------------------------------

PRIORITY_QUOTA = {"suspected": 1, "surveying": 2, "risk_assessment": 2, "listed": 2, "cleared": 13,
                  "under_control": 9, "under_remediation": 8, "effect_evaluation": 6, "delisted": 6,
                  "post_management": 9}
OTHER_QUOTA = {"suspected": 12, "surveying": 8, "cleared": 10, "risk_assessment": 6, "listed": 5,
               "under_control": 5, "under_remediation": 5, "effect_evaluation": 4, "delisted": 3,
               "post_management": 4}


def deal(group, quota):
    """Final states for a group of parcels, as many of each as the quota says."""
    quota = dict(quota)
    for p in group:
        if p["fixed_state"]:
            quota[p["fixed_state"]] -= 1
            p["final"] = p["fixed_state"]
    # key-unit land (enterprises still producing) only gets as far as a survey result
    cycle = ["suspected", "surveying", "cleared"]
    for k, p in enumerate(q for q in group if q["fixed_state"] is None and q["key"]):
        order = cycle[k % 3:] + cycle[:k % 3]
        st = next(s for s in order if quota[s] > 0)
        quota[st] -= 1
        p["final"] = st
    bag = [s for s in STATES for _ in range(quota[s])]
    assert all(n >= 0 for n in quota.values()), quota
    rest = [p for p in group if "final" not in p]
    assert len(bag) == len(rest), (len(bag), len(rest))
    rng.shuffle(bag)
    for p, s in zip(rest, bag):
        p["final"] = s


def pick(cands):
    cands = sorted(cands, key=lambda p: p["name"])
    return cands[rng.randrange(len(cands))]


def set_parcel_states(parcels):
    """Final states, lifecycle paths, registration dates and the class a delisted parcel was remediated for."""
    lz_pri = [p for p in parcels if p["city"] == CITY_LZ and p["priority"]]
    others = [p for p in parcels if not (p["city"] == CITY_LZ and p["priority"])]
    assert len(lz_pri) == 58, len(lz_pri)
    deal(lz_pri, PRIORITY_QUOTA)
    deal(others, OTHER_QUOTA)

    # special paths: effect_evaluation -> under_remediation loops, a cleared -> suspected -> surveying one,
    # an effect_evaluation -> under_control one
    for p in parcels:
        p["loop"] = None
    pick([p for p in lz_pri if p["final"] == "post_management" and not p["fixed_state"]])["loop"] = "remediate_again"
    pick([p for p in others if p["final"] == "delisted"])["loop"] = "remediate_again"
    pick([p for p in others if p["final"] == "surveying" and not p["key"] and not p["fixed_state"]])["loop"] = "recheck"
    pick([p for p in lz_pri if p["final"] == "under_control" and not p["fixed_state"]])["loop"] = "control_again"

    for p in parcels:
        p["path"] = path_to(p["final"], p["loop"])
        if p["priority"] and p["city"] == CITY_LZ:
            lo, hi = dt.date(2018, 3, 1), dt.date(2020, 12, 31)
        else:
            lo, hi = dt.date(2018, 6, 1), dt.date(2022, 12, 31)
        if len(p["path"]) >= 6:
            hi = min(hi, dt.date(2020, 6, 30))
        if p["final"] == "suspected":
            lo = max(lo, dt.date(2020, 6, 1))
        p["valid_from"] = rand_date(lo, hi)
        if p["final"] in ("delisted", "post_management"):
            p["rclass"] = 2 if rng.random() < 0.3 else 1
        else:
            p["rclass"] = None
    # at least several second-class remediations
    fin = sorted([p for p in parcels if p["final"] in ("delisted", "post_management")], key=lambda p: p["name"])
    for p in fin[::4]:
        p["rclass"] = 2


def set_parcel_uses(parcels):
    """Current use, mostly in the 2023 land-use guide's codes, some in the older systems."""
    for p in parcels:
        p["system"] = "ydyh2023"
        if p["industry"] is None and "家具市场" in p["name"]:
            p["use"] = "090102"
        elif p["key"]:
            p["use"] = rng.choice(["100102", "100103"])
        else:
            p["use"] = weighted([("100102", 32), ("100103", 22), ("1001", 16), ("100101", 12), ("1101", 12),
                                 ("2301", 6)])
    cand = sorted([p for p in parcels if "special" not in p and not p["key"] and "家具市场" not in p["name"]
                   and "辉强" not in p["name"]], key=lambda p: p["name"])
    rng.shuffle(cand)
    for p in cand[:12]:
        p["system"], p["use"] = "gbt21010", weighted([("0601", 3), ("0604", 1)])
    for p in cand[12:18]:
        p["system"], p["use"] = "gb50137", weighted([("M2", 3), ("M3", 2), ("W2", 1)])


def code_parcels(parcels):
    """Codes per city and registration year, in order of registration; the parcels end sorted by code."""
    pcount = {}
    for p in sorted(parcels, key=lambda p: (p["city"] != CITY_LZ, p["valid_from"], p["name"])):
        prefix = "LZ" if p["city"] == CITY_LZ else "GL"
        k = (prefix, p["valid_from"].year)
        pcount[k] = pcount.get(k, 0) + 1
        p["code"] = f"{prefix}-{p['valid_from'].year}-{pcount[k]:03d}"
    parcels.sort(key=lambda p: p["code"])


def build_transitions(parcels):
    """Every parcel's lifecycle steps as dated transitions with issuers and document numbers."""
    transitions = []
    for p in parcels:
        prev, mode = "suspected", None
        steps = []
        for st in p["path"]:
            lo, hi, issuer, notes = STEP.get((prev, st, mode)) or STEP[(prev, st)]
            steps.append([prev, st, rng.randint(lo, hi), issuer, rng.choice(notes)])
            if st in ("under_control", "under_remediation"):
                mode = st
            prev = st
        # Work in progress should look current: its last step aims at mid-2024 .. Oct 2026 (steps stretched
        # up to 1.5x, then a wait for the survey of up to ~3 years).  Finished parcels end whenever their
        # steps take them.
        if p["final"] in ("surveying", "risk_assessment", "listed", "under_control", "under_remediation",
                          "effect_evaluation"):
            end = rand_date(dt.date(2024, 6, 1), LAST_DATE)
            if p["priority"] and p["city"] == CITY_LZ and p["final"] in UNDER_CONTROL:
                end = rand_date(dt.date(2024, 3, 1), dt.date(2025, 12, 15))  # the plan's 2025 target
        else:
            end = rand_date(dt.date(2023, 1, 1), LAST_DATE)
        avail = (end - p["valid_from"]).days
        total = sum(s[2] for s in steps)
        if steps and total > avail:
            k = avail / total
            for s in steps:
                s[2] = max(10, int(s[2] * k))
        elif steps and p["final"] not in ("cleared", "delisted", "post_management"):
            stretch = min(1.5, avail / total)
            for s in steps:
                s[2] = int(s[2] * stretch)
            # the rest of the slack goes to the wait for the survey, but nobody waits more than ~3 years
            steps[0][2] += min(avail - sum(s[2] for s in steps), max(0, 1100 - steps[0][2]))
        d = p["valid_from"]
        for _frm, st, days, issuer, note in steps:
            d = d + dt.timedelta(days=days)
            transitions.append({"parcel_code": p["code"], "to": st, "date": d, "issuer": ISSUER[(p["city"], issuer)],
                                "note": note})
    # document numbers: per issuer and year, increasing with date
    counters = {}
    for t in sorted(transitions, key=lambda t: (t["date"], t["parcel_code"])):
        key = (t["issuer"], t["date"].year)
        if key not in counters:
            counters[key] = rng.randint(1, 12)
        else:
            counters[key] += rng.randint(1, 9)
        t["document"] = f"{t['issuer']}〔{t['date'].year}〕{counters[key]}号"
    return transitions


# ----------------------------------------------------------------------------------------------------------
# Serialise, validate, write
# ----------------------------------------------------------------------------------------------------------

def serialise(units, parcels, transitions, counties) -> dict[str, str]:
    """The fixture files' texts, by file name."""
    unit_features = []
    for u in sorted(units, key=lambda u: u["code"]):
        unit_features.append({
            "type": "Feature", "id": u["code"],
            "properties": {"unit_code": u["code"], "county_code": u["county"], "class": u["class"],
                           "land_type": u["land_type"], "measures_in_place": u["measures"],
                           "crops_compliant": u["crops"], "valid_from": u["valid_from"].isoformat(),
                           "basis_doc": u["doc"]},
            "geometry": {"type": "Polygon", "coordinates": [u["ring"]]}})
    parcel_features = []
    for p in parcels:
        parcel_features.append({
            "type": "Feature", "id": p["code"],
            "properties": {"parcel_code": p["code"], "county_code": p["county"], "name": p["name"],
                           "state": "suspected", "priority_supervision": p["priority"],
                           "key_unit_land": p["key"], "current_use": p["use"], "use_code_system": p["system"],
                           "remediated_for_class": p["rclass"], "former_industry": p["industry"],
                           "valid_from": p["valid_from"].isoformat()},
            "geometry": {"type": "Polygon", "coordinates": [p["ring"]]}})
    trans_out = [{"parcel_code": t["parcel_code"], "to": t["to"], "date": t["date"].isoformat(),
                  "document": t["document"], "note": t["note"]} for t in transitions]
    county_features = []
    for c in sorted(counties, key=lambda c: c["code"]):
        county_features.append({
            "type": "Feature", "id": c["code"],
            "properties": {"county_code": c["code"], "name": c["name"], "city": c["city"]},
            "geometry": {"type": "Polygon", "coordinates": [c["ring"]]}})

    return {
        "farmland_units.geojson": fc_text("farmland_units", unit_features, {
            "note": "Synthetic demo data (scripts/gen_fixtures.py): invented farmland classification units; "
                    "not real classification results."}),
        "construction_parcels.geojson": fc_text("construction_parcels", parcel_features, {
            "note": "Synthetic demo data (scripts/gen_fixtures.py): every parcel in its initial state "
                    "'suspected'; replay transitions.json to reach the final states. Names are invented except "
                    "those taken from the Liuzhou 2025 plan."}),
        "transitions.json": list_text(trans_out),
        "counties.geojson": fc_text("counties", county_features, {
            "note": "Approximate county outlines for a map background only (a perturbed Voronoi partition of "
                    "approximate county centres), NOT official administrative boundaries."}),
    }


def write_or_check(texts, check_only: bool) -> int:
    if check_only:
        bad = [k for k, v in texts.items() if not (OUT / k).exists() or (OUT / k).read_text("utf-8") != v]
        if bad:
            print("out of date: " + ", ".join(bad), file=sys.stderr)
            return 1
        print("fixtures are up to date")
        return 0
    OUT.mkdir(exist_ok=True)
    for k, v in texts.items():
        with open(OUT / k, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(v)
    print("wrote " + ", ".join(f"fixtures/{k}" for k in texts))
    return 0


def main(check_only: bool) -> int:
    # The order of the steps is the order in which they draw from `rng`: changing it changes every file.
    counties = build_counties()
    valleys = [Valley(i, s) for i, s in enumerate(VALLEYS)]
    units = []
    for v in valleys:
        units.extend(build_valley_units(v))
    parcels, hotspot_pts, near_farmland, overlap_spec = build_parcels(valleys, counties)

    classify_units(units, hotspot_pts, overlap_spec)
    set_unit_measures(units)
    date_and_code_units(units)

    set_parcel_states(parcels)
    set_parcel_uses(parcels)
    code_parcels(parcels)
    transitions = build_transitions(parcels)

    texts = serialise(units, parcels, transitions, counties)
    # validate exactly what is serialised, then report
    parsed = {k: json.loads(v) for k, v in texts.items()}
    validate(parsed, parcels, near_farmland, overlap_spec)
    report(parsed)
    for p in near_farmland:
        print(f"  near farmland: {p['code']} {p['county']} {p['name']} ({p['final']}): "
              f"{p['farmland_distance']:.0f} m from the nearest unit")
    print(f"  overlaps farmland: {overlap_spec['code']} {overlap_spec['county']} {overlap_spec['name']}: "
          f"{overlap_spec['overlapped_units']} priority_protection units")
    return write_or_check(texts, check_only)


def dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=None, separators=(",", ":"))


def fc_text(name, features, extra) -> str:
    head = {"type": "FeatureCollection", "name": name}
    head.update(extra)
    lines = [dumps(head)[:-1] + ',"features":[']
    for i, f in enumerate(features):
        lines.append(dumps(f) + ("," if i < len(features) - 1 else ""))
    lines.append("]}")
    return "\n".join(lines) + "\n"


def list_text(items) -> str:
    lines = ["["]
    for i, t in enumerate(items):
        lines.append(dumps(t) + ("," if i < len(items) - 1 else ""))
    lines.append("]")
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------------------------------------

def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def check_polygon_feature(f, where):
    g = f["geometry"]
    check(g["type"] == "Polygon" and len(g["coordinates"]) == 1, f"{where}: expected a one-ring Polygon")
    ring = g["coordinates"][0]
    for p in ring:
        check(len(p) == 2 and all(round(c, DECIMALS) == c for c in p), f"{where}: bad position {p}")
    prob = ring_problems(ring)
    check(prob is None, f"{where}: {prob}")
    check(signed_area(ring) > 0, f"{where}: exterior ring is not counter-clockwise")
    return ring


def parse_date(s):
    return dt.date.fromisoformat(s)


def validate(parsed, parcels, near_farmland, overlap_spec):
    units = parsed["farmland_units.geojson"]["features"]
    pars = parsed["construction_parcels.geojson"]["features"]
    counties = parsed["counties.geojson"]["features"]
    trans = parsed["transitions.json"]

    # counties -----------------------------------------------------------------------------------------------
    crings = {}
    for f in counties:
        r = check_polygon_feature(f, f"county {f['id']}")
        check(12 <= len(r) - 1 <= 30, f"county {f['id']} has {len(r) - 1} vertices")
        check(list(f["properties"]) == ["county_code", "name", "city"], "county properties")
        crings[f["id"]] = r
    codes = sorted(crings)
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            ra, rb = crings[a], crings[b]
            if not boxes_overlap(bbox(ra), bbox(rb)):
                continue
            for k in range(len(ra) - 1):
                for m in range(len(rb) - 1):
                    check(not segs_cross(ra[k], ra[k + 1], rb[m], rb[m + 1]), f"counties {a} and {b} cross")
            for r1, r2, n1, n2 in ((ra, rb, a, b), (rb, ra, b, a)):
                for p in r1[:-1]:
                    on_boundary = any(pt_seg_dist(p, r2[m], r2[m + 1]) < 1e-9 for m in range(len(r2) - 1))
                    check(on_boundary or not point_in_ring(p, r2), f"county {n1} reaches into {n2}")

    # farmland units -----------------------------------------------------------------------------------------
    props = ["unit_code", "county_code", "class", "land_type", "measures_in_place", "crops_compliant",
             "valid_from", "basis_doc"]
    idx = GridIndex(0.01)
    rings = []
    seen = set()
    for f in units:
        pr = f["properties"]
        check(list(pr) == props, f"unit properties {list(pr)}")
        check(f["id"] == pr["unit_code"] and pr["unit_code"] not in seen, f"unit id {f['id']}")
        seen.add(pr["unit_code"])
        check(pr["unit_code"].startswith(pr["county_code"] + "-GD-"), f"unit code {pr['unit_code']}")
        check(pr["class"] in ("priority_protection", "safe_use", "strict_control"), "class")
        check(pr["land_type"] in ("0101", "0102", "0103"), "land_type")
        check(isinstance(pr["measures_in_place"], bool), "measures_in_place")
        check(pr["crops_compliant"] in (True, False, None), "crops_compliant")
        check(dt.date(2021, 1, 1) <= parse_date(pr["valid_from"]) <= dt.date(2024, 12, 31), "unit valid_from")
        r = check_polygon_feature(f, f"unit {f['id']}")
        a = ring_area_m2(r)
        check(3000 <= a <= 150000, f"unit {f['id']} area {a:.0f} m²")
        cr = crings[pr["county_code"]]
        check(all(point_in_ring(p, cr) for p in r[:-1]), f"unit {f['id']} not inside county {pr['county_code']}")
        rings.append(r)
        idx.add(bbox(r))
    for i, r in enumerate(rings):
        for j in idx.query(bbox(r)):
            if j > i:
                check(not rings_intersect(r, rings[j]), f"units {units[i]['id']} and {units[j]['id']} overlap/touch")

    # parcels ------------------------------------------------------------------------------------------------
    props = ["parcel_code", "county_code", "name", "state", "priority_supervision", "key_unit_land",
             "current_use", "use_code_system", "remediated_for_class", "former_industry", "valid_from"]
    pr_rings, pcodes = {}, {}
    systems = {}
    for f in pars:
        pr = f["properties"]
        check(list(pr) == props, f"parcel properties {list(pr)}")
        check(f["id"] == pr["parcel_code"] and pr["parcel_code"] not in pcodes, f"parcel id {f['id']}")
        pcodes[pr["parcel_code"]] = pr
        check(pr["state"] == "suspected", "parcels start suspected")
        check(pr["parcel_code"][:2] == ("LZ" if pr["county_code"].startswith("4502") else "GL"), "code prefix")
        check(pr["parcel_code"][3:7] == pr["valid_from"][:4], "code year = registration year")
        check(dt.date(2018, 1, 1) <= parse_date(pr["valid_from"]) <= dt.date(2022, 12, 31), "parcel valid_from")
        check(pr["use_code_system"] in ("ydyh2023", "gbt21010", "gb50137"), "use_code_system")
        systems[pr["use_code_system"]] = systems.get(pr["use_code_system"], 0) + 1
        r = check_polygon_feature(f, f"parcel {f['id']}")
        a = ring_area_m2(r)
        check(5000 * 0.98 <= a <= 300000 * 1.02, f"parcel {f['id']} area {a:.0f} m²")
        cr = crings[pr["county_code"]]
        check(point_in_ring(centroid(r), cr), f"parcel {f['id']} not in county {pr['county_code']}")
        pr_rings[f["id"]] = r
    check(systems.get("gbt21010", 0) >= 10 and systems.get("gb50137", 0) >= 5, f"use code systems {systems}")
    ids = sorted(pr_rings)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            check(not boxes_overlap(bbox(pr_rings[a]), bbox(pr_rings[b])), f"parcel bboxes {a} / {b} overlap")
    for c, p in pcodes.items():  # a county named in a parcel's name is the county it lies in
        for code, name in COUNTY_NAME.items():
            aliases = {name, name.replace("苗族自治县", "县").replace("瑶族自治县", "县")}
            if any(a in p["name"] for a in aliases):
                check(code == p["county_code"], f"{c} '{p['name']}' lies in {p['county_code']}")
    lz_pri = [c for c, p in pcodes.items() if p["priority_supervision"] and c.startswith("LZ")]
    check(len(lz_pri) == 58, f"{len(lz_pri)} Liuzhou priority parcels")

    # parcels vs farmland: only the designated parcel overlaps farmland, and only priority_protection units
    code_of = {p["code"]: p for p in parcels}
    for pc, r in pr_rings.items():
        hits = [j for j in idx.query(bbox(r)) if rings_intersect(r, rings[j])]
        if code_of[pc] is overlap_spec:
            check(len(hits) >= 2, "overlap parcel must overlap farmland")
            check(all(units[j]["properties"]["class"] == "priority_protection" for j in hits),
                  "overlap parcel must only overlap priority_protection units")
            overlap_spec["overlapped_units"] = len(hits)
        else:
            check(not hits, f"parcel {pc} overlaps farmland")
    lc = [p for p in near_farmland if p["special"] == "lc_smelter"][0]
    for p in near_farmland:
        r = pr_rings[p["code"]]
        d = min(ring_distance_m(r, rings[j]) for j in idx.query(bbox(r), 0.02))
        p["farmland_distance"] = d
        check(0 < d < 600, f"parcel {p['code']} is {d:.0f} m from farmland")
    check(lc["county"] == "450222" and lc["farmland_distance"] < 500, "柳城 heavy-metal site within 500 m")

    # transitions --------------------------------------------------------------------------------------------
    state = {c: "suspected" for c in pcodes}
    last = {c: parse_date(p["valid_from"]) for c, p in pcodes.items()}
    seen_order = []
    for t in trans:
        check(list(t) == ["parcel_code", "to", "date", "document", "note"], "transition keys")
        c = t["parcel_code"]
        check(c in pcodes, f"transition for unknown parcel {c}")
        if not seen_order or seen_order[-1] != c:
            check(c not in seen_order, f"transitions of {c} are not grouped")
            seen_order.append(c)
        check(t["to"] in NEXT[state[c]], f"{c}: {state[c]} -> {t['to']} not allowed")
        d = parse_date(t["date"])
        check(last[c] < d <= LAST_DATE, f"{c}: date {d} not after {last[c]} / after {LAST_DATE}")
        check(t["document"].endswith("号") and f"〔{d.year}〕" in t["document"], f"document {t['document']}")
        state[c], last[c] = t["to"], d
    finals = {}
    for c, s in state.items():
        finals[s] = finals.get(s, 0) + 1
    for s in STATES:
        check(finals.get(s, 0) >= 3, f"final state {s}: only {finals.get(s, 0)} parcels")
    pairs = [(a["to"], b["to"]) for a, b in zip(trans, trans[1:]) if a["parcel_code"] == b["parcel_code"]]
    check(("effect_evaluation", "under_remediation") in pairs, "an effect_evaluation -> under_remediation loop")
    check(("cleared", "suspected") in pairs, "a cleared -> suspected case")
    for c, p in pcodes.items():
        if state[c] in ("delisted", "post_management"):
            check(p["remediated_for_class"] in (1, 2), f"{c} delisted without remediated_for_class")
        else:
            check(p["remediated_for_class"] is None, f"{c} has remediated_for_class but is {state[c]}")
    share = sum(1 for c in lz_pri if state[c] in UNDER_CONTROL) / len(lz_pri)
    check(0.85 <= share <= 0.90, f"Liuzhou priority parcels under control: {share:.1%}")
    check(sum(1 for p in pcodes.values() if p["remediated_for_class"] == 2) >= 3, "several class-2 remediations")


def report(parsed):
    units = parsed["farmland_units.geojson"]["features"]
    pars = parsed["construction_parcels.geojson"]["features"]
    trans = parsed["transitions.json"]
    print(f"farmland_units: {len(units)} features")
    counties = sorted({f["properties"]["county_code"] for f in units})
    print("  county   units  prio  safe strict   area_ha   sur%   meas%(polluted, by count)")
    tot = {}
    for c in counties:
        fs = [f for f in units if f["properties"]["county_code"] == c]
        cls = {}
        for f in fs:
            cls[f["properties"]["class"]] = cls.get(f["properties"]["class"], 0) + 1
            tot[f["properties"]["class"]] = tot.get(f["properties"]["class"], 0) + 1
        area = sum(ring_area_m2(f["geometry"]["coordinates"][0]) for f in fs)
        num = den = 0.0
        pol = mp = 0
        for f in fs:
            p = f["properties"]
            if p["class"] == "priority_protection":
                continue
            a = ring_area_m2(f["geometry"]["coordinates"][0])
            den += a
            pol += 1
            mp += p["measures_in_place"]
            if p["measures_in_place"] and (p["class"] == "strict_control" or p["crops_compliant"] is not False):
                num += a
        print(f"  {c}  {len(fs):5d} {cls.get('priority_protection', 0):5d} {cls.get('safe_use', 0):5d} "
              f"{cls.get('strict_control', 0):5d} {area / 1e4:9.1f} {100 * num / den:6.2f} {100 * mp / pol:6.1f}")
    pol = [f["properties"] for f in units if f["properties"]["class"] != "priority_protection"]
    print(f"  polluted units with measures in place: {sum(p['measures_in_place'] for p in pol)} of {len(pol)} "
          f"({100 * sum(p['measures_in_place'] for p in pol) / len(pol):.1f} %)")
    lt = {}
    for f in units:
        lt[f["properties"]["land_type"]] = lt.get(f["properties"]["land_type"], 0) + 1
    print("  land types: " + ", ".join(f"{k} {v}" for k, v in sorted(lt.items())))
    n = len(units)
    print("  classes: " + ", ".join(f"{k} {v} ({100 * v / n:.1f} %)" for k, v in sorted(tot.items())))
    areas = sorted(ring_area_m2(f["geometry"]["coordinates"][0]) / 1e4 for f in units)
    print(f"  unit area ha: min {areas[0]:.2f} median {areas[len(areas) // 2]:.2f} max {areas[-1]:.2f}")
    print(f"construction_parcels: {len(pars)} features")
    byc = {}
    for f in pars:
        byc[f["properties"]["county_code"]] = byc.get(f["properties"]["county_code"], 0) + 1
    print("  by county: " + ", ".join(f"{k}:{v}" for k, v in sorted(byc.items())))
    state = {f["id"]: "suspected" for f in pars}
    for t in trans:
        state[t["parcel_code"]] = t["to"]
    fin = {}
    for s in state.values():
        fin[s] = fin.get(s, 0) + 1
    print(f"transitions: {len(trans)}; final states: " + ", ".join(f"{s}:{fin.get(s, 0)}" for s in STATES))
    for city, pre, asof in (("Liuzhou", "LZ", "2025-12-31"), ("Guilin", "GL", "2023-12-31")):
        pri = [f["id"] for f in pars if f["properties"]["priority_supervision"] and f["id"].startswith(pre)]
        uc = sum(1 for c in pri if state[c] in UNDER_CONTROL)
        st_then = {c: "suspected" for c in pri}
        for t in trans:
            if t["parcel_code"] in st_then and t["date"] <= asof:
                st_then[t["parcel_code"]] = t["to"]
        then = sum(1 for c in pri if st_then[c] in UNDER_CONTROL)
        print(f"  {city} priority-supervision parcels: {len(pri)}, under control at the end {uc} "
              f"({100 * uc / len(pri):.1f} %), as of {asof} {then} ({100 * then / len(pri):.1f} %)")
    dates = sorted(t["date"] for t in trans)
    print(f"  transition dates {dates[0]} .. {dates[-1]}")


if __name__ == "__main__":
    sys.exit(main("--check" in sys.argv[1:]))
