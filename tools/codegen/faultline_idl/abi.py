"""Reads the facts the IDL needs from the kernel's abi.h, so they have one source.

The generator never hard-codes message limits, object types, rights or kernel
labels: it takes them from kernel/include/faultline/abi.h, and the generated C
re-checks them against the same header with _Static_assert.
"""
import re


class AbiError(Exception):
    """abi.h lacks a fact the IDL needs."""


def _int(text):
    return int(text.rstrip("ULul"), 0)


def load_abi(path):
    """Return a dict of the ABI facts read from the header at path."""
    with open(path, encoding="utf-8") as f:
        src = f.read()
    defines = {m.group(1): m.group(2) for m in re.finditer(
        r"^#define\s+(\w+)\s+(0x[0-9a-fA-F]+[UuLl]*|\d+[UuLl]*)\b", src, re.M)}
    enums = {m.group(1): _int(m.group(2)) for m in re.finditer(
        r"^\s*(FL_\w+)\s*=\s*(0x[0-9a-fA-F]+[UuLl]*|\d+[UuLl]*)\s*,", src, re.M)}

    def need(name, table):
        if name not in table:
            raise AbiError(f"{path}: no {name}")
        return _int(table[name]) if table is defines else table[name]

    abi = {
        "msg_reg_count": need("FL_MSG_REG_COUNT", defines),
        "msg_max_words": need("FL_MSG_MAX_WORDS", defines),
        "msg_max_caps": need("FL_MSG_MAX_CAPS", defines),
        "kernel_label_base": need("FL_KERNEL_LABEL_BASE", defines),
        "object_types": {},
        "rights": {},
        "kernel_labels": {},
    }
    for name, value in enums.items():
        if name.startswith("FL_OBJ_") and name not in ("FL_OBJ_NULL", "FL_OBJ_COUNT"):
            abi["object_types"][name[len("FL_OBJ_"):].lower()] = value
        elif name.startswith("FL_FAULT_") and value >= abi["kernel_label_base"]:
            abi["kernel_labels"][name] = value
    for name, value in defines.items():
        if name.startswith("FL_RIGHT_"):
            abi["rights"][name[len("FL_RIGHT_"):].lower()] = _int(value)
    for table in ("object_types", "rights", "kernel_labels"):
        if not abi[table]:
            raise AbiError(f"{path}: found no {table.replace('_', ' ')}")
    return abi
