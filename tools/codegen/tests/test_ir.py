"""The IR of valid IDL: labels, wire layout, and the project's idl/ files."""
import glob
import os

from conftest import ROOT
from faultline_idl.parser import parse
from faultline_idl.resolve import resolve


def test_label_is_interface_id_and_ordinal(compile_idl):
    ir = compile_idl("interface t id 0x12 version 1 { m @0x34 (); }")
    assert ir["interfaces"][0]["methods"][0]["label"] == 0x120034


def test_kernel_label_by_abi_name(compile_idl, abi):
    ir = compile_idl("kernelmsg k { reply r = 0; f @FL_FAULT_VM (in u64 a) replies (r); }")
    m = ir["interfaces"][0]["methods"][0]
    assert m["label"] == abi["kernel_labels"]["FL_FAULT_VM"]
    assert m["label_name"] == "FL_FAULT_VM"


def test_layout_packs_bytes_and_flattens_structs(compile_idl):
    ir = compile_idl("""interface t id 1 version 1 {
        struct s { u8 a; u8 b[9]; }
        m @1 (in s x, in cap<frame, read> f, in string<17> name, in u16 g[2][3], out bool ok);
    }""")
    m = ir["interfaces"][0]["methods"][0]
    offs = {p["name"]: (p.get("offset"), p.get("cap_index")) for p in m["params"]}
    assert offs["x"] == (0, None)          # 1 + 2 words
    assert offs["f"] == (None, 0)          # caps are not words
    assert offs["name"] == (3, None)       # length word + 3 data words
    assert offs["g"] == (7, None)          # 6 words
    assert m["request"]["words"] == 13 and m["request"]["caps"] == 1
    assert m["reply"]["words"] == 1


def test_enum_values_count_up_from_the_last(compile_idl):
    ir = compile_idl("interface t id 1 version 1 { enum e { a, b = 5, c } m @1 (in e x); }")
    assert [v["value"] for v in ir["interfaces"][0]["enums"][0]["values"]] == [0, 5, 6]


def test_project_idl_files_compile_together(abi):
    paths = sorted(glob.glob(os.path.join(ROOT, "idl", "*.idl")))
    assert {os.path.basename(p) for p in paths} >= {"fault.idl", "pager.idl", "swapd.idl",
                                                      "testserver.idl", "extpager.idl"}
    trees = [parse(p, open(p, encoding="utf-8").read()) for p in paths]
    irs = resolve(trees, abi)
    names = {i["name"] for ir in irs.values() for i in ir["interfaces"]}
    assert names == {"fault", "pager", "swapd", "testserver", "extpager"}
