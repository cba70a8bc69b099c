"""The trace decoder turns (label, first words) of an IPC log record into
method and argument names and values, using only the IR."""
from faultline_idl.trace import Decoder

IDL = """interface t id 0x21 version 1 {
    enum mode { off = 0, on = 3 }
    struct pt { i32 x; i32 y; }
    m @1 (in i8 d, in mode md, in pt p, in bool b, in cap<frame, read> f);
    s @2 (in string<16> name, in u64 after);
}"""


def test_decodes_names_values_enums_structs_and_caps(compile_idl):
    dec = Decoder([compile_idl(IDL)])
    words = [(1 << 64) - 3, 3, (1 << 64) - 1, 7, 1]
    d = dec.decode(0x210001, words)
    assert d == {"interface": "t", "method": "m",
                 "args": {"d": -3, "md": "on", "p": {"x": -1, "y": 7}, "b": True, "f": "<cap 0>"}}
    assert dec.format(0x210001, words) == "t.m(d=-3, md='on', p={'x': -1, 'y': 7}, b=True, f='<cap 0>')"


def test_record_with_fewer_words_shows_what_it_has(compile_idl):
    dec = Decoder([compile_idl(IDL)])
    assert dec.decode(0x210001, [5, 0, 9])["args"] == {"d": 5, "md": "off", "p": {"x": 9}, "f": "<cap 0>"}
    name = int.from_bytes(b"hello wo", "little")
    assert dec.decode(0x210002, [11, name])["args"] == {"name": "hello wo..."}


def test_invalid_words_are_marked(compile_idl):
    dec = Decoder([compile_idl(IDL)])
    args = dec.decode(0x210001, [0x80, 1, 0, 0, 2])["args"]
    assert args["d"] == "invalid(0x80)" and args["md"] == "invalid(0x1)" and args["b"] == "invalid(0x2)"


def test_unknown_label_is_shown_raw(compile_idl):
    dec = Decoder([compile_idl(IDL)])
    assert dec.decode(0x990001, [1]) is None
    assert dec.format(0x990001, [1, 2]) == "label 0x990001(0x1, 0x2)"


def test_kernel_fault_records_decode(compile_idl):
    dec = Decoder([compile_idl("""kernelmsg fault { enum access { read = 0, write = 1 } reply retry = 0;
        vm @FL_FAULT_VM (in u64 ip, in u64 addr, in u64 esr, in access access, in u64 sp, in u64 r) replies (retry); }""")])
    assert dec.format(0xfff000000001, [0x400000, 0x1000, 0x92000047, 1]) == \
        "fault.vm(ip=4194304, addr=4096, esr=2449473607, access='write')"
