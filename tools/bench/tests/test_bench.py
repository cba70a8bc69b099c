"""The runner (bench.py) against a fake QEMU that prints a given console.

These check the runner's own logic: the exact-mode command line, reading
and checking a program's console, the repeat check, the JSON file and the
exit status. They never look at how high a figure is. The breakdown boot's
fake QEMU writes, as its execution log, the tiny log of
test_insn_profile.py, made with ELFs from the same tiny programs placed
where the build tree keeps the kernel, bench_vm and the pager."""

import json
import os
import shutil
import stat
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import bench  # noqa: E402
import benchfmt  # noqa: E402
import machine  # noqa: E402
import test_insn_profile as tiny  # noqa: E402

FAKE = """#!/usr/bin/python3
import json, os, sys
if sys.argv[1:] == ["--version"]:
    print("QEMU emulator version 0.0-fake")
    sys.exit(0)
with open(os.environ["FAKE_ARGV"], "a") as f:
    f.write(" ".join(sys.argv[1:]) + "\\n")
if "-D" in sys.argv:
    with open(sys.argv[sys.argv.index("-D") + 1], "w") as f:
        f.write(open(os.environ["FAKE_QEMU_LOG"]).read())
args = sys.argv[sys.argv.index("-append") + 1]
counts = json.load(open(os.environ["FAKE_COUNT"])) if os.path.exists(os.environ["FAKE_COUNT"]) else {}
n = counts.get(args, 0)
counts[args] = n + 1
json.dump(counts, open(os.environ["FAKE_COUNT"], "w"))
consoles = json.loads(os.environ["FAKE_CONSOLE"])[args]
sys.stdout.write(open(consoles[min(n, len(consoles) - 1)]).read())
"""

FIGS = {p.bootargs: p.figures for p in bench.PROGRAMS}
KERNEL = "kernel.root=bench"
# The tiny programs of test_insn_profile.py; the faulting one has the
# label the runner looks for at its store.
TINY = dict(tiny.SOURCES, prog=("0x400000", "a_fn",
                                "a_fn: mov x0, #1\n .global vm_zero_fill_store\n"
                                "vm_zero_fill_store: str x0, [x1]\n add x2, x2, #1\n ret\n"))
# fault_phases of the tiny log (test_insn_profile.py).
BREAKDOWN = {"fault.zero_fill.kernel_to_pager": 5, "fault.zero_fill.pager": 6,
             "fault.zero_fill.map": 3, "fault.zero_fill.reply": 2}


def console(medians, done=True, bootargs=KERNEL):
    lines = ["Faultline 0.1 on linux,dummy-virt",
             "BENCH-INFO freq=1000000000 insn_per_tick=1 overhead=2 cpus=1"]
    for name, m in zip(FIGS[bootargs], medians):
        lines.append("BENCH %s n=1000 median=%d min=%d max=%d mean=%d" % (name, m, m, m + 5, m))
    if done:
        lines.append("BENCH-DONE %d" % len(medians))
    return "\n".join(lines) + "\n"


def complete(bootargs):
    return console(range(1, len(FIGS[bootargs]) + 1), bootargs=bootargs)


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """A build tree with a kernel image, the tiny ELFs in place of the
    kernel's, bench_vm's and the pager's, and a fake QEMU that writes the
    tiny execution log; returns a setter for the consoles successive boots
    print."""
    if shutil.which("aarch64-linux-gnu-as") is None:
        pytest.skip("needs binutils-aarch64-linux-gnu")
    images = tmp_path / "build" / "target" / "images"
    images.mkdir(parents=True)
    (images / "faultline.Image").write_bytes(b"\0" * 64)
    elfs = tiny.build(tmp_path, TINY)
    monkeypatch.setenv("FAKE_QEMU_LOG", tiny.write_log(tmp_path, elfs))
    wanted = bench.profile_elfs(str(tmp_path / "build"))
    for ours, theirs in (("kernel", "kernel"), ("prog", "bench_vm"), ("pager", "pager")):
        os.makedirs(os.path.dirname(wanted[theirs]), exist_ok=True)
        shutil.copy(str(tmp_path / (ours + ".elf")), wanted[theirs])
    # The tiny log: two faults, and the store runs once per fault (and once
    # to close the last window).
    monkeypatch.setattr(bench, "PROFILE_NTH", 1)
    qemu = tmp_path / "fake-qemu"
    qemu.write_text(FAKE)
    qemu.chmod(qemu.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(machine, "QEMU", str(qemu))
    monkeypatch.setenv("FAKE_ARGV", str(tmp_path / "argv"))
    monkeypatch.setenv("FAKE_COUNT", str(tmp_path / "count"))

    def consoles(*texts, **others):
        """Consoles of successive kernel boots; others: bootargs -> consoles
        (default: a complete console for every other program)."""
        table = {p.bootargs: [complete(p.bootargs)] for p in bench.PROGRAMS}
        table[KERNEL] = list(texts)
        table.update(others)
        files = {}
        for args, contents in table.items():
            files[args] = []
            for i, t in enumerate(contents):
                p = tmp_path / ("console-%d-%d" % (len(files), i))
                p.write_text(t)
                files[args].append(str(p))
        monkeypatch.setenv("FAKE_CONSOLE", json.dumps(files))
    return consoles


def test_boots_in_exact_mode_with_a_1ghz_counter(tmp_path, fake):
    fake(console([630, 630, 1664, 1092, 1360]))
    assert bench.main(["--build", str(tmp_path / "build")]) == 0
    argv = (tmp_path / "argv").read_text()
    assert "-icount shift=0,sleep=off" in argv
    assert "-rtc clock=vm" in argv
    assert "dtb-randomness=off" in argv
    assert "-cpu cortex-a72,cntfrq=1000000000" in argv
    assert "-smp 1" in argv
    assert "-append kernel.root=bench" in argv
    assert "-append pager.init=bench_vm" in argv


def test_writes_the_table_and_a_json_file_with_metadata(tmp_path, fake, capsys):
    fake(console([630, 630, 1664, 1092, 1360]))
    out = tmp_path / "r.json"
    assert bench.main(["--build", str(tmp_path / "build"), "--out", str(out)]) == 0
    doc = benchfmt.load_json(str(out))
    assert doc["qemu"] == "QEMU emulator version 0.0-fake"
    assert doc["cpu"] == "cortex-a72" and doc["board"] == "qemu-virt"
    assert doc["commit"] and "dirty" in doc
    assert doc["figures"]["ipc.call.64w"]["median"] == 1664
    assert doc["figures"]["ipc.call.64w"]["max"] == 1669
    assert doc["counter"]["bench"]["freq"] == 1000000000
    text = capsys.readouterr().out
    assert any(l.split()[:2] == ["ipc.call.cap1", "1092"] for l in text.splitlines())


def test_default_results_file_is_in_the_build_tree(tmp_path, fake):
    fake(console([1, 2, 3, 4, 5]))
    assert bench.main(["--build", str(tmp_path / "build")]) == 0
    assert json.loads((tmp_path / "build" / "bench.json").read_text())["figures"]


def test_high_figures_are_not_a_failure(tmp_path, fake):
    fake(console([10 ** 9] * 5))
    assert bench.main(["--build", str(tmp_path / "build")]) == 0


def test_a_program_that_does_not_finish_is_a_failure(tmp_path, fake, capsys):
    fake(console([630, 630], done=False))
    assert bench.main(["--build", str(tmp_path / "build")]) == 1
    assert "no BENCH-DONE line" in capsys.readouterr().err


def test_a_program_that_omits_a_figure_is_a_failure(tmp_path, fake, capsys):
    fake(console([630, 630, 1664]))
    assert bench.main(["--build", str(tmp_path / "build")]) == 1
    assert "missing figures: ipc.call.cap1, notification.roundtrip" in capsys.readouterr().err


def test_a_malformed_console_is_a_failure_naming_the_line(tmp_path, fake, capsys):
    fake(console([630] * 5).replace("median=630", "median=x", 1))
    assert bench.main(["--build", str(tmp_path / "build")]) == 1
    assert "median='x' is not a whole number" in capsys.readouterr().err


def test_repeat_passes_when_every_run_agrees(tmp_path, fake, capsys):
    fake(console([630, 630, 1664, 1092, 1360]))
    assert bench.main(["--build", str(tmp_path / "build"), "--repeat", "3"]) == 0
    assert json.loads((tmp_path / "count").read_text()) == {p.bootargs: 3 for p in bench.PROGRAMS}
    assert "identical over 3 runs" in capsys.readouterr().out


def test_repeat_fails_when_a_run_differs(tmp_path, fake, capsys):
    fake(console([630, 630, 1664, 1092, 1360]), console([630, 631, 1664, 1092, 1360]))
    assert bench.main(["--build", str(tmp_path / "build"), "--repeat", "2"]) == 1
    err = capsys.readouterr().err
    assert "run 2 differs from run 1" in err and "ipc.call.4w" in err


def test_the_swap_program_gets_a_swap_disk_and_serialized_swap(tmp_path, fake):
    swap = [p for p in bench.PROGRAMS if p.label == "swap"][0]
    fake(console([630, 630, 1664, 1092, 1360]))
    assert bench.main(["--build", str(tmp_path / "build")]) == 0
    argv = [l for l in (tmp_path / "argv").read_text().splitlines() if "bench.groups=swap" in l]
    assert len(argv) == 1
    assert "serial=flswap" in argv[0]
    # The PMU's instruction counter, and no background evictor: one transfer
    # at a time, which is what makes the swap figures exact.
    assert "kernel.pmu_insns" in swap.bootargs and "pager.evictor=off" in swap.bootargs
    assert (tmp_path / "build" / "bench-swap.img").stat().st_size == bench.SWAP_DISK_BYTES


def test_repeat_fails_when_a_swap_figure_differs(tmp_path, fake, capsys):
    swap = [p for p in bench.PROGRAMS if p.label == "swap"][0]
    a = console([20000, 50000], bootargs=swap.bootargs)
    fake(console([630, 630, 1664, 1092, 1360]),
         **{swap.bootargs: [a, a.replace("mean=50000", "mean=50100")]})
    assert bench.main(["--build", str(tmp_path / "build"), "--repeat", "2"]) == 1
    err = capsys.readouterr().err
    assert "bench_vm-swap: run 2 differs from run 1" in err and "swap.sweep" in err


def test_repeat_passes_when_the_swap_figures_agree(tmp_path, fake, capsys):
    swap = [p for p in bench.PROGRAMS if p.label == "swap"][0]
    a = console([20000, 50000], bootargs=swap.bootargs)
    fake(console([630, 630, 1664, 1092, 1360]), **{swap.bootargs: [a, a]})
    assert bench.main(["--build", str(tmp_path / "build"), "--repeat", "2"]) == 0
    assert "identical over 2 runs" in capsys.readouterr().out


def test_a_missing_kernel_image_is_exit_status_2(tmp_path, capsys):
    assert bench.main(["--build", str(tmp_path / "nobuild")]) == 2
    assert "kernel image not found" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["--repeat", "0"], ["--timeout", "-1"]])
def test_bad_options_are_refused(args):
    with pytest.raises(SystemExit) as e:
        bench.parse_args(args)
    assert e.value.code == 2


def test_a_skipped_figure_is_reported_but_not_a_failure(tmp_path, fake, capsys):
    vm = [p.bootargs for p in bench.PROGRAMS if p.label == "vm"][0]
    text = complete(vm).replace("BENCH fork.64mib n=1000 median=9 min=9 max=14 mean=9",
                                "BENCH-SKIP fork.64mib: the pool is too small")
    fake(console([630, 630, 1664, 1092, 1360]), **{vm: [text]})
    out = tmp_path / "r.json"
    assert bench.main(["--build", str(tmp_path / "build"), "--out", str(out)]) == 0
    assert "fork.64mib: skipped: the pool is too small" in capsys.readouterr().out
    doc = benchfmt.load_json(str(out))
    assert doc["skipped"] == {"fork.64mib": "the pool is too small"}
    assert "fork.64mib" not in doc["figures"]


def test_figures_of_every_program_go_into_one_file(tmp_path, fake):
    fake(console([630, 630, 1664, 1092, 1360]))
    out = tmp_path / "r.json"
    assert bench.main(["--build", str(tmp_path / "build"), "--out", str(out)]) == 0
    doc = benchfmt.load_json(str(out))
    assert doc["figures"]["fault.zero_fill"]["program"] == "bench_vm"
    assert doc["figures"]["ipc.call.0w"]["program"] == "bench"
    assert set(doc["machines"]) == {"bench", "bench_vm", "bench_vm-swap", "bench_vm-profile"}
    assert doc["figures"]["swap.sweep"]["program"] == "bench_vm-swap"


def test_the_breakdown_boot_logs_every_block_of_the_zero_fill_group(tmp_path, fake):
    fake(console([630, 630, 1664, 1092, 1360]))
    assert bench.main(["--build", str(tmp_path / "build")]) == 0
    argv = [l for l in (tmp_path / "argv").read_text().splitlines()
            if "bench.groups=zero_fill" in l]
    assert len(argv) == 1
    log = str(tmp_path / "build" / "bench-profile.log")
    assert "-d in_asm,exec,nochain -D %s" % log in argv[0]
    assert "-append pager.init=bench_vm bench.groups=zero_fill pager.frames=2048" in argv[0]
    assert "-icount shift=0,sleep=off" in argv[0]
    assert "-cpu cortex-a72,cntfrq=1000000000" in argv[0]
    # The log is analysed, then deleted: it is big.
    assert not os.path.exists(log)


def test_the_breakdown_figures_are_the_fault_phases_of_the_log(tmp_path, fake, capsys):
    fake(console([630, 630, 1664, 1092, 1360]))
    out = tmp_path / "r.json"
    assert bench.main(["--build", str(tmp_path / "build"), "--out", str(out)]) == 0
    doc = benchfmt.load_json(str(out))
    for name, n in BREAKDOWN.items():
        assert doc["figures"][name] == {"n": 1, "median": n, "min": n, "max": n, "mean": n,
                                        "program": "bench_vm-profile"}
    # The profile boot's own fault.zero_fill is not a second figure.
    assert doc["figures"]["fault.zero_fill"]["program"] == "bench_vm"
    rows = {l.split()[0]: l.split()[1:] for l in capsys.readouterr().out.splitlines() if l}
    assert rows["fault.zero_fill.pager"] == ["6", "6", "6", "6", "1"]
    assert rows["fault.zero_fill.map"] == ["3", "3", "3", "3", "1"]


def test_no_breakdown_skips_the_profile_boot(tmp_path, fake):
    fake(console([630, 630, 1664, 1092, 1360]))
    out = tmp_path / "r.json"
    assert bench.main(["--build", str(tmp_path / "build"), "--out", str(out),
                       "--no-breakdown"]) == 0
    assert "bench.groups=zero_fill" not in (tmp_path / "argv").read_text()
    doc = benchfmt.load_json(str(out))
    assert not any(n in doc["figures"] for n in BREAKDOWN)
    assert "bench_vm-profile" not in doc["machines"]


def test_a_log_without_the_window_is_a_failure_and_is_kept(tmp_path, fake, monkeypatch,
                                                             capsys):
    fake(console([630, 630, 1664, 1092, 1360]))
    monkeypatch.setattr(bench, "PROFILE_NTH", 4)  # the store runs 3 times in the tiny log
    assert bench.main(["--build", str(tmp_path / "build")]) == 1
    err = capsys.readouterr().err
    assert "bench_vm-profile: the breakdown: the window never opened" in err
    assert os.path.exists(str(tmp_path / "build" / "bench-profile.log"))


def test_repeat_compares_the_breakdown_figures(tmp_path, fake, monkeypatch, capsys):
    fake(console([630, 630, 1664, 1092, 1360]))
    calls = []
    real = bench.breakdown

    def second_differs(build, qemu_log):
        phases, problem = real(build, qemu_log)
        calls.append(qemu_log)
        if len(calls) == 2:
            phases["pager handling"] += 1
        return phases, problem
    monkeypatch.setattr(bench, "breakdown", second_differs)
    assert bench.main(["--build", str(tmp_path / "build"), "--repeat", "2"]) == 1
    err = capsys.readouterr().err
    assert "bench_vm-profile: run 2 differs from run 1" in err
    assert "fault.zero_fill.pager" in err
