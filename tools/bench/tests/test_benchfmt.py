"""The benchmark console contract and results file (benchfmt.py)."""

import json
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import benchfmt  # noqa: E402

GOOD = """Faultline 0.1 on linux,dummy-virt\r
root task 'bench': entry 4015e8
BENCH-INFO freq=1000000000 insn_per_tick=1 overhead=2 cpus=1\r
BENCH ipc.call.0w n=1000 median=630 min=630 max=630 mean=632
BENCH notification.roundtrip n=1000 median=1360 min=1360 max=1777 mean=1362
BENCH-ERROR ipc.call.cap1: out of objects, slots or threads
BENCH-DONE 3
system off (requested by thread 1)
""".splitlines()


def test_a_complete_console_gives_info_figures_and_errors_in_order():
    r = benchfmt.parse(GOOD)
    assert r.info == {"freq": 1000000000, "insn_per_tick": 1, "overhead": 2, "cpus": 1}
    assert list(r.figures) == ["ipc.call.0w", "notification.roundtrip"]
    f = r.figures["notification.roundtrip"]
    assert (f.n, f.median, f.min, f.max, f.mean) == (1000, 1360, 1360, 1777, 1362)
    assert r.errors == {"ipc.call.cap1": "out of objects, slots or threads"}
    assert r.done == 3


def test_a_complete_console_has_only_the_error_as_problem():
    r = benchfmt.parse(GOOD)
    assert r.problems(expect=("ipc.call.0w",)) == [
        "ipc.call.cap1 could not be measured: out of objects, slots or threads"]


def test_a_console_without_done_is_incomplete():
    r = benchfmt.parse(GOOD[:4])
    assert "no BENCH-DONE line (the program did not finish)" in r.problems()


def test_a_console_without_info_is_incomplete():
    r = benchfmt.parse([l for l in GOOD if not l.startswith("BENCH-INFO")])
    assert "no BENCH-INFO line" in r.problems()


def test_done_must_count_every_figure_reported():
    lines = [l.replace("BENCH-DONE 3", "BENCH-DONE 4") for l in GOOD]
    assert ("BENCH-DONE says 4 figures but 3 were reported"
            in benchfmt.parse(lines).problems())


def test_an_expected_figure_that_never_came_is_a_problem():
    r = benchfmt.parse(GOOD)
    assert "missing figures: fault.zero_fill" in r.problems(expect=("ipc.call.0w",
                                                                    "fault.zero_fill"))


@pytest.mark.parametrize("line, message", [
    ("BENCH x n=1 median=2 min=2 max=2", "missing field(s) mean"),
    ("BENCH x n=1 median=2 min=2 max=2 mean=2 extra=1", "unknown field(s) extra"),
    ("BENCH x n=1 median=2.5 min=2 max=3 mean=2", "median='2.5' is not a whole number"),
    ("BENCH x n=1 median=-2 min=2 max=3 mean=2", "is not a whole number"),
    ("BENCH x n=1 n=2 median=2 min=2 max=2 mean=2", "n given twice"),
    ("BENCH x n=1 median=5 min=2 max=3 mean=2", "min <= median <= max"),
    ("BENCH x n=0 median=2 min=2 max=2 mean=2", "n > 0"),
    ("BENCH-INFO freq=1 insn_per_tick=1 cpus=1", "missing field(s) overhead"),
    ("BENCHMARK x", "not a BENCH line of the contract"),
    ("BENCH-DONE three", "not a BENCH line of the contract"),
])
def test_a_malformed_bench_line_is_refused_with_its_line_number(line, message):
    with pytest.raises(benchfmt.FormatError) as e:
        benchfmt.parse(["hello", line])
    assert "line 2:" in str(e.value)
    assert message in str(e.value)


def test_a_figure_reported_twice_is_refused():
    with pytest.raises(benchfmt.FormatError, match="figure ipc.call.0w reported twice"):
        benchfmt.parse(GOOD + ["BENCH-ERROR ipc.call.0w: again"])


def test_a_second_info_or_done_line_is_refused():
    with pytest.raises(benchfmt.FormatError, match="second BENCH-INFO"):
        benchfmt.parse(GOOD + [GOOD[2]])
    with pytest.raises(benchfmt.FormatError, match="second BENCH-DONE"):
        benchfmt.parse(GOOD + ["BENCH-DONE 3"])


def test_results_file_round_trips_with_metadata(tmp_path):
    doc = benchfmt.to_json({"commit": "abc", "qemu": "QEMU 7.2", "cpu": "cortex-a72",
                            "board": "qemu-virt"}, {"bench": benchfmt.parse(GOOD)})
    path = tmp_path / "b.json"
    path.write_text(json.dumps(doc))
    back = benchfmt.load_json(str(path))
    assert back["format"] == benchfmt.FORMAT
    assert back["commit"] == "abc" and back["board"] == "qemu-virt"
    assert back["figures"]["ipc.call.0w"] == {"n": 1000, "median": 630, "min": 630, "max": 630,
                                              "mean": 632, "program": "bench"}
    assert back["errors"] == {"ipc.call.cap1": "out of objects, slots or threads"}
    assert back["counter"]["bench"]["insn_per_tick"] == 1


def test_two_programs_may_not_report_the_same_figure():
    r = benchfmt.parse(GOOD)
    with pytest.raises(benchfmt.FormatError, match="comes from two programs"):
        benchfmt.to_json({}, {"a": r, "b": r})


@pytest.mark.parametrize("content, message", [
    ("not json", "not JSON"),
    ('{"format": "other/1", "figures": {}}', "not a Faultline benchmark file"),
    ('{"format": "faultline-bench/1"}', "no figures"),
    ('{"format": "faultline-bench/1", "figures": {"x": {"median": 1}}}', "figure x lacks"),
])
def test_load_json_refuses_what_is_not_a_results_file(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(benchfmt.FormatError, match=message):
        benchfmt.load_json(str(path))


def test_load_json_names_a_missing_file(tmp_path):
    with pytest.raises(benchfmt.FormatError, match="nope.json"):
        benchfmt.load_json(str(tmp_path / "nope.json"))


def test_table_aligns_every_column():
    doc = benchfmt.to_json({}, {"bench": benchfmt.parse(GOOD)})
    rows = benchfmt.table(doc["figures"])
    assert rows[0].split() == ["figure", "median", "min", "max", "mean", "n"]
    assert rows[2].split() == ["notification.roundtrip", "1360", "1360", "1777", "1362", "1000"]
    assert len({len(r) for r in rows}) == 1


def test_a_skipped_figure_counts_for_done_and_is_no_problem():
    r = benchfmt.parse(GOOD[:-2] + ["BENCH-SKIP fork.64mib: the pool is too small",
                                    "BENCH-DONE 4"])
    assert r.skipped == {"fork.64mib": "the pool is too small"}
    assert r.problems(expect=("fork.64mib",)) == [
        "ipc.call.cap1 could not be measured: out of objects, slots or threads"]
