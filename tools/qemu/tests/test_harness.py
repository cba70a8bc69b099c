"""The harness's process handling, time limits and verdicts.

A fake console process (fake_console.py) stands in for QEMU: these tests
check the harness's own reading, stopping, timeout and reporting logic."""

import os
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import harness  # noqa: E402

FAKE = [sys.executable, os.path.join(HERE, "fake_console.py")]


def alive(pid):
    """True if pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def child_pid(run):
    line = next(l for l in run.transcript.lines if l.startswith("child "))
    return int(line.split()[1])


def test_stops_as_soon_as_the_condition_holds(tmp_path):
    log = str(tmp_path / "boot.log")
    start = time.monotonic()
    r = harness.run(FAKE + ["line:Faultline 1 on m", "line:cpu 0 online", "line:all 1 cpus idle",
                            "hang"], log, timeout=30, until=lambda t: t.boot_complete(1))
    assert r.reason == "stopped"
    assert time.monotonic() - start < 10
    text = open(log).read()
    assert text.startswith("# ") and "fake_console.py" in text.splitlines()[0]
    assert "all 1 cpus idle" in text
    assert "# end: stopped" in text


def test_hang_is_a_timeout_naming_the_running_test(tmp_path):
    r = harness.run(FAKE + ["line:RUN first", "line:PASS first", "line:RUN second", "hang"],
                    str(tmp_path / "l"), timeout=1.5)
    assert r.reason == "timeout"
    assert 1.5 <= r.seconds < 10
    results = {x.name: x for x in harness.server_results(r, "server")}
    assert results["first"].status == "pass"
    assert results["second"].status == "fail"
    assert "no result within 1.5s" in results["second"].reason


def test_hang_before_any_test_fails_the_suite(tmp_path):
    r = harness.run(FAKE + ["line:Faultline 1 on m", "hang"], str(tmp_path / "l"), timeout=1)
    [res] = harness.server_results(r, "server")
    assert (res.name, res.status) == ("server", "fail")
    assert "before any test" in res.reason


def test_panic_ends_the_run_and_names_the_running_test(tmp_path):
    r = harness.run(FAKE + ["line:RUN alpha", "line:PASS alpha", "line:RUN beta",
                            "line:KERNEL PANIC: data abort", "line:ESR 0x96000045",
                            "line:ELR 0xffff000000081234", "hang"],
                    str(tmp_path / "l"), timeout=30, panic_grace=0.5)
    assert r.reason == "panic"
    assert r.seconds < 10
    assert r.transcript.panic_report() == ["KERNEL PANIC: data abort", "ESR 0x96000045",
                                           "ELR 0xffff000000081234"]
    results = {x.name: x for x in harness.server_results(r, "server")}
    assert results["alpha"].status == "pass"
    assert results["beta"].status == "fail"
    assert results["beta"].reason.startswith("kernel panic: KERNEL PANIC: data abort")


def test_panic_wins_over_the_stop_condition(tmp_path):
    r = harness.run(FAKE + ["line:KERNEL PANIC: x", "line:cpu 0 online", "hang"],
                    str(tmp_path / "l"), timeout=30, until=lambda t: 0 in t.online,
                    panic_grace=0.3)
    assert r.reason == "panic"


def test_clean_exit_with_summary(tmp_path):
    r = harness.run(FAKE + ["line:RUN a", "line:PASS a", "line:RUN b", "line:FAIL b: wrong",
                            "line:1 passed, 1 failed", "exit:0"], str(tmp_path / "l"), timeout=30)
    assert (r.reason, r.exit_code) == ("exited", 0)
    results = harness.server_results(r, "server")
    assert [(x.name, x.status, x.reason) for x in results] == [("a", "pass", ""),
                                                               ("b", "fail", "wrong")]


def test_exit_without_summary_fails(tmp_path):
    r = harness.run(FAKE + ["line:RUN a", "line:PASS a", "exit:3"], str(tmp_path / "l"),
                    timeout=30)
    assert (r.reason, r.exit_code) == ("exited", 3)
    results = {x.name: x for x in harness.server_results(r, "server")}
    assert results["server"].status == "fail"
    assert "no summary line: QEMU exited with status 3 after test a" == results["server"].reason


def test_summary_that_disagrees_with_the_lines_fails(tmp_path):
    r = harness.run(FAKE + ["line:RUN a", "line:FAIL a: x", "line:1 passed, 0 failed"],
                    str(tmp_path / "l"), timeout=30)
    results = {x.name: x for x in harness.server_results(r, "server")}
    assert results["server"].status == "fail"
    assert "summary says 1 passed, 0 failed" in results["server"].reason


def test_last_line_without_newline_is_read(tmp_path):
    r = harness.run(FAKE + ["line:RUN a", "partial:PASS a"], str(tmp_path / "l"), timeout=30)
    assert r.transcript.results == {"a": ("pass", "")}


def test_whole_process_group_is_killed_even_if_sigterm_is_ignored(tmp_path):
    r = harness.run(FAKE + ["child", "ignore-term", "line:cpu 0 online", "hang"],
                    str(tmp_path / "l"), timeout=30, until=lambda t: 0 in t.online)
    assert r.reason == "stopped"
    pid = child_pid(r)
    deadline = time.monotonic() + 5
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid)
    assert not harness._live


def test_exception_in_the_caller_still_stops_the_process(tmp_path):
    seen = {}

    def boom(t):
        if t.lines and t.lines[-1].startswith("child"):
            seen["pid"] = int(t.lines[-1].split()[1])
            raise KeyboardInterrupt  # as Ctrl-C would arrive in the caller

    with pytest.raises(KeyboardInterrupt):
        harness.run(FAKE + ["child", "hang"], str(tmp_path / "l"), timeout=30, until=boom)
    time.sleep(0.2)
    assert not alive(seen["pid"])
    assert "# end: interrupted" in open(str(tmp_path / "l")).read()


def test_echo_sees_every_byte(tmp_path):
    chunks = []
    harness.run(FAKE + ["line:a", "partial:=> "], str(tmp_path / "l"), timeout=30,
                echo=chunks.append)
    assert b"".join(chunks) == b"a\r\n=> "


def test_stop_all_kills_runs_in_other_threads_and_refuses_new_ones(tmp_path):
    import threading
    out = {}
    t = threading.Thread(target=lambda: out.update(r=harness.run(
        FAKE + ["line:cpu 0 online", "hang"], str(tmp_path / "l"), timeout=60)))
    t.start()
    deadline = time.monotonic() + 10
    while not harness._live and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        harness.stop_all()
        t.join(10)
        assert not t.is_alive()
        assert out["r"].reason == "exited" and out["r"].seconds < 10
        with pytest.raises(KeyboardInterrupt):
            harness.run(FAKE + ["hang"], str(tmp_path / "m"), timeout=60)
        assert not harness._live
    finally:
        harness._stopping = False


def test_settle_time_catches_a_panic_right_after_success(tmp_path):
    r = harness.run(FAKE + ["line:cpu 0 online", "sleep:0.3", "line:KERNEL PANIC: tick",
                            "hang"], str(tmp_path / "l"), timeout=30,
                    until=lambda t: 0 in t.online, settle=2.0, panic_grace=0.2)
    assert r.reason == "panic"
    r = harness.run(FAKE + ["line:cpu 0 online", "hang"], str(tmp_path / "m"), timeout=30,
                    until=lambda t: 0 in t.online, settle=0.5)
    assert r.reason == "stopped" and 0.5 <= r.seconds < 10
