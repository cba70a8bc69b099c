"""The console contract parser: each kernel line is recognised as specified."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from console import Transcript, clean  # noqa: E402


def feed(*lines):
    t = Transcript()
    for line in lines:
        t.feed(line)
    return t


def test_clean_strips_crlf_and_survives_bad_bytes():
    assert clean(b"cpu 0 online\r\n") == "cpu 0 online"
    assert clean(b"\xff\xfegarbage\r") == "\ufffd\ufffdgarbage"


def test_banner_gives_version_and_model():
    t = feed(b"Faultline 0.1-g1234 on linux,dummy-virt\r")
    assert t.banner == ("0.1-g1234", "linux,dummy-virt")
    assert t.banners == 1


def test_cpu_online_allows_trailing_detail_but_not_other_words():
    t = feed("cpu 0 online", "cpu 1 online (mpidr 0x1)", "cpu 2 onlineX", "cpu 3 offline")
    assert t.online == [0, 1]


def test_complete_boot_needs_every_cpu_once_and_all_idle():
    good = feed("Faultline 1 on m", "cpu 0 online", "cpu 1 online", "all 2 cpus idle")
    assert good.boot_complete(2)
    assert good.boot_problems(2) == []


def test_missing_cpu_is_reported():
    t = feed("Faultline 1 on m", "cpu 0 online", "cpu 2 online", "all 3 cpus idle")
    assert t.boot_problems(3) == ["no 'cpu N online' for cpu 1"]


def test_cpu_online_twice_or_out_of_range_is_reported():
    t = feed("Faultline 1 on m", "cpu 0 online", "cpu 1 online", "cpu 1 online",
             "cpu 5 online", "all 2 cpus idle")
    problems = t.boot_problems(2)
    assert "unexpected cpu 5 online" in problems
    assert "cpu 1 online more than once" in problems


def test_wrong_idle_count_and_missing_banner_are_reported():
    t = feed("cpu 0 online", "all 2 cpus idle")
    problems = t.boot_problems(1)
    assert "no banner" in problems
    assert "'all 2 cpus idle', expected 1" in problems
    assert not feed("Faultline 1 on m", "cpu 0 online").boot_complete(1)


def test_second_banner_means_restart():
    t = feed("Faultline 1 on m", "cpu 0 online", "Faultline 1 on m", "all 1 cpus idle")
    assert t.boot_problems(1) == ["banner printed 2 times (the kernel restarted)"]


def test_ticks_dtb_and_panic_lines():
    t = feed("cpu 0: ticks ok", "cpu 3: ticks ok", "DTB: bad magic 0xdeadbeef",
             "KERNEL PANIC on cpu 0", "  ESR 0x96000045", "KERNEL PANIC again")
    assert t.ticks_ok == {0, 3}
    assert t.dtb_errors == ["DTB: bad magic 0xdeadbeef"]
    assert t.panicked and t.panic_at == 3
    assert t.panic_report(2) == ["KERNEL PANIC on cpu 0", "  ESR 0x96000045"]


def test_test_server_lines_and_running_test():
    t = feed("RUN alpha", "PASS alpha", "RUN beta", "FAIL beta: expected 3, got 4", "RUN gamma")
    assert t.results == {"alpha": ("pass", ""), "beta": ("fail", "expected 3, got 4")}
    assert t.running_test() == "gamma"
    t.feed("PASS gamma")
    assert t.running_test() is None
    t.feed("2 passed, 1 failed")
    assert t.summary == (2, 1)


def test_summary_must_be_alone_on_its_line():
    assert feed("ok: 2 passed, 1 failed").summary is None
    assert feed("2 passed, 1 failed, 3 skipped").summary is None
