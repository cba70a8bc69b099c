"""Reads the facts the decoder needs from the kernel's C headers, so they have
one source: the IPC log record layout and event kinds (faultline/ipclog.h),
the fault labels, access kinds and error codes (faultline/abi.h) and the
object invocation labels with their argument names (faultline/invocations.h).

A header that no longer says what the decoder expects raises HeaderError
naming the file and the missing fact, instead of decoding garbage.
"""
import os
import re
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
INCLUDE = os.path.join(ROOT, "kernel", "include", "faultline")

_C_TYPES = {"uint8_t": "B", "uint16_t": "H", "uint32_t": "I", "uint64_t": "Q"}
_NUMBER = r"(0x[0-9a-fA-F]+|\d+)[UuLl]*"


class HeaderError(Exception):
    """A kernel header lacks a fact the decoder needs."""


def _strip_comments(src):
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", src, flags=re.S)


def _enum(src, name, path):
    """The members of `enum name { ... }` in src: {member: (value, comment)}."""
    m = re.search(r"enum\s+" + name + r"\s*\{(.*?)\n\};", src, re.S)
    if not m:
        raise HeaderError(f"{path}: no enum {name}")
    body = m.group(1)
    members = list(re.finditer(r"^\s*(FL_\w+)\s*=\s*" + _NUMBER + r"\s*,?", body, re.M))
    out = {}
    for i, member in enumerate(members):
        # A member's comment starts on its line and may span lines.
        rest = body[member.end():members[i + 1].start() if i + 1 < len(members) else len(body)]
        c = re.match(r"[ \t]*/\*(.*?)\*/", rest, re.S)
        if not c:
            # Or on the line(s) just above it, on lines of its own (a long
            # comment does not fit beside its member at 100 columns).
            before = body[members[i - 1].end() if i else 0:member.start()]
            c = re.search(r"\n[ \t]*/\*((?:(?!\*/).)*)\*/[ \t]*\n[ \t]*$", before, re.S)
        comment = c.group(1) if c else ""
        out[member.group(1)] = (int(member.group(2), 0), " ".join(comment.split()))
    if not out:
        raise HeaderError(f"{path}: enum {name} has no members")
    return out


class RecordLayout:
    """The binary layout of struct fl_ipclog_record, read from its declaration."""

    def __init__(self, fields, size):
        self.fields = fields  # [(name, count)] in declaration order
        fmt = "<"
        offset = 0
        for name, ctype, count in fields:
            align = struct.calcsize(_C_TYPES[ctype])
            pad = -offset % align
            fmt += "x" * pad + (str(count) if count > 1 else "") + _C_TYPES[ctype]
            offset += pad + align * count
        fmt += "x" * (-offset % 8)
        self.struct = struct.Struct(fmt)
        if self.struct.size != size:
            raise HeaderError(f"ipclog.h: fields of struct fl_ipclog_record add up to {self.struct.size} "
                              f"bytes, the header asserts {size}")
        self.size = size

    def unpack(self, data):
        """A dict of the fields of one record (arrays as lists)."""
        values = list(self.struct.unpack(data))
        out = {}
        for name, _, count in self.fields:
            if count > 1:
                out[name], values = values[:count], values[count:]
            else:
                out[name] = values.pop(0)
        return out


def _record_layout(src, path):
    m = re.search(r"struct\s+fl_ipclog_record\s*\{(.*?)\};", src, re.S)
    size = re.search(r"sizeof\(struct fl_ipclog_record\)\s*==\s*(\d+)", src)
    if not m or not size:
        raise HeaderError(f"{path}: no struct fl_ipclog_record with its size assertion")
    fields = []
    for decl in _strip_comments(m.group(1)).split(";"):
        decl = decl.strip()
        if not decl:
            continue
        ctype, _, names = decl.partition(" ")
        if ctype not in _C_TYPES:
            raise HeaderError(f"{path}: struct fl_ipclog_record: field type {ctype} is not one the decoder knows")
        for n in names.split(","):
            a = re.fullmatch(r"\s*(\w+)\s*(?:\[(\d+)\])?\s*", n)
            if not a:
                raise HeaderError(f"{path}: struct fl_ipclog_record: cannot read field '{n.strip()}'")
            fields.append((a.group(1), ctype, int(a.group(2) or 1)))
    layout = RecordLayout(fields, int(size.group(1)))
    for need in ("timestamp", "kind", "cpu", "nwords", "flags", "from", "to", "length", "badge", "label", "words"):
        if need not in {f[0] for f in fields}:
            raise HeaderError(f"{path}: struct fl_ipclog_record has no field {need}")
    return layout


def _arg_names(comment):
    """Argument names of an invocation from its header comment ("MR0 va, MR1
    first frame slot, ..."): {index: name}. Results (after "->") are not
    arguments; a description that is not a name (e.g. "MR0 0/1") gives none."""
    names = {}
    args = comment.split("->")[0]
    for m in re.finditer(r"\bMR(\d)\s+([A-Za-z][\w ]*?)(?=\s*[,;(:]|\s+MR\d|\s+[^A-Za-z\s]|\s*$)", args):
        names.setdefault(int(m.group(1)), re.sub(r"\W+", "_", m.group(2).strip()).lower())
    return names


class KernelFacts:
    """Everything the decoder takes from the kernel's headers."""

    def __init__(self, include=INCLUDE):
        def read(name):
            path = os.path.join(include, name)
            try:
                with open(path, encoding="utf-8") as f:
                    return path, f.read()
            except OSError as e:
                raise HeaderError(f"cannot read {path}: {e.strerror}") from None

        path, src = read("ipclog.h")
        self.layout = _record_layout(src, path)
        self.kinds = {v: n[len("FL_LOG_"):] for n, (v, _) in _enum(src, "fl_ipclog_kind", path).items()}
        self.kind_value = {n: v for v, n in self.kinds.items()}
        for need in ("SEND", "CALL", "REPLY", "FAULT", "FAULT_REPLY", "BLOCK_SEND", "BLOCK_RECV",
                     "SIGNAL", "INVOKE", "RESUME", "SUSPEND", "DESTROY"):
            if need not in self.kind_value:
                raise HeaderError(f"{path}: enum fl_ipclog_kind has no FL_LOG_{need}")
        m = re.search(r"#define\s+FL_IPCLOG_RECORDS\s+(\d+)", src)
        if not m:
            raise HeaderError(f"{path}: no FL_IPCLOG_RECORDS")
        self.ring_records = int(m.group(1))

        path, src = read("abi.h")
        self.fault_kinds = {v: n[len("FL_FAULT_"):].lower()
                            for n, (v, _) in _enum(src, "fl_fault_kind", path).items()}
        self.fault_label = {n: v for v, n in self.fault_kinds.items()}
        self.access = {v: n[len("FL_ACCESS_"):].lower()
                       for n, (v, _) in _enum(src, "fl_fault_access", path).items()}
        self.errors = {v: n[len("FL_"):].lower() for n, (v, _) in _enum(src, "fl_error", path).items()}
        m = re.search(r"#define\s+FL_FAULT_REPLY_SKIP\s+" + _NUMBER, src)
        if not m or "vm" not in self.fault_label:
            raise HeaderError(f"{path}: no FL_FAULT_VM or FL_FAULT_REPLY_SKIP")
        self.fault_reply_skip = int(m.group(1), 0)

        path, src = read("invocations.h")
        self.invocations = {}
        for n, (v, comment) in _enum(src, "fl_invocation", path).items():
            self.invocations[v] = (n[len("FL_"):].lower(), _arg_names(comment))
