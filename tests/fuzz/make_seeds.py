#!/usr/bin/env python3
"""make_seeds.py - write the hand-made seeds of the fuzzing corpus.

    python3 tests/fuzz/make_seeds.py [--user build/user]

Writes into tests/fuzz/corpus/ (tests/fuzz/README.md):
  elf/      small ELF files made here, valid and each broken one way, and
            two real programs (hello and unt, stripped: only the program
            headers and the bytes the segments take remain)
  cmdline/  the command lines the boot tests use (tools/boottest.py),
            each with an option the kernel or the pager looks for, in
            tests/fuzz/fuzz_cmdline.c's format: u8 buffer size, name, NUL,
            command line
  memmap/   maps broken the ways memmap_sanitize() must mend (the real
            maps come from tools/fuzz-seeds.sh)
  acpi/     tables QEMU's firmware never makes (x2APIC entries, every
            array past its cap, a 64-bit PM timer block), in
            tests/fuzz/fuzz_acpi.c's image format
  bootmem/, falloc/  short operation sequences, in the encodings their
            harnesses read (see fuzz_bootmem.c and fuzz_falloc.c)
  decode/   one system call of each number that decodes, with a table of
            every kind of capability (fuzz_decode.c's format)
The firmware seeds (mb2, memmap, acpi) come from tools/fuzz-seeds.sh.
"""
import os
import shutil
import struct
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "tests", "fuzz", "corpus")
USER_TOP = 0x00007FFFFFFFF000
PT_LOAD, PT_NOTE, PT_GNU_STACK = 1, 4, 0x6474E551
R, W, X = 4, 2, 1


def elf(segments, entry, extra=b"", size=None):
    """An ELF64 x86-64 ET_EXEC: segments are (type, flags, offset, vaddr, filesz, memsz)."""
    phoff = 64
    hdr = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    hdr += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, entry, phoff, 0, 0, 64, 56,
                       len(segments), 64, 0, 0)
    phdrs = b"".join(struct.pack("<IIQQQQQQ", t, f, off, va, va, fs, ms, 0x1000)
                     for t, f, off, va, fs, ms in segments)
    data = hdr + phdrs + extra
    if size is not None:
        data = data.ljust(size, b"\xcc")
    return data


def elf_seeds():
    code = b"\xeb\xfe"  # jmp .
    small = 64 + 56 + len(code)
    two = 64 + 2 * 56
    return {
        # One read-execute segment holding the whole file; entry in it.
        "min-valid": elf([(PT_LOAD, R | X, 0, 0x400000, small, small)], 0x400000 + small - 2,
                         code),
        # Text and a data segment with bss, on separate pages.
        "text-data-bss": elf([(PT_LOAD, R | X, 0, 0x400000, 0x100, 0x100),
                              (PT_LOAD, R | W, 0x100, 0x401100, 0x40, 0x2000)],
                             0x400080, size=0x140),
        # The last user page exactly (ends at KEEL_USER_TOP), plus ignored headers.
        "top-page": elf([(PT_NOTE, R, 0, 0, 0, 0), (PT_GNU_STACK, R | W, 0, 0, 0, 0),
                         (PT_LOAD, R | X, 0, USER_TOP - 0x1000, 0x100, 0x1000),
                         (PT_LOAD, R, 0, 0x500000, 0, 0)],
                        USER_TOP - 0x1000 + 0x10, size=0x100),
        # Broken one way each: W+X, filesz > memsz, a shared page, entry
        # outside, one page too high, offset and vaddr disagreeing.
        "bad-wx": elf([(PT_LOAD, R | W | X, 0, 0x400000, 0x80, 0x80)], 0x400000, size=0x80),
        "bad-filesz": elf([(PT_LOAD, R | X, 0, 0x400000, 0x100, 0x80)], 0x400000, size=0x100),
        "bad-overlap": elf([(PT_LOAD, R | X, 0, 0x400000, 0x100, 0x100),
                            (PT_LOAD, R | W, 0x100, 0x400100, 0x20, 0x20)],
                           0x400000, size=0x120),
        "bad-entry": elf([(PT_LOAD, R, 0, 0x400000, two, two)], 0x400000, size=two),
        "bad-kernel-half": elf([(PT_LOAD, R | X, 0, USER_TOP, 0x80, 0x80)], USER_TOP,
                               size=0x80),
        "bad-align": elf([(PT_LOAD, R | X, 0x10, 0x400000, 0x70, 0x70)], 0x400000, size=0x80),
    }


def cmdline_seeds():
    """(buffer size, name, command line): options as tools/boottest.py boots with."""
    cases = {
        "test": (32, "test", "test"),
        "crash-stack": (32, "crash", "test crash=stack"),
        "crash-truncated": (4, "crash", "test crash=ubsan-overflow"),
        "fail-root-alloc": (16, "fail-root-alloc", "test fail-root-alloc=3"),
        "smp-absent-cpu": (1, "smp-absent-cpu", "test smp-absent-cpu"),
        "bench-word": (8, "bench", "bench-fair  test"),
        "empty": (8, "test", ""),
    }
    return {k: bytes([n]) + name.encode() + b"\0" + line.encode()
            for k, (n, name, line) in cases.items()}


def memmap_seeds():
    def e(base, length, typ):
        return struct.pack("<QQII", base, length, typ, 0)
    return {
        # Unsorted, overlapping, empty, unknown type, reaching 2^64.
        "broken": e(0x100000, 0x7F00000, 1) + e(0, 0x9FC00, 1) + e(0x9F000, 0x2000, 2)
        + e(0x500000, 0, 1) + e(0x1000000, 0x10000, 7) + e(0xFFFFFFFFFFFFF000, 0x2000, 1)
        + e(0x1000000, 0x1000, 5),
        # The same with room for two output entries only (the extra byte).
        "broken-cap2": e(0x100000, 0x7F00000, 1) + e(0, 0x9FC00, 1) + e(0x9F000, 0x2000, 2)
        + e(0x1000000, 0x1000, 4) + bytes([2]),
    }


def sdt(sig, body, rev=1):
    """An ACPI table: the 36-byte header (checksum made right) and body."""
    t = bytearray(sig + struct.pack("<IB", 36 + len(body), rev) + b"\0" + b"KEEL  "
                  + b"FUZZSEED" + struct.pack("<I", 1) + b"KEEL" + struct.pack("<I", 1) + body)
    t[9] = (-sum(t)) & 0xFF
    return bytes(t)


def rsdp_v2(xsdt, rsdt=0):
    r = bytearray(b"RSD PTR " + b"\0" + b"KEEL  " + bytes([2]) + struct.pack("<I", rsdt)
                  + struct.pack("<IQ", 36, xsdt) + bytes(4))
    r[8] = (-sum(r[:20])) & 0xFF
    r[32] = (-sum(r)) & 0xFF
    return bytes(r)


def acpi_image(rsdp, tables):
    out = struct.pack("<H", len(rsdp)) + rsdp
    for addr, t in sorted(tables.items()):
        out += struct.pack("<QI", addr, len(t)) + t
    return out


def acpi_seeds():
    def madt(entries):
        return sdt(b"APIC", struct.pack("<II", 0xFEE00000, 1) + b"".join(entries), rev=5)
    lapic = lambda uid, apic, flags=1: struct.pack("<BBBBI", 0, 8, uid, apic, flags)
    x2apic = lambda apic, uid, flags=1: struct.pack("<BBHIII", 9, 16, 0, apic, flags, uid)
    ioapic = lambda i: struct.pack("<BBBBII", 1, 12, i, 0, 0xFEC00000 + 0x1000 * i, 24 * i)
    override = lambda irq: struct.pack("<BBBBIH", 2, 10, 0, irq, irq + 2, 0xD)
    nmi_src = struct.pack("<BBHI", 3, 8, 0xD, 9)
    lapic_nmi = lambda uid: struct.pack("<BBBHB", 4, 6, uid, 5, 1)
    x2apic_nmi = lambda uid: struct.pack("<BBHIB3x", 0xA, 12, 5, uid, 0)
    lapic_addr = lambda a: struct.pack("<BBHQ", 5, 12, 0, a)
    fadt = bytearray(244 - 36)
    struct.pack_into("<I", fadt, 76 - 36, 0x608)                  # PM_TMR_BLK
    fadt[91 - 36] = 4                                             # PM_TMR_LEN
    struct.pack_into("<I", fadt, 112 - 36, 1 << 8)                # TMR_VAL_EXT
    struct.pack_into("<BBBBQ", fadt, 208 - 36, 1, 32, 0, 3, 0xB008)  # X_PM_TMR_BLK
    hpet = struct.pack("<IBBBBQBBH", 0x8086A201, 0, 64, 0, 0, 0xFED00000, 0, 0, 0)
    entries = ([x2apic(0x10000 + i, i) for i in range(4)] + [x2apic(0x10001, 9)]
               + [x2apic(0xFFFFFFFF, 10), lapic(20, 5), lapic(21, 5), lapic(22, 0xFF),
                  lapic(23, 6, 0), lapic(24, 7, 2), nmi_src, lapic_addr(0xFEE10000),
                  lapic_addr(0xFEE20000), lapic_addr(0)]
               + [ioapic(i) for i in range(17)] + [override(i) for i in range(17)]
               + [lapic_nmi(0xFF)] * 9 + [x2apic_nmi(0xFFFFFFFF)] * 8
               + [lapic_nmi(0xFF)[:5] + b"\2"])  # LINT2: refused
    tables = {0x1000: madt(entries), 0x3000: sdt(b"FACP", bytes(fadt), rev=5),
              0x4000: sdt(b"HPET", hpet)}
    xsdt = sdt(b"XSDT", struct.pack("<QQQ", 0x1000, 0x3000, 0x4000))
    caps = acpi_image(rsdp_v2(0x800), {0x800: xsdt, **tables})
    # More CPUs than ACPI_MAX_CPUS (512), through an RSDT named beside a broken XSDT.
    many = madt([lapic(i & 0xFF, i & 0xFF) if i < 255 else x2apic(i, i) for i in range(520)])
    rsdt = sdt(b"RSDT", struct.pack("<I", 0x1000))
    cpus = acpi_image(rsdp_v2(0x900, rsdt=0x800), {0x800: rsdt, 0x900: b"XSDT" + bytes(32),
                                                   0x1000: many})
    return {"hand-caps-x2apic": caps, "hand-many-cpus": cpus}


def bootmem_seeds():
    def win(high, off):  # window_addr(): u8 select, 3 bytes of offset
        return bytes([high]) + off.to_bytes(3, "little")

    def small(n):  # any_len()/any_addr() taking the window or 3-byte form
        return bytes([1]) + n.to_bytes(3, "little")
    entries = (bytes([3])
               + win(0, 0x1000) + small(0x400000) + bytes([0])     # available
               + win(0, 0x2000) + small(0x3000) + bytes([1])       # reserved
               + win(1, 0x100000) + bytes([0]) + (2**64 - 1).to_bytes(8, "little")
               + bytes([0]))                                       # available, to 2^64
    ops = (bytes([0]) + bytes([1]) + win(0, 0x100800) + small(0x1800)    # reserve
           + bytes([2, 3])                                               # 4 frames
           + bytes([1, 0, 21]) + (0x5000).to_bytes(3, "little")          # 2 MB aligned
           + bytes([1, 4, 12]) + (0x3000).to_bytes(3, "little") + win(1, 0x200000)
           + bytes([0, 0]) + (2**64 - 0x10000).to_bytes(8, "little") + small(0x20000))
    return {"two-windows": entries + ops, "empty-map": bytes([0]) + bytes([2, 0, 2, 7])}


def falloc_seeds():
    def win(high, frame):
        return bytes([high]) + frame.to_bytes(2, "little")
    add = lambda high, frame, n, budget=0: (bytes([0, budget]) + win(high, frame) + bytes([0])
                                            + n.to_bytes(2, "little"))
    alloc = lambda order, budget=0: bytes([1, budget, order])
    ops = (add(0, 3, 1000) + add(1, 100, 500) + alloc(3) + alloc(0) + alloc(9)
           + bytes([2, 0]) + (1).to_bytes(2, "little")                  # free an allocation
           + bytes([3, 0]) + win(0, 3) + bytes([0])                     # free frame 3 again
           + bytes([4, 0]) + win(0, 0) + (64).to_bytes(2, "little") + (5000).to_bytes(8, "little")
           + alloc(0, 0xF0))                                            # no nodes at all
    return {"add-alloc-free": ops,
            "out-of-nodes": add(0, 1, 4000, 0xF3) + alloc(2) + add(0, 0, 1, 0xF0)}


# decode/: one call each that decodes, in fuzz_decode.c's format: call,
# machine (bit 7: 1 GB pages, bit 6: a test boot, bits 0-5: CPUs - 1;
# bits 0 and 1 are also the tag's buffer and GRANT), the caller's
# capabilities and another space's (a count, then slot, type, rights,
# how, x, y each), six arguments (kind, raw) and a word that the tag is
# XORed with.
MEMORY, ASPACE, THREAD, ENDPOINT, NOTIFY, IOPORT, IRQ, DEVICE = 1, 2, 3, 4, 5, 6, 7, 8
SLOT, PAGES, ADDR, NONE, SMALL, NUM, NOBUF = 0, 1, 8, 4, 5, 6, 7
SELF = 0x18  # kind 4 (24 % 10) with 0x10 set: KEEL_CAP_SELF
# Kind 3 with 0x20 (0x23) is the last 2 MB boundary below KEEL_USER_TOP (raw 0).


def decode_table():
    def cap(slot, typ, x, y=0, how=0):
        return struct.pack("<BBBBQQ", slot, typ - 1, 0xFF, how, x, y)
    caps = [cap(0, MEMORY, 0x200000, 1023),   # 4 MB at 2 MB, every right
            cap(1, ASPACE, 0), cap(2, THREAD, 1), cap(3, ENDPOINT, 2), cap(4, NOTIFY, 3),
            cap(5, IOPORT, 0x3F8, 7),          # ports 0x3f8-0x3ff
            cap(6, IRQ, 0, 23),                # lines 0-23
            cap(7, DEVICE, 0xFEE00000, 0)]     # one page of device memory
    other = [cap(3, ENDPOINT, 2)]             # another space's table: one endpoint
    return (bytes([len(caps)]) + b"".join(caps) +
            bytes([len(other)]) + b"".join(other))


def decode_seed(call, *args, tag=0, mach=0xC3):
    args = list(args) + [(SMALL, 0)] * (6 - len(args))
    return (bytes([call, mach]) + decode_table() +
            b"".join(struct.pack("<BQ", k, v) for k, v in args) + struct.pack("<Q", tag))


def decode_seeds():
    va = 0x400000
    calls = {
        "debug-write": (0, (ADDR, 0x1000), (NUM, 100)),
        "exit": (1, (SMALL, 3)),
        "yield": (2,),
        "info": (3, (SMALL, 1)),
        "donate": (4, (SLOT, 0), (PAGES, 0), (PAGES, 16)),
        "reclaim": (5, (SLOT, 0), (PAGES, 0), (PAGES, 16)),
        "counts": (6, (SLOT, 0), (PAGES, 0), (PAGES, 1)),
        "as-create": (7, (SLOT, 0), (PAGES, 1), (PAGES, 2), (PAGES, 3), (SLOT, 12)),
        "map": (8, (SLOT, 1), (ADDR, va), (SLOT, 0), (PAGES, 0), (SMALL, 3)),
        "map-large": (8, (SLOT, 1), (ADDR, 0x600000), (SLOT, 0), (PAGES, 0), (SMALL, 0x13)),
        "map-large-past-the-top": (8, (SLOT, 1), (0x23, 0), (SLOT, 0), (PAGES, 0), (SMALL, 0x13)),
        "unmap": (9, (SLOT, 1), (ADDR, va), (NONE, 0)),
        "supply-table": (10, (SLOT, 1), (ADDR, va), (SMALL, 1), (SLOT, 0), (PAGES, 5)),
        "thread-create": (11, (SLOT, 0), (PAGES, 6), (SLOT, 1), (PAGES, 7), (ADDR, 9),
                          (SLOT, 13)),
        "thread-create-no-buffer": (11, (SLOT, 0), (PAGES, 6), (SLOT, 1), (NOBUF, 0),
                                    (ADDR, 0), (SLOT, 13)),
        "thread-config": (12, (SLOT, 2), (SMALL, 3), (SMALL, 0), (SLOT, 3)),
        "thread-start": (13, (SLOT, 2), (ADDR, 0x401000), (ADDR, 0x500000)),
        "endpoint-create": (14, (SLOT, 0), (PAGES, 8), (SLOT, 14)),
        "destroy": (15, (SLOT, 3)),
        "mem-derive": (16, (SLOT, 0), (PAGES, 0), (PAGES, 4), (SMALL, 3), (SLOT, 15)),
        "cap-info": (17, (SLOT, 4)),
        "send-with-caps": (18, (SLOT, 3), (SMALL, 0), (SMALL, 0), (SMALL, 0), (SMALL, 0),
                           (SMALL, 0)),
        "recv": (19, (SLOT, 3)),
        "call": (20, (SLOT, 3)),
        "reply-recv": (21, (SLOT, 3)),
        "debug-test": (22, (ADDR, 0x1000), (SMALL, 0), (ADDR, 0)),
        "sleep": (23, (SMALL, 10)),
        "lookup": (24, (SLOT, 1), (ADDR, va), (SLOT, 0)),
        "cap-copy": (25, (SLOT, 3), (SELF, 0), (SLOT, 10), (SMALL, 1), (ADDR, 5)),
        "cap-delete": (26, (SELF, 0), (SLOT, 3)),
        "cap-copy-to-another-space": (25, (SLOT, 3), (SLOT, 1), (SLOT, 10), (SMALL, 1)),
        "cap-delete-in-another-space": (26, (SLOT, 1), (SLOT, 3)),
        "cap-landing": (27, (SLOT, 10), (SLOT, 11)),
        "unmap-range": (28, (SLOT, 1), (ADDR, va), (SMALL, 4), (NONE, 0)),
        "map-range": (29, (SLOT, 1), (ADDR, va), (SLOT, 0), (PAGES, 0), (SMALL, 4), (SMALL, 3)),
        "notify-create": (30, (SLOT, 0), (PAGES, 9), (SLOT, 14)),
        "signal": (31, (SLOT, 4)),
        "wait": (32, (SLOT, 4), (SMALL, 1)),
        "notify-bind": (33, (SLOT, 2), (SLOT, 4)),
        "io-derive": (34, (SLOT, 5), (NUM, 0x3F8), (SMALL, 8), (SLOT, 15)),
        "io-enable": (35, (SLOT, 5), (SLOT, 1), (NUM, 0x3F8), (SMALL, 8)),
        "irq-derive": (36, (SLOT, 6), (NUM, 4), (SMALL, 1), (SLOT, 15)),
        "irq-bind": (37, (SLOT, 6), (NUM, 4), (SLOT, 4), (SMALL, 1)),
        "irq-ack": (38, (SLOT, 6), (NUM, 4)),
        "device-derive": (39, (SLOT, 7), (PAGES, 0), (PAGES, 1), (SMALL, 1), (SLOT, 15)),
        "map-device": (40, (SLOT, 1), (ADDR, va), (SLOT, 7), (PAGES, 0), (SMALL, 3)),
        "irq-status": (41, (SLOT, 6), (NUM, 4)),
    }
    out = {name: decode_seed(c[0], *c[1:]) for name, c in calls.items()}
    # A tag carrying slots 3 and 4, with a buffer, through a GRANT endpoint.
    tag = 7 | 64 << 32 | 2 << 45 | 3 << 47 | 4 << 54
    out["tag-two-caps"] = decode_seed(18, (SLOT, 3), tag=tag)
    out["debug-test-outside-a-test-boot"] = decode_seed(22, (ADDR, 0x1000), (SMALL, 3),
                                                        mach=0x83)
    return out


def write(harness, files):
    d = os.path.join(CORPUS, harness)
    os.makedirs(d, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        print(f"make_seeds: {harness}/{name}: {len(data)} bytes")


def main():
    user = os.path.join(ROOT, "build", "user")
    if len(sys.argv) == 3 and sys.argv[1] == "--user":
        user = sys.argv[2]
    write("elf", elf_seeds())
    write("cmdline", cmdline_seeds())
    write("memmap", memmap_seeds())
    write("acpi", acpi_seeds())
    write("bootmem", bootmem_seeds())
    write("falloc", falloc_seeds())
    write("decode", decode_seeds())
    real = {}
    with tempfile.TemporaryDirectory() as tmp:
        for prog in ("hello", "unt"):
            src = os.path.join(user, prog + ".elf")
            if not os.path.exists(src):
                print(f"make_seeds: no {src}: skipped (make builds it)")
                continue
            out = os.path.join(tmp, prog)
            shutil.copy(src, out)
            subprocess.run(["strip", "--strip-all", out], check=True)
            with open(out, "rb") as f:
                real["real-" + prog] = f.read()
    write("elf", real)


if __name__ == "__main__":
    main()
