"""The test runner: one line per test, the exact summary line, exit status,
filters, core slots and soak rounds. Runs testrun.py on a hand-made ctest
tree and a suite folder made for each test."""

import os
import subprocess
import sys
import textwrap

TESTRUN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "testrun.py")

SUITE = textwrap.dedent('''
    import os, threading, time
    import harness, machine
    from cases import Case

    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def busy(ctx, case):
        need = min(case.cpus, 2)  # the slots the runner gives it with --jobs 2
        with lock:
            state["now"] += need
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.3)
        with lock:
            state["now"] -= need
        with open(os.path.join(ctx.build, "peak"), "a") as f:
            f.write("%d\\n" % state["max"])
        return harness.Result(case.name, "pass")

    def fails(ctx, case):
        return harness.Result(case.name, "fail", "expected 2 cpus, saw 1", "/tmp/x.log")

    def missing(ctx, case):
        machine.kernel_image(ctx.build)

    def broken(ctx, case):
        raise RuntimeError("suite bug")

    def server(ctx, case):
        return [harness.Result("srv.a", "pass"), harness.Result("srv.b", "skip", "no rpi4")]

    def cases(ctx):
        return [Case("t.busy1", busy, cpus=1, quick=True), Case("t.busy4", busy, cpus=4),
                Case("t.busy2", busy, cpus=2), Case("t.fails", fails),
                Case("t.missing", missing), Case("t.broken", broken),
                Case("t.server", server, quick=True)]
''')


def make_tree(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    (build / "CTestTestfile.cmake").write_text(
        'add_test(ok "/bin/true")\nadd_test(bad "/bin/false")\n'
        'add_test(skipper "/bin/sh" "-c" "exit 77")\n'
        'set_tests_properties(skipper PROPERTIES SKIP_RETURN_CODE 77)\n'
        'add_test(gone "/nonexistent/test")\n')
    suite = tmp_path / "repo" / "test" / "fake"
    suite.mkdir(parents=True)
    (suite / "qemu_suite.py").write_text(SUITE)
    return build, tmp_path / "repo"


def run_testrun(build, root, *args):
    p = subprocess.run([sys.executable, TESTRUN, "--build", str(build), "--suite-root", str(root),
                        "--jobs", "2"] + list(args), capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    return p.returncode, p.stdout.splitlines()


def test_every_test_gets_a_line_and_the_summary_is_exact(tmp_path):
    build, root = make_tree(tmp_path)
    code, lines = run_testrun(build, root)
    assert code == 1
    assert lines[-1] == "5 passed, 5 failed, 2 skipped"
    by_name = {l.split(":")[0].split(" (")[0].split(" ", 1)[1]: l for l in lines[:-1]}
    assert by_name["host.ok"].startswith("PASS host.ok (")
    assert by_name["host.bad"].startswith("FAIL host.bad: ctest: Failed")
    assert by_name["host.gone"].startswith("FAIL host.gone: ctest: Not Run")
    assert by_name["host.skipper"].startswith("SKIP host.skipper: ctest: Skipped")
    assert by_name["t.fails"].startswith("FAIL t.fails: expected 2 cpus, saw 1 (log: ")
    assert "kernel image not found: build it first" in by_name["t.missing"]
    assert "RuntimeError: suite bug" in by_name["t.broken"]
    assert by_name["srv.b"] == "SKIP srv.b: no rpi4"
    assert len(lines) == 13


def test_cases_never_use_more_cores_than_allowed(tmp_path):
    build, root = make_tree(tmp_path)
    run_testrun(build, root, "-k", "busy")
    peaks = [int(x) for x in (build / "peak").read_text().split()]
    # With 2 worker threads and no slot limit, busy1 would run beside busy4
    # or busy2 (3 cores); with it, no more than 2 are ever in use.
    assert len(peaks) == 3 and max(peaks) == 2


def test_filters_select_by_name_and_quick(tmp_path):
    build, root = make_tree(tmp_path)
    code, lines = run_testrun(build, root, "-k", r"^host\.ok$|t\.server")
    assert code == 0
    assert lines[-1] == "2 passed, 0 failed, 1 skipped"
    code, lines = run_testrun(build, root, "--quick", "-k", "^t\\.|^srv")
    assert {l.split()[1].rstrip(":") for l in lines[:-1]} == {"t.busy1", "srv.a", "srv.b"}
    assert lines[-1] == "2 passed, 0 failed, 1 skipped"


def test_soak_repeats_the_qemu_cases_in_named_rounds(tmp_path):
    build, root = make_tree(tmp_path)
    code, lines = run_testrun(build, root, "-k", "busy1", "--soak", "0.5")
    names = [l.split()[1] for l in lines[:-1]]
    assert names[0] == "t.busy1" and names[1] == "t.busy1#2"
    assert code == 0


def test_an_unconfigured_build_tree_is_refused(tmp_path):
    p = subprocess.run([sys.executable, TESTRUN, "--build", str(tmp_path)], capture_output=True,
                       text=True)
    assert p.returncode == 2
    assert "is not a configured build tree: build it first" in p.stderr
