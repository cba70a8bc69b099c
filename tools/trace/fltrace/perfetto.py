"""The Chrome/Perfetto trace-event JSON: one track per thread.

pid 1 is the whole system; tid is the kernel's thread id. Spans are complete
events ("X"): a fault on the faulting thread (raised to reply), its handling
on the handler (received to reply), a call on the caller and its service on
the callee (delivered to reply), and the time a thread waited in Send or
Recv. Signals, invocations, Sends and thread lifecycle are instant events
("i"). Spans on one track must nest; one that would cross another (e.g. a
handler that defers a fault and takes another) goes to an extra track of
the same thread, named so.
"""
PID = 1
EXTRA_TRACK = 1 << 20  # tid of extra track k of thread t: t + k * EXTRA_TRACK


def _span(spans, tid, start, end, name, cat, args):
    spans.append({"tid": tid, "start": start, "end": end, "name": name, "cat": cat, "args": args})


def build(trace, flow):
    """The trace-event document (a dict ready for json.dump)."""
    namer = flow.namer
    end_ts = flow.end
    spans, events = [], []
    for f in flow.faults:
        if f.outcome.startswith("no handler"):
            continue
        stop = f.replied if f.replied is not None else getattr(f, "destroyed", end_ts)
        args = {"fault": f.text, "badge": hex(f.badge), "outcome": f.outcome}
        if f.action:
            args["reply"] = f.action
        _span(spans, f.thread, f.raised, stop, f"fault {f.cls}" + (f" @{f.address:#x}" if f.address else ""),
              "fault", args)
        if f.received is not None:
            hstop = f.replied if f.replied is not None else stop
            _span(spans, f.handler, f.received, hstop, f"handle fault of thread {f.thread}", "fault",
                  {"fault": f.text, "steps": [f"{s.what}: {s.text}" for s in f.steps]})
    for c in flow.calls:
        stop = c.end if c.end is not None else end_ts
        name = namer.method_name(c.rec.label)
        args = {"request": c.text, "reply": c.result or "none in the log"}
        _span(spans, c.caller, c.start, stop, f"call {name}", "ipc", args)
        _span(spans, c.callee, c.start, stop, f"serve {name} for thread {c.caller}", "ipc", args)
    for t, kind, start, stop in flow.blocks:
        _span(spans, t, start, stop if stop is not None else end_ts, f"blocked in {kind}", "blocked", {})
    for rec in trace.records:
        k = rec.kind
        if k == "SIGNAL":
            tid = rec.dst
            ev = {"name": f"signal {rec.badge:#x}", "cat": "notification", "args": {"badge": hex(rec.badge)}}
        elif k == "INVOKE":
            tid = rec.src
            ev = {"name": namer.invocation_name(rec.label), "cat": "invoke",
                  "args": {"invocation": namer.invocation(rec)}}
        elif k == "SEND":
            tid = rec.src
            ev = {"name": f"send {namer.method_name(rec.label)}", "cat": "ipc",
                  "args": {"message": namer.message(rec.label, rec.words), "to": rec.dst}}
        elif k in ("RESUME", "SUSPEND", "DESTROY"):
            tid = rec.dst
            ev = {"name": k.lower(), "cat": "thread", "args": {"by": rec.src}}
        else:
            continue
        ev.update({"ph": "i", "s": "t" if tid else "g", "pid": PID, "tid": tid,
                   "ts": round(trace.us(rec.ts) * 1000) / 1000})
        events.append(ev)
    events.extend(_place(spans, trace))
    tids = {e["tid"] for e in events}
    meta = [{"ph": "M", "name": "process_name", "pid": PID, "tid": 0, "args": {"name": "Faultline"}}]
    for tid in sorted(tids):
        base, extra = tid % EXTRA_TRACK, tid // EXTRA_TRACK
        name = f"thread {base}" if base else "kernel"
        roles = flow.roles.get(base)
        if roles:
            name += f" ({', '.join(sorted(roles))})"
        if extra:
            name += f" [overlapping {extra}]"
        meta.append({"ph": "M", "name": "thread_name", "pid": PID, "tid": tid, "args": {"name": name}})
        meta.append({"ph": "M", "name": "thread_sort_index", "pid": PID, "tid": tid, "args": {"sort_index": tid}})
    events.sort(key=lambda e: (e["tid"], e["ts"], -e.get("dur", 0)))
    return {"traceEvents": meta + events, "displayTimeUnit": "ns",
            "otherData": {"source": "Faultline IPC log", "cpus": trace.cpus, "counter_hz": trace.freq}}


def _place(spans, trace):
    """X events for spans, each on its thread's track or an extra one where it would cross."""
    out = []
    by_tid = {}
    for s in spans:
        by_tid.setdefault(s["tid"], []).append(s)
    for tid, ss in by_tid.items():
        ss.sort(key=lambda s: (s["start"], -s["end"]))
        stacks = []  # per track: stack of end times of open spans
        for s in ss:
            for k, stack in enumerate(stacks + [[]]):
                while stack and stack[-1] <= s["start"]:
                    stack.pop()
                if not stack or s["end"] <= stack[-1]:
                    if k == len(stacks):
                        stacks.append(stack)
                    stack.append(s["end"])
                    track = tid + k * EXTRA_TRACK
                    break
            # Whole nanoseconds, so that touching spans touch exactly.
            start, end = round(trace.us(s["start"]) * 1000), round(trace.us(s["end"]) * 1000)
            out.append({"ph": "X", "name": s["name"], "cat": s["cat"], "pid": PID, "tid": track, "ts": start / 1000,
                        "dur": max(0, end - start) / 1000, "args": s["args"]})
    return out
