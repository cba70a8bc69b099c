"""Faultline's console contract: what the kernel prints on its UART, as data.

The kernel's console lines are the only interface the in-QEMU tests have, so
every pattern lives here once and the harness, the boot-matrix tests and the
test-server runner all read the same `Transcript`. The contract:

    Faultline <version> on <model>        the banner, once
    cpu N online[ ...]                    once per CPU, N = 0..ncpus-1
    all N cpus idle                       every CPU reached the idle loop
    cpu N: ticks ok                       with bootarg kernel.tickcheck
    DTB: ...                              a DTB that cannot be read
    KERNEL PANIC...                       first line of every panic report
    RUN name / PASS name / FAIL name: why the in-system test server
    N passed, N failed                    its summary; then SYSTEM_OFF
"""

import re

BANNER = re.compile(r"^Faultline (\S+) on (.+)$")
CPU_ONLINE = re.compile(r"^cpu (\d+) online(?: .*)?$")
ALL_IDLE = re.compile(r"^all (\d+) cpus idle$")
TICKS_OK = re.compile(r"^cpu (\d+): ticks ok$")
DTB_ERROR = re.compile(r"^DTB:")
PANIC = re.compile(r"^KERNEL PANIC")
RUN = re.compile(r"^RUN (\S+)$")
PASS = re.compile(r"^PASS (\S+)$")
FAIL = re.compile(r"^FAIL (\S+): (.*)$")
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$")


def clean(raw):
    """Turn one raw console line (bytes or str) into text without line ending.

    The PL011 sends CR LF; U-Boot and the kernel may send stray CRs and
    bytes that are not UTF-8 (garbage before a UART is set up), which must
    not stop the parse."""
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", errors="replace")
    return raw.replace("\r", "").rstrip("\n").rstrip()


class Transcript:
    """Everything recognised so far on one console, fed one line at a time.

    Fields (all public, read by tests):
      lines        every cleaned line, in order
      banner       (version, model) of the first banner, or None
      banners      how many banners were printed (a reboot prints two)
      online       list of CPU numbers in the order their `online` lines came
      all_idle     N from `all N cpus idle`, or None
      ticks_ok     set of CPU numbers that reported `ticks ok`
      dtb_errors   the `DTB:` lines
      panic_at     index into `lines` of the first `KERNEL PANIC`, or None
      results      test name -> ("pass", "") / ("fail", reason), in order
      started      test names in the order of their `RUN` lines
      summary      (passed, failed) from the summary line, or None
    """

    def __init__(self):
        self.lines = []
        self.banner = None
        self.banners = 0
        self.online = []
        self.all_idle = None
        self.ticks_ok = set()
        self.dtb_errors = []
        self.panic_at = None
        self.results = {}
        self.started = []
        self.summary = None

    def feed(self, raw):
        """Record one console line; returns the cleaned text."""
        line = clean(raw)
        self.lines.append(line)
        m = BANNER.match(line)
        if m:
            self.banners += 1
            if self.banner is None:
                self.banner = (m.group(1), m.group(2))
            return line
        m = CPU_ONLINE.match(line)
        if m:
            self.online.append(int(m.group(1)))
            return line
        m = ALL_IDLE.match(line)
        if m:
            self.all_idle = int(m.group(1))
            return line
        m = TICKS_OK.match(line)
        if m:
            self.ticks_ok.add(int(m.group(1)))
            return line
        if DTB_ERROR.match(line):
            self.dtb_errors.append(line)
            return line
        if PANIC.match(line):
            if self.panic_at is None:
                self.panic_at = len(self.lines) - 1
            return line
        m = RUN.match(line)
        if m:
            self.started.append(m.group(1))
            return line
        m = PASS.match(line)
        if m:
            self.results[m.group(1)] = ("pass", "")
            return line
        m = FAIL.match(line)
        if m:
            self.results[m.group(1)] = ("fail", m.group(2))
            return line
        m = SUMMARY.match(line)
        if m:
            self.summary = (int(m.group(1)), int(m.group(2)))
        return line

    @property
    def panicked(self):
        return self.panic_at is not None

    def running_test(self):
        """The test that was running: the last `RUN name` without a result."""
        for name in reversed(self.started):
            if name not in self.results:
                return name
        return None

    def panic_report(self, max_lines=40):
        """The panic report: the `KERNEL PANIC` line and what followed it."""
        if self.panic_at is None:
            return []
        return self.lines[self.panic_at : self.panic_at + max_lines]

    def boot_problems(self, ncpus):
        """What is missing or wrong for a complete boot of `ncpus` CPUs.

        A complete boot is: one banner, `cpu N online` exactly once for each
        N in 0..ncpus-1 and for no other N, and `all ncpus cpus idle`. Returns
        a list of short sentences, empty when the boot was complete."""
        problems = []
        if self.banner is None:
            problems.append("no banner")
        elif self.banners > 1:
            problems.append("banner printed %d times (the kernel restarted)" % self.banners)
        want = list(range(ncpus))
        missing = [n for n in want if n not in self.online]
        if missing:
            problems.append("no 'cpu N online' for cpu %s" % ", ".join(map(str, missing)))
        extra = sorted(set(n for n in self.online if n not in want))
        if extra:
            problems.append("unexpected cpu %s online" % ", ".join(map(str, extra)))
        twice = sorted(set(n for n in self.online if self.online.count(n) > 1))
        if twice:
            problems.append("cpu %s online more than once" % ", ".join(map(str, twice)))
        if self.all_idle is None:
            problems.append("no 'all %d cpus idle'" % ncpus)
        elif self.all_idle != ncpus:
            problems.append("'all %d cpus idle', expected %d" % (self.all_idle, ncpus))
        return problems

    def boot_complete(self, ncpus):
        """True once the console shows a complete boot of `ncpus` CPUs."""
        return not self.boot_problems(ncpus)
