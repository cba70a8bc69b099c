"""Every mistake in an IDL file is reported as file:line:col: message."""
import pytest

from faultline_idl.errors import IdlError

OK_HEAD = "interface t id 0x100 version 1 {\n"

CASES = [
    # (name, IDL text, expected error)
    ("unexpected character", "interface t id 1 version 1 { $ }",
     "t0.idl:1:30: unexpected character '$'"),
    ("unterminated comment", "/* never ends\ninterface",
     "t0.idl:1:1: unterminated comment"),
    ("not a declaration", "struct x {}",
     "t0.idl:1:1: expected 'interface' or 'kernelmsg', found 'struct'"),
    ("missing id", "interface t version 1 { }",
     "t0.idl:1:13: expected 'id' after the interface name, found 'version'"),
    ("unclosed block", OK_HEAD + "  m @1 ();\n",
     "t0.idl:3:1: expected '}' to close the block, found end of file"),
    ("missing ordinal", OK_HEAD + "  m (in u8 a);\n}",
     "t0.idl:2:5: expected '@' and the method's ordinal after its name, found '('"),
    ("missing direction", OK_HEAD + "  m @1 (u8 a);\n}",
     "t0.idl:2:9: expected 'in' or 'out' before the parameter, found 'u8'"),
    ("missing semicolon", OK_HEAD + "  m @1 (in u8 a)\n}",
     "t0.idl:3:1: expected ';' after the method, found '}'"),
    ("unknown type", OK_HEAD + "  m @1 (in u9 a);\n}",
     "t0.idl:2:12: unknown type 'u9'"),
    ("a method is not a type", OK_HEAD + "  m @1 (in u8 a);\n  n @2 (in m b);\n}",
     "t0.idl:3:12: 'm' is a method, not a type"),
    ("duplicate ordinal", OK_HEAD + "  m @1 ();\n  n @1 ();\n}",
     "t0.idl:3:6: ordinal 0x1 of 'n' is already used by 'm'"),
    ("duplicate method", OK_HEAD + "  m @1 ();\n  m @2 ();\n}",
     "t0.idl:3:3: 'm' is already declared in 't' at line 2 (as method)"),
    ("duplicate parameter", OK_HEAD + "  m @1 (in u8 a, out u8 a);\n}",
     "t0.idl:2:25: parameter 'a' appears twice in 'm'"),
    ("ordinal too big", OK_HEAD + "  m @0x10000 ();\n}",
     "t0.idl:2:6: method ordinal 65536 is out of range 0..0xffff"),
    ("interface id zero", "interface t id 0 version 1 { m @1 (); }",
     "t0.idl:1:16: interface id 0x0 is out of range 0x1..0xffef (0 is never used, 0xfff0.. belong to the kernel)"),
    ("interface id of the kernel", "interface t id 0xfff0 version 1 { m @1 (); }",
     "t0.idl:1:16: interface id 0xfff0 is out of range 0x1..0xffef (0 is never used, 0xfff0.. belong to the kernel)"),
    ("string without bound", OK_HEAD + "  m @1 (in string s);\n}",
     "t0.idl:2:12: string needs a bound: string<N>"),
    ("bytes without bound", OK_HEAD + "  m @1 (in bytes s);\n}",
     "t0.idl:2:12: bytes needs a bound: bytes<N>"),
    ("zero bound", OK_HEAD + "  m @1 (in bytes<0> s);\n}",
     "t0.idl:2:18: bytes bound 0 is out of range 1..4096"),
    ("cap without rights", OK_HEAD + "  m @1 (in cap<frame> f);\n}",
     "t0.idl:2:21: cap<frame> without rights: write cap<frame, read|write|grant|grant_reply>"),
    ("unknown object type", OK_HEAD + "  m @1 (in cap<page, read> f);\n}",
     "t0.idl:2:16: unknown object type 'page' (one of: cnode, device_untyped, endpoint, frame, frame_2m, "
     "irq_control, irq_handler, notification, page_table, reply, tcb, trace, untyped, vspace)"),
    ("unknown right", OK_HEAD + "  m @1 (in cap<frame, exec> f);\n}",
     "t0.idl:2:23: unknown right 'exec' (one of: read, write, grant, grant_reply)"),
    ("right twice", OK_HEAD + "  m @1 (in cap<frame, read|read> f);\n}",
     "t0.idl:2:28: right 'read' is given twice"),
    ("too many words", OK_HEAD + "  m @1 (in u64 a[121]);\n}",
     "t0.idl:2:3: the request of 'm' needs 121 words; a message holds at most 120 (FL_MSG_MAX_WORDS)"),
    ("reply too big", OK_HEAD + "  m @1 (out string<1000> a);\n}",
     "t0.idl:2:3: the reply of 'm' needs 126 words; a message holds at most 120 (FL_MSG_MAX_WORDS)"),
    ("too many caps", OK_HEAD + "  m @1 (in cap<frame, read> a, in cap<frame, read> b, in cap<frame, read> c,"
     " in cap<frame, read> d);\n}",
     "t0.idl:2:3: the request of 'm' carries 4 caps; a message carries at most 3 (FL_MSG_MAX_CAPS)"),
    ("cap in a struct", OK_HEAD + "  struct s { cap<frame, read> f; }\n  m @1 (in s x);\n}",
     "t0.idl:2:14: cap<...> may only be a method parameter, not a struct field or array element"),
    ("string in an array", OK_HEAD + "  m @1 (in string<4> a[2]);\n}",
     "t0.idl:2:12: string<N> may only be a method parameter, not a struct field or array element"),
    ("unknown error", OK_HEAD + "  m @1 () raises (nope);\n}",
     "t0.idl:2:19: unknown error 'nope'"),
    ("error in the dispatch range", OK_HEAD + "  error e = 3;\n  m @1 ();\n}",
     "t0.idl:2:13: error code 3 is out of range 32..0xffff (1..31 are the dispatch's own errors)"),
    ("duplicate error code", OK_HEAD + "  error e = 32;\n  error f = 32;\n  m @1 ();\n}",
     "t0.idl:3:13: error code 32 is already used by 'e'"),
    ("oneway with out", OK_HEAD + "  oneway m @1 (out u8 a);\n}",
     "t0.idl:2:23: oneway method 'm' cannot have 'out' parameters"),
    ("oneway raises", OK_HEAD + "  error e = 32;\n  oneway m @1 () raises (e);\n}",
     "t0.idl:3:18: oneway method 'm' has no reply, so it cannot raise errors"),
    ("enum value twice", OK_HEAD + "  enum c { a = 1, b = 1 }\n  m @1 ();\n}",
     "t0.idl:2:23: enumerator 'b' has the value 1 of 'a'"),
    ("enum value too big", OK_HEAD + "  enum c { a = 0x80000000 }\n  m @1 ();\n}",
     "t0.idl:2:16: enumerator value 2147483648 is out of range 0..0x7fffffff"),
    ("C keyword", OK_HEAD + "  m @1 (in u8 int);\n}",
     "t0.idl:2:15: parameter name 'int' is a C keyword"),
    ("reserved prefix", OK_HEAD + "  m @1 (in u8 fl_x);\n}",
     "t0.idl:2:15: parameter name 'fl_x' uses the reserved prefix 'fl_'"),
    ("unknown constant", OK_HEAD + "  m @1 (in string<MAX> s);\n}",
     "t0.idl:2:19: unknown constant 'MAX' for the string bound"),
    ("array length zero", OK_HEAD + "  m @1 (in u8 a[0]);\n}",
     "t0.idl:2:17: array length 0 is out of range 1..4096"),
    ("no methods", "interface t id 1 version 1 { }",
     "t0.idl:1:11: interface 't' declares no methods"),
    ("kernel label too small", "kernelmsg k { reply r = 0; f @5 () replies (r); }",
     "t0.idl:1:31: kernel message label 0x5 is not a kernel label (FL_KERNEL_LABEL_BASE 0xfff000000000 and up)"),
    ("kernel message out", "kernelmsg k { reply r = 0; f @FL_FAULT_VM (out u64 a) replies (r); }",
     "t0.idl:1:52: a kernel message has no 'out' parameters: the reply label is its only answer"),
    ("kernel message without replies", "kernelmsg k { f @FL_FAULT_VM (in u64 a); }",
     "t0.idl:1:15: kernel message 'f' must list the reply labels that resume it: replies (...)"),
    ("raises in a kernelmsg", "kernelmsg k { reply r = 0; f @FL_FAULT_VM () raises (r); }",
     "t0.idl:1:46: use 'replies' here, not 'raises'"),
]


@pytest.mark.parametrize("name,text,message", CASES, ids=[c[0] for c in CASES])
def test_error_is_reported_at_its_position(compile_idl, name, text, message):
    with pytest.raises(IdlError) as e:
        compile_idl(text)
    assert str(e.value) == message


def test_duplicate_interface_id_across_files(compile_idl):
    with pytest.raises(IdlError) as e:
        compile_idl("interface a id 7 version 1 { m @1 (); }", "interface b id 7 version 1 { m @1 (); }")
    assert str(e.value) == "t1.idl:1:16: interface id 0x0007 is already used by 'a' (t0.idl:1)"


def test_duplicate_interface_name_across_files(compile_idl):
    with pytest.raises(IdlError) as e:
        compile_idl("interface a id 7 version 1 { m @1 (); }", "interface a id 8 version 1 { m @1 (); }")
    assert str(e.value) == "t1.idl:1:11: interface 'a' is already declared at t0.idl:1"
