"""Renders the IR into C, Markdown and fuzz drivers with the Jinja2 templates.

Only naming lives here: how an IR type or parameter is spelled in C for each
role (client stub, handler, reply encoder, local variable). Everything else is
in templates/*.j2, which read nothing but the IR.
"""
import json
import os

import jinja2

TEMPLATE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "templates")

# (template, output name pattern) for each generated file of an IDL file.
OUTPUTS = [
    ("header.h.j2", "{stem}.h"),
    ("client.c.j2", "{stem}_client.c"),
    ("server.c.j2", "{stem}_server.c"),
    ("fuzz.c.j2", "{stem}_fuzz.c"),
    ("doc.md.j2", "{stem}.md"),
]


def ctype(t):
    """The C type of a scalar, enum or struct (the element type of an array)."""
    k = t["kind"]
    if k == "uint":
        return f"uint{t['bits']}_t"
    if k == "int":
        return f"int{t['bits']}_t"
    if k == "bool":
        return "bool"
    if k == "enum":
        return f"enum {t['interface']}_{t['name']}"
    if k == "struct":
        return f"struct {t['interface']}_{t['name']}"
    if k == "array":
        return ctype(t["elem"])
    raise ValueError(f"no C type for {k}")


def dims(t):
    """The array declarator suffix of t, e.g. [4][2]; empty for non-arrays."""
    out = ""
    while t["kind"] == "array":
        out += f"[{t['count']}]"
        t = t["elem"]
    return out


def decl(p, role):
    """The C parameter declaration(s) of parameter p for role.

    Roles: client (stub argument), handler (handler argument), value (reply
    encoder argument, an out value passed in), local (dispatch variable).
    """
    t, n, k = p["type"], p["name"], p["type"]["kind"]
    out = p["dir"] == "out" and role in ("client", "handler")
    if k == "cap":
        return f"fl_cptr_t *{n}" if out and role == "handler" else f"fl_cptr_t {n}"
    if k == "string":
        if out or role == "local":
            return f"char {n}[{t['max'] + 1}]"
        return f"const char *{n}"
    if k == "bytes":
        if role == "local":
            return f"uint8_t {n}[{t['max']}];\n\tsize_t {n}_len"
        if out:
            return f"uint8_t {n}[{t['max']}], size_t *{n}_len"
        if role == "client":
            return f"const void *{n}, size_t {n}_len"
        return f"const uint8_t *{n}, size_t {n}_len"
    if k == "array":
        const = "" if out or role == "local" else "const "
        return f"{const}{ctype(t)} {n}{dims(t)}"
    if k == "struct":
        if role == "local":
            return f"{ctype(t)} {n}"
        return f"{ctype(t)} *{n}" if out else f"const {ctype(t)} *{n}"
    if role == "local":
        return f"{ctype(t)} {n}"
    return f"{ctype(t)} *{n}" if out else f"{ctype(t)} {n}"


def arg(p, role):
    """How dispatch passes its local for p to the handler (role handler) or to
    the reply encoder (role value); forward passes a 'value' parameter on."""
    n, k = p["name"], p["type"]["kind"]
    if role == "forward":
        return f"{n}, {n}_len" if k == "bytes" else n
    out = p["dir"] == "out" and role == "handler"
    if k == "bytes":
        return f"{n}, &{n}_len" if out else f"{n}, {n}_len"
    if k in ("array", "string"):
        return n
    if k == "struct":
        return f"&{n}"
    return f"&{n}" if out else n


def cap_rights(t):
    """The C expression of a cap type's rights."""
    return " | ".join(f"FL_RIGHT_{r.upper()}" for r in t["rights"])


def cap_type(t):
    return f"FL_OBJ_{t['object'].upper()}"


def c_comment(text, indent=""):
    """text as a C block comment (empty string for no text)."""
    if not text:
        return ""
    lines = text.replace("*/", "* /").split("\n")
    if len(lines) == 1:
        return f"{indent}/* {lines[0]} */\n"
    body = "".join(f"{indent} *{' ' + ln if ln else ''}\n" for ln in lines)
    return f"{indent}/*\n{body}{indent} */\n"


def md_type(t):
    """A type as it is written in the IDL, for the docs."""
    k = t["kind"]
    if k in ("uint", "int", "bool"):
        return t["name"]
    if k in ("enum", "struct"):
        return t["name"]
    if k == "array":
        return f"{md_type(t['elem'])}[{t['count']}]"
    if k in ("string", "bytes"):
        return f"{k}<{t['max']}>"
    if k == "cap":
        return f"cap<{t['object']}, {'|'.join(t['rights'])}>"
    raise ValueError(k)


def environment():
    """The Jinja2 environment with the naming helpers as globals."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(ctype=ctype, dims=dims, decl=decl, arg=arg, cap_rights=cap_rights,
                       cap_type=cap_type, c_comment=c_comment, md_type=md_type, hex=hex)
    env.filters["upper_c"] = lambda s: s.upper()
    return env


def render_file(env, ir, stem):
    """Render every output of one IDL file's IR; returns {file name: text}."""
    out = {f"{stem}.json": json.dumps(ir, indent=1, sort_keys=True) + "\n"}
    for template, pattern in OUTPUTS:
        out[pattern.format(stem=stem)] = env.get_template(template).render(ir=ir, stem=stem)
    return out
