"""The outputs on a recorded dump: the trace-event JSON is valid for
Perfetto, the per-fault breakdown follows a VM fault from delivery to the
resumed thread, names come from the headers and the IDL, and the
statistics count what the log holds."""
import json

from fltrace import perfetto, report, timeline
from fltrace.dump import parse_log
from fltrace.flow import Flow

import io
import trace_event_format


def _flow(facts, namer, lines):
    t = parse_log(lines, facts)
    return t, Flow(t, namer)


def test_json_is_valid_trace_event_format(facts, namer, ktest_log):
    t, flow = _flow(facts, namer, ktest_log)
    doc = json.loads(json.dumps(perfetto.build(t, flow)))
    assert trace_event_format.check(doc) == []
    events = doc["traceEvents"]
    names = {e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"}
    assert "thread 1 (fault handler, server)" in names
    faults = [e for e in events if e["ph"] == "X" and e["cat"] == "fault" and e["name"].startswith("fault ")]
    assert any(e["tid"] == 68 and e["name"] == "fault vm read translation @0x8000007088" for e in faults)


def test_checker_catches_what_it_is_for():
    bad = {"traceEvents": [
        {"ph": "X", "name": "a", "pid": 1, "tid": 1, "ts": 0, "dur": 10},
        {"ph": "X", "name": "b", "pid": 1, "tid": 1, "ts": 5, "dur": 10},
        {"ph": "B", "name": "c", "pid": 1, "tid": 2, "ts": 1},
        {"ph": "i", "pid": 1, "tid": 3, "ts": 1},
        {"ph": "i", "name": "d", "pid": 1, "tid": 4, "ts": 5},
        {"ph": "i", "name": "e", "pid": 1, "tid": 4, "ts": 4},
    ]}
    text = "\n".join(trace_event_format.check(bad))
    assert "crosses" in text and "B events without an E" in text and "missing ['name']" in text
    assert "goes back" in text


def test_overlapping_spans_go_to_an_extra_track(facts, namer, ktest_log):
    t, flow = _flow(facts, namer, ktest_log)
    # A handler that takes a second fault before answering the first (a deferred reply).
    f1, f2 = flow.faults[1], flow.faults[2]
    f2.handler, f2.received = f1.handler, (f1.received + f1.replied) // 2
    f1.replied, f2.replied = f1.replied, f1.replied + 100
    doc = perfetto.build(t, flow)
    assert trace_event_format.check(doc) == []
    assert any(e["tid"] == f1.handler + perfetto.EXTRA_TRACK for e in doc["traceEvents"] if e["ph"] == "X")


def test_breakdown_of_a_vm_fault_delivered_and_replied(facts, namer, ktest_log):
    t, flow = _flow(facts, namer, ktest_log)
    f = next(f for f in flow.faults if f.thread == 68)
    assert f.cls == "vm read translation" and f.address == 0x8000007088
    assert f.handler == 1 and f.replier == 1 and f.resumed and f.outcome == "replied"
    assert f.raised <= f.received < f.replied
    steps = [(s.what, s.text) for s in f.steps]
    # The handler reads the registers, makes a frame and maps it at the faulting page.
    assert [w for w, _ in steps] == ["invoked", "invoked", "invoked"]
    assert steps[0][1] == "tcb_read_registers() -> ok"
    assert steps[1][1].startswith("untyped_retype(type=9, size_bits=0,")
    assert steps[2][1] == "frame_map(va=0x8000007000, rights=3) -> ok"
    assert all(f.received <= s.ts <= f.replied for s in f.steps)
    out = io.StringIO()
    report.write_breakdown(out, t, flow)
    block = out.getvalue().split("fault 2: ")[1].split("fault 3: ")[0]
    order = ["delivered", "pager received", "invoked", "pager replied", "thread resumed"]
    pos = [block.index(w) for w in order]
    assert pos == sorted(pos)
    assert "by thread 1: resumed" in block


def test_fault_without_handler_and_fault_left_open(facts, namer, ktest_log):
    t, flow = _flow(facts, namer, ktest_log)
    nohandler = [f for f in flow.faults if f.outcome.startswith("no handler")]
    assert [(f.thread, f.address) for f in nohandler] == [(74, 0x800000e000)]
    destroyed = [f for f in flow.faults if f.outcome.startswith("thread destroyed")]
    assert [f.thread for f in destroyed] == [75]


def test_summary_counts_faults_by_kind_thread_and_badge(facts, namer, ktest_log):
    t, flow = _flow(facts, namer, ktest_log)
    s = report.summary(t, flow)
    assert s["faults"] == 8
    assert s["faults_by_kind"]["vm write permission"] == 1
    assert s["faults_by_kind"]["unknown_syscall"] == 1
    assert s["faults_by_badge"]["0xfa17"] == 7
    q = s["fault_latency_us"]["vm read translation"]["total"]
    assert q["n"] == 1 and q["p50"] == q["max"] > 0
    assert report.percentile([5, 1, 4, 2, 3], 50) == 3 and report.percentile([1, 2, 3, 4], 99) == 4


def test_timeline_names_messages_faults_and_invocations(facts, namer, ktest_log):
    t, flow = _flow(facts, namer, ktest_log)
    out = io.StringIO()
    timeline.write(out, t, flow)
    text = out.getvalue()
    assert len(text.splitlines()) >= len(t.records)
    assert "thread 68 -> thread 1 badge=0xfa17: fault.vm(ip=0x4010b8, addr=0x8000007088, esr=0x92000007, " \
           "access='read') [data abort, translation fault level 3]" in text
    assert "thread 1 answers the fault of thread 68: resumed" in text
    assert "thread 1: frame_map(va=0x8000007000, rights=3) -> ok" in text


def test_idl_names_requests_and_replies(namer):
    # pager.sbrk from the IDL: the label is (interface id << 16) | ordinal.
    label = next(l for l, (i, m) in namer.methods.items() if i["name"] == "swapd" and m["name"] == "swap_in")
    assert namer.message(label, [7]) == "swapd.swap_in(slot=7, frame='<cap 0>')"
    assert namer.reply(label, 33, []) == "error bad_slot"
    assert namer.reply(label, 0, []) == "ok()"
