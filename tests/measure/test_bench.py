"""cheatsheet.measure.bench: the benchmark's numbers (wrk's report, ratios round by round, medians and
spreads). scripts/bench.py's tiny real run is in tests/scripts/test_bench.py."""

from __future__ import annotations

import pytest

from cheatsheet.measure.bench import Samples, parse_wrk, round_ratios, summarise


def test_parse_wrk_reads_the_report_line():
    out = 'Running 1s test @ http://127.0.0.1:1/alloc\n  1 threads\n{"requests": 500, "duration_us": 1000000, ' \
          '"errors": 0, "p50_us": 900, "p99_us": 4000}\n'  # fmt: skip
    figures = parse_wrk(out)
    assert figures["rps"] == 500 and figures["p99_us"] == 4000


def test_parse_wrk_without_a_report_is_a_clear_error():
    with pytest.raises(ValueError, match="wrk printed no summary"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_ratios_are_taken_round_by_round_then_the_median():
    assert round_ratios([10, 30, 20], [10, 10, 10]) == 2.0
    assert round_ratios([1, 2], [0, 0]) is None


def test_summarise_gives_medians_spreads_and_ratios_to_the_baseline():
    base, other = Samples(), Samples()
    for s, k in ((base, 1.0), (other, 0.5)):
        s.rps["alloc"] += [1000 * k, 1100 * k, 900 * k]
        s.rps["cpu"] += [2000.0, 2000.0, 2000.0]
        s.p50_us["alloc"] += [100, 100, 100]
        s.p99_us["alloc"] += [400 / k, 400 / k, 400 / k]
        s.rss_bytes += [10_000_000, 12_000_000, 11_000_000]
        s.startup_ms += [300.0, 320.0]
    rows = summarise({"base": base, "other": other}, "base")
    assert rows["base"]["alloc_rps_ratio"] == 1.0 and rows["other"]["alloc_rps_ratio"] == 0.5
    assert rows["other"]["alloc_rps"] == 500 and rows["other"]["alloc_rps_min"] == 450
    assert rows["other"]["alloc_p99_ratio"] == 2.0 and rows["other"]["cpu_rps_ratio"] == 1.0
    assert rows["other"]["rss_bytes"] == 11_000_000 and rows["other"]["startup_runs"] == 2
