"""The per-fault breakdown and the summary statistics."""


def _us(trace, ticks):
    return ticks * 1e6 / trace.freq if trace.freq else 0.0


def write_breakdown(out, trace, flow):
    """Each fault: raised -> received by the handler -> its calls, their replies
    and its invocations -> the handler's reply -> the thread resumed, with the
    time of each step from the fault."""
    if not flow.faults:
        out.write("no faults in the log\n")
    for i, f in enumerate(flow.faults, 1):
        badge = f" (badge {f.badge:#x})" if f.badge else ""
        out.write(f"fault {i}: thread {f.thread}{badge} at {trace.us(f.raised):.3f} us, cpu{f.rec.cpu}: {f.text}\n")

        def step(ts, what, text=""):
            out.write(f"  {'+%.3f us' % _us(trace, ts - f.raised):>14}  {what:<16} {text}\n")

        if f.outcome.startswith("no handler"):
            step(f.raised, "delivered", "no fault handler: the kernel suspended the thread")
            continue
        step(f.raised, "delivered", "" if f.received == f.raised or f.received is None
             else "(no handler waiting: queued)")
        if f.received is not None:
            step(f.received, "pager received", f"by thread {f.handler}")
        for s in f.steps:
            step(s.ts, s.what, s.text)
        if f.replied is not None:
            step(f.replied, "pager replied", f"by thread {f.replier}: {f.action}")
            if f.resumed:
                seen = "" if f.next_seen is None else \
                    f"(next seen running +{_us(trace, f.next_seen - f.raised):.3f} us)"
                step(f.replied, "thread resumed", seen)
        else:
            out.write(f"  {'':>14}  {f.outcome}\n")
    if flow.orphan_replies:
        out.write(f"{flow.orphan_replies} fault replies whose fault is older than the log\n")


def percentile(values, p):
    """Nearest-rank percentile of a non-empty list."""
    v = sorted(values)
    rank = max(1, -(-p * len(v) // 100))
    return v[int(rank) - 1]


def summary(trace, flow):
    """The statistics as a dict (also written as text by write_summary)."""
    kinds = {}
    for rec in trace.records:
        kinds[rec.kind] = kinds.get(rec.kind, 0) + 1
    by_class, by_thread, by_badge, lat = {}, {}, {}, {}
    for f in flow.faults:
        by_class[f.cls] = by_class.get(f.cls, 0) + 1
        by_thread[f.thread] = by_thread.get(f.thread, 0) + 1
        by_badge[f.badge] = by_badge.get(f.badge, 0) + 1
        if f.replied is not None:
            d = lat.setdefault(f.cls, {"total": [], "handling": []})
            d["total"].append(_us(trace, f.replied - f.raised))
            if f.received is not None:
                d["handling"].append(_us(trace, f.replied - f.received))
    latency = {}
    for cls, d in lat.items():
        latency[cls] = {}
        for what, v in d.items():
            if v:
                latency[cls][what] = {"n": len(v), "p50": percentile(v, 50), "p90": percentile(v, 90),
                                      "p99": percentile(v, 99), "max": max(v)}
    # Where the view is complete: a ring that overwrote records only covers
    # the time since its oldest kept record.
    complete_from = 0.0
    for cpu, dropped in trace.dropped.items():
        if dropped:
            first = min((r.ts for r in trace.records if r.cpu == cpu), default=None)
            if first is not None:
                complete_from = max(complete_from, trace.us(first))
    return {
        "records": len(trace.records), "cpus": trace.cpus, "freq": trace.freq,
        "records_by_kind": kinds, "dropped_by_cpu": trace.dropped, "complete_from_us": complete_from,
        "bad_lines": trace.bad_lines, "truncated": trace.truncated,
        "faults": len(flow.faults), "faults_by_kind": by_class, "faults_by_thread": by_thread,
        "faults_by_badge": {hex(b): n for b, n in by_badge.items()},
        "faults_unanswered": sum(1 for f in flow.faults if f.replied is None),
        "fault_latency_us": latency,
    }


def write_summary(out, s):
    out.write(f"records: {s['records']} on {s['cpus']} CPUs (counter {s['freq']} Hz)\n")
    out.write("  by kind: " + ", ".join(f"{k} {n}" for k, n in sorted(s["records_by_kind"].items())) + "\n")
    for cpu, d in sorted(s["dropped_by_cpu"].items()):
        out.write(f"  CPU {cpu}: {d} records dropped (overwritten)\n")
    if s["complete_from_us"]:
        out.write(f"  every CPU's events are in the log from {s['complete_from_us']:.3f} us on\n")
    if s["bad_lines"] or s["truncated"]:
        out.write(f"  damaged dump: {s['bad_lines']} bad lines skipped"
                  f"{', truncated' if s['truncated'] else ''}\n")
    out.write(f"faults: {s['faults']} ({s['faults_unanswered']} without a reply in the log)\n")
    for cls, n in sorted(s["faults_by_kind"].items()):
        out.write(f"  {cls}: {n}\n")
    out.write("  by thread: " + ", ".join(f"{t}: {n}" for t, n in sorted(s["faults_by_thread"].items())) + "\n")
    out.write("  by badge: " + ", ".join(f"{b}: {n}" for b, n in sorted(s["faults_by_badge"].items())) + "\n")
    if s["fault_latency_us"]:
        out.write("fault latency in us (total: raised to reply; handling: received to reply):\n")
        for cls, d in sorted(s["fault_latency_us"].items()):
            for what, q in d.items():
                out.write(f"  {cls:<28} {what:<8} n={q['n']:<4} p50={q['p50']:.3f} p90={q['p90']:.3f} "
                          f"p99={q['p99']:.3f} max={q['max']:.3f}\n")
