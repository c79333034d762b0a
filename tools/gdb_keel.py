"""gdb_keel.py - GDB commands for Keel's user programs (tools/gdbinit sources it).

Every user program links at the same address (PROG_LOAD_BASE), so GDB
cannot know from an address whose code it is.  `keel-user` finds out: it
takes the user instruction pointer of the thread running on the selected
CPU (GDB's thread N is CPU N-1), reads the code there through the
current address space, and compares it with each program in build/user/.
The one whose file holds the same bytes at that address is the program;
its symbols are loaded beside the kernel's.

    keel-user            find the program running on this CPU and load it
    keel-user NAME       load build/user/NAME.elf's symbols
"""
import glob
import os
import struct

import gdb

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USER_TOP = 0x0000800000000000
COMPARE = 32  # bytes of code compared


def elf_segments(path):
    """[(vaddr, filesz, offset)] of an ELF64 file's PT_LOAD segments, and .text's address."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        return [], None, data
    phoff, shoff = struct.unpack_from("<QQ", data, 0x20)
    phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", data, 0x36)
    segs = []
    for i in range(phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz = struct.unpack_from(
            "<IIQQQQ", data, phoff + i * phentsize)
        if p_type == 1:
            segs.append((p_vaddr, p_filesz, p_offset))
    text = None
    if shstrndx < shnum:
        stroff = struct.unpack_from("<Q", data, shoff + shstrndx * shentsize + 0x18)[0]
        for i in range(shnum):
            name, _, _, addr = struct.unpack_from("<IIQQ", data, shoff + i * shentsize)
            end = data.index(b"\0", stroff + name)
            if data[stroff + name:end] == b".text":
                text = addr
    return segs, text, data


def file_bytes(path, va, n):
    segs, _, data = elf_segments(path)
    for vaddr, filesz, offset in segs:
        if vaddr <= va and va + n <= vaddr + filesz:
            return data[offset + va - vaddr: offset + va - vaddr + n]
    return None


def user_rip():
    """The user RIP of what runs on the selected CPU, or None (it idles)."""
    rip = int(gdb.parse_and_eval("$rip")) & 0xffffffffffffffff
    if rip < USER_TOP:
        return rip
    # In the kernel: the running thread's saved user registers.
    try:
        cur = gdb.parse_and_eval("((struct percpu *)$gs_base)->sched.current")
        if int(cur) == 0:
            return None
        return int(cur["regs"]["rip"]) & 0xffffffffffffffff
    except gdb.error:
        return None


loaded = None  # the program whose symbols are loaded now


def load(path):
    """The program's symbols beside the kernel's, in place of the last program's."""
    global loaded
    _, text, _ = elf_segments(path)
    gdb.execute("set confirm off", to_string=True)
    if loaded:
        gdb.execute(f"remove-symbol-file {loaded}", to_string=True)
    gdb.execute(f"add-symbol-file {path} 0x{text:x}", to_string=True)
    loaded = path


class KeelUser(gdb.Command):
    """Load the symbols of the user program running on this CPU (or of NAME)."""

    def __init__(self):
        super().__init__("keel-user", gdb.COMMAND_FILES)

    def invoke(self, arg, from_tty):
        progs = sorted(glob.glob(os.path.join(ROOT, "build", "user", "*.elf")))
        if arg.strip():
            path = os.path.join(ROOT, "build", "user", arg.strip() + ".elf")
            if not os.path.exists(path):
                raise gdb.GdbError(f"no {path}")
            load(path)
            print(f"program: {arg.strip()} ({path})")
            return
        rip = user_rip()
        if rip is None:
            raise gdb.GdbError("no user program runs on this CPU (it idles)")
        try:
            code = bytes(gdb.selected_inferior().read_memory(rip, COMPARE))
        except gdb.MemoryError:
            raise gdb.GdbError(f"the code at 0x{rip:x} cannot be read in this address space")
        found = [p for p in progs if file_bytes(p, rip, COMPARE) == code]
        if len(found) != 1:
            names = ", ".join(os.path.basename(p) for p in found) or "none"
            raise gdb.GdbError(f"0x{rip:x}: {len(found)} programs match ({names}); "
                               "name one: keel-user NAME")
        load(found[0])
        name = os.path.basename(found[0])[:-4]
        print(f"program: {name} ({found[0]}), user rip 0x{rip:x}")


KeelUser()
