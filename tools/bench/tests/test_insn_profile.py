"""insn_profile.py: one operation's window in a QEMU execution log, attributed
to the right program where programs share addresses, and a fault's phases.

Two tiny programs linked at the same address and a tiny "kernel" in the
upper half are assembled here; the log is written the way QEMU's
-d in_asm,exec,nochain writes it."""

import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import insn_profile as prof  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("aarch64-linux-gnu-as") is None,
                                reason="needs binutils-aarch64-linux-gnu")

SOURCES = {
    # The faulting program: the store at 0x400004 is the measured access.
    "prog": ("0x400000", "a_fn", "a_fn: mov x0, #1\n str x0, [x1]\n add x2, x2, #1\n ret\n"),
    # The pager: different instruction words at the same addresses.
    "pager": ("0x400000", "b_fn", "b_fn: mov x3, #3\n svc #0\n ret\n"),
    "kernel": ("0xffffff8000000000", "k_entry",
               "k_entry: nop\n nop\nk_map_page: nop\n nop\n nop\nk_return: eret\n"),
}


def build(tmp_path, sources=SOURCES):
    """Assemble and link sources (name -> (base, entry, text)) into
    tmp_path/<name>.elf; returns name -> insn_profile.Elf."""
    elfs = {}
    for name, (base, entry, text) in sources.items():
        s, o, e = (str(tmp_path / (name + x)) for x in (".s", ".o", ".elf"))
        with open(s, "w") as f:
            f.write("\t.text\n\t.global %s\n%s" % (entry, text))
        subprocess.run(["aarch64-linux-gnu-as", "-o", o, s], check=True)
        subprocess.run(["aarch64-linux-gnu-ld", "-Ttext=" + base, "-e", entry, "-o", e, o],
                       check=True)
        elfs[name] = prof.Elf(name, e)
    return elfs


def block(ptr, elf, first, count):
    """The IN: lines of a block of count instructions from first, and its Trace line."""
    lines = ["----------------", "IN: "]
    for a in range(first, first + 4 * count, 4):
        lines.append("0x%016x:  %s      insn" % (a, elf.words[a]))
    return lines, "Trace 0: %s [0000000000004000/%016x/00000121/ff020200] " % (ptr, first)


def write_log(tmp_path, elfs, iterations=2):
    k = 0xffffff8000000000
    parts = {
        "prog": block("0x7f0001", elfs["prog"], 0x400000, 4),
        "entry": block("0x7f0002", elfs["kernel"], k, 2),
        "pager": block("0x7f0003", elfs["pager"], 0x400000, 3),
        "map": block("0x7f0004", elfs["kernel"], k + 8, 3),
        "ret": block("0x7f0005", elfs["kernel"], k + 20, 1),
    }
    out, translated = [], set()
    order = ["prog", "entry", "pager", "map", "pager", "ret"] * iterations + ["prog"]
    for name in order:
        lines, trace = parts[name]
        if name not in translated:
            out += lines
            translated.add(name)
        out.append(trace)
    path = tmp_path / "qemu.log"
    path.write_text("\n".join(out) + "\n")
    return str(path)


def test_a_fault_window_is_attributed_and_split_into_phases(tmp_path):
    elfs = build(tmp_path)
    log = write_log(tmp_path, elfs)
    users = [elfs["prog"], elfs["pager"]]
    insns = prof.window(log, elfs["kernel"], users, elfs["prog"], 0x400004, 1)
    # str, add, ret of the program; the kernel entry; the pager twice around
    # the map; the return; then the program's mov before the retried store.
    assert len(insns) == 3 + 2 + 3 + 3 + 3 + 1 + 1
    rs = prof.runs(insns)
    assert [(n, len(f)) for n, f in rs] == [("prog", 3), ("kernel", 2), ("pager", 3),
                                            ("kernel", 3), ("pager", 3), ("kernel", 1),
                                            ("prog", 1)]
    assert rs[2][1] == ["b_fn"] * 3
    assert prof.fault_phases(rs, "prog") == {"kernel entry to pager receive": 5,
                                             "pager handling": 6, "map invocation": 3,
                                             "reply to resume": 2}


def test_nth_picks_a_later_iteration(tmp_path):
    elfs = build(tmp_path)
    log = write_log(tmp_path, elfs, iterations=3)
    users = [elfs["prog"], elfs["pager"]]
    assert len(prof.window(log, elfs["kernel"], users, elfs["prog"], 0x400004, 3)) == 16
    with pytest.raises(prof.WindowError, match="never closed"):
        prof.window(log, elfs["kernel"], users, elfs["prog"], 0x400004, 4)


def test_the_report_names_functions_and_phases(tmp_path, capsys):
    elfs = build(tmp_path)
    log = write_log(tmp_path, elfs)
    args = [log, "--at", "prog:400004", "--nth", "1", "--fault"]
    for name in SOURCES:
        args += ["--elf", "%s=%s" % (name, tmp_path / (name + ".elf"))]
    assert prof.main(args) == 0
    out = capsys.readouterr().out
    assert "16 instructions in the window" in out
    assert "kernel:k_map_page" in out and "pager:b_fn" in out
    assert "map invocation                        3" in out


def test_trace_lines_of_another_width_parse_the_same(tmp_path):
    # The reader slices QEMU's fixed-width Trace fields; a line of another
    # shape goes through the regular expression and gives the same window.
    elfs = build(tmp_path)
    log = write_log(tmp_path, elfs)
    users = [elfs["prog"], elfs["pager"]]
    fixed = prof.window(log, elfs["kernel"], users, elfs["prog"], 0x400004, 1)
    with open(log) as f:
        text = f.read()
    assert "[0000000000004000/" in text
    with open(log, "w") as f:
        f.write(text.replace("[0000000000004000/", "[4000/"))
    assert list(prof.blocks(log))[0][0] == 0x400000
    assert prof.window(log, elfs["kernel"], users, elfs["prog"], 0x400004, 1) == fixed
