"""Dumps the pager wrote before power-off in real runs (test/trace's suite,
booted with kernel.trace): fork_parent_writes (COW copies) and
swap_trace_swapin (evictions and swap-ins under a 512-frame budget), both
on 2 CPUs with rings that wrapped. fltrace decodes them, its JSON is valid,
and each COW or swap-in fault's breakdown has every step of the
walk-through in docs/tracing.md."""
import io
import json

import pytest

from conftest import fixture_lines
from fltrace import perfetto, report
from fltrace.dump import parse_log
from fltrace.flow import Flow

import breakdown_check
import trace_event_format


@pytest.fixture(scope="module")
def cow(facts, namer):
    t = parse_log(fixture_lines("pager_cow_smp2.log.gz"), facts)
    return t, Flow(t, namer)


@pytest.fixture(scope="module")
def swapin(facts, namer):
    t = parse_log(fixture_lines("pager_swapin_smp2.log.gz"), facts)
    return t, Flow(t, namer)


def test_pager_dumps_decode_clean_and_count_what_wrapped(cow, swapin):
    for t, flow in (cow, swapin):
        assert not t.problems and not t.bad_lines and not t.truncated
        stats = report.summary(t, flow)
        # A whole test run overflows 1023 records a CPU: drops are counted,
        # and the summary says from when every CPU's events are there.
        assert stats["cpus"] == 2 and sum(stats["dropped_by_cpu"].values()) > 0
        assert stats["complete_from_us"] is not None
        assert stats["faults"] > 0 and stats["faults_unanswered"] == 0


def test_pager_runs_give_valid_trace_event_json(cow, swapin):
    for t, flow in (cow, swapin):
        doc = json.loads(json.dumps(perfetto.build(t, flow)))
        assert trace_event_format.check(doc) == []


def test_cow_copy_breakdown_has_every_step(cow):
    t, flow = cow
    faults = [f for f in flow.faults if f.cls == "vm write permission"]
    good = [f for f in faults if not breakdown_check.complete(f)]
    # The parent's 64 copies of pages its live child shares: most are in the log.
    assert len(good) >= 16, [breakdown_check.complete(f) for f in faults][:3]
    f = good[len(good) // 2]
    texts = [s.text for s in f.steps]
    # Old mapping cap deleted (the shared frame unmapped), the copy's cap
    # made a mapping cap, mapped read-write at the faulting page.
    assert texts[-3].startswith("cnode_delete(") and texts[-2].startswith("cnode_copy(")
    assert texts[-1].startswith("vspace_map_range(va=%#x," % (f.address & ~0xfff))
    out = io.StringIO()
    report.write_breakdown(out, t, flow)
    assert breakdown_check.text_in_order(out.getvalue(), flow.faults.index(f) + 1) == ""


def test_swapin_breakdown_has_swapd_between_receipt_and_mapping(swapin):
    t, flow = swapin
    good = [f for f in flow.faults if not breakdown_check.complete(f, swapd=True)]
    assert good
    f = good[0]
    whats = [(s.what, s.text) for s in f.steps]
    call = next(i for i, (w, x) in enumerate(whats) if w == "called" and x.startswith("swapd.swap_in("))
    assert whats[call + 1][0] == "replied" and whats[call + 1][1].endswith(": ok()")
    out = io.StringIO()
    report.write_breakdown(out, t, flow)
    assert breakdown_check.text_in_order(out.getvalue(), flow.faults.index(f) + 1, swapd=True) == ""


def test_checker_catches_a_missing_mapping_and_a_missing_swapd_reply(swapin):
    _, flow = swapin
    f = next(f for f in flow.faults if not breakdown_check.complete(f, swapd=True))
    saved = f.steps
    f.steps = [s for s in saved if not breakdown_check.maps_page(s, f.address)]
    assert "no mapping" in breakdown_check.complete(f)
    f.steps = [s for s in saved if s.what != "replied"]
    assert "no ok reply from swapd" in breakdown_check.complete(f, swapd=True)
    f.steps = saved
