"""Semantic checks and wire layout: syntax trees -> the JSON intermediate form (IR).

Every mistake is reported at its file:line:col. The IR is plain JSON data:
every generator template and tool (trace decoder, docs) reads only the IR, so
the layout rules live here and nowhere else. The rules (docs/idl.md):

- every scalar, bool and enum takes one 64-bit word; narrower integers are
  zero-extended (unsigned) or sign-extended (signed), and a receiver rejects a
  word that is not the extension of a value of the declared type;
- a struct is its fields in order; an array of u8/i8 is packed 8 bytes a word
  (little-endian, padding zero), any other array is one element after another;
- string<N> and bytes<N> take a length word and ceil(N/8) data words, padding
  (every byte past the length) zero; a string holds no NUL byte;
- caps are not words: the i-th cap parameter of a message is cap i.
"""
from .errors import fail
from .parser import SCALARS

C_KEYWORDS = set("""auto break case char const continue default do double else enum extern
float for goto if inline int long register restrict return short signed sizeof static struct
switch typedef union unsigned void volatile while _Bool _Complex _Imaginary bool true false
NULL _Alignas _Alignof _Atomic _Generic _Noreturn _Static_assert _Thread_local""".split())

# Interface ids: 0 is never used (labels 0..0xffff are reply/error labels) and
# 0xfff0..0xffff are the kernel's (see FL_KERNEL_LABEL_BASE in abi.h).
IFACE_ID_MIN = 0x0001
IFACE_ID_MAX = 0xffef
ORDINAL_MAX = 0xffff
# Reply labels 1..31 are the generated dispatch's own errors; 32..0xffff are
# for interfaces to declare.
ERROR_MIN = 32
ERROR_MAX = 0xffff
ENUM_MAX = 0x7fffffff
BOUND_MAX = 4096


def _words_for_bytes(n):
    return (n + 7) // 8


class _Scope:
    """The names declared by one interface or kernelmsg, in one namespace."""

    def __init__(self, owner):
        self.owner = owner
        self.names = {}

    def declare(self, name, pos, what, obj):
        check_name(name, pos, what)
        if name in self.names:
            prev = self.names[name]
            fail(pos, f"'{name}' is already declared in {self.owner} at line {prev[0][1]} (as {prev[1]})")
        self.names[name] = (pos, what, obj)

    def lookup(self, name):
        entry = self.names.get(name)
        return None if entry is None else (entry[1], entry[2])


def check_name(name, pos, what):
    """Reject names that would make invalid or clashing C."""
    if name in C_KEYWORDS:
        fail(pos, f"{what} name '{name}' is a C keyword")
    if name.lower().startswith("fl_"):
        fail(pos, f"{what} name '{name}' uses the reserved prefix 'fl_'")
    if "__" in name or name.startswith("_") or name.endswith("_"):
        fail(pos, f"{what} name '{name}' must not start or end with '_' or contain '__'")


class Resolver:
    """Resolves one set of IDL files against the ABI facts into the IR."""

    def __init__(self, abi):
        self.abi = abi
        self.iface_ids = {}
        self.iface_names = {}

    def _int(self, ref, scope, what):
        if "int" in ref:
            return ref["int"]
        found = scope.lookup(ref["name"])
        if found and found[0] == "constant":
            return found[1]["value"]
        if ref["name"] in self.abi["kernel_labels"]:
            return self.abi["kernel_labels"][ref["name"]]
        fail(ref["pos"], f"unknown constant '{ref['name']}' for {what}")

    # -- types -----------------------------------------------------------

    def resolve_type(self, t, scope, context):
        """Return the IR form of type reference t; context is 'param', 'field' or 'element'."""
        kind = t["kind"]
        if kind == "scalar":
            name = t["name"]
            if name == "bool":
                return {"kind": "bool", "name": "bool", "words": 1}
            bits = int(name[1:])
            return {"kind": "uint" if name[0] == "u" else "int", "name": name, "bits": bits, "words": 1}
        if kind == "named":
            found = scope.types.lookup(t["name"]) or scope.lookup(t["name"])
            if found is None or found[0] not in ("enum", "struct"):
                if found is None:
                    fail(t["pos"], f"unknown type '{t['name']}'")
                fail(t["pos"], f"'{t['name']}' is a {found[0]}, not a type")
            what, obj = found
            if what == "enum":
                return {"kind": "enum", "name": t["name"], "interface": scope.iface_name, "words": 1,
                        "values": sorted(v["value"] for v in obj["values"])}
            return {"kind": "struct", "name": t["name"], "interface": scope.iface_name, "words": obj["words"]}
        if kind == "array":
            count = self._int(t["count"], scope, "the array length")
            if count < 1 or count > BOUND_MAX:
                fail(t["count"]["pos"], f"array length {count} is out of range 1..{BOUND_MAX}")
            elem = self.resolve_type(t["elem"], scope, "element")
            packed = elem["kind"] in ("uint", "int") and elem["bits"] == 8
            words = _words_for_bytes(count) if packed else count * elem["words"]
            return {"kind": "array", "elem": elem, "count": count, "packed": packed, "words": words}
        if kind in ("string", "bytes"):
            if context != "param":
                fail(t["pos"], f"{kind}<N> may only be a method parameter, not a struct field or array element")
            bound = self._int(t["bound"], scope, f"the {kind} bound")
            if bound < 1 or bound > BOUND_MAX:
                fail(t["bound"]["pos"], f"{kind} bound {bound} is out of range 1..{BOUND_MAX}")
            return {"kind": kind, "max": bound, "words": 1 + _words_for_bytes(bound)}
        if kind == "cap":
            if context != "param":
                fail(t["pos"], "cap<...> may only be a method parameter, not a struct field or array element")
            obj = t["object"]
            if obj["name"] not in self.abi["object_types"]:
                known = ", ".join(sorted(self.abi["object_types"]))
                fail(obj["pos"], f"unknown object type '{obj['name']}' (one of: {known})")
            rights, value = [], 0
            for r in t["rights"]:
                if r["name"] not in self.abi["rights"]:
                    known = ", ".join(sorted(self.abi["rights"], key=self.abi["rights"].get))
                    fail(r["pos"], f"unknown right '{r['name']}' (one of: {known})")
                if r["name"] in rights:
                    fail(r["pos"], f"right '{r['name']}' is given twice")
                rights.append(r["name"])
                value |= self.abi["rights"][r["name"]]
            rights.sort(key=self.abi["rights"].get)
            return {"kind": "cap", "object": obj["name"], "object_value": self.abi["object_types"][obj["name"]],
                    "rights": rights, "rights_value": value, "words": 0}
        raise AssertionError(kind)

    # -- declarations ------------------------------------------------------

    def enum(self, d, scope):
        values, seen_names, seen_values = [], set(), {}
        next_value = 0
        for v in d["values"]:
            check_name(v["name"], v["pos"], "enumerator")
            if v["name"] in seen_names:
                fail(v["pos"], f"enumerator '{v['name']}' appears twice in enum '{d['name']}'")
            value = next_value if v["value"] is None else v["value"]
            if value < 0 or value > ENUM_MAX:
                fail(v["value_pos"], f"enumerator value {value} is out of range 0..{ENUM_MAX:#x}")
            if value in seen_values:
                fail(v["value_pos"], f"enumerator '{v['name']}' has the value {value} of '{seen_values[value]}'")
            seen_names.add(v["name"])
            seen_values[value] = v["name"]
            values.append({"name": v["name"], "value": value, "doc": v["doc"]})
            next_value = value + 1
        return {"name": d["name"], "doc": d["doc"], "values": values}

    def struct(self, d, scope):
        fields, offset, seen = [], 0, set()
        for f in d["fields"]:
            check_name(f["name"], f["pos"], "field")
            if f["name"] in seen:
                fail(f["pos"], f"field '{f['name']}' appears twice in struct '{d['name']}'")
            seen.add(f["name"])
            ftype = self.resolve_type(f["type"], scope, "field")
            fields.append({"name": f["name"], "type": ftype, "offset": offset, "doc": f["doc"]})
            offset += ftype["words"]
        return {"name": d["name"], "doc": d["doc"], "fields": fields, "words": offset}

    def message(self, params, pos, what, method):
        """Lay out params as one message; check it fits the kernel's limits."""
        out, words, caps = [], 0, 0
        for p in params:
            entry = p  # shared with the method's params list, so both carry the layout
            if p["type"]["kind"] == "cap":
                entry["cap_index"] = caps
                caps += 1
            else:
                entry["offset"] = words
                words += p["type"]["words"]
            out.append(entry)
        limit = self.abi["msg_max_words"]
        if words > limit:
            fail(pos, f"the {what} of '{method}' needs {words} words; a message holds at most {limit} (FL_MSG_MAX_WORDS)")
        if caps > self.abi["msg_max_caps"]:
            fail(pos, f"the {what} of '{method}' carries {caps} caps; a message carries at most {self.abi['msg_max_caps']} (FL_MSG_MAX_CAPS)")
        return {"params": out, "words": words, "caps": caps}

    def method(self, d, scope, iface, codes, kernel):
        ordinal = self._int(d["ordinal"], scope, "the method ordinal")
        if kernel:
            if ordinal < self.abi["kernel_label_base"] or ordinal >= 1 << 48:
                fail(d["ordinal"]["pos"], f"kernel message label {ordinal:#x} is not a kernel label (FL_KERNEL_LABEL_BASE {self.abi['kernel_label_base']:#x} and up)")
            label = ordinal
        else:
            if ordinal < 0 or ordinal > ORDINAL_MAX:
                fail(d["ordinal"]["pos"], f"method ordinal {ordinal} is out of range 0..{ORDINAL_MAX:#x}")
            label = (iface["id"] << 16) | ordinal
        params, seen = [], set()
        for i, p in enumerate(d["params"]):
            check_name(p["name"], p["pos"], "parameter")
            if p["name"] in seen:
                fail(p["pos"], f"parameter '{p['name']}' appears twice in '{d['name']}'")
            seen.add(p["name"])
            if kernel and p["dir"] == "out":
                fail(p["pos"], "a kernel message has no 'out' parameters: the reply label is its only answer")
            if d["oneway"] and p["dir"] == "out":
                fail(p["pos"], f"oneway method '{d['name']}' cannot have 'out' parameters")
            params.append({"name": p["name"], "dir": p["dir"], "index": i,
                           "type": self.resolve_type(p["type"], scope, "param")})
        raises = []
        want_kw = "replies" if kernel else "raises"
        if d["raises"] is not None:
            if d["raises_kw"] != want_kw:
                fail(d["raises_pos"], f"use '{want_kw}' here, not '{d['raises_kw']}'")
            if d["oneway"]:
                fail(d["raises_pos"], f"oneway method '{d['name']}' has no reply, so it cannot raise errors")
            for e in d["raises"]:
                code = codes.get(e["name"])
                if code is None:
                    fail(e["pos"], f"unknown {'reply' if kernel else 'error'} '{e['name']}'")
                if e["name"] in raises:
                    fail(e["pos"], f"'{e['name']}' is listed twice")
                raises.append(e["name"])
        elif kernel:
            fail(d["pos"], f"kernel message '{d['name']}' must list the reply labels that resume it: replies (...)")
        request = self.message([p for p in params if p["dir"] == "in"], d["pos"], "request", d["name"])
        reply = self.message([p for p in params if p["dir"] == "out"], d["pos"], "reply", d["name"])
        label_name = d["ordinal"].get("name") if d["ordinal"].get("name") in self.abi["kernel_labels"] else None
        return {"name": d["name"], "doc": d["doc"], "ordinal": ordinal, "label": label, "label_name": label_name,
                "oneway": d["oneway"], "deprecated": d["deprecated"], "params": params,
                "raises": raises, "request": request, "reply": reply}

    def interface(self, d, path):
        kernel = d["kind"] == "kernelmsg"
        check_name(d["name"], d["pos"], "interface")
        if d["name"] in self.iface_names:
            fail(d["pos"], f"interface '{d['name']}' is already declared at {self.iface_names[d['name']]}")
        self.iface_names[d["name"]] = f"{d['pos'][0]}:{d['pos'][1]}"
        # Types (struct/enum tags in C) and values (methods, constants, errors)
        # are separate namespaces, as in C: a method may return a struct of its name.
        types = _Scope(f"the types of '{d['name']}'")
        scope = _Scope(f"'{d['name']}'")
        scope.types = types
        scope.iface_name = d["name"]
        iface = {"name": d["name"], "kind": d["kind"], "doc": d["doc"], "file": path}
        if not kernel:
            iid = self._int(d["id"], scope, "the interface id")
            if iid < IFACE_ID_MIN or iid > IFACE_ID_MAX:
                fail(d["id"]["pos"], f"interface id {iid:#x} is out of range {IFACE_ID_MIN:#x}..{IFACE_ID_MAX:#x} (0 is never used, 0xfff0.. belong to the kernel)")
            if iid in self.iface_ids:
                fail(d["id"]["pos"], f"interface id {iid:#06x} is already used by {self.iface_ids[iid]}")
            self.iface_ids[iid] = f"'{d['name']}' ({d['pos'][0]}:{d['pos'][1]})"
            if d["version"] < 0 or d["version"] > 0xffff:
                fail(d["version_pos"], f"interface version {d['version']} is out of range 0..0xffff")
            iface["id"] = iid
            iface["version"] = d["version"]
        consts, enums, structs, codes_list, methods = [], [], [], [], []
        codes, ordinals = {}, {}
        for m in d["members"]:
            k = m["kind"]
            if k == "const":
                scope.declare(m["name"], m["pos"], "constant", m)
                consts.append({"name": m["name"], "value": m["value"], "doc": m["doc"]})
            elif k == "enum":
                e = self.enum(m, scope)
                types.declare(m["name"], m["pos"], "enum", e)
                enums.append(e)
            elif k == "struct":
                s = self.struct(m, scope)
                types.declare(m["name"], m["pos"], "struct", s)
                structs.append(s)
            elif k in ("error", "reply"):
                if kernel and k == "error":
                    fail(m["pos"], "a kernelmsg declares 'reply' labels, not errors")
                if not kernel and k == "reply":
                    fail(m["pos"], "'reply' labels belong in a kernelmsg; an interface declares errors")
                lo, hi = (0, ORDINAL_MAX) if kernel else (ERROR_MIN, ERROR_MAX)
                if m["value"] < lo or m["value"] > hi:
                    extra = " (1..31 are the dispatch's own errors)" if not kernel else ""
                    fail(m["value_pos"], f"{k} code {m['value']} is out of range {lo}..{hi:#x}{extra}")
                for prev in codes_list:
                    if prev["value"] == m["value"]:
                        fail(m["value_pos"], f"{k} code {m['value']} is already used by '{prev['name']}'")
                scope.declare(m["name"], m["pos"], k, m)
                codes[m["name"]] = m["value"]
                codes_list.append({"name": m["name"], "value": m["value"], "doc": m["doc"]})
            else:
                scope.declare(m["name"], m["pos"], "method", m)
                meth = self.method(m, scope, iface, codes, kernel)
                if meth["label"] in ordinals:
                    what = "label" if kernel else "ordinal"
                    fail(m["ordinal"]["pos"], f"{what} {meth['ordinal']:#x} of '{m['name']}' is already used by '{ordinals[meth['label']]}'")
                ordinals[meth["label"]] = m["name"]
                methods.append(meth)
        if not methods:
            fail(d["pos"], f"{d['kind']} '{d['name']}' declares no methods")
        iface.update({"consts": consts, "enums": enums, "structs": structs,
                      ("replies" if kernel else "errors"): codes_list, "methods": methods})
        return iface


def resolve(trees, abi):
    """Check and lay out the syntax trees of a set of files; return {path: IR}."""
    r = Resolver(abi)
    out = {}
    for tree in trees:
        ifaces = [r.interface(d, tree["path"]) for d in tree["decls"]]
        if not ifaces:
            fail((tree["path"], 1, 1), "the file declares no interface or kernelmsg")
        out[tree["path"]] = {"file": tree["path"], "abi": {k: abi[k] for k in ("msg_reg_count", "msg_max_words", "msg_max_caps")},
                             "interfaces": ifaces}
    return out
