"""Names what a record carries: IDL methods with argument names and values
(through the codegen's trace decoder over the JSON IR), kernel fault
messages (kind, ip, address, ESR, access), object invocations and their
errors (from the kernel headers, see headers.py).

The IR comes from the IDL files themselves (compiled in-process with
tools/codegen, so it cannot drift from them) or from IR .json files that
flidl.py wrote.
"""
import glob
import os
import sys

from .headers import ROOT

sys.path.insert(0, os.path.join(ROOT, "tools", "codegen"))
from faultline_idl.abi import AbiError, load_abi  # noqa: E402
from faultline_idl.errors import IdlError  # noqa: E402
from faultline_idl.parser import parse  # noqa: E402
from faultline_idl.resolve import resolve  # noqa: E402
from faultline_idl.trace import Decoder  # noqa: E402

IDL_DIR = os.path.join(ROOT, "idl")
ABI_H = os.path.join(ROOT, "kernel", "include", "faultline", "abi.h")

# Exception classes and fault status codes of ESR_ELx, from the Arm
# Architecture Reference Manual (D17.2.37): architecture facts, not Faultline's.
_EC = {0x00: "unknown reason", 0x15: "svc", 0x20: "instruction abort", 0x21: "instruction abort (EL1)",
       0x22: "PC alignment", 0x24: "data abort", 0x25: "data abort (EL1)", 0x26: "SP alignment",
       0x30: "breakpoint", 0x32: "software step", 0x34: "watchpoint", 0x3c: "brk"}
_FSC = {0x00: "address size fault", 0x04: "translation fault", 0x08: "access flag fault",
        0x0c: "permission fault"}


def load_irs(ir_files=None, idl_dir=IDL_DIR):
    """The IR of every IDL file: from ir_files (JSON written by flidl.py) if
    given, else compiled from idl_dir. Raises IdlError/AbiError/OSError."""
    if ir_files:
        return Decoder.from_files(ir_files), None
    abi = load_abi(ABI_H)
    paths = sorted(glob.glob(os.path.join(idl_dir, "*.idl")))
    trees = []
    for p in paths:
        with open(p, encoding="utf-8") as f:
            trees.append(parse(p, f.read()))
    irs = list(resolve(trees, abi).values())
    return Decoder(irs), irs


def esr_text(esr):
    """A short reading of ESR_EL1: exception class and, for aborts, the fault status."""
    ec = (esr >> 26) & 0x3f
    text = _EC.get(ec, f"EC {ec:#x}")
    if ec in (0x20, 0x21, 0x24, 0x25):
        fsc = esr & 0x3f
        kind = _FSC.get(fsc & 0x3c)
        if kind:
            text += f", {kind} level {fsc & 3}"
        elif fsc == 0x21:
            text += ", alignment fault"
        else:
            text += f", FSC {fsc:#x}"
    return text


def esr_fault_class(esr):
    """translation / permission / access-flag / other, for statistics."""
    ec = (esr >> 26) & 0x3f
    if ec not in (0x20, 0x21, 0x24, 0x25):
        return _EC.get(ec, f"ec{ec:#x}")
    kind = _FSC.get(esr & 0x3c)
    return kind.replace(" fault", "") if kind else f"fsc{esr & 0x3f:#x}"


def _value(v):
    if isinstance(v, bool) or not isinstance(v, int):
        return repr(v) if isinstance(v, str) else str(v)
    return str(v) if 0 <= v < 0x10000 else hex(v) if v >= 0 else str(v)


def _args(d):
    return ", ".join(f"{k}={_value(v)}" for k, v in d.items())


class Namer:
    """Turns labels and words into names, with the kernel facts and an IDL decoder
    (decoder None: IDL names unavailable, raw labels are shown)."""

    def __init__(self, facts, decoder):
        self.facts = facts
        self.decoder = decoder
        self.iface_errors = {}
        self.methods = {}
        if decoder is not None:
            for label, (iface, m) in decoder.by_label.items():
                self.methods[label] = (iface, m)
                self.iface_errors[label] = {e["value"]: e["name"] for e in iface.get("errors", [])}

    def is_fault(self, label):
        return label in self.facts.fault_kinds

    def fault_words(self, rec):
        """The words of a fault record with its access kind (flags) appended as MR3."""
        return list(rec.words[:3]) + [rec.flags]

    def fault(self, rec):
        """fault.vm(ip=..., addr=..., esr=..., access=write) [data abort, permission fault level 3]."""
        kind = self.facts.fault_kinds[rec.label]
        words = self.fault_words(rec)
        d = self.decoder.decode(rec.label, words) if self.decoder else None
        if d is not None:
            text = f"{d['interface']}.{d['method']}({_args(d['args'])})"
        else:
            names = ["ip", "addr", "esr"]
            text = f"fault.{kind}({_args(dict(zip(names, rec.words)))}, access={self.access(rec)})"
        if len(rec.words) > 2:
            text += f" [{esr_text(rec.words[2])}]"
        return text

    def access(self, rec):
        return self.facts.access.get(rec.flags, f"access{rec.flags}")

    def fault_class(self, rec):
        """The kind of a fault for statistics: e.g. 'vm write permission', 'unknown_syscall'."""
        kind = self.facts.fault_kinds[rec.label]
        if kind == "vm" and len(rec.words) > 2:
            return f"vm {self.access(rec)} {esr_fault_class(rec.words[2])}"
        return kind

    def message(self, label, words):
        """An IDL request: iface.method(args), or the raw label and words."""
        if self.is_fault(label):
            return f"fault label {label:#x}"
        d = self.decoder.decode(label, list(words)) if self.decoder else None
        if d is None:
            return f"label {label:#x}({', '.join(hex(w) for w in words)})"
        return f"{d['interface']}.{d['method']}({_args(d['args'])})"

    def method_name(self, label):
        found = self.methods.get(label)
        return f"{found[0]['name']}.{found[1]['name']}" if found else f"label {label:#x}"

    def reply(self, call_label, label, words):
        """A reply to a call with call_label: 'ok(results)' or the error's name."""
        if label:
            name = self.iface_errors.get(call_label, {}).get(label) or self.facts.errors.get(label)
            return f"error {name or label}"
        found = self.methods.get(call_label)
        if not found:
            return f"ok({', '.join(hex(w) for w in words)})"
        out = {}
        for p in found[1]["reply"]["params"]:
            if p["type"]["kind"] == "cap":
                out[p["name"]] = f"<cap {p['cap_index']}>"
                continue
            # The decoder's per-type reader; reply parameters have the same layout rules.
            v = self.decoder._value(p["type"], list(words), p["offset"])
            if v is not None:
                out[p["name"]] = v
        return f"ok({_args(out)})"

    def invocation(self, rec):
        """object_method(arg=value, ...) -> error, for an INVOKE record."""
        name, argnames = self.facts.invocations.get(rec.label, (f"invocation{rec.label}", {}))
        n = min(rec.length, len(rec.words))
        args = ", ".join(f"{argnames.get(i, f'mr{i}')}={_value(rec.words[i])}" for i in range(n))
        more = ", ..." if rec.length > n else ""
        err = "ok" if rec.flags == 0 else self.facts.errors.get(rec.flags, f"error {rec.flags}")
        return f"{name}({args}{more}) -> {err}"

    def invocation_name(self, label):
        return self.facts.invocations.get(label, (f"invocation{label}", {}))[0]

    def fault_action(self, rec):
        action = rec.words[0] if rec.words else None
        return {0: "resumed", 1: "resumed after the instruction (skip)", 2: "stays stopped",
                3: "page mapped by the reply, resumed",
                4: "page protected by the reply, resumed"}.get(action, f"action {action}")
