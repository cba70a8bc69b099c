"""Splits IDL text into tokens, each with its line and column.

Comments are `// ...` and `/* ... */`; a doc comment (`/// ...` lines or
`/** ... */`) is kept and attached to the token that follows it, so the parser
can carry documentation into the IR and from there into C and Markdown.
"""
import re

from .errors import fail

PUNCT = set("{}()<>[],;=@|")

_TOKEN = re.compile(r"""
    (?P<space>[ \t\r]+)
  | (?P<newline>\n)
  | (?P<doc_line>///[^\n]*)
  | (?P<line_comment>//[^\n]*)
  | (?P<doc_block>/\*\*(?!/)(?:.|\n)*?\*/)
  | (?P<block_comment>/\*(?:.|\n)*?\*/)
  | (?P<int>-?(?:0[xX][0-9a-fA-F_]+|[0-9][0-9_]*)\b)
  | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<string>"[^"\n]*")
  | (?P<punct>[{}()<>\[\],;=@|])
""", re.X)


class Token:
    """One token: kind (ident, int, string, punct, eof), value, position, doc."""

    __slots__ = ("kind", "value", "pos", "doc")

    def __init__(self, kind, value, pos, doc):
        self.kind = kind
        self.value = value
        self.pos = pos
        self.doc = doc

    def __repr__(self):
        return f"Token({self.kind}, {self.value!r}, {self.pos[1]}:{self.pos[2]})"


def _clean_block_doc(text):
    body = text[3:-2]
    lines = [re.sub(r"^\s*\*? ?", "", ln).rstrip() for ln in body.split("\n")]
    return "\n".join(lines).strip()


def tokenize(path, text):
    """Return the list of tokens of text (from path), ending with an eof token."""
    tokens = []
    line, line_start, i = 1, 0, 0
    doc = []
    while i < len(text):
        m = _TOKEN.match(text, i)
        pos = (path, line, i - line_start + 1)
        if not m:
            if text.startswith("/*", i):
                fail(pos, "unterminated comment")
            if text[i] == '"':
                fail(pos, "unterminated string")
            fail(pos, f"unexpected character {text[i]!r}")
        kind = m.lastgroup
        value = m.group(kind)
        if kind == "doc_line":
            doc.append(value[3:].strip())
        elif kind == "doc_block":
            doc.append(_clean_block_doc(value))
        elif kind == "int":
            tokens.append(Token("int", int(value.replace("_", ""), 0), pos, "\n".join(doc)))
            doc = []
        elif kind in ("ident", "punct"):
            tokens.append(Token(kind, value, pos, "\n".join(doc)))
            doc = []
        elif kind == "string":
            tokens.append(Token("string", value[1:-1], pos, "\n".join(doc)))
            doc = []
        newlines = value.count("\n")
        if newlines:
            line += newlines
            line_start = m.start() + value.rindex("\n") + 1
        i = m.end()
    tokens.append(Token("eof", None, (path, line, i - line_start + 1), ""))
    return tokens
