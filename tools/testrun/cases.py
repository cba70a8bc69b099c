"""What an in-QEMU test suite hands the test runner: cases, and their context.

A suite is a file named qemu_suite.py under test/*/ or boards/*/ with a
function `cases(ctx)` returning a list of `Case`. The runner schedules cases
on the machine's cores (a case that boots N CPUs occupies min(N, cores)
slots), calls `case.run(ctx, case)`, and prints its results. `run` returns
one `harness.Result` or a list of them (a test-server boot yields one per
in-system test); a `machine.MissingImage` it raises becomes a failure saying
the image must be built first, any other exception a failure naming it.
"""

import dataclasses
import os
import re


@dataclasses.dataclass
class Case:
    name: str
    run: object  # callable(ctx, case) -> Result | list[Result]
    cpus: int = 1  # host cores it keeps busy (TCG runs one thread per vCPU)
    quick: bool = False  # part of `test --quick`
    timeout: float = 60.0  # seconds; the case passes it to the harness


@dataclasses.dataclass
class Context:
    repo: str
    build: str
    quick: bool = False
    soak: float = 0.0  # seconds of --soak (0: none); suites may use it
    round: int = 1  # soak round (1 for the first pass)

    @property
    def log_dir(self):
        return os.path.join(self.build, "logs", "test")

    def log_path(self, name, suffix=".log"):
        """The log file for a test (or one of its helper files) this round."""
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        if self.round > 1:
            safe += "#%d" % self.round
        return os.path.join(self.log_dir, safe + suffix)
