"""compare.py: ratios of two results files."""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import compare  # noqa: E402


def results(tmp_path, name, figures, **meta):
    doc = {"format": "faultline-bench/1", "commit": "c-" + name, "qemu": "QEMU 7.2",
           "cpu": "cortex-a72", "board": "qemu-virt", "figures": {}}
    doc.update(meta)
    for fig, median in figures.items():
        doc["figures"][fig] = {"n": 10, "median": median, "min": median, "max": median,
                               "mean": median}
    path = tmp_path / (name + ".json")
    path.write_text(json.dumps(doc))
    return str(path)


def test_prints_the_ratio_b_over_a_for_each_common_figure(tmp_path, capsys):
    a = results(tmp_path, "a", {"ipc.call.0w": 630, "ipc.call.64w": 1664})
    b = results(tmp_path, "b", {"ipc.call.0w": 315, "ipc.call.64w": 1664})
    assert compare.main([a, b]) == 0
    out = capsys.readouterr().out
    rows = {l.split()[0]: l.split()[1:] for l in out.splitlines() if l.startswith("ipc.")}
    assert rows["ipc.call.0w"] == ["630", "315", "0.500"]
    assert rows["ipc.call.64w"] == ["1664", "1664", "1.000"]
    assert "commit c-a" in out and "commit c-b" in out
    assert "warning" not in out


def test_lists_figures_only_one_file_has(tmp_path, capsys):
    a = results(tmp_path, "a", {"ipc.call.0w": 630, "old.figure": 5})
    b = results(tmp_path, "b", {"ipc.call.0w": 630, "fault.zero_fill": 1500})
    assert compare.main([a, b]) == 0
    out = capsys.readouterr().out
    assert "only in A: old.figure" in out
    assert "only in B: fault.zero_fill" in out


def test_warns_when_the_emulators_differ(tmp_path, capsys):
    a = results(tmp_path, "a", {"x": 1})
    b = results(tmp_path, "b", {"x": 2}, qemu="QEMU 9.0")
    assert compare.main([a, b]) == 0
    assert "warning: qemu differs: 'QEMU 7.2' vs 'QEMU 9.0'" in capsys.readouterr().out


def test_a_zero_median_gives_no_division_error(tmp_path, capsys):
    a = results(tmp_path, "a", {"x": 0, "y": 0})
    b = results(tmp_path, "b", {"x": 0, "y": 3})
    assert compare.main([a, b]) == 0
    rows = {l.split()[0]: l.split()[1:] for l in capsys.readouterr().out.splitlines()
            if l[:2] in ("x ", "y ")}
    assert rows["x"] == ["0", "0", "-"]
    assert rows["y"] == ["0", "3", "inf"]


def test_a_file_that_is_not_results_is_exit_status_2(tmp_path, capsys):
    a = results(tmp_path, "a", {"x": 1})
    bad = tmp_path / "bad.json"
    bad.write_text("[]")
    assert compare.main([a, str(bad)]) == 2
    assert "not a Faultline benchmark file" in capsys.readouterr().err


def test_wrong_arguments_are_exit_status_2(capsys):
    assert compare.main(["only-one.json"]) == 2
    assert "usage" in capsys.readouterr().err
