"""A checker of fltrace's per-fault breakdown, independent of the writer,
for what docs/tracing.md's walk-through relies on: a fault was received and
replied by the same handler (or by the pager thread it handed the fault to:
a swap I/O thread, docs/swap.md) and its thread resumed; among the handler's
steps a successful mapping at the faulting page (after swapd.swap_in's call
and its ok reply, for a swap-in); times that never go back, in the data
(`complete`) and in the .faults.txt text (`text_in_order`). Both return ""
when all is there, else what is missing. Used by the pytest suite on
recorded pager runs and by test/trace/qemu_suite.py on fresh ones."""
import re

STEP_TIME = re.compile(r"^\s*\+([0-9.]+) us\s+(.*)$")
MAP = re.compile(r"^(vspace_map_range|vspace_map_copy|frame_map)\(va=(0x[0-9a-f]+)[,)]")
# The fault reply itself mapped the page (FL_FAULT_REPLY_MAP, names.py).
REPLY_MAPPED = "page mapped by the reply, resumed"


def maps_page(step, address):
    """Whether the step is a successful mapping at address's page."""
    m = MAP.match(step.text)
    return (step.what == "invoked" and m is not None and step.text.endswith("-> ok")
            and int(m.group(2), 16) == address & ~0xfff)


def complete(f, swapd=False):
    """What is missing from flow.Fault f's breakdown ("" if nothing)."""
    if f.received is None or f.replied is None:
        return "not received and replied"
    if f.outcome != "replied" or not f.resumed or \
            f.replier not in (f.handler, f.deferred_to):
        return "outcome %s, resumed %s, replier %s" % (f.outcome, f.resumed, f.replier)
    times = [f.raised, f.received] + [s.ts for s in f.steps] + [f.replied]
    if times != sorted(times):
        return "times go back: %s" % times
    maps = [i for i, s in enumerate(f.steps) if maps_page(s, f.address)]
    if not maps and f.action == REPLY_MAPPED:
        maps = [len(f.steps)]  # the mapping is the reply, after every step
    if not maps:
        return "no mapping at the faulting page among %s" % [s.text for s in f.steps]
    if swapd:
        calls = [i for i, s in enumerate(f.steps)
                 if s.what == "called" and s.text.startswith("swapd.swap_in(")]
        if not calls:
            return "no call to swapd.swap_in"
        replies = [i for i in range(calls[0] + 1, len(f.steps)) if f.steps[i].what == "replied"]
        if not replies or not f.steps[replies[0]].text.endswith(": ok()") or replies[0] > maps[-1]:
            return "no ok reply from swapd before the mapping"
    return ""


def fault_block(text, number):
    """The step lines of fault `number` in the text of a .faults.txt file."""
    block = text.split("fault %d: " % number, 1)[1]
    return block.split("\nfault ", 1)[0].splitlines()[1:]


def text_in_order(text, number, swapd=False):
    """What is missing from the text breakdown of fault `number` ("" if
    nothing): every step named, in order, at times that never go back."""
    lines = fault_block(text, number)
    steps = [STEP_TIME.match(line) for line in lines]
    if not all(steps):
        return "unreadable step lines: %s" % lines
    whats = []
    for m in steps:
        words = m.group(2).split()
        whats.append(" ".join(words[:2]) if words[0] in ("pager", "thread") else words[0])
    times = [float(m.group(1)) for m in steps]
    want = ["delivered", "pager received"] + (["called", "replied"] if swapd else []) + \
        (["invoked"] if "page mapped by the reply" not in "\n".join(lines) else []) + \
        ["pager replied", "thread resumed"]
    i = 0
    for w in want:
        while i < len(whats) and whats[i] != w:
            i += 1
        if i == len(whats):
            return "step %r missing or out of order in %s" % (w, whats)
    if times != sorted(times):
        return "times go back: %s" % times
    return ""
