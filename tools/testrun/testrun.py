#!/usr/bin/python3
"""Run every Faultline test and print one line per test, then the totals.

    testrun.py --build DIR [--quick] [-k REGEX] [--soak SECONDS] [--jobs N]

First the host tests (ctest in DIR), then the in-QEMU suites: every
test/*/qemu_suite.py and boards/*/qemu_suite.py (see cases.py for what a
suite provides). Output, one line per test:

    PASS name (1.2s)
    FAIL name: reason (log: path)
    SKIP name: reason

and at the end exactly `N passed, N failed` (with `, N skipped` if any) on
its own line. Exit status 0 only if nothing failed.

-k REGEX keeps the tests whose name it matches (re.search; host tests are
named host.<ctest name>). --quick keeps the in-QEMU cases marked quick.
--soak SECONDS repeats the in-QEMU cases in rounds until that much time has
passed (repeats are named name#2, name#3, ...); suites see ctx.soak.
"""

import argparse
import glob
import importlib.util
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tools", "qemu"))

import harness  # noqa: E402
import machine  # noqa: E402
from cases import Context  # noqa: E402

CTEST_DEFAULT_TIMEOUT = 600  # seconds
SUITE_GLOBS = ("test/*/qemu_suite.py", "boards/*/qemu_suite.py")


class Reporter:
    """Prints results as they come and counts them. Thread-safe."""

    def __init__(self, out=sys.stdout):
        self.out = out
        self.lock = threading.Lock()
        self.counts = {"pass": 0, "fail": 0, "skip": 0}

    def report(self, r):
        with self.lock:
            self.counts[r.status] += 1
            if r.status == "pass":
                line = "PASS %s (%.1fs)" % (r.name, r.seconds)
            elif r.status == "skip":
                line = "SKIP %s: %s" % (r.name, r.reason)
            else:
                line = "FAIL %s: %s" % (r.name, r.reason or "failed")
                if r.log:
                    line += " (log: %s)" % os.path.relpath(r.log)
            print(line, file=self.out, flush=True)

    def summary(self):
        c = self.counts
        line = "%d passed, %d failed" % (c["pass"], c["fail"])
        if c["skip"]:
            line += ", %d skipped" % c["skip"]
        return line


# One finished test in ctest's progress output, e.g.
#  " 3/50 Test  #3: dtb.smp2 ......................***Failed    0.02 sec"
CTEST_LINE = re.compile(r"^\s*\d+/\d+ Test\s+#\d+: (\S+) \.*\s*(?:\*\*\*)?(.*?)(?:\s+([\d.]+) sec)?$")


def ctest_result(name, status, seconds, log):
    """A Result from ctest's status word(s) for one test."""
    if status == "Passed":
        return harness.Result("host." + name, "pass", "", log, seconds)
    # "Not Run" means ctest could not start it (a missing executable): a failure.
    if status in ("Skipped", "Disabled"):
        return harness.Result("host." + name, "skip", "ctest: " + status, log, seconds)
    return harness.Result("host." + name, "fail", "ctest: %s; output in the log" % status, log,
                          seconds)


def host_tests(build, pattern, jobs, reporter):
    """Run the ctest tests whose host.<name> matches `pattern`; report each
    as ctest finishes it."""
    listing = subprocess.run(["ctest", "--test-dir", build, "--show-only=json-v1"],
                             capture_output=True, text=True)
    if listing.returncode != 0:
        reporter.report(harness.Result("host", "fail", "ctest cannot list the tests: "
                                       + listing.stderr.strip()[:200]))
        return
    names = [t["name"] for t in json.loads(listing.stdout).get("tests", [])]
    if pattern is not None:
        names = [n for n in names if re.search(pattern, "host." + n)]
    if not names:
        return
    logs = os.path.join(build, "logs")
    os.makedirs(logs, exist_ok=True)
    log = os.path.join(logs, "ctest.log")
    # A test without its own TIMEOUT property gets CTEST_DEFAULT_TIMEOUT, not
    # ctest's 25 minutes: a hung host test must not stall the whole run.
    argv = ["ctest", "--test-dir", build, "-j", str(jobs), "--output-on-failure",
            "--timeout", str(CTEST_DEFAULT_TIMEOUT)]
    if pattern is not None:
        argv += ["-R", "^(%s)$" % "|".join(re.escape(n) for n in names)]
    seen = set()
    with open(log, "w") as f:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                errors="replace")
        try:
            for line in proc.stdout:
                f.write(line)
                m = CTEST_LINE.match(line.rstrip("\n"))
                if m and m.group(1) in names and m.group(1) not in seen:
                    seen.add(m.group(1))
                    reporter.report(ctest_result(m.group(1), m.group(2).strip(),
                                                 float(m.group(3) or 0), log))
        finally:
            proc.stdout.close()
            proc.wait()
    for name in names:
        if name not in seen:
            reporter.report(harness.Result("host." + name, "fail", "no result from ctest", log))


def load_suites(root):
    """Import every qemu_suite.py under `root`; returns [(suite path, module)]."""
    suites = []
    for pattern in SUITE_GLOBS:
        for path in sorted(glob.glob(os.path.join(root, pattern))):
            rel = os.path.relpath(path, root)
            name = "suite_" + re.sub(r"\W", "_", os.path.dirname(rel))
            sys.path.insert(0, os.path.dirname(path))
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            suites.append((rel, module))
    return suites


class Slots:
    """Host cores as a counted resource: a case takes `n` at once or waits."""

    def __init__(self, total):
        self.free = total
        self.cond = threading.Condition()

    def take(self, n):
        with self.cond:
            self.cond.wait_for(lambda: self.free >= n)
            self.free -= n

    def give(self, n):
        with self.cond:
            self.free += n
            self.cond.notify_all()


def run_case(ctx, case, slots, cores, reporter, rename):
    """Run one case on its share of the cores and report its results."""
    need = max(1, min(case.cpus, cores))
    slots.take(need)
    start = time.monotonic()
    try:
        out = case.run(ctx, case)
        results = out if isinstance(out, list) else [out]
    except machine.MissingImage as e:
        results = [harness.Result(case.name, "fail", str(e))]
    except Exception as e:  # a broken suite is a failed test, not a crash
        log = ctx.log_path(case.name, ".error.log")
        os.makedirs(os.path.dirname(log), exist_ok=True)
        with open(log, "w") as f:
            traceback.print_exc(file=f)
        results = [harness.Result(case.name, "fail", "%s: %s" % (type(e).__name__, e), log)]
    finally:
        slots.give(need)
    if harness.stopping():
        return  # interrupted: its QEMU was killed, so its verdict means nothing
    for r in results:
        if not r.seconds:
            r.seconds = time.monotonic() - start
        r.name = rename(r.name)
        reporter.report(r)


def qemu_tests(ctx, pattern, jobs, reporter, root=REPO):
    """Run the in-QEMU cases, in soak rounds if asked; report each result."""
    try:
        suites = load_suites(root)
    except Exception as e:
        reporter.report(harness.Result("suites", "fail", "cannot load a suite: %s" % e))
        return
    all_cases = []
    for rel, module in suites:
        for case in module.cases(ctx):
            if ctx.quick and not case.quick:
                continue
            if pattern is not None and not re.search(pattern, case.name):
                continue
            all_cases.append(case)
    if not all_cases:
        return
    slots = Slots(jobs)
    start = time.monotonic()
    while True:
        suffix = "" if ctx.round == 1 else "#%d" % ctx.round
        pool = ThreadPoolExecutor(max_workers=jobs)
        try:
            futures = [pool.submit(run_case, ctx, c, slots, jobs, reporter,
                                   lambda n, s=suffix: n + s) for c in all_cases]
            for f in futures:
                f.result()
        except BaseException:
            # Ctrl-C or SIGTERM: kill the running QEMUs (their run() calls
            # then return at once) and start no more cases.
            pool.shutdown(wait=False, cancel_futures=True)
            harness.stop_all()
            raise
        pool.shutdown()
        if not ctx.soak or time.monotonic() - start >= ctx.soak:
            break
        ctx.round += 1


def main(argv):
    ap = argparse.ArgumentParser(prog="faultline test", description="Run every Faultline test.")
    ap.add_argument("--build", default="build", help="build directory (default: build)")
    ap.add_argument("--quick", action="store_true", help="only the quick in-QEMU cases")
    ap.add_argument("-k", dest="pattern", metavar="REGEX", help="only tests whose name matches")
    ap.add_argument("--soak", type=float, default=0.0, metavar="SECONDS",
                    help="repeat the in-QEMU cases for this long")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="host cores to use (default: all)")
    # For the runner's own tests: where to look for suites instead of the repo.
    ap.add_argument("--suite-root", default=REPO, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.jobs < 1:
        ap.error("--jobs must be at least 1")
    if args.pattern is not None:
        try:
            re.compile(args.pattern)
        except re.error as e:
            ap.error("-k: bad regular expression: %s" % e)
    build = os.path.abspath(args.build)
    if not os.path.isfile(os.path.join(build, "CTestTestfile.cmake")):
        print("faultline test: %s is not a configured build tree: build it first" % build,
              file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    reporter = Reporter()
    ctx = Context(repo=REPO, build=build, quick=args.quick, soak=args.soak)
    try:
        host_tests(build, args.pattern, args.jobs, reporter)
        qemu_tests(ctx, args.pattern, args.jobs, reporter, args.suite_root)
    except (KeyboardInterrupt, SystemExit):
        harness.stop_all()
        print("faultline test: interrupted; every QEMU stopped", file=sys.stderr)
        print(reporter.summary())
        return 130
    finally:
        harness.stop_all()
    print(reporter.summary())
    return 0 if reporter.counts["fail"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
