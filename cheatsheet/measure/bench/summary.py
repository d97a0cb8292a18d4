"""From the rounds to the published figures: medians and their spread, ratios to the baseline.

Every ratio is the variant's median over the baseline's median (so it can be checked against the
raw figures in the same file); its spread is the lowest and highest of the per-round ratios, each
round's pair measured minutes apart under the same conditions.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from typing import Any

from .load import WORKLOADS, Samples

#: (column, what it is the ratio of): the ratios a benchmark publishes and `--check` compares.
RATIOS = (
    ("alloc_rps_ratio", "alloc_rps"),
    ("alloc_p99_ratio", "alloc_p99_us"),
    ("cpu_rps_ratio", "cpu_rps"),
    ("cpu_p99_ratio", "cpu_p99_us"),
    ("rss_ratio", "rss_bytes"),
    ("startup_ratio", "startup_ms"),
    ("alloc_instructions_ratio", "alloc_instructions"),
)

Figures = dict[str, float | int | str | None]


def median_spread(values: Sequence[float]) -> tuple[float | None, float | None, float | None]:
    if not values:
        return None, None, None
    return statistics.median(values), min(values), max(values)


def round_ratios(mine: Sequence[float], base: Sequence[float]) -> list[float]:
    """The ratio of each round: ``mine[i] / base[i]`` where both were measured."""
    return [m / b for m, b in zip(mine, base, strict=False) if b]


def series(s: Samples) -> dict[str, list[float]]:
    """Each measured figure's values over the rounds, by the column they are published in."""
    out: dict[str, list[float]] = {}
    for w in WORKLOADS:
        out[f"{w}_rps"] = s.rps[w]
        out[f"{w}_p50_us"] = s.p50_us[w]
        out[f"{w}_p99_us"] = s.p99_us[w]
    out["rss_bytes"] = s.rss_bytes
    out["startup_ms"] = s.startup_ms
    return out


def spread_too_wide(results: dict[str, Samples], baseline: str, limit: float) -> bool:
    """Whether any variant's per-round throughput ratio spreads wider than ``limit`` of its median."""
    base = results[baseline]
    for s in results.values():
        if s.failure or base.failure:
            continue
        for w in WORKLOADS:
            ratios = round_ratios(s.rps[w], base.rps[w])
            if len(ratios) >= 2 and (max(ratios) - min(ratios)) > limit * statistics.median(ratios):
                return True
    return False


def summarise(results: dict[str, Samples], baseline: str, instructions: dict[str, float]) -> dict[str, Figures]:
    """Per variant: medians, spreads and ratios to ``baseline`` (which must be among ``results``)."""
    base = results[baseline]
    base_series = series(base)
    out: dict[str, Figures] = {}
    for vid, s in results.items():
        row: Figures = {"failure": s.failure}
        mine = series(s)
        for column, values in mine.items():
            median, low, high = median_spread(values)
            row[column] = median
            if not column.endswith("_p50_us"):
                row[f"{column}_min"], row[f"{column}_max"] = low, high
        for ratio, column in RATIOS:
            if column == "alloc_instructions":
                continue
            per_round = round_ratios(mine[column], base_series[column])
            if per_round and not column.startswith("startup"):
                row[f"{ratio}_min"], row[f"{ratio}_max"] = min(per_round), max(per_round)
        row["startup_runs"] = len(s.startup_ms)
        row["rss_bytes"] = round(row["rss_bytes"]) if isinstance(row["rss_bytes"], float) else row["rss_bytes"]
        for key in ("rss_bytes_min", "rss_bytes_max"):
            if isinstance(row.get(key), float):
                row[key] = round(row[key])  # type: ignore[arg-type]
        row["alloc_instructions"] = round(instructions[vid]) if vid in instructions else None
        row["throttled_periods"] = s.throttled
        row["foreign_cpu_pct"] = max((q.foreign_pct for q in s.quiet), default=None)
        row["steal_pct"] = max((q.steal_pct for q in s.quiet), default=None)
        out[vid] = row
    base_row = out[baseline]
    for row in out.values():
        for ratio, column in RATIOS:
            mine_value, theirs = row.get(column), base_row.get(column)
            ok = isinstance(mine_value, (int, float)) and isinstance(theirs, (int, float)) and theirs
            row[ratio] = mine_value / theirs if ok else None  # type: ignore[operator]
    return out


def ratio_changes(
    old: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]]
) -> list[tuple[str, str, float, float]]:
    """(variant, ratio column, old, new) of every published ratio both runs have."""
    out = []
    for vid, row in new.items():
        before = old.get(vid)
        if before is None:
            continue
        for ratio, _ in RATIOS:
            a, b = before.get(ratio), row.get(ratio)
            if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a:
                out.append((vid, ratio, float(a), float(b)))
    return out


def check_rows(
    committed: dict[str, dict[str, Any]], rerun: dict[str, dict[str, Any]], limit_pct: float
) -> list[dict[str, Any]]:
    """The rows of bench_checks.csv: every published ratio of every variant but the baseline (whose
    ratios are 1 by definition), the committed run's value beside the second run's, with the second
    run's settings, its steal, its CPU and when it ended."""
    rows = []
    for vid, ratio, before, after in ratio_changes(committed, rerun):
        row = rerun[vid]
        if row.get("baseline") == vid:
            continue
        rows.append({
            "program": row["program"], "variant": vid, "ratio": ratio, "committed": before, "rerun": after,
            "limit_pct": limit_pct, "committed_at": committed[vid]["measured_at"], "rounds": row["rounds"],
            "duration_s": row["duration_s"], "slice_s": row["slice_s"],
            "steal_pct": row.get("steal_pct"), "quiet": row["quiet"], "cpu_model": row["cpu_model"],
            "checked_at": row["measured_at"],
        })  # fmt: skip
    return rows
