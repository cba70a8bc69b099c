"""The readable text timeline: one line per record, all CPUs merged in time order."""


def describe(rec, namer, calls_by_reply):
    """What a record says, in words (without time, CPU and kind)."""
    k = rec.kind
    if k in ("SEND", "CALL", "BLOCK_SEND", "FAULT"):
        what = namer.fault(rec) if namer.is_fault(rec.label) else namer.message(rec.label, rec.words)
        badge = f" badge={rec.badge:#x}" if rec.badge else ""
        if k == "BLOCK_SEND":
            return f"thread {rec.src} waits to send{badge}: {what}"
        return f"thread {rec.src} -> thread {rec.dst}{badge}: {what}"
    if k == "REPLY":
        call = calls_by_reply.get(id(rec))
        if call:
            return f"thread {rec.src} -> thread {rec.dst}: reply to {namer.method_name(call.rec.label)}: {call.result}"
        return f"thread {rec.src} -> thread {rec.dst}: reply label {rec.label:#x}"
    if k == "FAULT_REPLY":
        return f"thread {rec.src} answers the fault of thread {rec.dst}: {namer.fault_action(rec)}"
    if k == "BLOCK_RECV":
        return f"thread {rec.src} waits to receive"
    if k == "SIGNAL":
        woken = f", wakes thread {rec.dst}" if rec.dst else ""
        return f"notification signalled, badge {rec.badge:#x}{woken}"
    if k == "INVOKE":
        return f"thread {rec.src}: {namer.invocation(rec)}"
    if k == "RESUME":
        return f"thread {rec.dst} resumed by thread {rec.src}"
    if k == "SUSPEND":
        by = f"thread {rec.src}" if rec.src else "the kernel"
        why = f" after {namer.fault(rec)}" if namer.is_fault(rec.label) else ""
        return f"thread {rec.dst} suspended by {by}{why}"
    if k == "DESTROY":
        return f"thread {rec.dst} destroyed"
    return f"from {rec.src} to {rec.dst} label {rec.label:#x} words {[hex(w) for w in rec.words]}"


def write(out, trace, flow):
    """Write the timeline to the text stream out."""
    calls_by_reply = {id(c.reply): c for c in flow.calls if c.reply is not None}
    out.write(f"# IPC log: {len(trace.records)} records, {trace.cpus} CPUs, counter {trace.freq} Hz; "
              f"times in microseconds from the first record\n")
    for cpu in sorted(trace.dropped):
        if trace.dropped[cpu]:
            out.write(f"# CPU {cpu}: {trace.dropped[cpu]} older records were overwritten before the dump\n")
    for rec in trace.records:
        out.write(f"{trace.us(rec.ts):14.3f} cpu{rec.cpu} {rec.kind:<11} {describe(rec, flow.namer, calls_by_reply)}\n")
