"""fuzz_seeds.py - dump real firmware's boot data as fuzzing seeds (run by GDB).

tools/fuzz-seeds.sh starts QEMU stopped (-S, a GDB stub) and runs
`gdb -batch -x tools/fuzz_seeds.py` with, in the environment:

    FUZZ_SEEDS_PORT   the GDB stub's TCP port
    FUZZ_SEEDS_ENTRY  the physical address of the kernel's Multiboot2 entry
    FUZZ_SEEDS_NAME   the configuration's name (the seed files' name)
    FUZZ_SEEDS_OUT    the corpus directory (tests/fuzz/corpus)

A hardware breakpoint at the entry stops the CPU as GRUB jumps to the
kernel: EAX holds the Multiboot2 magic, EBX the information's physical
address, and paging is off, so GDB's reads are physical.  Written, each
under OUT/<harness>/NAME:

    mb2     the information block, total_size bytes
    memmap  the memory-map tag's entries (24-byte records, as
            tests/fuzz/fuzz_memmap.c reads them)
    acpi    the RSDP copy of the ACPI tag (the new one if there is one,
            as the kernel prefers it), the RSDT and XSDT, and each table
            they list: whole for those acpi_parse() reads (APIC, FACP,
            HPET), the 36-byte header for the others (it reads only
            that), in tests/fuzz/fuzz_acpi.c's image format.
"""
import os
import struct

import gdb

MB2_MAGIC = 0x36D76289
TAG_MMAP, TAG_ACPI_OLD, TAG_ACPI_NEW = 6, 14, 15
SDT_HDR = 36
WHOLE = (b"APIC", b"FACP", b"HPET")  # tables acpi_parse reads past the header
MAX_TABLE = 64 << 10                  # larger ones are not copied whole


def read(addr, n):
    return bytes(gdb.selected_inferior().read_memory(addr, n))


def tags(info):
    """(type, body) of each tag up to the end tag."""
    off = 8
    while off + 8 <= len(info):
        typ, size = struct.unpack_from("<II", info, off)
        if typ == 0 or size < 8:
            return
        yield typ, info[off + 8:off + size]
        off += (size + 7) & ~7


def table(addr, whole):
    """The table at addr: whole (up to MAX_TABLE), or only its header."""
    hdr = read(addr, SDT_HDR)
    length = struct.unpack_from("<I", hdr, 4)[0]
    if whole and SDT_HDR <= length <= MAX_TABLE:
        return read(addr, length)
    return hdr


def acpi_image(rsdp):
    """tests/fuzz/fuzz_acpi.c's input: u16 len, the RSDP, then chunks."""
    chunks = {}
    roots = []
    rsdt = struct.unpack_from("<I", rsdp, 16)[0]
    if rsdt:
        roots.append((rsdt, 4))
    if rsdp[15] >= 2 and len(rsdp) >= 36:
        xsdt = struct.unpack_from("<Q", rsdp, 24)[0]
        if xsdt:
            roots.append((xsdt, 8))
    for addr, esize in roots:
        root = table(addr, True)
        chunks[addr] = root
        for off in range(SDT_HDR, len(root) - esize + 1, esize):
            entry = int.from_bytes(root[off:off + esize], "little")
            if entry and entry not in chunks:
                sig = read(entry, 4)
                chunks[entry] = table(entry, sig in WHOLE)
    out = struct.pack("<H", len(rsdp)) + rsdp
    for addr in sorted(chunks):
        out += struct.pack("<QI", addr, len(chunks[addr])) + chunks[addr]
    return out, sorted((read(a, 4).decode("ascii", "replace"), len(c)) for a, c in chunks.items())


def save(out, harness, name, data):
    os.makedirs(os.path.join(out, harness), exist_ok=True)
    with open(os.path.join(out, harness, name), "wb") as f:
        f.write(data)
    print(f"fuzz-seeds: {harness}/{name}: {len(data)} bytes")


def main():
    port = os.environ["FUZZ_SEEDS_PORT"]
    entry = int(os.environ["FUZZ_SEEDS_ENTRY"], 0)
    name = os.environ["FUZZ_SEEDS_NAME"]
    out = os.environ["FUZZ_SEEDS_OUT"]

    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("set architecture i386:x86-64")
    gdb.execute(f"target remote 127.0.0.1:{port}")
    gdb.execute(f"hbreak *{entry:#x}")
    gdb.execute("continue")
    eax = int(gdb.parse_and_eval("$rax")) & 0xFFFFFFFF
    ebx = int(gdb.parse_and_eval("$rbx")) & 0xFFFFFFFF
    if eax != MB2_MAGIC:
        raise gdb.GdbError(f"EAX is {eax:#x}, not the Multiboot2 magic: not stopped at the entry")
    total = struct.unpack("<I", read(ebx, 4))[0]
    if not 16 <= total <= 1 << 20:
        raise gdb.GdbError(f"total_size {total} out of range")
    info = read(ebx, total)
    print(f"fuzz-seeds: {name}: EAX {eax:#x}, information at {ebx:#x}, {total} bytes")
    save(out, "mb2", name, info)

    found = dict(tags(info))
    mmap = found.get(TAG_MMAP)
    if mmap:
        esize = struct.unpack_from("<I", mmap, 0)[0]
        entries = mmap[8:]
        records = b"".join(entries[i:i + 24] for i in range(0, len(entries) - esize + 1, esize))
        save(out, "memmap", name, records)
    rsdp = found.get(TAG_ACPI_NEW) or found.get(TAG_ACPI_OLD)
    if rsdp:
        image, tables = acpi_image(rsdp)
        print("fuzz-seeds: tables: " + ", ".join(f"{s} {n}" for s, n in tables))
        save(out, "acpi", name, image)
    gdb.execute("kill")


try:
    main()
except Exception as e:  # report, and let gdb -batch exit non-zero
    print(f"fuzz-seeds: error: {e}")
    gdb.execute("quit 1")
