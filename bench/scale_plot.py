#!/usr/bin/env python3
"""The scaling table (Markdown) and plot (PNG) from the JSON that bench/scale.sh writes.

    python bench/scale_plot.py RESULTS.json OUT.png OUT.md

Needs matplotlib (bench/scale.sh installs it into .run/venv-bench).
"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def growth(rows, key):
    """Cost ratio between the largest and smallest size, over the size ratio."""
    a, b = rows[0], rows[-1]
    if not a.get(key) or not b.get(key):
        return ""
    return f"x{b[key] / a[key]:.2f}"


def opt(r, prefix):
    """p50 / p99 of a one-client measure, or a dash where the run did not make it (older reports)."""
    if r.get(f"{prefix}_p50") is None:
        return "—"
    return f"{r[f'{prefix}_p50']:.2f} / {r[f'{prefix}_p99']:.2f}"


def main() -> int:
    rows = sorted(json.load(open(sys.argv[1])), key=lambda r: r["units"])
    png, md = sys.argv[2], sys.argv[3]
    for r in rows:
        r["db_mb"] = r["db_bytes"] / 2**20
        r["pull_kfps"] = r["pull_features"] / r["pull_s"] / 1000
        r["gen_min"] = r["gen_total_s"] / 60
        r["tile_z12"] = r.get("tile_zoom_p50", {}).get("12")
        r["tile_z16"] = r.get("tile_zoom_p50", {}).get("16")

    cols = [
        ("farmland units (current)", lambda r: f"{r['units']:,}"),
        ("version rows", lambda r: f"{r['rows']:,}"),
        ("field size m", lambda r: f"{r['field_m']}"),
        ("generate + index s", lambda r: f"{r['gen_total_s']:.0f} ({', '.join(f'{k} {v:.0f}' for k, v in r['gen_seconds'].items())})"),
        ("import s (GPKG)", lambda r: "—" if r.get("import_s") is None else f"{r['import_s']:.0f}"),
        ("database MB (table / indexes)", lambda r: f"{r['db_mb']:.0f} ({r['table_bytes'] / 2**20:.0f} / {r['index_bytes'] / 2**20:.0f})"),
        ("full pull s (features/s)", lambda r: f"{r['pull_s']:.1f} ({r['pull_features'] / r['pull_s']:,.0f})"),
        ("pull RSS MB start→max→end", lambda r: " → ".join(f"{v:.0f}" for v in r["pull_rss_mb"])),
        ("bbox req/s @16 (p50 / p99 ms)", lambda r: f"{r['bbox_rps']:.0f} ({r['bbox_p50']:.0f} / {r['bbox_p99']:.0f})"),
        ("bbox 1 client p50 / p99 ms", lambda r: opt(r, "bbox1")),
        ("single feature req/s @16 (p50 / p99 ms)", lambda r: "—" if r.get("feature_rps") is None else f"{r['feature_rps']:.0f} ({r['feature_p50']:.2f} / {r['feature_p99']:.2f})"),
        ("single feature 1 client p50 / p99 ms", lambda r: opt(r, "feature1")),
        ("check req/s @16 (p50 / p99 ms)", lambda r: f"{r['check_rps']:.0f} ({r['check_p50']:.1f} / {r['check_p99']:.1f})"),
        ("check 1 client p50 / p99 ms", lambda r: f"{r['check1_p50']:.1f} / {r['check1_p99']:.1f}"),
        ("features per bbox", lambda r: f"{r.get('bbox_features', '—')}"),
        ("tile req/s @16 (p50 / p99 ms)", lambda r: f"{r['tile_rps']:.0f} ({r['tile_p50']:.0f} / {r['tile_p99']:.0f})"),
        ("tile 1 client p50 / p99 ms", lambda r: f"{r['tile1_p50']:.1f} / {r['tile1_p99']:.1f}"),
        ("tile features z12 / 13 / 14 / 15 / 16", lambda r: " / ".join(str(v) for v in r.get("tile_zoom_features", {}).values()) or "—"),
        ("tile 1 client p50 ms z12 / … / z16", lambda r: " / ".join(f"{v:.0f}" for v in r.get("tile_zoom_p50", {}).values()) or "—"),
        ("load average (gen / runs)", lambda r: f"{r['load_at_gen']} / {r['load_at_run']}"),
    ]
    lines = ["| | " + " | ".join(f"{r['units']:,} units" for r in rows) + " | growth |",
             "|---|" + "---|" * len(rows) + "---|"]
    growth_keys = {
        "generate + index s": "gen_total_s", "import s (GPKG)": "import_s", "database MB (table / indexes)": "db_bytes",
        "full pull s (features/s)": "pull_s", "bbox req/s @16 (p50 / p99 ms)": "bbox_p50",
        "check req/s @16 (p50 / p99 ms)": "check_p50", "bbox 1 client p50 / p99 ms": "bbox1_p50",
        "single feature req/s @16 (p50 / p99 ms)": "feature_p50", "single feature 1 client p50 / p99 ms": "feature1_p50", "check 1 client p50 / p99 ms": "check1_p50",
        "tile req/s @16 (p50 / p99 ms)": "tile_p50", "tile 1 client p50 / p99 ms": "tile1_p50",
        "version rows": "rows",
    }
    for name, fn in cols[1:]:
        g = growth(rows, growth_keys[name]) if name in growth_keys else ""
        lines.append(f"| {name} | " + " | ".join(fn(r) for r in rows) + f" | {g} |")
    lines.append("")
    lines.append("Growth: the value at the largest size over the value at the smallest "
                 f"(sizes x{rows[-1]['units'] / rows[0]['units']:.0f}); for latencies, of the p50.")
    lines.append("")
    lines.append("Plans (index or scan behind each statement):")
    for r in rows:
        lines.append(f"- {r['units']:,}: bbox `{r['plan_bbox']}`; next page `{r.get('plan_page', '')}`; check `{r['plan_check']}`")
    lines.append("")
    lines.append(f"Medians of {rows[0].get('rounds', 1)} rounds; landguard {rows[0].get('commit', '?')}; "
                 f"load average {rows[0].get('load_before', '?')} before the measurements, {rows[0].get('load_after', '?')} after.")
    open(md, "w").write("\n".join(lines) + "\n")

    x = [r["units"] for r in rows]
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5))
    panels = [
        ("Load (generate + index) and size", [("gen_total_s", "load s", "o-"), ("import_s", "GPKG import s", "s-")],
         [("db_mb", "database MB", "^--")], "linear"),
        ("Full-layer pull", [("pull_s", "seconds", "o-")], [("pull_kfps", "thousand features/s", "^--")], "linear"),
        ("bbox (~1 km) and single feature", [("bbox_p50", "bbox p50 ms", "o-"), ("bbox_p99", "bbox p99 ms", "s-"),
                                             ("bbox1_p50", "bbox 1 client p50 ms", "d:"),
                                             ("feature1_p50", "feature 1 client p50 ms", "v-.")],
         [("bbox_rps", "req/s", "^--")], "flat"),
        ("Checks (16 clients; 1 client)", [("check_p50", "p50 ms", "o-"), ("check_p99", "p99 ms", "s-"),
                                           ("check1_p50", "1 client p50 ms", "d:")],
         [("check_rps", "req/s", "^--")], "flat"),
        ("Tiles z12-16, uncached (16 clients)", [("tile_p50", "p50 ms", "o-"), ("tile_p99", "p99 ms", "s-"),
                                                ("tile1_p50", "1 client p50 ms", "d:"),
                                                ("tile_z12", "1 client p50 ms z12", "v-."),
                                                ("tile_z16", "1 client p50 ms z16", "^-.")],
         [("tile_rps", "req/s", "^--")], "flat"),
        ("Service RSS during the pull", [], [], None),
    ]
    for ax, (title, left, right, ref) in zip(axes.flat, panels):
        ax.set_title(title, fontsize=10)
        ax.set_xscale("log")
        ax.set_xlabel("farmland units")
        if title.startswith("Service RSS"):
            ax.set_xscale("linear")
            for r in rows:
                ax.plot([0, 1, 2], r["pull_rss_mb"], "o-", label=f"{r['units']:,} units")
            ax.set_xticks([0, 1, 2], ["before", "peak", "after"])
            ax.set_xlabel("")
            ax.set_ylabel("resident MB")
            ax.set_ylim(0, max(max(r["pull_rss_mb"]) for r in rows) * 1.5)
            ax.legend(fontsize=8)
            continue
        def span(axis, values):
            values = [v for v in values if v]
            if values:
                axis.set_ylim(min(values) / 2.5, max(values) * 2.5)
        colors = ["tab:blue", "tab:orange", "tab:purple", "tab:red", "tab:brown"]
        lv = []
        for (key, label, style), color in zip(left, colors):
            ys = [r.get(key) for r in rows]
            if all(y is not None for y in ys):
                ax.plot(x, ys, style, color=color, label=label)
                lv += ys
        ax.set_yscale("log")
        span(ax, lv)
        if ref == "linear" and left and rows[0].get(left[0][0]):
            y0 = rows[0][left[0][0]]
            ax.plot(x, [y0 * xi / x[0] for xi in x], color="grey", linewidth=0.8, linestyle=(0, (1, 3)),
                    label="∝ size")
        ax2 = ax.twinx()
        rv = []
        for key, label, style in right:
            ys = [r.get(key) for r in rows]
            if all(y is not None for y in ys):
                ax2.plot(x, ys, style, color="tab:green", label=label)
                rv += ys
        ax2.set_yscale("log")
        span(ax2, rv)
        ax2.tick_params(axis="y", colors="tab:green")
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, fontsize=7, loc="best")
    fig.suptitle("landguard scaling on one 2-core machine (bench/scale.sh)", fontsize=12)
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    return 0


if __name__ == "__main__":
    sys.exit(main())
