"""Finding and decoding dumps in serial logs: recorded dumps decode fully,
damaged ones give clear errors and what did arrive, never a traceback."""
import json
import zlib

import pytest

from fltrace.dump import DumpError, parse_log
from fltrace.headers import HeaderError, KernelFacts


def test_recorded_dump_decodes_every_record(facts, ktest_log):
    t = parse_log(ktest_log, facts)
    assert t.problems == [] and t.bad_lines == 0 and not t.truncated
    assert t.cpus == 2 and t.freq == 62500000
    # Both rings wrapped during the suite: each kept its last FL_IPCLOG_RECORDS.
    assert len(t.records) == 2 * facts.ring_records
    assert all(t.dropped[c] > 0 for c in (0, 1))
    assert [r.ts for r in t.records] == sorted(r.ts for r in t.records)
    kinds = {r.kind for r in t.records}
    assert {"CALL", "REPLY", "FAULT", "FAULT_REPLY", "INVOKE", "BLOCK_RECV", "DESTROY"} <= kinds


def test_record_fields_come_from_the_header_layout(facts, ktest_log):
    t = parse_log(ktest_log, facts)
    # The suite's last fault test: thread without a handler, a read at 0x800000e000.
    susp = [r for r in t.records if r.kind == "SUSPEND" and r.src == 0 and r.label == 0xfff000000001]
    assert len(susp) == 1
    assert susp[0].words == [0x4010b0, 0x800000e000, 0x92000047]
    assert any(r.kind == "INVOKE" and r.label == 81 for r in t.records) is False  # the dump itself is not logged yet


def test_other_console_output_between_and_before_lines_is_ignored(facts, ktest_log):
    mixed = []
    for i, line in enumerate(ktest_log):
        if line.startswith("FLTRACE R") and i % 7 == 0:
            mixed.append("PASS some.test\n")
            line = "partial output without newline" + line
        mixed.append(line)
    t = parse_log(mixed, facts)
    assert t.problems == [] and len(t.records) == 2 * facts.ring_records


def test_corrupted_line_is_counted_reported_and_skipped(facts, ktest_log):
    lines = list(ktest_log)
    i = next(i for i, l in enumerate(lines) if l.startswith("FLTRACE R 1 "))
    head, hexrec, crc = lines[i].rsplit(" ", 2)
    flipped = hexrec[:10] + ("0" if hexrec[10] != "0" else "1") + hexrec[11:]
    lines[i] = f"{head} {flipped} {crc}"
    t = parse_log(lines, facts)
    assert t.bad_lines == 1 and not t.truncated
    assert len(t.records) == 2 * facts.ring_records - 1
    assert any(f"log line {i + 1}" in p and "checksum mismatch" in p for p in t.problems)


def test_truncated_dump_names_what_is_missing_and_keeps_what_arrived(facts, ktest_log):
    cut = next(i for i, l in enumerate(ktest_log) if l.startswith("FLTRACE RING 1")) + 100
    t = parse_log(ktest_log[:cut], facts)
    assert t.truncated
    text = "\n".join(t.problems)
    assert "no FLTRACE END" in text
    assert "ring of CPU 1 is short: 99 of 1023 record lines arrived, 924 missing" in text
    assert len(t.records) == facts.ring_records + 99


def test_dump_cut_before_a_ring_names_the_missing_cpu(facts, ktest_log):
    cut = next(i for i, l in enumerate(ktest_log) if l.startswith("FLTRACE RING 1"))
    t = parse_log(ktest_log[:cut], facts)
    assert any("no ring for CPU 1" in p for p in t.problems)


def test_log_without_a_dump_is_a_clear_error(facts):
    with pytest.raises(DumpError, match="no IPC log dump"):
        parse_log(["booting\n", "37 passed, 0 failed\n"], facts)


def test_two_dumps_of_one_boot_merge_and_a_reboot_starts_over(facts, ktest_log):
    begin = next(i for i, l in enumerate(ktest_log) if l.startswith("FLTRACE BEGIN"))
    end = next(i for i, l in enumerate(ktest_log) if l.startswith("FLTRACE END"))
    dump = ktest_log[begin:end + 1]
    t = parse_log(dump + ["other output\n"] + dump, facts)
    assert len(t.records) == 2 * facts.ring_records and t.problems == []
    # A second boot whose rings restart: ring heads go back.
    small = [dump[0], "FLTRACE RING 0 head=1 dropped=0\n"]
    rec = next(l for l in dump if l.startswith("FLTRACE R 0 "))
    small += [rec, "FLTRACE RING 1 head=0 dropped=0\n", "FLTRACE END\n"]
    t = parse_log(dump + small, facts)
    assert len(t.records) == 1 and any("new boot" in p for p in t.problems)


def test_cli_exit_status_and_partial_outputs(run_tool, ktest_log):
    code, err, prefix = run_tool(ktest_log)
    assert code == 0 and err == ""
    cut = next(i for i, l in enumerate(ktest_log) if l.startswith("FLTRACE RING 1")) + 10
    code, err, prefix = run_tool(ktest_log[:cut])
    assert code == 1 and "Traceback" not in err
    assert "no FLTRACE END" in err and "the outputs hold what arrived" in err
    with open(prefix + ".json") as f:
        assert json.load(f)["traceEvents"]
    code, err, _ = run_tool(["no dump here\n"])
    assert code == 2 and "no IPC log dump" in err and "Traceback" not in err


def test_garbage_in_every_field_never_raises(facts, ktest_log):
    lines = ["FLTRACE BEGIN v1 cpus=x freq=1\n", "FLTRACE R 0 zz 00\n", "FLTRACE BEGIN v1 cpus=1 freq=0\n",
             "FLTRACE RING 7 head=1 dropped=0\n", "FLTRACE R 0 " + "00" * 64 + " 00000000\n",
             "FLTRACE RING 0 head=2 dropped=0\n", "FLTRACE R 0 " + "00" * 64 + f" {zlib.crc32(bytes(64)):08x}\n",
             "FLTRACE END\n", "FLTRACE END\n"]
    t = parse_log(lines, facts)
    assert len(t.records) == 1 and t.records[0].kind == "kind0" and t.bad_lines >= 3


def test_header_without_the_record_struct_is_refused(tmp_path):
    (tmp_path / "ipclog.h").write_text("enum fl_ipclog_kind {\n\tFL_LOG_SEND = 1,\n};\n")
    with pytest.raises(HeaderError, match="no struct fl_ipclog_record"):
        KernelFacts(str(tmp_path))
