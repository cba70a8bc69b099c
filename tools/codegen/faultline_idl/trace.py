"""Decodes IPC log records with the JSON IR: (label, first words) -> method and
argument names and values.

The kernel's IPC log keeps a record's label and its first few message words;
a request's label names the interface and method ((id << 16) | ordinal, or a
kernel fault label), and the IR says which word holds which argument. Values
past the words the record kept are left out; a word that is not a valid value
of its type is shown as invalid(<hex>), as the dispatch would reject it.
"""
import json


class Decoder:
    """Holds the IR of a set of IDL files and decodes records against it."""

    def __init__(self, irs):
        self.by_label = {}
        self.enums = {}
        self.structs = {}
        for ir in irs:
            for iface in ir["interfaces"]:
                for e in iface["enums"]:
                    self.enums[(iface["name"], e["name"])] = {v["value"]: v["name"] for v in e["values"]}
                for s in iface["structs"]:
                    self.structs[(iface["name"], s["name"])] = s
                for m in iface["methods"]:
                    self.by_label[m["label"]] = (iface, m)

    @classmethod
    def from_files(cls, paths):
        """A decoder for the IR JSON files at paths (written by flidl.py)."""
        irs = []
        for p in paths:
            with open(p, encoding="utf-8") as f:
                irs.append(json.load(f))
        return cls(irs)

    def _value(self, t, words, k):
        """Decode type t at word k of words; None if the record ends before it."""
        if k + t["words"] > len(words) and t["kind"] not in ("struct", "array", "string", "bytes"):
            return None
        kind = t["kind"]
        if kind == "uint":
            w = words[k]
            return w if t["bits"] == 64 or w >> t["bits"] == 0 else f"invalid({w:#x})"
        if kind == "int":
            w = words[k]
            v = w - (1 << 64) if w >> 63 else w
            lo, hi = -(1 << (t["bits"] - 1)), (1 << (t["bits"] - 1)) - 1
            return v if lo <= v <= hi else f"invalid({w:#x})"
        if kind == "bool":
            return {0: False, 1: True}.get(words[k], f"invalid({words[k]:#x})")
        if kind == "enum":
            names = self.enums[(t["interface"], t["name"])]
            return names.get(words[k], f"invalid({words[k]:#x})")
        if kind == "struct":
            s = self.structs[(t["interface"], t["name"])]
            out = {}
            for f in s["fields"]:
                v = self._value(f["type"], words, k + f["offset"])
                if v is None:
                    break
                out[f["name"]] = v
            return out if out else None
        if kind == "array":
            if t["packed"]:
                data = self._bytes(words, k, t["count"])
                return list(data) if data is not None and len(data) == t["count"] else None
            out = []
            for i in range(t["count"]):
                v = self._value(t["elem"], words, k + i * t["elem"]["words"])
                if v is None:
                    break
                out.append(v)
            return out if out else None
        if kind in ("string", "bytes"):
            if k >= len(words):
                return None
            n = words[k]
            if n > t["max"]:
                return f"invalid(length {n})"
            data = self._bytes(words, k + 1, n)
            shown = data.decode("utf-8", "replace") if kind == "string" else data.hex()
            return shown if len(data) == n else shown + "..."
        raise ValueError(kind)

    @staticmethod
    def _bytes(words, k, n):
        out = bytearray()
        for i in range(n):
            if k + i // 8 >= len(words):
                break
            out.append((words[k + i // 8] >> (8 * (i % 8))) & 0xff)
        return bytes(out)

    def decode(self, label, words):
        """Decode a request record: returns {'interface', 'method', 'args'} or
        None if no interface of the IR has this label. Caps are not words:
        they appear as '<cap i>'."""
        found = self.by_label.get(label)
        if found is None:
            return None
        iface, m = found
        args = {}
        for p in m["request"]["params"]:
            if p["type"]["kind"] == "cap":
                args[p["name"]] = f"<cap {p['cap_index']}>"
                continue
            v = self._value(p["type"], words, p["offset"])
            if v is not None:
                args[p["name"]] = v
        return {"interface": iface["name"], "method": m["name"], "args": args}

    def format(self, label, words):
        """One line for a request record: iface.method(name=value, ...)."""
        d = self.decode(label, words)
        if d is None:
            return f"label {label:#x}({', '.join(hex(w) for w in words)})"
        args = ", ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in d["args"].items())
        return f"{d['interface']}.{d['method']}({args})"
