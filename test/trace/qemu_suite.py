"""`./faultline run --trace` on real pager runs, as docs/tracing.md walks
through it: boot with `kernel.trace` and the test server running one test,
let the pager dump the IPC log before it powers off, decode the serial log
with tools/trace/fltrace.py, and check what a reader relies on:

- `trace.cow_smp2`: the COW test fork_parent_writes (the parent writes
  pages it shares with a live child). fltrace exits 0, its JSON passes the
  trace-event format checker (tools/trace/tests/trace_event_format.py), and
  (tools/trace/tests/breakdown_check.py) the per-fault breakdown of the parent's write-permission faults has every
  step: delivered -> pager received -> invocations ending with a mapping at
  the faulting page -> pager replied -> thread resumed, times never going
  back, in the data and in the .faults.txt text.
- `trace.swapin_smp2`: swap_trace_swapin under a 512-frame budget with a
  swap disk: some fault's breakdown also has the pager's call to
  swapd.swap_in and swapd's reply between receipt and the mapping.

Each case also reports the in-system test it ran, named `<case>/<test>`.
"""

import functools
import json
import os
import subprocess
import sys

import harness
import machine
from cases import Case

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOL = os.path.join(REPO, "tools", "trace")
TIMEOUT = 600.0
COW_MIN = 16  # of fork_parent_writes' 64 copies, complete in the log


def _fltrace():
    """fltrace's modules (the suite runs in the test runner's interpreter)."""
    for path in (TOOL, os.path.join(TOOL, "tests")):
        if path not in sys.path:
            sys.path.insert(0, path)
    from fltrace.dump import parse_log
    from fltrace.flow import Flow
    from fltrace.headers import KernelFacts
    from fltrace.names import Namer, load_irs
    import breakdown_check
    import trace_event_format
    return parse_log, Flow, KernelFacts, Namer, load_irs, trace_event_format, breakdown_check


def _traced(ctx, case, smp, test, bootargs, swap):
    """Boot with kernel.trace running `test`, decode, check. Returns Results."""
    args = "kernel.trace pager.init=testserver tests=%s %s" % (test, bootargs)
    disk = None
    if swap:
        # A disk of this case's own: the swap suite may run at the same time.
        own = os.path.join(ctx.build, "trace-" + case.name)
        os.makedirs(own, exist_ok=True)
        disk = machine.swap_disk(own)
    m = machine.Machine(kernel=machine.kernel_image(ctx.build), smp=smp, mem="512M",
                        bootargs=args.strip(), swap=disk)
    log = ctx.log_path(case.name)
    run = harness.run(m.command(ctx.log_path(case.name, ".d")), log, case.timeout,
                      until=lambda t: bool(t.lines) and t.lines[-1].startswith("FLTRACE END"),
                      settle=1.0)
    results = harness.server_results(run, case.name)
    for r in results:
        if r.name != case.name:
            r.name = "%s/%s" % (case.name, r.name)

    def result(name, why):
        results.append(harness.Result("%s/%s" % (case.name, name), "fail" if why else "pass",
                                      why, log))

    prefix = ctx.log_path(case.name, "")
    p = subprocess.run([sys.executable, os.path.join(TOOL, "fltrace.py"), log, "--out-prefix",
                        prefix, "--quiet"], capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    if p.returncode != 0:
        result("fltrace_decodes", "fltrace exited %d: %s" % (p.returncode, p.stderr.strip()[-300:]))
        return results
    result("fltrace_decodes", "")
    parse_log, Flow, KernelFacts, Namer, load_irs, trace_event_format, check = _fltrace()
    with open(prefix + ".json", encoding="utf-8") as fh:
        problems = trace_event_format.check(json.load(fh))
    result("json_trace_event_format", "; ".join(problems[:5]))

    facts = KernelFacts()
    with open(log, encoding="utf-8", errors="replace") as fh:
        trace = parse_log(fh, facts)
    flow = Flow(trace, Namer(facts, load_irs()[0]))
    if swap:
        candidates = [f for f in flow.faults if f.cls == "vm read translation"]
    else:
        candidates = [f for f in flow.faults if f.cls == "vm write permission"]
    verdicts = [(f, check.complete(f, swap)) for f in candidates]
    good = [f for f, why in verdicts if not why]
    name = "swapin_fault_breakdown" if swap else "cow_fault_breakdown"
    if not good:
        result(name, "no %s fault with every step among %d (first: %s)"
               % ("swap-in" if swap else "COW", len(candidates),
                  verdicts[0][1] if verdicts else "none in the log"))
        return results
    if not swap and len(good) < COW_MIN:
        # The parent copies 64 pages while its child holds them; a few may
        # have left the ring, a break by the last sharer remaps in place.
        bad = next(why for f, why in verdicts if why)
        result(name, "only %d of %d COW faults have every step (one: %s)"
               % (len(good), len(candidates), bad))
        return results
    number = flow.faults.index(good[-1]) + 1
    with open(prefix + ".faults.txt", encoding="utf-8") as fh:
        result(name, check.text_in_order(fh.read(), number, swap))
    return results


def cases(ctx):
    """A COW run and a swap-in run, each on two CPUs."""
    return [
        Case("trace.cow_smp2",
             functools.partial(_traced, smp=2, test="fork_parent_writes",
                               bootargs="pager.frames=3072", swap=False),
             cpus=2, timeout=TIMEOUT),
        Case("trace.swapin_smp2",
             functools.partial(_traced, smp=2, test="swap_trace_swapin",
                               bootargs="pager.frames=512 swap.slots=4096 tests.timeout=400",
                               swap=True),
             cpus=2, timeout=TIMEOUT),
    ]
