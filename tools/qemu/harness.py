"""Run one QEMU (or any console process), read its console, always stop it.

`run()` starts the command in its own process group with stdin from
/dev/null, reads its output line by line into a `console.Transcript`, keeps a
full log file, and stops when the caller's condition holds, when the kernel
panics (after a short grace period so the whole report is captured), when the
process exits by itself, or when the time limit is reached. Whatever happens
(normal end, exception, Ctrl-C in the caller) the whole process group is
killed before `run()` returns or raises.

`server_results()` turns the console of an in-system test-server run into one
`Result` per test, naming the running test on a hang or a panic.
"""

import dataclasses
import os
import selectors
import shlex
import signal
import subprocess
import sys
import threading
import time

from console import Transcript

# Process groups started by run() and not yet stopped; stop_all() kills them
# (the test runner calls it on Ctrl-C, since QEMUs in worker threads run in
# their own sessions and never see the terminal's SIGINT).
_live_lock = threading.Lock()
_live = set()
_stopping = False  # set by stop_all(): no new run() may start


@dataclasses.dataclass
class Result:
    """The outcome of one named test, as the test runner prints it."""

    name: str
    status: str  # "pass", "fail" or "skip"
    reason: str = ""
    log: str = ""
    seconds: float = 0.0


@dataclasses.dataclass
class Run:
    """What happened in one run() call.

    reason is one of:
      "stopped"  the caller's `until` condition held
      "exited"   the process exited by itself (exit_code says how)
      "timeout"  the time limit was reached first
      "panic"    the console printed KERNEL PANIC (then grace, then stop)
    """

    command: list
    log_path: str
    transcript: Transcript
    reason: str = ""
    exit_code: int = None
    seconds: float = 0.0
    timeout: float = 0.0

    def describe(self):
        """One line saying how the run ended, for failure messages."""
        t = self.transcript
        if self.reason == "panic":
            report = t.panic_report(2)
            return "kernel panic: " + " / ".join(report)
        if self.reason == "timeout":
            last = next((l for l in reversed(t.lines) if l), "")
            return "no result within %gs (last line: %r)" % (self.timeout, last[:80])
        if self.reason == "exited":
            return "QEMU exited with status %s" % self.exit_code
        return "stopped"


def _kill_group(proc, grace=3.0):
    """Stop proc's whole process group: SIGTERM, then SIGKILL after grace.

    Caller must have started proc with start_new_session=True, so the group
    id is proc.pid and no process outside the run is signalled."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=grace)
            # The leader is gone; make sure nothing it started survives.
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            break
        except subprocess.TimeoutExpired:
            continue
    if proc.poll() is None:
        proc.wait()
    with _live_lock:
        _live.discard(proc)


def stop_all():
    """Kill every process group run() started that is still running, and
    make every later run() call raise KeyboardInterrupt without starting
    anything (the caller is shutting down)."""
    global _stopping
    with _live_lock:
        _stopping = True
        procs = list(_live)
    for proc in procs:
        _kill_group(proc, grace=1.0)


def stopping():
    """True once stop_all() was called: results from now on are not real."""
    return _stopping


def run(command, log_path, timeout, until=None, echo=None, panic_grace=2.0, settle=0.0,
        env=None):
    """Run `command`, read its console until done, and always stop it.

    until: called with the Transcript after each line; True ends the run
      (reason "stopped") after `settle` more seconds of reading, so that
      trouble right after success (a panic on the first tick) is seen.
      None means: run until exit, panic or timeout.
    echo: called with each raw chunk of output as it arrives (for a user
      watching the console), or None.
    timeout: seconds from start; None means no limit.
    Returns a Run. The log file gets the command line, then every byte.
    """
    os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)
    transcript = Transcript()
    result = Run(command=list(command), log_path=log_path, transcript=transcript,
                 timeout=timeout or 0.0)
    start = time.monotonic()
    deadline = None if timeout is None else start + timeout
    panic_deadline = None
    settle_deadline = None
    with open(log_path, "wb") as log:
        log.write(("# " + shlex.join(command) + "\n").encode())
        log.flush()
        proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True, env=env)
        with _live_lock:
            _live.add(proc)
            stopping = _stopping
        try:
            if stopping:
                raise KeyboardInterrupt("harness is stopping")
            fd = proc.stdout.fileno()
            os.set_blocking(fd, False)
            sel = selectors.DefaultSelector()
            sel.register(fd, selectors.EVENT_READ)
            pending = b""
            while True:
                now = time.monotonic()
                limits = [d for d in (deadline, panic_deadline, settle_deadline)
                          if d is not None]
                if limits and now >= min(limits):
                    if transcript.panicked:
                        result.reason = "panic"
                    elif settle_deadline is not None and now >= settle_deadline:
                        result.reason = "stopped"
                    else:
                        result.reason = "timeout"
                    break
                wait = min(limits) - now if limits else None
                if not sel.select(wait):
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    if pending:
                        transcript.feed(pending)
                    result.exit_code = proc.wait()
                    result.reason = "panic" if transcript.panicked else "exited"
                    break
                log.write(chunk)
                log.flush()
                if echo:
                    echo(chunk)
                pending += chunk
                *complete, pending = pending.split(b"\n")
                for raw in complete:
                    transcript.feed(raw)
                    if transcript.panicked and panic_deadline is None:
                        panic_deadline = time.monotonic() + panic_grace
                    if (settle_deadline is None and not transcript.panicked
                            and until is not None and until(transcript)):
                        settle_deadline = time.monotonic() + settle
            sel.close()
        finally:
            _kill_group(proc)
            proc.stdout.close()
            result.seconds = time.monotonic() - start
            log.write(("\n# end: %s after %.1fs\n" % (result.reason or "interrupted",
                                                       result.seconds)).encode())
    return result


def server_results(run_, suite):
    """One Result per in-system test from a test-server run's console.

    Tests with PASS/FAIL lines get them. If the run ended in a panic or a
    hang, the test that was running (the last RUN without a result) fails
    with that reason; if no test was running, a result named `suite` fails.
    A run that ends without the summary line, or whose summary disagrees with
    the lines seen, also fails under `suite`."""
    t = run_.transcript
    out = []
    for name, (status, reason) in t.results.items():
        out.append(Result(name, status, reason, run_.log_path))
    running = t.running_test()
    if run_.reason in ("panic", "timeout"):
        why = run_.describe()
        if running is not None:
            out.append(Result(running, "fail", why, run_.log_path))
        else:
            after = (" after test " + t.started[-1]) if t.started else " before any test"
            out.append(Result(suite, "fail", why + after, run_.log_path))
        return out
    if t.summary is None:
        after = (" after test " + t.started[-1]) if t.started else ""
        out.append(Result(suite, "fail", "no summary line: %s%s" % (run_.describe(), after),
                          run_.log_path))
        return out
    if running is not None:
        out.append(Result(running, "fail", "started but never reported a result",
                          run_.log_path))
    passed = sum(1 for s, _ in t.results.values() if s == "pass")
    failed = sum(1 for s, _ in t.results.values() if s == "fail")
    if t.summary != (passed, failed):
        out.append(Result(suite, "fail",
                          "summary says %d passed, %d failed but the console shows %d, %d"
                          % (t.summary + (passed, failed)), run_.log_path))
    return out
