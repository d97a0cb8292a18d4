"""cheatsheet.measure.bench: the benchmark's numbers (wrk's report, medians and spreads, ratios of
medians with per-round spreads, when more rounds are needed, how quiet the machine was). The tiny real
run of scripts/bench.py is in tests/scripts/test_bench.py."""

from __future__ import annotations

import pytest

from cheatsheet.measure.bench.host import CpuSample, Quietness, disturbance, quietness
from cheatsheet.measure.bench.load import (
    BenchError,
    Samples,
    Settings,
    check_placement,
    combine_slices,
    cpus_of,
    mean_quietness,
    parse_wrk,
    pooled_percentile,
    slice_plan,
)
from cheatsheet.measure.bench.run import disturbed_run, plan
from cheatsheet.measure.bench.summary import check_rows, ratio_changes, round_ratios, spread_too_wide, summarise
from cheatsheet.recipes import load_recipes


def test_parse_wrk_reads_the_report_line():
    out = 'Running 1s test @ http://127.0.0.1:1/alloc\n  1 threads\n{"requests": 500, "duration_us": 1000000, ' \
          '"errors": 0, "quantiles_us": [900, 4000]}\n'  # fmt: skip
    figures = parse_wrk(out)
    assert figures["rps"] == 500 and figures["quantiles_us"] == [900, 4000]


def test_parse_wrk_without_a_report_is_a_clear_error():
    with pytest.raises(ValueError, match="wrk printed no summary"):
        parse_wrk("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_ratios_are_taken_round_by_round():
    assert round_ratios([10, 30, 20], [10, 10, 10]) == [1.0, 3.0, 2.0]
    assert round_ratios([1, 2], [0, 0]) == []


def samples(k: float) -> Samples:
    s = Samples()
    s.rps["alloc"] += [1000 * k, 1100 * k, 900 * k]
    s.rps["cpu"] += [2000.0, 2000.0, 2000.0]
    s.p50_us["alloc"] += [100, 100, 100]
    s.p99_us["alloc"] += [400 / k, 400 / k, 400 / k]
    s.rss_bytes += [10_000_000, 12_000_000, 11_000_000]
    s.startup_ms += [300.0, 320.0]
    return s


def test_a_ratio_is_the_median_over_the_baselines_median_with_the_rounds_spread():
    rows = summarise({"base": samples(1.0), "other": samples(0.5)}, "base", {"base": 6_000_000, "other": 5_400_000})
    assert rows["base"]["alloc_rps_ratio"] == 1.0 and rows["other"]["alloc_rps_ratio"] == 0.5
    assert rows["other"]["alloc_rps_ratio_min"] == 0.5 == rows["other"]["alloc_rps_ratio_max"]
    assert rows["other"]["alloc_rps"] == 500 and rows["other"]["alloc_rps_min"] == 450
    assert rows["other"]["alloc_p99_ratio"] == 2.0 and rows["other"]["cpu_rps_ratio"] == 1.0
    assert rows["other"]["rss_bytes"] == 11_000_000 and rows["other"]["startup_runs"] == 2
    assert rows["other"]["alloc_instructions"] == 5_400_000
    assert rows["other"]["alloc_instructions_ratio"] == pytest.approx(0.9)


def test_more_rounds_while_a_ratio_spreads_wider_than_the_limit():
    base, steady, jumpy = samples(1.0), samples(0.5), samples(0.5)
    jumpy.rps["alloc"] = [400.0, 700.0, 450.0]
    assert not spread_too_wide({"base": base, "steady": steady}, "base", 0.10)
    assert spread_too_wide({"base": base, "jumpy": jumpy}, "base", 0.10)


def test_the_check_compares_every_ratio_both_runs_have():
    old = {"a": {"alloc_rps_ratio": 0.77, "rss_ratio": 2.3}}
    new = {"a": {"alloc_rps_ratio": 1.21, "rss_ratio": None}, "b": {"alloc_rps_ratio": 1.0}}
    assert ratio_changes(old, new) == [("a", "alloc_rps_ratio", 0.77, 1.21)]


def test_the_check_rows_hold_both_runs_values_and_skip_the_baselines_ratios_of_one():
    run = {
        "program": "webserver",
        "rounds": 5,
        "duration_s": 8,
        "slice_s": 1,
        "quiet": "yes",
        "measured_at": "later",
        "cpu_model": "A CPU",
    }
    old = {
        "base": {"alloc_rps_ratio": 1.0, "measured_at": "then"},
        "a": {"alloc_rps_ratio": 0.77, "measured_at": "then"},
    }
    new = {"base": {**run, "baseline": "base", "alloc_rps_ratio": 1.0, "steal_pct": 0.5},
           "a": {**run, "baseline": "base", "alloc_rps_ratio": 0.8, "steal_pct": 3.0}}  # fmt: skip
    (row,) = check_rows(old, new, 10.0)
    assert row == {
        "program": "webserver", "variant": "a", "ratio": "alloc_rps_ratio", "committed": 0.77, "rerun": 0.8,
        "limit_pct": 10.0, "committed_at": "then", "rounds": 5, "duration_s": 8, "slice_s": 1, "steal_pct": 3.0,
        "quiet": "yes", "cpu_model": "A CPU", "checked_at": "later",
    }  # fmt: skip


def test_others_share_of_the_machine_excludes_the_benchmarks_own_cpu():
    before = CpuSample(at=0.0, busy=100.0, steal=1.0, total=1000.0)
    after = CpuSample(at=10.0, busy=115.0, steal=1.2, total=1020.0)  # 20 CPU-seconds of capacity
    quiet = quietness(before, after, ours=13.0)
    assert quiet.foreign_pct == pytest.approx(10.0) and quiet.steal_pct == pytest.approx(1.0)


def test_server_and_load_generator_must_not_share_a_cpu():
    assert cpus_of("0-2,4") == {0, 1, 2, 4}
    with pytest.raises(BenchError, match="different CPUs"):
        check_placement(Settings(server_cpus="0", load_cpus="0"))
    with pytest.raises(BenchError, match="not available here"):
        check_placement(Settings(server_cpus="4096", load_cpus="0"))


def test_the_baseline_is_benchmarked_with_any_selection():
    recipes = load_recipes()
    musl = recipes.variant("webserver", "alloc-musl")
    glibc = recipes.variant("webserver", "alloc-glibc-dynamic")
    assert [v.id for v in plan([musl], glibc, Settings()).variants] == ["alloc-glibc-dynamic", "alloc-musl"]
    assert [v.id for v in plan([musl, glibc], glibc, Settings()).variants] == ["alloc-glibc-dynamic", "alloc-musl"]


def test_an_interval_is_disturbed_by_others_work_or_by_the_hypervisors_steal():
    assert disturbance(Quietness(foreign_pct=9.9, steal_pct=2.0), 10.0, 2.0) == ""
    assert "other processes used 10.5%" in disturbance(Quietness(10.5, 0.0), 10.0, 2.0)
    why = disturbance(Quietness(0.0, 7.6), 10.0, 2.0)
    assert "the hypervisor took 7.6% (steal; limit 2%)" in why and "other processes" not in why


def test_an_interval_is_cut_into_whole_second_turns():
    assert slice_plan(8, 1) == [1] * 8
    assert slice_plan(8, 3) == [3, 3, 2]
    assert slice_plan(6, 6) == [6] and slice_plan(2, 5) == [2]


def a_slice(requests: int, seconds: float, quantiles: list[int], errors: int = 0) -> dict:
    return {"requests": requests, "duration_us": seconds * 1e6, "errors": errors, "quantiles_us": quantiles}


def test_a_rounds_figure_is_all_its_slices_requests_over_all_their_seconds():
    slices = [a_slice(1000, 1, [100] * 100), a_slice(500, 1, [200] * 100, errors=1), a_slice(1500, 2, [300] * 100)]
    combined = combine_slices(slices)
    assert combined["rps"] == 750.0  # 3000 requests in 4 s, not the mean of 1000, 500, 750
    assert combined["errors"] == 1
    with pytest.raises(ValueError, match="no slice"):
        combine_slices([])


def test_a_rounds_percentiles_are_taken_over_all_its_requests_weighted_by_slice():
    fast = a_slice(900, 1, [1000] * 99 + [2000])  # 1 % of its requests at 2 ms
    slow = a_slice(100, 1, [5000] * 90 + [9000] * 10)  # a tenth as many requests, all slower
    assert pooled_percentile([fast, slow], 50) == 1000  # 891 of the 1000 requests took 1 ms
    assert pooled_percentile([fast, slow], 90) == 2000  # the 900th: the fast slice's slowest
    assert pooled_percentile([fast, slow], 99) == 5000  # the slow slice's 90 requests at 5 ms come next
    assert pooled_percentile([fast, slow], 99.5) == 9000  # and the slowest 10 last
    assert pooled_percentile([fast, a_slice(0, 1, [0] * 100)], 99.5) == 2000  # a slice with no request weighs nothing
    with pytest.raises(ValueError, match="no slice answered"):
        pooled_percentile([a_slice(0, 1, [0] * 100)], 50)


def test_a_rounds_quietness_is_the_mean_of_its_slices():
    q = mean_quietness([Quietness(0.0, 8.0), Quietness(3.0, 0.0)])
    assert (q.foreign_pct, q.steal_pct) == (1.5, 4.0)


def test_a_run_with_an_interval_beyond_either_limit_is_flagged():
    s = Settings(max_foreign_pct=10.0, max_steal_pct=2.0)
    assert not disturbed_run({"a": {"foreign_cpu_pct": 3.0, "steal_pct": 1.9}, "b": {"steal_pct": None}}, s)
    assert disturbed_run({"a": {"foreign_cpu_pct": 0.0, "steal_pct": 7.56}}, s)
    assert disturbed_run({"a": {"foreign_cpu_pct": 12.0, "steal_pct": 0.0}}, s)
