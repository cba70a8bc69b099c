"""Malformed DTBs for the boot tests, made at test time from QEMU's own.

QEMU reads a -dtb file itself before the kernel does (it needs a valid
header, a root with #address-cells/#size-cells, and it rewrites /memory and
/chosen), so a blob with a broken header never reaches the kernel. The
corruptions here are ones QEMU passes through untouched, in parts of the
tree only the kernel reads.
"""

import struct
import subprocess

FDT_MAGIC = 0xD00DFEED
FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP, FDT_END = 1, 2, 3, 4, 9


def dump_qemu_dtb(path, smp=2, mem="1G", cpu="cortex-a72"):
    """Write the DTB QEMU virt would pass for this configuration to `path`."""
    subprocess.run(["qemu-system-aarch64", "-M", "virt,dumpdtb=" + path, "-cpu", cpu,
                    "-smp", str(smp), "-m", mem, "-nographic", "-nic", "none"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _header(blob):
    fields = struct.unpack_from(">10I", blob, 0)
    if fields[0] != FDT_MAGIC:
        raise ValueError("not a DTB (magic 0x%08x)" % fields[0])
    names = ("magic", "totalsize", "off_dt_struct", "off_dt_strings", "off_mem_rsvmap",
             "version", "last_comp_version", "boot_cpuid_phys", "size_dt_strings",
             "size_dt_struct")
    return dict(zip(names, fields))


def properties(blob):
    """Yield (node path, property name, offset of the PROP token) in order."""
    h = _header(blob)
    strings = h["off_dt_strings"]
    off = h["off_dt_struct"]
    path = []
    while True:
        (tag,) = struct.unpack_from(">I", blob, off)
        if tag == FDT_BEGIN_NODE:
            end = blob.index(b"\0", off + 4)
            path.append(blob[off + 4 : end].decode())
            off = (end + 1 + 3) & ~3
        elif tag == FDT_END_NODE:
            path.pop()
            off += 4
        elif tag == FDT_PROP:
            length, nameoff = struct.unpack_from(">II", blob, off + 4)
            name_end = blob.index(b"\0", strings + nameoff)
            name = blob[strings + nameoff : name_end].decode()
            yield "/" + "/".join(p for p in path if p), name, off
            off = (off + 12 + length + 3) & ~3
        elif tag == FDT_NOP:
            off += 4
        elif tag == FDT_END:
            return
        else:
            raise ValueError("bad tag %d at 0x%x" % (tag, off))


def break_property_names(blob, under):
    """Return a copy of `blob` where every property of the nodes at or below
    path `under` names a string far outside the strings block: a structure
    error any DTB reader must detect when it reads those properties."""
    out = bytearray(blob)
    hits = 0
    for path, _, off in list(properties(blob)):
        if path == under or path.startswith(under + "/"):
            struct.pack_into(">I", out, off + 8, 0x7FFFFF00)
            hits += 1
    if not hits:
        raise ValueError("no properties under %s" % under)
    return bytes(out)


def without_nodes(blob, under):
    """Return a copy of `blob` with the node at path `under` (and all below
    it) turned into NOP tokens, as if the DTB never had it."""
    h = _header(blob)
    out = bytearray(blob)
    off = h["off_dt_struct"]
    path = []
    start = None
    while True:
        (tag,) = struct.unpack_from(">I", blob, off)
        nxt = off + 4
        if tag == FDT_BEGIN_NODE:
            end = blob.index(b"\0", off + 4)
            path.append(blob[off + 4 : end].decode())
            nxt = (end + 1 + 3) & ~3
            if start is None and "/" + "/".join(p for p in path if p) == under:
                start = off
        elif tag == FDT_END_NODE:
            here = "/" + "/".join(p for p in path if p)
            path.pop()
            if start is not None and here == under:
                for o in range(start, nxt, 4):
                    struct.pack_into(">I", out, o, FDT_NOP)
                return bytes(out)
        elif tag == FDT_PROP:
            length = struct.unpack_from(">I", blob, off + 4)[0]
            nxt = (off + 12 + length + 3) & ~3
        elif tag == FDT_END:
            raise ValueError("no node %s" % under)
        off = nxt
