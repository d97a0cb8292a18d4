"""cheatsheet.site.caching: the comparison's figures, recommendation and target come from the rows."""

from __future__ import annotations

import datetime as dt

from cheatsheet.site.caching import Figure, edit_share, findings, measured_apart, recommended, summaries

WHEN = dt.datetime(2026, 12, 2, 6, 0, tzinfo=dt.UTC)


def row(method: str, scenario: str, seconds: float, crates: int = 1, repetition: int = 1, binary: str = "a") -> dict:
    return {"program": "webserver", "variant": "scratch-glibc-rustls-ring", "method": method, "scenario": scenario,
            "repetition": repetition, "seconds": seconds, "crates_compiled": crates, "measured_at": WHEN,
            "binary_sha256": binary * 64}  # fmt: skip


def test_each_method_and_scenario_is_summarised_by_its_median_and_range():
    rows = [row("naive", "cold", s, crates=180, repetition=i) for i, s in enumerate((190.0, 200.0, 260.0), 1)]
    assert summaries(rows) == {"naive": {"cold": Figure(200.0, 190.0, 260.0, 180, 3)}}


def test_the_recommendation_is_the_fastest_source_edit_among_files_any_builder_builds():
    rows = [
        row("naive", "cold", 190), row("naive", "source-edit", 191),
        row("skeleton", "cold", 195), row("skeleton", "source-edit", 33),
        row("cargo-chef", "cold", 370), row("cargo-chef", "source-edit", 40),
        row("cache-mounts", "cold", 130), row("cache-mounts", "source-edit", 20),  # needs BuildKit: not chosen
    ]  # fmt: skip
    table = summaries(rows)
    assert recommended(table) == "skeleton"
    assert round(edit_share(table["skeleton"]), 3) == round(33 / 195, 3)
    swapped = summaries([*rows[:4], row("cargo-chef", "cold", 370), row("cargo-chef", "source-edit", 30)])
    assert recommended(swapped) == "cargo-chef"


def test_without_figures_there_is_no_recommendation_or_share():
    assert recommended({}) is None
    assert recommended(summaries([row("cache-mounts", "source-edit", 20)])) is None
    assert edit_share(summaries([row("naive", "source-edit", 20)])["naive"]) is None


def test_findings_come_from_the_crate_counts_and_the_binaries():
    rows = [row("naive", "cold", 190, crates=122), row("naive", "source-edit", 191, crates=122),
            row("skeleton", "cold", 195, crates=123), row("skeleton", "source-edit", 33, crates=1)]  # fmt: skip
    said = findings(rows)
    assert said[0] == "**COPY . . then cargo build** compiled 122 crates cold, then 122 after source edit."
    assert said[1].endswith("compiled 123 crates cold, then 1 after source edit.")
    assert said[2] == "In every state, all methods built the same binary, byte for byte."
    other = findings([*rows, row("cargo-chef", "source-edit", 40, binary="b")])
    assert other[-1].startswith("The methods did not all build the same binary in every state: ")
    assert "source-edit (repetition 1)" in other[-1]


def test_a_method_measured_after_all_the_others_is_named():
    later = WHEN + dt.timedelta(minutes=5)
    rows = [row("naive", "cold", 190), row("skeleton", "cold", 195)]
    assert measured_apart(rows) == []
    apart = {**row("cache-mounts", "cold", 130), "measured_at": later}
    assert measured_apart([*rows, apart]) == [("cache-mounts", 1)]
    # a second repetition measured in turns afterwards: the first one's remark stays, about the first one
    turns = [
        {**row(method, scenario, 100), "repetition": 2, "measured_at": later + dt.timedelta(minutes=i)}
        for i, (scenario, method) in enumerate(
            (s, m) for s in ("cold", "source-edit") for m in ("naive", "skeleton", "cache-mounts")
        )
    ]
    assert measured_apart([*rows, apart, *turns]) == [("cache-mounts", 1)]
