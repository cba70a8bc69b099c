"""Recursive-descent parser: IDL tokens -> a syntax tree of plain dicts.

The tree keeps every name's position so that resolve.py can report semantic
mistakes (unknown type, duplicate ordinal, ...) at the right file:line:col.
The grammar is written out in docs/idl.md.
"""
from .errors import fail
from .lexer import tokenize

SCALARS = {"u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64", "bool"}


class Parser:
    """Holds the token stream of one file and parses it top-down."""

    def __init__(self, path, text):
        self.path = path
        self.toks = tokenize(path, text)
        self.i = 0

    # -- token helpers -------------------------------------------------

    def peek(self, k=0):
        return self.toks[min(self.i + k, len(self.toks) - 1)]

    def next(self):
        tok = self.toks[self.i]
        if tok.kind != "eof":
            self.i += 1
        return tok

    def _describe(self, tok):
        if tok.kind == "eof":
            return "end of file"
        if tok.kind == "string":
            return f'string "{tok.value}"'
        return f"'{tok.value}'"

    def expect(self, value, what=None):
        tok = self.next()
        if tok.kind not in ("punct", "ident") or tok.value != value:
            fail(tok.pos, f"expected '{value}'{' ' + what if what else ''}, found {self._describe(tok)}")
        return tok

    def accept(self, value):
        tok = self.peek()
        if tok.kind in ("punct", "ident") and tok.value == value:
            return self.next()
        return None

    def ident(self, what):
        tok = self.next()
        if tok.kind != "ident":
            fail(tok.pos, f"expected {what}, found {self._describe(tok)}")
        return tok

    def integer(self, what):
        tok = self.next()
        if tok.kind != "int":
            fail(tok.pos, f"expected {what} (an integer), found {self._describe(tok)}")
        return tok

    def int_or_name(self, what):
        """An integer literal or the name of a constant, resolved later."""
        tok = self.next()
        if tok.kind not in ("int", "ident"):
            fail(tok.pos, f"expected {what} (an integer or a constant name), found {self._describe(tok)}")
        return {"pos": tok.pos, "int": tok.value} if tok.kind == "int" else {"pos": tok.pos, "name": tok.value}

    # -- grammar -------------------------------------------------------

    def parse_file(self):
        decls = []
        while self.peek().kind != "eof":
            tok = self.peek()
            if tok.kind == "ident" and tok.value == "interface":
                decls.append(self.interface())
            elif tok.kind == "ident" and tok.value == "kernelmsg":
                decls.append(self.kernelmsg())
            else:
                fail(tok.pos, f"expected 'interface' or 'kernelmsg', found {self._describe(tok)}")
        return {"path": self.path, "decls": decls}

    def const(self):
        kw = self.expect("const")
        name = self.ident("a constant name")
        self.expect("=")
        value = self.integer("the constant's value")
        self.expect(";")
        return {"kind": "const", "name": name.value, "pos": name.pos, "value": value.value, "doc": kw.doc}

    def interface(self):
        kw = self.expect("interface")
        name = self.ident("an interface name")
        self.expect("id", "after the interface name")
        iid = self.int_or_name("the interface id")
        self.expect("version")
        version = self.integer("the interface version")
        members = self.members(kernel=False)
        return {"kind": "interface", "name": name.value, "pos": name.pos, "id": iid,
                "version": version.value, "version_pos": version.pos, "doc": kw.doc,
                "members": members}

    def kernelmsg(self):
        kw = self.expect("kernelmsg")
        name = self.ident("a kernelmsg name")
        members = self.members(kernel=True)
        return {"kind": "kernelmsg", "name": name.value, "pos": name.pos, "doc": kw.doc,
                "members": members}

    def members(self, kernel):
        self.expect("{")
        members = []
        while not self.accept("}"):
            tok = self.peek()
            if tok.kind == "eof":
                fail(tok.pos, "expected '}' to close the block, found end of file")
            if tok.kind != "ident":
                fail(tok.pos, f"expected a declaration, found {self._describe(tok)}")
            if tok.value == "const":
                members.append(self.const())
            elif tok.value == "enum":
                members.append(self.enum())
            elif tok.value == "struct":
                members.append(self.struct())
            elif tok.value in ("error", "reply") and self.peek(1).kind == "ident" and self.peek(2).value == "=":
                members.append(self.code_decl())
            else:
                members.append(self.method())
        return members

    def enum(self):
        kw = self.expect("enum")
        name = self.ident("an enum name")
        self.expect("{")
        values = []
        while not self.accept("}"):
            vname = self.ident("an enumerator name")
            value = None
            if self.accept("="):
                value = self.integer("the enumerator's value")
            values.append({"name": vname.value, "pos": vname.pos, "doc": vname.doc,
                           "value": None if value is None else value.value,
                           "value_pos": vname.pos if value is None else value.pos})
            if not self.accept(","):
                self.expect("}", "after the last enumerator")
                break
        if not values:
            fail(name.pos, f"enum '{name.value}' has no enumerators")
        return {"kind": "enum", "name": name.value, "pos": name.pos, "doc": kw.doc, "values": values}

    def struct(self):
        kw = self.expect("struct")
        name = self.ident("a struct name")
        self.expect("{")
        fields = []
        while not self.accept("}"):
            ftype = self.type_ref()
            fname = self.ident("a field name")
            ftype = self.array_suffix(ftype)
            self.expect(";", "after the field")
            fields.append({"name": fname.value, "pos": fname.pos, "type": ftype, "doc": ftype["doc"]})
        if not fields:
            fail(name.pos, f"struct '{name.value}' has no fields")
        return {"kind": "struct", "name": name.value, "pos": name.pos, "doc": kw.doc, "fields": fields}

    def code_decl(self):
        kw = self.next()
        name = self.ident(f"an {kw.value} name")
        self.expect("=")
        value = self.integer(f"the {kw.value} code")
        self.expect(";")
        return {"kind": kw.value, "name": name.value, "pos": name.pos, "value": value.value,
                "value_pos": value.pos, "doc": kw.doc}

    def method(self):
        first = self.peek()
        deprecated = None
        oneway = False
        while True:
            tok = self.peek()
            if tok.kind == "ident" and tok.value == "deprecated":
                self.next()
                deprecated = ""
                if self.accept("("):
                    reason = self.next()
                    if reason.kind != "string":
                        fail(reason.pos, f"expected a string giving the reason, found {self._describe(reason)}")
                    deprecated = reason.value
                    self.expect(")")
            elif tok.kind == "ident" and tok.value == "oneway":
                self.next()
                oneway = True
            else:
                break
        name = self.ident("a method name")
        self.expect("@", "and the method's ordinal after its name")
        ordinal = self.int_or_name("the method ordinal")
        self.expect("(")
        params = []
        if not self.accept(")"):
            while True:
                params.append(self.param())
                if self.accept(")"):
                    break
                self.expect(",", "between parameters")
        raises = None
        raises_kw = self.peek()
        if raises_kw.kind == "ident" and raises_kw.value in ("raises", "replies"):
            self.next()
            self.expect("(")
            raises = []
            while True:
                e = self.ident("an error name")
                raises.append({"name": e.value, "pos": e.pos})
                if self.accept(")"):
                    break
                self.expect(",", "between error names")
        self.expect(";", "after the method")
        return {"kind": "method", "name": name.value, "pos": name.pos, "doc": first.doc,
                "ordinal": ordinal, "oneway": oneway, "deprecated": deprecated, "params": params,
                "raises": raises, "raises_kw": raises_kw.value if raises is not None else None,
                "raises_pos": raises_kw.pos}

    def param(self):
        d = self.next()
        if d.kind != "ident" or d.value not in ("in", "out"):
            fail(d.pos, f"expected 'in' or 'out' before the parameter, found {self._describe(d)}")
        ptype = self.type_ref()
        name = self.ident("a parameter name")
        ptype = self.array_suffix(ptype)
        return {"dir": d.value, "type": ptype, "name": name.value, "pos": name.pos}

    def type_ref(self):
        tok = self.ident("a type")
        t = {"pos": tok.pos, "doc": tok.doc}
        if tok.value in ("string", "bytes"):
            t["kind"] = tok.value
            if not self.accept("<"):
                fail(tok.pos, f"{tok.value} needs a bound: {tok.value}<N>")
            t["bound"] = self.int_or_name(f"the {tok.value} bound")
            self.expect(">")
        elif tok.value == "cap":
            t["kind"] = "cap"
            self.expect("<", "after 'cap' (cap<type, rights>)")
            obj = self.ident("an object type")
            t["object"] = {"name": obj.value, "pos": obj.pos}
            if not self.accept(","):
                fail(self.peek().pos, f"cap<{obj.value}> without rights: write cap<{obj.value}, read|write|grant|grant_reply>")
            rights = []
            while True:
                r = self.ident("a right")
                rights.append({"name": r.value, "pos": r.pos})
                if not self.accept("|"):
                    break
            self.expect(">", "to close cap<...>")
            t["rights"] = rights
        elif tok.value in SCALARS:
            t["kind"] = "scalar"
            t["name"] = tok.value
        else:
            t["kind"] = "named"
            t["name"] = tok.value
        return t

    def array_suffix(self, t):
        """Wrap type t in the C-style array dimensions after a name: x[2][3]."""
        counts = []
        while self.accept("["):
            counts.append(self.int_or_name("the array length"))
            self.expect("]", "after the array length")
        for count in reversed(counts):
            t = {"pos": count["pos"], "doc": t.pop("doc", ""), "kind": "array", "elem": t, "count": count}
        return t


def parse(path, text):
    """Parse the IDL text read from path into a syntax tree."""
    return Parser(path, text).parse_file()
