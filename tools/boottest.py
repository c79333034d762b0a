#!/usr/bin/env python3
"""boottest.py - boot Keel in QEMU under a matrix of machines and check each.

Usage: boottest.py [--kernel build/keel.elf] [--only REGEX] [--list]
                   [--jobs N] [--keep] [--slow] [-v]

Each config (the MATRIX below) is one QEMU boot: firmware (SeaBIOS or OVMF),
machine (pc or q35), memory size, CPU model, and the kernel command line.
What a config expects is its `kind`:

  tests   `test` on the command line: the kernel runs its in-kernel tests,
          prints TAP and a `N passed, N failed` line, then exits QEMU through
          the isa-debug-exit device: status 33 = all passed, 35 = some failed.
  panic   `test crash=WHAT`: a deliberate fault right after boot; the kernel
          must catch it, print a `[panic]` report with a symbolized backtrace
          (matching the config's regexes) and exit QEMU with status 37.
  halt    an unsupported CPU: the 32-bit entry prints why and halts; we wait
          for that line, then kill QEMU.
  refuse  boot input the kernel must refuse before `boot complete` (a
          memory map or module list past its limit): a panic naming the
          boot step and the problem (the config's regexes), then a halt
          (before the command line is read: no exit device); we stop QEMU.
  tlb     a normal boot; after `[kernel] boot complete` we ask QEMU (QMP,
          `info tlb` and `info mem`) for the page tables as the hardware sees
          them and check them against the layout and the ELF (check_* below).

Everything a run produces goes to build/boottest/: one ISO per distinct
command line, and per config NAME.log (serial console), NAME.stderr (QEMU's
own messages) and for tlb configs NAME.tlb / NAME.mem (monitor output).
Output is TAP-like, one line per config as it finishes, then one last line
`boot: N passed, M failed`; the exit status is 0 only if all passed.
"""
import argparse
import bisect
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "boottest"
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"

# QEMU exit statuses: the kernel writes 0x10/0x11/0x12 to isa-debug-exit,
# which exits with (value << 1) | 1.
EXIT_PASS, EXIT_FAIL, EXIT_PANIC = 33, 35, 37

# Regexes every panic report must match: a backtrace whose first frame is
# symbolized (address in the kernel image, function+offset).
PANIC_COMMON = [r"^\[panic\] backtrace:$",
                r"^\[panic\]\s+#0\s+0xffffffff8[0-9a-f]{7}\s+[\w.]+\+0x[0-9a-f]+$"]


@dataclass
class Config:
    name: str
    firmware: str            # "bios" (SeaBIOS), "uefi" (OVMF) or "bochs"
                             # (Bochs and its BIOS: tools/bochs.sh)
    machine: str             # "pc" or "q35"
    memory: str              # QEMU -m size
    cpu: str                 # QEMU -cpu model
    kind: str                # "tests", "panic", "halt", "tlb" or "system" (see above)
    cmdline: str = ""
    expect: list = field(default_factory=list)  # regexes (panic, halt)
    gb_pages: bool | None = None  # tlb: expected `1 GB pages yes|no`
    min_1g: int = 0          # tlb: at least this many 1 GB pages
    huge: bool = False       # RAM backend with reserve=off: more guest RAM
                             # than the host could commit (never touched)
    timeout: float = 0       # seconds; 0 = by firmware (OVMF is slow)
    smp: int = 1             # CPUs; every one must come online
    # The GRUB modules: "user", the user programs with coretest first (the
    # first program: the kernel-core tests); "none", for the page-table checks of "tlb", which look at
    # the kernel's own tables (an idle CPU runs on them, and a running
    # program would put its pages in the user half); "bad-elf", a first
    # module whose segment reaches into the kernel half, which the kernel
    # must refuse with a message and go on; "big-elf", a valid first module
    # whose bss is too large for the boot memory it may use (refused too);
    # "far-elf", a valid first module with a segment at 4 GB, past the
    # root's image area (refused); "empty-first", a 0-byte first module
    # before the others (refused);
    # "system", the pager and init
    # first, then the other programs.
    # "first:VARIANT", the first program alone, coretest corrupted as
    # ELF_VARIANTS[VARIANT] says (refused);
    # "system:NAME=VARIANT", the system's modules with NAME corrupted;
    # "system+N", the system's modules and copies of hello up to N modules.
    modules: str = "user"
    cpus_online: int = 0     # if not smp: how many must (e.g. without ACPI)
    ksan: bool = False       # only with the sanitizer build's kernel (--ksan)
    # grub.cfg lines before `multiboot2` (tools/mkiso.sh's KEEL_GRUB_PRE):
    # `cutmem` makes holes in the memory map.
    grub: tuple = ()
    # More checks once the boot passed the others: a function of the
    # serial text that returns why the boot failed, or None.
    check: object = None
    slow: bool = False       # minutes: run only with --slow

    def __post_init__(self):
        # (BIOS boots of the in-kernel and coretest tests take 15-50 s on a
        # loaded 2-core host, most of it coretest's system-call storm.)
        self.timeout = self.timeout or (180 if self.firmware == "uefi" else 120)


def tests(name, fw, machine, mem, cpu, cmdline="test", **kw):
    return Config(name, fw, machine, mem, cpu, "tests", cmdline, **kw)


def last_load(data):
    """The offset of the program header of the highest PT_LOAD."""
    phoff = struct.unpack_from("<Q", data, 0x20)[0]
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    last = None
    for i in range(phnum):
        off = phoff + i * phentsize
        if struct.unpack_from("<I", data, off)[0] == 1:  # PT_LOAD
            if last is None or struct.unpack_from("<Q", data, off + 0x10)[0] > \
                    struct.unpack_from("<Q", data, last + 0x10)[0]:
                last = off
    return last


def phdrs(data):
    """The offsets of the program headers of an ELF file."""
    phoff = struct.unpack_from("<Q", data, 0x20)[0]
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    return [phoff + i * phentsize for i in range(phnum)]


def loads(data):
    """The offsets of the PT_LOAD program headers, in file order."""
    return [o for o in phdrs(data) if struct.unpack_from("<I", data, o)[0] == 1]


def set_u64(data, at, value):
    struct.pack_into("<Q", data, at, value)
    return data


def corrupt_overlap(data):
    """The second segment moved onto the first one's last page (same page
    offset, so only the overlap is wrong)."""
    a, b = loads(data)[:2]
    va, sz = struct.unpack_from("<Q", data, a + 0x10)[0], struct.unpack_from("<Q", data, a + 0x28)[0]
    vb = struct.unpack_from("<Q", data, b + 0x10)[0]
    return set_u64(data, b + 0x10, ((va + sz - 1) & ~0xfff) | (vb & 0xfff))


def corrupt_mid_segment(data):
    """Cut in the middle of the first segment's bytes."""
    off, size = struct.unpack_from("<Q", data, loads(data)[0] + 8)[0], \
        struct.unpack_from("<Q", data, loads(data)[0] + 0x20)[0]
    return data[:off + size // 2]


def corrupt_wrap(data):
    """The last segment placed so that it runs past 2^64."""
    last = last_load(data)
    va = struct.unpack_from("<Q", data, last + 0x10)[0]
    return set_u64(data, last + 0x10, 0xfffffffffffff000 | (va & 0xfff))


def no_load(data):
    """Every PT_LOAD made a PT_NOTE."""
    for o in loads(data):
        struct.pack_into("<I", data, o, 4)
    return data


# Corrupted or hostile programs, for the first program (the kernel refuses
# them: `[root] cannot start the first program: WHY`) and for spawned ones
# (the pager refuses them: `[pager] cannot start NAME: WHY`).  Each is a
# function of a valid ELF file's bytes (a bytearray) and the refusal's text
# (common/elf.c's elf_strerror).
ELF_VARIANTS = {
    "empty": (lambda d: b"", "file shorter than an ELF header"),
    "cut-in-header": (lambda d: d[:40], "file shorter than an ELF header"),
    "random": (lambda d: bytes(__import__("random").Random(15).randbytes(65536)),
               r"not an ELF file \(bad magic\)"),
    "bad-magic": (lambda d: d[:1] + b"X" + d[2:], r"not an ELF file \(bad magic\)"),
    "32-bit": (lambda d: d[:4] + b"\x01" + d[5:],
               "not a 64-bit little-endian version 1 ELF file"),
    "wrong-machine": (lambda d: d[:18] + struct.pack("<H", 3) + d[20:],
                      r"not an x86_64 executable \(ET_EXEC, EM_X86_64\)"),
    "cut-in-phdrs": (lambda d: d[:phdrs(d)[-1] + 20],
                     "program headers outside the file or of the wrong size"),
    "phdrs-past-eof": (lambda d: set_u64(d, 0x20, len(d) - 100),
                       "program headers outside the file or of the wrong size"),
    "too-many-phdrs": (lambda d: d[:0x38] + struct.pack("<H", 17) + d[0x3a:],
                       "too many program headers"),
    "cut-mid-segment": (corrupt_mid_segment,
                        "segment runs past the end of the file or filesz > memsz"),
    "offset-past-eof": (lambda d: set_u64(d, loads(d)[0] + 8, len(d) + 0x1000),
                        "segment runs past the end of the file or filesz > memsz"),
    "filesz-over-memsz": (lambda d: set_u64(d, loads(d)[0] + 0x28,
                                            struct.unpack_from("<Q", d, loads(d)[0] + 0x20)[0]
                                            - 1),
                          "segment runs past the end of the file or filesz > memsz"),
    "misaligned": (lambda d: set_u64(d, loads(d)[1] + 0x10,
                                     struct.unpack_from("<Q", d, loads(d)[1] + 0x10)[0] + 8),
                   "segment vaddr and offset differ modulo the page size"),
    "kernel-half": (lambda d: set_u64(d, loads(d)[0] + 0x10, 0xffff800000000000),
                    "segment wraps, maps page 0 or reaches the kernel half"),
    "wraps": (corrupt_wrap, "segment wraps, maps page 0 or reaches the kernel half"),
    "overlap": (corrupt_overlap, "two segments share a page"),
    "w-and-x": (lambda d: d[:loads(d)[0] + 4] + struct.pack("<I", 7) + d[loads(d)[0] + 8:],
                "segment is both writable and executable"),
    "no-load": (no_load, "no PT_LOAD segment"),
    "entry-outside": (lambda d: set_u64(d, 0x18, struct.unpack_from(
        "<Q", d, last_load(d) + 0x10)[0]), "entry point is in no executable segment"),
}


# --- Memory maps with holes (GRUB's `cutmem FROM TO` takes [FROM, TO) out of
# the map it gives the kernel).  The checks read the map the kernel prints.

def span_union(spans):
    """Sorted, merged [start, end) spans."""
    out = []
    for a, b in sorted(x for x in spans if x[0] < x[1]):
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [tuple(x) for x in out]


def span_minus(spans, holes):
    """spans less holes, both lists of [start, end)."""
    out, holes = [], span_union(holes)
    for a, b in span_union(spans):
        for h0, h1 in holes:
            if h1 <= a or h0 >= b:
                continue
            if h0 > a:
                out.append((a, h0))
            a = max(a, h1)
        if a < b:
            out.append((a, b))
    return out


def span_and(spans, lo, hi):
    return [(max(a, lo), min(b, hi)) for a, b in spans if a < hi and b > lo]


SYMS = {}                        # the kernel's symbols (main fills it)


def memmap_check(region, cuts, loader_entries=None, min_entries=0, pager=False):
    """A check (Config.check) that the kernel's memory map is exactly what
    the cuts imply, and that no byte of RAM is lost on the way to the pager.

    region [lo, hi) is RAM on the machine: inside it, the available ranges
    the kernel prints must be region less the cuts, byte for byte (odd ends
    included).  The available total must add up; the pager's share must be
    every whole free page of available RAM less the first megabyte, the
    kernel image, the Multiboot2 information, the modules and what the
    footprint says the kernel took (the AP trampoline is in the first
    megabyte); with `pager`, the pager must say it manages exactly that."""
    def check(text):
        def num(regex):
            m = re.search(regex, text, re.M)
            return int(m[1]) if m else None
        raw = num(r"^\[mm\] physical memory map \((\d+) entries from the loader\):$")
        if raw is None:
            return "no `[mm] physical memory map (N entries from the loader):` line"
        if loader_entries is not None and raw != loader_entries:
            return f"the loader gave {raw} memory map entries, want {loader_entries}"
        if raw < min_entries:
            return f"the loader gave {raw} memory map entries, want at least {min_entries}"
        avail = [(int(m[1], 16), int(m[2], 16) + 1) for m in re.finditer(
            r"^\[mm\]\s+0x([0-9a-f]+)-0x([0-9a-f]+) available$", text, re.M)]
        said = num(r"^\[mm\] (\d+) bytes \(\d+ MB\) of available RAM$")
        if said != sum(b - a for a, b in avail):
            return f"the available entries add up to {sum(b - a for a, b in avail)}, " \
                   f"the kernel says {said}"
        want = span_minus([region], cuts)
        have = span_and(avail, *region)
        if have != want:
            diff = sorted(set(have) ^ set(want))[:4]
            return f"available RAM in {region[0]:#x}-{region[1]:#x} is not the region less " \
                   f"the cuts: {len(have)} ranges, want {len(want)}; first differences " + \
                   ", ".join(f"{a:#x}-{b:#x}" for a, b in diff)
        cut_left = [c for c in cuts if span_and(avail, *c)]
        if cut_left:
            return f"cut {cut_left[0][0]:#x}-{cut_left[0][1]:#x} is still available"
        pages = [(-(-a // K4) * K4, b // K4 * K4) for a, b in avail]
        used = [(0, 1 << 20)]
        used += [(int(m[1], 16) // K4 * K4, -(-(int(m[2], 16) + 1) // K4) * K4)
                 for m in re.finditer(r"^\[boot\] (?:module \d+:|Multiboot2 information at) "
                                      r"0x([0-9a-f]+)-0x([0-9a-f]+) ", text, re.M)]
        used.append(image_phys(SYMS))
        image, total = num(r"^\[kernel\]   image +(\d+) bytes$"), \
            num(r"^\[kernel\]   total +(\d+) bytes$")
        free = num(r"^\[mm\] (\d+) bytes left free for the pager$")
        if None in (image, total, free):
            return "no footprint or `bytes left free for the pager` line"
        expect = sum(b - a for a, b in span_minus(pages, used)) - (total - image - K4)
        if free != expect:
            return f"{free} bytes left free for the pager, want {expect} (lost {expect - free})"
        if pager:
            m = re.search(r"^\[pager\] managing (\d+) bytes of free memory in (\d+) ranges",
                          text, re.M)
            if not m or int(m[1]) != free:
                return f"the pager manages {m and m[1]} bytes, the kernel left {free}"
        return None
    return check


def cutmem(cuts):
    """grub.cfg lines that cut each [start, end) out of the memory map."""
    return ("insmod mmap",) + tuple(f"cutmem {a:#x} {b:#x}" for a, b in cuts)


def every_other(start, size, count):
    """count holes of `size` bytes, one every 2 * size from start."""
    return [(start + 2 * size * i, start + 2 * size * i + size) for i in range(count)]


# 200 holes (every other 64 KB from 16 MB), and holes at odd
# places: a range that starts and one that ends mid-page, a 1-byte hole,
# and the end of RAM (256 MB less SeaBIOS's 132 KB) made odd.  Each hole
# but the last (at the end) adds an entry.  (GRUB takes about 13 s over
# 320 `cutmem` lines, 5 s over 200.)
MANY_CUTS = every_other(0x1000000, 0x10000, 200) + \
    [(0x5000123, 0x5001fff), (0x6000801, 0x6000802), (0x7654321, 0x789abcd),
     (0xffd0123, 0x10000000)]
# Odd ends only: RAM [1 MB, ...) cut so that ranges start and end
# mid-page, the top one too.
ODD_CUTS = [(0x1234567, 0x1300123), (0x2000001, 0x2000fff), (0xffd0123, 0x10000000)]

# SeaBIOS gives a 256 MB q35 machine 9 entries; each hole inside RAM adds
# one.  1015 holes: exactly MEMMAP_MAX_RAW (1024) entries; 1016: one more.
# GRUB 2.06 takes about 3 minutes over a thousand `cutmem` lines before
# the kernel starts (`badram` marking 500 blocks, over 5): these two run
# only with --slow.
LIMIT_CUTS = every_other(0x1000000, 0x10000, 1015)
PAST_LIMIT_CUTS = every_other(0x1000000, 0x10000, 1016)

def long_cmdline(size, last):
    """A command line of `size` bytes whose last word is `last`."""
    pad = size - len(last) - 1
    return ("pad=" + "x" * (pad - 4))[:pad] + " " + last


def lacks(regex):
    """A check (Config.check) that no line matches regex."""
    return lambda text: f"log has /{regex}/" if re.search(regex, text, re.M) else None


WESTMERE = "Westmere"    # a real CPU model without 1 GB pages (pdpe1gb)
# What a normal boot must print (issue 5's log contract, as far as built).
PAGER_UP = [r"^\[pager\] managing [1-9][0-9]* bytes of free memory in [1-9][0-9]* ranges; "
            r"[1-9][0-9]* modules$",
            r"^\[demo\] touched them: 0 wrong reads$",
            r"^\[demo\] freed: the pager's free memory is back to [0-9]+ bytes$",
            r"^\[pdemo\] client: shared 64 KB .* its sum [0-9]+, right$",
            r"^\[demo\] both ended; the pager's free memory is back where it was$",
            r"^\[demo\] one process placed on each of [1-9][0-9]* CPUs: [1-9][0-9]* ran "
            r"there, [0-9]+ on CPU 0 \(their CPU was given up\), 0 wrong$",
            r"^\[init\] ready$"]
# A refused first program leaves nothing behind (kernel/core/root.c).
REFUSED_CLEAN = r"^\[kernel\]   program +0 bytes$"
MATRIX = [
    # In-kernel tests on small, large and odd machines, under both firmwares,
    # with 1 to 64 CPUs.  (QEMU's TCG has no x2APIC: these are all xAPIC.)
    tests("bios-pc-64M-westmere", "bios", "pc", "64M", WESTMERE),
    tests("bios-q35-8G-max-2cpu", "bios", "q35", "8G", "max", smp=2),
    tests("bios-pc-128M-qemu64-4cpu", "bios", "pc", "128M", "qemu64", smp=4),
    tests("uefi-q35-2G-max-8cpu", "uefi", "q35", "2G", "max", smp=8),
    tests("uefi-pc-6G-westmere-2cpu", "uefi", "pc", "6G", WESTMERE, smp=2),
    tests("bios-q35-64G-westmere-8cpu", "bios", "q35", "64G", WESTMERE, huge=True, smp=8),
    tests("bios-q35-1T-max-4cpu", "bios", "q35", "1T", "max,phys-bits=46", huge=True,
          timeout=180, smp=4),
    tests("bios-q35-2G-max-64cpu", "bios", "q35", "2G", "max", smp=64, timeout=180),
    tests("uefi-q35-2G-max-64cpu", "uefi", "q35", "2G", "max", smp=64, timeout=300),
    # The most CPUs xAPIC can address, on a 2-core host: start-up waits on
    # the CPUs' progress, not a fixed deadline, so slow virtual CPUs all
    # come online (docs/cpus.md).  In-kernel tests only: the user-level
    # ones add nothing here but minutes.
    tests("bios-q35-2G-max-255cpu", "bios", "q35", "2G", "max", smp=255, modules="none",
          timeout=300),
    # A CPU that never answers (an APIC ID nobody has): reported, skipped.
    tests("bios-q35-absent-cpu-2cpu", "bios", "q35", "256M", "max", smp=2,
          cmdline="test smp-absent-cpu",
          expect=[r"^\[smp\] cpu 2 \(APIC 254\) did not answer the start-up IPIs: skipped$"]),
    # A CPU that answers, then wedges half-way through its set-up (it spins
    # and never looks at its state): after 10 s without progress it is
    # given up, stopped with INIT, and stays stopped (the in-kernel tests
    # check that it no longer runs).
    tests("bios-q35-stalled-cpu-2cpu", "bios", "q35", "256M", "max", smp=2, cpus_online=1,
          cmdline="test smp-stall-cpu", modules="none",
          expect=[r"^\[smp\] cpu 1 \(APIC 1\) made no progress for 1\d s \(last: set its "
                  r"control registers\): skipped, stopped with INIT$"]),
    # A first program whose segment reaches into the kernel half: refused
    # with a message, and the kernel goes on (its own tests still pass).
    # Every refusal gives back all it took: the first program's share of
    # the footprint is 0 (REFUSED_CLEAN).
    tests("bios-q35-bad-first-program", "bios", "q35", "256M", "max", modules="bad-elf",
          expect=[r"^\[root\] cannot start the first program: segment wraps, maps page 0 "
                  r"or reaches the kernel half$",
                  r"^\[kernel\] no first program to run: the CPUs idle$", REFUSED_CLEAN]),
    # An empty first module (GRUB puts a 0-byte module at address 0):
    # refused, and the frame-role tests skip it (it has no frames).
    tests("bios-q35-empty-first-module", "bios", "q35", "256M", "max", modules="empty-first",
          expect=[r"^\[root\] cannot start the first program: file shorter than an ELF header$",
                  r"^\[kernel\] no first program to run: the CPUs idle$", REFUSED_CLEAN]),
    # A refusal part-way through loading (fail-root-alloc=N: the Nth
    # allocation for the first program fails, in test boots only; the 3rd
    # is a page of its image): everything taken so far is given back.
    tests("bios-q35-first-program-fails-part-way", "bios", "q35", "256M", "max",
          cmdline="test fail-root-alloc=3",
          expect=[r"^\[root\] cannot start the first program: out of memory for its image$",
                  r"^\[kernel\] no first program to run: the CPUs idle$", REFUSED_CLEAN]),
    # A valid first program with a segment at 4 GB, where the user library
    # maps the root's scratch window (include/abi/uspace.h): refused.
    tests("bios-q35-first-program-past-its-image-area", "bios", "q35", "256M", "max",
          modules="far-elf",
          expect=[r"^\[root\] cannot start the first program: a segment reaches past the "
                  r"image area \(ROOT_SCRATCH_BASE, 4 GB\)$",
                  r"^\[kernel\] no first program to run: the CPUs idle$", REFUSED_CLEAN]),
    # A valid first program too large for the boot memory it may use (issue
    # 11): a bss of 1.1 GB needs more page tables than the boot chunk holds
    # (8 GB: a quarter of the free memory would hold the image), or more
    # memory than a quarter of what is free (1 GB).  Refused, never a panic.
    tests("bios-q35-8G-first-program-too-many-tables", "bios", "q35", "8G", "max",
          modules="big-elf",
          expect=[r"^\[root\] cannot start the first program: it needs [0-9]+ page-table "
                  r"frames, and the boot chunk has room for [0-9]+$",
                  r"^\[kernel\] no first program to run: the CPUs idle$", REFUSED_CLEAN]),
    tests("bios-q35-1G-first-program-too-large", "bios", "q35", "1G", "max",
          modules="big-elf",
          expect=[r"^\[root\] cannot start the first program: its image needs [0-9]+ bytes, "
                  r"more than the [0-9]+ of boot memory it may take$",
                  r"^\[kernel\] no first program to run: the CPUs idle$", REFUSED_CLEAN]),
    # Every kind of corrupted or hostile first program (ELF_VARIANTS; the
    # empty one and the kernel-half one are the configs above), alone on
    # the ISO: each refused with elf_check's reason, nothing kept.
    *[tests(f"bios-q35-first-elf-{v}", "bios", "q35", "256M", "max", modules=f"first:{v}",
            expect=[r"^\[root\] cannot start the first program: " + why + "$",
                    r"^\[kernel\] no first program to run: the CPUs idle$", REFUSED_CLEAN])
      for v, (_, why) in ELF_VARIANTS.items() if v not in ("empty", "kernel-half")],
    # No ACPI at all: the kernel says so and runs on the boot CPU alone,
    # timing against the PIT instead of the ACPI PM timer.
    tests("bios-pc-noacpi-2cpu", "bios", "pc,acpi=off", "256M", "max", smp=2, cpus_online=1,
          expect=[r"^\[acpi\] the boot loader gave no ACPI RSDP: running on one CPU$",
                  r"^\[time\] .*measured against the PIT\)$"]),
    # Towards the 64 TB the direct map promises (QEMU cannot give a guest
    # quite 64 TB with 46 physical address bits: the PCI hole and the
    # 64-bit MMIO window must fit too).  16 TB without 1 GB pages is 8 M
    # 2 MB pages and 64 MB of page tables.
    tests("bios-q35-16T-westmere", "bios", "q35", "16T", WESTMERE + ",phys-bits=46",
          huge=True, timeout=180),
    tests("bios-q35-32T-max-2cpu", "bios", "q35", "32T", "max,phys-bits=46", huge=True,
          timeout=180, smp=2),
    # Bochs emulates x2APIC and PCIDs, which QEMU's TCG does not: the same
    # tests in x2APIC mode with PCIDs, and on an older model without x2APIC
    # for comparison.
    tests("bochs-x2apic-4cpu", "bochs", "-", "128M", "corei7_skylake_x", smp=4,
          expect=[r"^\[irq\] local APIC in x2APIC mode",
                  r"^\[mm\] address-space switches keep TLB entries \(PCIDs\)$"]),
    tests("bochs-xapic-2cpu", "bochs", "-", "128M", "corei7_sandy_bridge_2600k", smp=2,
          expect=[r"^\[irq\] local APIC in xAPIC mode"]),
    Config("bochs-x2apic-crash-ap-panic-4cpu", "bochs", "-", "128M", "corei7_skylake_x",
           "panic", "test crash=ap-panic",
           [r"^\[irq\] local APIC in x2APIC mode",
            r"^\[panic\] kernel panic on cpu 3 \(APIC 3\); 3 other CPU\(s\) stopped$"],
           smp=4),
    # Deliberate faults must end in a useful panic report.
    Config("bios-q35-crash-stack", "bios", "q35", "512M", "max", "panic",
           "test crash=stack",
           [r"^\[panic\] .*#DF double fault", r"^\[panic\] .*kernel stack overflow",
            r"^\[panic\] .*guard page", r"^\[panic\]\s+#\d+\s+0x[0-9a-f]+ crash_recurse"]),
    Config("uefi-q35-crash-unmapped", "uefi", "q35", "512M", "max", "panic",
           "test crash=unmapped",
           [r"^\[panic\] .*#PF page fault", r"^\[panic\] page fault at 0xffffc00000000000"]),
    # On another CPU: the panic names it and stops all the others.
    Config("bios-q35-crash-ap-stack-4cpu", "bios", "q35", "512M", "max", "panic",
           "test crash=ap-stack",
           [r"^\[panic\] kernel panic on cpu 3 \(APIC 3\); 3 other CPU\(s\) stopped$",
            r"^\[panic\] .*#DF double fault",
            r"^\[panic\] kernel stack overflow: .* guard page below the kernel stack of cpu 3$",
            r"^\[panic\]\s+#\d+\s+0x[0-9a-f]+ crash_recurse"], smp=4),
    # The lock watchdog of test boots: cpu 3 keeps the big kernel lock,
    # cpu 0 waits for it, and after 20 s panics naming both, with the
    # holder's backtrace (where the stop NMI found it) and its own.
    # (After 20 s of the lock in the same hands: twice a shoot-down's limit.)
    Config("bios-q35-crash-lock-4cpu", "bios", "q35", "256M", "max", "panic",
           "test crash=lock",
           [r"^\[panic\] lock watchdog: cpu 0 waited over 20 s for the big kernel lock "
            r"\(its ticket [0-9]+, now serving [0-9]+\)$",
            r"^\[panic\] the holder, cpu 3:$",
            r"^\[panic\]\s+#\d+\s+0x[0-9a-f]+ idle_loop",
            r"^\[panic\] the waiter, cpu 0:$",
            r"^\[panic\]\s+#\d+\s+0x[0-9a-f]+ bkl_wait",
            r"^\[panic\]\s+#\d+\s+0x[0-9a-f]+ kernel_crash"], smp=4),
    # The sanitizer build (`make ksan`, only with --ksan): an index past
    # an array and a signed overflow, each caught by the compiler's check
    # and reported by kernel/lib/ubsan.c with the file and line.
    Config("bios-q35-crash-ubsan-bounds", "bios", "q35", "256M", "max", "panic",
           "test crash=ubsan-bounds",
           [r"^\[panic\] undefined behaviour \(sanitizer\): index 8 out of bounds for type "
            r"'u64 ?\[8\]' at kernel/test/crash\.c:\d+:\d+$",
            r"^\[panic\]\s+#\d+\s+0x[0-9a-f]+ kernel_crash"], ksan=True),
    Config("bios-q35-crash-ubsan-overflow", "bios", "q35", "256M", "max", "panic",
           "test crash=ubsan-overflow",
           [r"^\[panic\] undefined behaviour \(sanitizer\): signed integer overflow: "
            r"9223372036854775807 \+ 1 in type 'long int' at kernel/test/crash\.c:\d+:\d+$"],
           ksan=True),
    Config("bios-q35-crash-use-after-free", "bios", "q35", "256M", "max", "panic",
           "test crash=use-after-free",
           [r"^\[panic\] kmem: free frame 0x[0-9a-f]+ was written while free: byte 100 is "
            r"0x01, not the poison 0x6b \(found making it an object of type 5\)$"], ksan=True),
    Config("uefi-q35-crash-ap-panic-8cpu", "uefi", "q35", "512M", "max", "panic",
           "test crash=ap-panic",
           [r"^\[panic\] kernel panic on cpu 7 \(APIC 7\); 7 other CPU\(s\) stopped$",
            r"^\[panic\] deliberate panic on cpu 7$"], smp=8),
    # CPUs Keel cannot run on: a clear message, then a halt.
    Config("bios-pc-no-nx", "bios", "pc", "128M", "qemu64,-nx", "halt", "",
           [r"^\[boot\] halted: this CPU has no NX"]),
    Config("bios-pc-no-long-mode", "bios", "pc", "128M", "qemu32", "halt", "",
           [r"^\[boot\] halted: this CPU has no long mode"]),
    # The pager's tests: init runs ptest, then ends the run through the pager.
    tests("system-test-bios-pc-64M-westmere", "bios", "pc", "64M", WESTMERE, modules="system",
          expect=[PAGER_UP[0]]),
    tests("system-test-bios-q35-1T-max-4cpu", "bios", "q35", "1T", "max,phys-bits=46",
          modules="system", huge=True, smp=4, timeout=180, expect=[PAGER_UP[0]]),
    tests("system-test-uefi-q35-2G-max-8cpu", "uefi", "q35", "2G", "max", modules="system",
          smp=8, expect=[PAGER_UP[0]]),
    # A normal boot: the pager takes over memory and starts init.
    Config("system-bios-pc-64M-westmere", "bios", "pc", "64M", WESTMERE, "system", "",
           PAGER_UP, modules="system"),
    Config("system-uefi-q35-2G-max-4cpu", "uefi", "q35", "2G", "max", "system", "",
           PAGER_UP, modules="system", smp=4),
    # The APs start in the background of a normal boot: one that never
    # answers is given up while init runs, and whatever was placed on it
    # moves to CPU 0 (the demonstration still ends).  Whether it
    # places its process there before the give-up (then it runs on CPU 0)
    # or after (then there are 2 CPUs to place on) is timing: both are
    # right; the in-kernel test threads_on_a_cpu_given_up_run_on_cpu_0
    # checks the move itself every time.
    Config("system-bios-q35-absent-cpu-2cpu", "bios", "q35", "256M", "max", "system",
           "smp-absent-cpu",
           PAGER_UP + [r"^\[smp\] cpu 2 \(APIC 254\) did not answer the start-up IPIs: "
                       r"skipped$",
                       r"^\[demo\] one process placed on each of (3 CPUs: 2 ran there, 1|"
                       r"2 CPUs: 2 ran there, 0) on CPU 0 \(their CPU was given up\), 0 wrong$"],
           modules="system", smp=2, cpus_online=2),
    Config("system-bios-q35-1T-max-2cpu", "bios", "q35", "1T", "max,phys-bits=46", "system",
           "", PAGER_UP, modules="system", smp=2, huge=True, timeout=180),
    # A corrupted program that init spawns (the demonstration): the pager
    # refuses it, naming the problem, and the system goes on.
    *[Config(f"system-bios-q35-spawn-elf-{v}", "bios", "q35", "256M", "max", "system", "",
             [PAGER_UP[0], r"^\[pager\] cannot start demo: " + ELF_VARIANTS[v][1] + "$",
              r"^\[init\] the demonstration failed: error -3, ", r"^\[init\] ready$"],
             modules=f"system:demo={v}")
      for v in ("empty", "random", "w-and-x")],
    # Memory maps with holes (GRUB's cutmem): hundreds of entries, odd
    # ends, exactly the most the kernel takes (MEMMAP_MAX_RAW) and one
    # more.  The map must be exact and no byte lost (memmap_check).
    tests("bios-q35-memmap-holes", "bios", "q35", "256M", "max", grub=cutmem(MANY_CUTS),
          modules="none",
          check=memmap_check((0x100000, 0xffdf000), MANY_CUTS, min_entries=len(MANY_CUTS) - 1)),
    Config("system-bios-q35-memmap-odd-ends", "bios", "q35", "256M", "max", "system", "",
           [PAGER_UP[0], PAGER_UP[-1]], modules="system", grub=cutmem(ODD_CUTS),
           check=memmap_check((0x100000, 0xffdf000), ODD_CUTS, pager=True)),
    Config("system-bios-q35-memmap-1024-entries", "bios", "q35", "256M", "max", "system", "",
           [PAGER_UP[0], PAGER_UP[-1]], modules="system", grub=cutmem(LIMIT_CUTS),
           timeout=400, slow=True,
           check=memmap_check((0x100000, 0xffdf000), LIMIT_CUTS, loader_entries=1024,
                              pager=True)),
    Config("bios-q35-memmap-1025-entries", "bios", "q35", "256M", "max", "refuse", "test",
           [r"^\[panic\] .*boot step 'boot information' failed: the memory map has more "
            r"than 1024 entries \(MEMMAP_MAX_RAW\)$"], modules="none",
           grub=cutmem(PAST_LIMIT_CUTS), timeout=400, slow=True),
    # The most modules the kernel takes (MB2_MAX_MODULES, and the boot
    # information's BOOTINFO_MAX_MODULES: 64), the system's and copies of
    # hello, and one more: the kernel cannot know the memory of a module
    # it does not keep, so it refuses to boot, naming the problem.
    Config("system-bios-q35-64-modules", "bios", "q35", "256M", "max", "system", "",
           [r"^\[boot\] loader .*, 64 module\(s\)$", r"^\[boot\] module 63: .* copy63$",
            r"^\[pager\] managing [0-9]+ bytes of free memory in [0-9]+ ranges; 64 modules$",
            PAGER_UP[-1]], modules="system+64"),
    Config("bios-q35-65-modules", "bios", "q35", "256M", "max", "refuse", "",
           [r"^\[boot\] bad Multiboot2 tag 3 at offset [0-9]+: module: too many, ignored$",
            r"^\[panic\] .*boot step 'boot information' failed: a module tag is bad or there "
            r"are more than 64 modules, so memory in use is unknown$"], modules="system+65"),
    # Command lines at and past their limits: the first program's copy in
    # the boot information holds 255 bytes (BOOTINFO_CMDLINE_MAX), the
    # kernel's own 4095 (BOOT_CMDLINE_MAX).  Past either, the kernel says
    # so; `test` as the last word tells what the kernel saw.
    tests("bios-q35-cmdline-255", "bios", "q35", "256M", "max", long_cmdline(255, "test"),
          modules="none", check=lacks(r"^\[boot\] the command line (has|is)")),
    tests("bios-q35-cmdline-256", "bios", "q35", "256M", "max", long_cmdline(256, "test"),
          modules="none",
          expect=[r"^\[boot\] the command line has 256 bytes: the first program sees only the "
                  r"first 255 \(BOOTINFO_CMDLINE_MAX\)$"]),
    Config("system-bios-q35-cmdline-4096", "bios", "q35", "256M", "max", "system",
           long_cmdline(4096, "test"),
           [r"^\[boot\] the command line is longer than the 4095 bytes the kernel keeps "
            r"\(BOOT_CMDLINE_MAX\): the rest is ignored$",
            r"^\[boot\] the command line has 4095 bytes: the first program sees only the "
            r"first 255 \(BOOTINFO_CMDLINE_MAX\)$", PAGER_UP[0], PAGER_UP[-1]],
           modules="system", check=lacks(r"^TAP version 13$")),
    # The page tables seen from outside.
    Config("tlb-bios-q35-4G-max-4cpu", "bios", "q35", "4G", "max", "tlb",
           gb_pages=True, min_1g=1, smp=4, modules="none"),
    Config("tlb-uefi-q35-2G-westmere-2cpu", "uefi", "q35", "2G", WESTMERE, "tlb",
           gb_pages=False, smp=2, modules="none"),
    Config("tlb-bios-pc-1G-westmere", "bios", "pc", "1G", WESTMERE, "tlb",
           gb_pages=False, modules="none"),
]

# ---------------------------------------------------------------------------
# The layout (kernel/include/keel/layout.h) and page-table flags.

K4, M2, G1 = 1 << 12, 1 << 21, 1 << 30


def layout_values():
    """The layout constants, from kernel/include/keel/layout.h itself: the
    host program tools/gen_layout_doc.c prints them (built here if needed)."""
    gen = ROOT / "build" / "host" / "gen_layout_doc"
    if not gen.exists():
        subprocess.run(["make", "-s", "-C", str(ROOT), "build/host/gen_layout_doc"], check=True)
    out = subprocess.run([str(gen), "values"], check=True, capture_output=True,
                         text=True).stdout
    return {k: int(v, 16) for k, v in (line.split("=") for line in out.split())}


LAYOUT = layout_values()
USER_END = LAYOUT["USER_END"]
DIRECT_MAP_BASE, DIRECT_MAP_END = LAYOUT["DIRECT_MAP_BASE"], LAYOUT["DIRECT_MAP_END"]
PERCPU_BASE, PERCPU_END = LAYOUT["PERCPU_BASE"], LAYOUT["PERCPU_END"]
KERNEL_BASE, KERNEL_END = LAYOUT["KERNEL_BASE"], LAYOUT["KERNEL_END"]
REGIONS = [("direct map", DIRECT_MAP_BASE, DIRECT_MAP_END),
           ("per-cpu", PERCPU_BASE, PERCPU_END),
           ("kernel", KERNEL_BASE, KERNEL_END)]
RAM_TYPES = {"available", "ACPI reclaimable", "ACPI NVS"}
# The device pages the kernel maps (uncached), by physical address.
KNOWN_DEVICES = {0xfee00000: "local APIC", 0xfec00000: "I/O APIC"}
IMAGE_SYMBOLS = ["__text_start", "__text_end", "__rodata_start", "__rodata_end",
                 "__data_start", "__kernel_end", "boot_stack_guard",
                 "boot_stack_bottom", "df_stack_guard", "df_stack_bottom"]


@dataclass
class Page:
    """One leaf entry of `info tlb`: flags are 'XGPDACTUW', '-' when clear."""
    va: int
    pa: int
    flags: str
    size: int = K4

    nx = property(lambda self: self.flags[0] == "X")      # not executable
    large = property(lambda self: self.flags[2] == "P")   # 2 MB or 1 GB
    pcd = property(lambda self: self.flags[5] == "C")     # cache disabled
    pwt = property(lambda self: self.flags[6] == "T")     # write-through
    user = property(lambda self: self.flags[7] == "U")
    writable = property(lambda self: self.flags[8] == "W")
    end = property(lambda self: self.va + self.size)


def parse_tlb(tlb_text, mem_text):
    """The pages of `info tlb`, each sized with the help of `info mem`.

    `info tlb` lists a large page once, at its first address, without its
    size: it ends at the next listed page or at the end of its `info mem`
    range (a merged run of mappings), whichever comes first."""
    problems, pages, ranges = [], [], []
    for line in mem_text.splitlines():
        m = re.fullmatch(r"([0-9a-f]+)-([0-9a-f]+) [0-9a-f]+ ([-u])([-r])([-w])", line.strip())
        if m:
            ranges.append((int(m[1], 16), int(m[2], 16), m[3] == "u"))
        elif line.strip():
            problems.append(f"info mem: cannot parse {line!r}")
    for line in tlb_text.splitlines():
        m = re.fullmatch(r"([0-9a-f]+): ([0-9a-f]+) ([-XGPDACTUW]{9})", line.strip())
        if m:
            pages.append(Page(int(m[1], 16), int(m[2], 16), m[3]))
        elif line.strip():
            problems.append(f"info tlb: cannot parse {line!r}")
    pages.sort(key=lambda p: p.va)
    starts = [r[0] for r in ranges]
    for i, p in enumerate(pages):
        if not p.large:
            continue
        r = bisect.bisect_right(starts, p.va) - 1
        end = ranges[r][1] if r >= 0 and ranges[r][1] > p.va else p.va + M2
        if i + 1 < len(pages):
            end = min(end, pages[i + 1].va)
        p.size = end - p.va
        if p.size not in (M2, G1) or p.va % p.size or p.pa % p.size:
            problems.append(f"large page at {p.va:#x} -> {p.pa:#x}: size {p.size:#x}?")
            p.size = M2
    return pages, ranges, problems


def parse_ram(serial):
    """RAM from the kernel's printed memory map: merged, trimmed to pages."""
    spans = []
    for m in re.finditer(r"^\[mm\]\s+0x([0-9a-f]+)-0x([0-9a-f]+) (.+)$", serial, re.M):
        if m[3] in RAM_TYPES:
            spans.append([int(m[1], 16), int(m[2], 16) + 1])
    merged = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    trimmed = [(-(-s // K4) * K4, e // K4 * K4) for s, e in merged]
    return [(s, e) for s, e in trimmed if s < e]


def in_ram(ram, start, end):
    """Is [start, end) entirely inside one RAM range?"""
    return any(s <= start and end <= e for s, e in ram)


def touches_ram(ram, start, end):
    return any(start < e and s < end for s, e in ram)


def region_of(va):
    return next((name for name, base, end in REGIONS if base <= va < end), None)


# --- The checks: each returns a list of problems (empty = fine). ------------

def check_no_user(pages, ranges):
    """1. No identity map, nothing in user space, nothing user-accessible."""
    out = [f"{p.va:#x} mapped in the user half" for p in pages if p.va < USER_END]
    out += [f"{p.va:#x} is user-accessible (U)" for p in pages if p.user]
    out += [f"info mem: {s:#x}-{e:#x} is user-accessible" for s, e, u in ranges if u]
    return out[:20]


def check_regions(pages):
    """2. Every page inside one region."""
    out = []
    for p in pages:
        name = region_of(p.va)
        if name is None or region_of(p.end - 1) != name:
            out.append(f"{p.va:#x} (+{p.size:#x}) lies outside every region")
    return out[:20]


def slot_pages():
    """The offsets of the pages mapped in one CPU's slot (layout.h)."""
    L = LAYOUT
    parts = [(L["PERCPU_DATA_OFF"], L["PERCPU_DATA_SIZE"]),
             (L["PERCPU_KSTACK_OFF"] + K4, L["KSTACK_SIZE"]),
             (L["PERCPU_DF_STACK_OFF"] + K4, L["IST_STACK_SIZE"]),
             (L["PERCPU_NMI_STACK_OFF"] + K4, L["IST_STACK_SIZE"]),
             (L["PERCPU_MC_STACK_OFF"] + K4, L["IST_STACK_SIZE"])]
    return {off + i for off, size in parts for i in range(0, size, K4)}


def check_percpu(pages, cpus):
    """7. Per-CPU: exactly the present CPUs' slots are mapped, each with its
    data and stack pages (4 KB, writable, NX) and nothing else: the guard
    pages below the stacks and the rest of the slot stay unmapped."""
    out, slot = [], LAYOUT["PERCPU_SLOT_SIZE"]
    want = {PERCPU_BASE + n * slot + off for n in range(cpus) for off in slot_pages()}
    have = {}
    for p in pages:
        if region_of(p.va) != "per-cpu":
            continue
        have[p.va] = p
        if p.size != K4 or not p.writable or not p.nx:
            out.append(f"per-CPU page {p.va:#x} has size {p.size:#x}, flags {p.flags}")
    for va in sorted(set(have) - want)[:10]:
        n, off = divmod(va - PERCPU_BASE, slot)
        out.append(f"{va:#x} (cpu {n}, offset {off:#x}) is mapped but should not be")
    for va in sorted(want - set(have))[:10]:
        n, off = divmod(va - PERCPU_BASE, slot)
        out.append(f"{va:#x} (cpu {n}, offset {off:#x}) should be mapped")
    return out[:20]


def check_wx(pages):
    """3. W^X: no page both writable and executable."""
    return [f"{p.va:#x} is writable and executable ({p.flags})"
            for p in pages if p.writable and not p.nx][:20]


def check_kernel_image(pages, syms):
    """4. The image: PA = VA - KERNEL_BASE, per-section permissions, guard
    pages unmapped, nothing else in the kernel region."""
    out = [f"symbol {s} missing from the ELF" for s in IMAGE_SYMBOLS if s not in syms]
    if out:
        return out
    mapped = {}                      # every 4 KiB page of the kernel region
    for p in pages:
        if region_of(p.va) == "kernel":
            for off in range(0, p.size, K4):
                mapped[p.va + off] = (p.pa + off, p)
    guards = {syms["boot_stack_guard"]: syms["boot_stack_bottom"],
              syms["df_stack_guard"]: syms["df_stack_bottom"]}

    def expected(va):
        """What page va should be: (kind, writable, executable), or None if
        it must be unmapped (guard pages, gaps, anything outside the image)."""
        if any(g <= va < b for g, b in guards.items()):
            return None
        if syms["__text_start"] <= va < syms["__text_end"]:
            return ("text", False, True)
        if syms["__rodata_start"] <= va < syms["__rodata_end"]:
            return ("rodata", False, False)
        if syms["__data_start"] <= va < syms["__kernel_end"]:
            return ("data/bss", True, False)
        return None

    start = syms["__text_start"] & ~(K4 - 1)
    end = -(-syms["__kernel_end"] // K4) * K4
    for va in range(start, end, K4):
        if expected(va) is not None and va not in mapped:
            out.append(f"image page {va:#x} is not mapped")
    for va, (pa, p) in sorted(mapped.items()):
        want = expected(va)
        if want is None:
            what = "guard page" if any(g <= va < b for g, b in guards.items()) else \
                "page outside the image sections"
            out.append(f"{what} {va:#x} is mapped")
            continue
        kind, writable, executable = want
        if pa != va - KERNEL_BASE:
            out.append(f"{kind} page {va:#x} maps {pa:#x}, not {va - KERNEL_BASE:#x}")
        if p.writable != writable or p.nx == executable:
            out.append(f"{kind} page {va:#x} has flags {p.flags}, want "
                       f"{'W' if writable else 'not W'}, {'executable' if executable else 'X'}")
    return out[:20]


def image_phys(syms):
    """The kernel image's physical range [start, end), page-rounded."""
    return (syms["__kernel_start"] - KERNEL_BASE,
            -(-(syms["__kernel_end"] - KERNEL_BASE) // K4) * K4)


def parse_firmware(serial):
    """Firmware ranges (ACPI tables outside RAM) the kernel says it mapped."""
    return [(int(m[1], 16), int(m[2], 16) + 1) for m in re.finditer(
        r"^\[acpi\] firmware 0x([0-9a-f]+)-0x([0-9a-f]+) mapped read-only", serial, re.M)]


def check_direct_map(pages, ram, image, firmware):
    """5. Direct map: PA = VA - DIRECT_MAP_BASE; all RAM covered; only RAM
    (cacheable), firmware tables the kernel reported (cacheable, read-only)
    or known device pages (uncached: PCD and PWT); all NX; writable, except
    the image's own frames and firmware, which are read-only."""
    out, covered = [], []
    for p in pages:
        if region_of(p.va) != "direct map":
            continue
        pa = p.va - DIRECT_MAP_BASE
        if p.pa != pa:
            out.append(f"{p.va:#x} maps {p.pa:#x}, not {pa:#x}")
        if not touches_ram(ram, pa, pa + p.size) and in_ram(firmware, pa, pa + p.size):
            if p.writable or p.pcd or p.pwt or not p.nx or p.size != K4:
                out.append(f"firmware page {pa:#x} has flags {p.flags}, want 4 KB, X, not W")
            continue
        if not touches_ram(ram, pa, pa + p.size):
            if not (p.pcd and p.pwt):
                out.append(f"non-RAM {pa:#x} (+{p.size:#x}) is mapped, not uncached")
            elif pa not in KNOWN_DEVICES or p.size != K4:
                out.append(f"uncached {pa:#x} (+{p.size:#x}) is no device the kernel uses")
            if not (p.nx and p.writable):
                out.append(f"device page {p.va:#x} has flags {p.flags}, want X and W")
            continue
        in_image = image[0] <= pa < image[1]
        if in_image != (image[0] <= pa + p.size - 1 < image[1]):
            out.append(f"{p.va:#x} (+{p.size:#x}) straddles the image's frames")
        if not p.nx or p.writable == in_image:
            want = "X, not W (the image's frames)" if in_image else "X and W"
            out.append(f"{p.va:#x} has flags {p.flags}, want {want}")
        if not in_ram(ram, pa, pa + p.size):
            out.append(f"{p.va:#x} (+{p.size:#x}) maps non-RAM {pa:#x} cacheable")
        elif p.pcd or p.pwt:
            out.append(f"RAM {pa:#x} mapped with cache disabled/write-through ({p.flags})")
        covered.append((pa, pa + p.size))
    covered.sort()
    for s, e in ram:                 # RAM minus the covered ranges
        for cs, ce in covered:
            if ce <= s or cs >= e:
                continue
            if cs > s:
                out.append(f"RAM {s:#x}-{cs - 1:#x} is not in the direct map")
            s = max(s, ce)
        if s < e:
            out.append(f"RAM {s:#x}-{e - 1:#x} is not in the direct map")
    return out[:20]


def check_page_sizes(pages, ram, image, gb_pages, min_1g):
    """6. The largest page that fits: no 1 GB page without CPU support;
    with it, every all-RAM gigabyte is a 1 GB page; every other all-RAM
    2 MB chunk is a 2 MB page.  A chunk that holds an edge of the image's
    frames (read-only) and other RAM (read-write) cannot be one page."""
    out = []
    by_va = {p.va: p for p in pages if region_of(p.va) == "direct map"}
    ones = [p for p in pages if p.size == G1]

    def mixed(lo, hi):
        return any(lo < edge < hi for edge in image)

    if not gb_pages and ones:
        out.append(f"{len(ones)} 1 GB page(s) although the CPU has none, first {ones[0].va:#x}")
    if gb_pages and len(ones) < min_1g:
        out.append(f"{len(ones)} 1 GB page(s), want at least {min_1g}")
    for s, e in ram:
        for pa in range(-(-s // G1) * G1, e // G1 * G1, G1):
            p = by_va.get(DIRECT_MAP_BASE + pa)
            if gb_pages and not mixed(pa, pa + G1) and (p is None or p.size != G1):
                out.append(f"RAM gigabyte {pa:#x} is not one 1 GB page")
        for pa in range(-(-s // M2) * M2, e // M2 * M2, M2):
            gb = by_va.get(DIRECT_MAP_BASE + pa // G1 * G1)
            if (gb is not None and gb.size == G1) or mixed(pa, pa + M2):
                continue
            p = by_va.get(DIRECT_MAP_BASE + pa)
            if p is None or p.size != M2:
                out.append(f"RAM 2 MB chunk {pa:#x} is not one 2 MB page")
    return out[:20]


def summarize(pages, ram):
    """Per-region bytes and page counts, and the device pages, as text."""
    lines = []
    for name, _, _ in REGIONS:
        mine = [p for p in pages if region_of(p.va) == name]
        counts = ", ".join(f"{label} x {sum(p.size == size for p in mine)}"
                           for label, size in (("4K", K4), ("2M", M2), ("1G", G1)))
        lines.append(f"{name:10} {sum(p.size for p in mine):>15} bytes mapped ({counts})")
    lines.append(f"{'RAM':10} {sum(e - s for s, e in ram):>15} bytes in whole pages")
    for p in pages:
        pa = p.va - DIRECT_MAP_BASE
        if region_of(p.va) == "direct map" and p.pcd and not touches_ram(ram, pa, pa + p.size):
            lines.append(f"device page {pa:#x} ({KNOWN_DEVICES.get(pa, 'unknown device')}), "
                         f"flags {p.flags}")
    return lines


def check_tlb(cfg, serial, tlb_text, mem_text, syms):
    """Run every check on one tlb config; returns (problems, summary)."""
    pages, ranges, problems = parse_tlb(tlb_text, mem_text)
    ram = parse_ram(serial)
    if not ram:
        problems.append("no RAM in the printed memory map")
    m = re.search(r"^\[cpu\] .*1 GB pages (yes|no)", serial, re.M)
    gb_pages = m is not None and m[1] == "yes"
    if m is None:
        problems.append("no `[cpu] ... 1 GB pages yes|no` line")
    elif gb_pages != cfg.gb_pages:
        problems.append(f"CPU says `1 GB pages {m[1]}`, this config expects the opposite")
    for check in (lambda: check_no_user(pages, ranges), lambda: check_regions(pages),
                  lambda: check_wx(pages), lambda: check_kernel_image(pages, syms),
                  lambda: check_direct_map(pages, ram, image_phys(syms),
                                           parse_firmware(serial)),
                  lambda: check_page_sizes(pages, ram, image_phys(syms), gb_pages,
                                           cfg.min_1g),
                  lambda: check_percpu(pages, cfg.smp)):
        problems += check()
    return problems, summarize(pages, ram)


def read_symbols(kernel):
    """Addresses of the ELF's symbols (`nm`), by name."""
    out = subprocess.run(["nm", str(kernel)], capture_output=True, text=True, check=True)
    syms = {}
    for line in out.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms[parts[2]] = int(parts[0], 16)
    return syms

# ---------------------------------------------------------------------------
# Running QEMU.

ANSI = re.compile(r"\x1b\[[0-9;=?]*[A-Za-z]")
RUNNING = set()                  # QEMU processes alive now (to kill on exit)
RUNNING_LOCK = threading.Lock()
PRINT_LOCK = threading.Lock()


class Serial:
    """The serial log file as it grows: text without escapes and CRs."""

    def __init__(self, path, name, verbose):
        self.path, self.name, self.verbose = path, name, verbose
        self.raw, self.echoed = b"", 0

    def poll(self, final=False):
        """Read what QEMU wrote since; `final`: echo a last unfinished line."""
        try:
            with open(self.path, "rb") as f:
                f.seek(len(self.raw))
                self.raw += f.read()
        except FileNotFoundError:
            pass
        if self.verbose:             # echo whole new lines, prefixed
            text = self.text()
            end = len(text) if final else text.rfind("\n") + 1
            with PRINT_LOCK:
                for line in text[self.echoed:end].splitlines():
                    print(f"{self.name}| {line}", flush=True)
            self.echoed = max(self.echoed, end)
        return self.text()

    def text(self):
        return ANSI.sub("", self.raw.decode("utf-8", "replace")).replace("\r", "")

    def has(self, regex):
        return re.search(regex, self.text(), re.M) is not None


def qemu_command(cfg, iso, log, tmp):
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-display", "none", "-no-reboot",
           "-monitor", "none", "-smp", str(cfg.smp), "-cpu", cfg.cpu, "-m", cfg.memory,
           "-cdrom", str(iso), "-boot", "d", "-serial", f"file:{log}",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    if cfg.huge:                     # a huge guest: address space, no memory
        # (Past ~16 TB the SMBIOS 2.1 tables overflow: use the 64-bit entry.)
        cmd += ["-object", f"memory-backend-ram,id=m,size={cfg.memory},reserve=off",
                "-machine", f"{cfg.machine},memory-backend=m,smbios-entry-point-type=64"]
    else:
        cmd += ["-machine", cfg.machine]
    if cfg.firmware == "uefi":       # OVMF writes its variables: a fresh copy
        shutil.copy(OVMF_VARS, tmp / "vars.fd")
        cmd += ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                "-drive", f"if=pflash,format=raw,file={tmp / 'vars.fd'}"]
    if cfg.kind == "tlb":
        cmd += ["-qmp", f"unix:{tmp / 'qmp.sock'},server=on,wait=off"]
    return cmd


def qmp_hmp(path, commands, deadline):
    """Run human-monitor commands through QMP; returns their outputs."""
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(max(1.0, deadline - time.monotonic()))
        s.connect(str(path))
        f = s.makefile("rwb")
        json.loads(f.readline())     # the greeting

        def execute(command, **arguments):
            f.write(json.dumps({"execute": command, "arguments": arguments}).encode() + b"\n")
            f.flush()
            while True:              # skip asynchronous events
                reply = json.loads(f.readline())
                if "return" in reply:
                    return reply["return"]
                if "error" in reply:
                    raise RuntimeError(f"QMP {command}: {reply['error']}")

        execute("qmp_capabilities")
        return [execute("human-monitor-command", **{"command-line": c}) for c in commands]


def wait(proc, serial, deadline, until=None):
    """Poll until QEMU exits ("exit"), the serial log matches a regex in
    `until` ("match"), or the deadline passes ("timeout")."""
    while True:
        serial.poll()
        if until and any(serial.has(r) for r in until):
            return "match"
        if proc.poll() is not None:
            serial.poll()
            return "exit"
        if time.monotonic() > deadline:
            return "timeout"
        time.sleep(0.1)


def judge_cpus(cfg, serial, before_complete=True):
    """Every CPU online, each said so once, before `N cpus online`; in a
    test boot (before_complete) all of it before `boot complete`: there the
    kernel waits for the CPUs, elsewhere they come online in the background
    while the first program runs (docs/cpus.md)."""
    text = serial.text()
    online = re.search(r"^\[kernel\] (\d+) cpus online$", text, re.M)
    if not online:
        return "no `[kernel] N cpus online` line"
    want = cfg.cpus_online or cfg.smp
    if int(online[1]) != want:
        return f"{online[1]} cpus online, want {want}"
    seen = sorted(int(m) for m in re.findall(r"^\[cpu\] cpu (\d+) apic \d+ online, per-cpu "
                                              r"0x[0-9a-f]+$", text, re.M))
    if seen != list(range(want)):
        return f"`[cpu] cpu N ... online` lines for CPUs {seen}, want 0..{want - 1}"
    if before_complete and text.index(online[0]) > text.index("[kernel] boot complete"):
        return "`cpus online` after `boot complete`"
    last = max(m.start() for m in re.finditer(r"^\[cpu\] cpu \d+ apic", text, re.M))
    if last > text.index(online[0]):
        return "a `[cpu] cpu N ... online` line comes after `N cpus online`"
    return None


def judge_refusal(cfg, serial):
    """Why a refuse boot failed (None if it did not): it must panic
    before `boot complete`, with the config's regexes, and halt (the
    kernel has not read `test` from the command line yet, so it does not
    exit QEMU: the runner stops it)."""
    if serial.has(r"^\[kernel\] boot complete$"):
        return "the kernel booted on input it must refuse"
    missing = [r for r in cfg.expect if not serial.has(r)]
    if missing:
        return f"log lacks /{missing[0]}/"
    if not serial.has(r"^\[panic\] system halted$"):
        return "no `[panic] system halted`"
    return None


def judge_serial(cfg, serial, status):
    """Why a tests/panic boot failed (None if it did not), from its log."""
    text, want = serial.text(), EXIT_PANIC if cfg.kind == "panic" else EXIT_PASS
    if not serial.has(r"^\[kernel\] boot complete$"):
        return "no `[kernel] boot complete`"
    why = judge_cpus(cfg, serial)
    if why:
        return why
    if cfg.kind == "panic":
        missing = [r for r in PANIC_COMMON + cfg.expect if not serial.has(r)]
        if missing:
            return f"panic report lacks /{missing[0]}/"
    elif serial.has(r"^\[panic\] "):
        return "unexpected kernel panic"
    else:
        missing = [r for r in cfg.expect if not serial.has(r)]
        if missing:
            return f"log lacks /{missing[0]}/"
        # The kernel's tests come first, then the user-level ones, so the
        # plan `1..N` follows the last test line (TAP allows either end).
        header = re.search(r"^TAP version 13$", text, re.M)
        plan = re.search(r"^1\.\.(\d+)$", text, re.M)
        final = re.search(r"^(\d+) passed, (\d+) failed$", text, re.M)
        failed = re.findall(r"^not ok \d+ - .*$", text, re.M)
        lines = re.findall(r"^(?:not )?ok (\d+) - ", text, re.M)
        if failed:
            return f"{len(failed)} test(s) failed, first: {failed[0]}"
        if not header or not plan:
            return "no TAP header (`TAP version 13`) or plan (`1..N`)"
        if [int(n) for n in lines] != list(range(1, int(plan[1]) + 1)):
            return f"test lines are not numbered 1..{plan[1]} in order"
        if not final:
            return "no final `N passed, N failed` line"
        if int(final[2]) or int(final[1]) != int(plan[1]) or int(plan[1]) == 0:
            return f"final line `{final[0]}` for plan 1..{plan[1]}; want N > 0 passed, 0 failed"
        if cfg.check:
            why = cfg.check(text)
            if why:
                return why
    if cfg.firmware != "bochs" and status != want:  # Bochs has no exit device
        return f"QEMU exit status {status}, want {want}"
    return None


class _Done(Exception):
    """Leaves run_config's try block early, through its cleanup."""


def run_bochs(cfg, iso, log, serial):
    """Boot one config in Bochs (tools/bochs.sh, which stops Bochs when the
    kernel is done); returns the reason it failed, or None."""
    megs = int(cfg.memory.rstrip("M"))
    env = dict(os.environ, BOCHS_CPU=cfg.cpu)
    with open(OUT / f"{cfg.name}.stderr", "wb") as err:
        rc = subprocess.run([str(ROOT / "tools" / "bochs.sh"), str(iso), str(log), str(cfg.smp),
                             str(megs), str(int(cfg.timeout))], stdin=subprocess.DEVNULL,
                            stdout=err, stderr=err, env=env,
                            timeout=cfg.timeout + 60).returncode
    serial.poll(final=True)
    if rc == 124:
        return f"timeout after {cfg.timeout:.0f} s"
    if rc != 0:
        return f"tools/bochs.sh exited {rc}"
    return judge_serial(cfg, serial, None)


def run_config(cfg, iso, syms, verbose):
    """Boot one config; returns (reason or None, seconds, extra lines)."""
    log, extra = OUT / f"{cfg.name}.log", []
    log.unlink(missing_ok=True)
    serial = Serial(log, cfg.name, verbose)
    tmp = Path(tempfile.mkdtemp(prefix=f"keel-{cfg.name}-"))
    start = time.monotonic()
    deadline = start + cfg.timeout
    proc = None
    try:
        if cfg.firmware == "bochs":
            reason = run_bochs(cfg, iso, log, serial)
            raise _Done()
        with open(OUT / f"{cfg.name}.stderr", "wb") as err:
            proc = subprocess.Popen(qemu_command(cfg, iso, log, tmp), stdin=subprocess.DEVNULL,
                                    stdout=err, stderr=err, start_new_session=True)
        with RUNNING_LOCK:
            RUNNING.add(proc)
        if cfg.kind in ("tests", "panic"):
            event = wait(proc, serial, deadline)
            reason = judge_serial(cfg, serial, proc.returncode) if event == "exit" else None
        elif cfg.kind == "refuse":   # before the command line is read: no exit device
            event = wait(proc, serial, deadline, [r"^\[panic\] system halted$"])
            reason = judge_refusal(cfg, serial) if event != "timeout" else None
        elif cfg.kind == "halt":
            # Wait for the message, or for the kernel proper starting anyway.
            event = wait(proc, serial, deadline, cfg.expect + [r"^\[kernel\] "])
            reason = None
            if serial.has(r"^\[kernel\] "):
                reason = "the kernel started on a CPU it must refuse"
            elif event != "timeout" and not serial.has(cfg.expect[0]):
                reason = f"QEMU exited with status {proc.returncode} without /{cfg.expect[0]}/"
        elif cfg.kind == "system":   # the pager and init come up, and every CPU
            event = wait(proc, serial, deadline, [r"^\[init\] ready$", r"^\[panic\] "])
            if event == "match" and not serial.has(r"^\[panic\] "):
                event = wait(proc, serial, deadline,
                              [r"^\[kernel\] \d+ cpus online$", r"^\[panic\] "])
            reason = None
            if event == "match" and serial.has(r"^\[panic\] "):
                reason = "unexpected kernel panic"
            elif event == "match":
                missing = [r for r in cfg.expect if not serial.has(r)]
                if missing:
                    reason = f"log lacks /{missing[0]}/"
                else:
                    reason = judge_cpus(cfg, serial, before_complete=False)
                if not reason and cfg.check:
                    reason = cfg.check(serial.text())
            elif event == "exit":
                reason = f"QEMU exited with status {proc.returncode} before `[init] ready`"
        else:                        # tlb
            event = wait(proc, serial, deadline, [r"^\[kernel\] boot complete$", r"^\[panic\] "])
            reason = None
            if event == "match" and serial.has(r"^\[panic\] "):
                reason = "unexpected kernel panic"
            elif event == "match":
                tlb, mem = qmp_hmp(tmp / "qmp.sock", ["info tlb", "info mem"], deadline)
                (OUT / f"{cfg.name}.tlb").write_text(tlb)
                (OUT / f"{cfg.name}.mem").write_text(mem)
                problems, extra = check_tlb(cfg, serial.text(), tlb, mem, syms)
                if problems:
                    reason = f"{len(problems)} page-table problem(s)"
                    extra = problems
            elif event == "exit":
                reason = f"QEMU exited with status {proc.returncode} before boot complete"
        if event == "timeout":
            reason = f"timeout after {cfg.timeout:.0f} s"
        # The sanitizer build reports undefined behaviour outside test
        # boots (in them it panics): any report fails the config.
        ub = re.search(r"^\[ubsan\] .*$", serial.text(), re.M)
        if not reason and ub:
            reason = f"undefined behaviour reported: {ub[0]}"
    except _Done:
        pass
    except Exception as e:            # QMP trouble, QEMU failing to start, ...
        reason = f"{type(e).__name__}: {e}"
    finally:
        if proc is not None:
            stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)
    seconds = time.monotonic() - start
    serial.poll(final=True)
    if reason:
        lines = serial.text().splitlines()
        errors = (OUT / f"{cfg.name}.stderr").read_text(errors="replace").splitlines()
        extra = extra + [f"--- last lines of {log.relative_to(ROOT)}:"] + lines[-60:]
        extra += ["--- QEMU stderr:"] + errors[-10:] if errors else []
    return reason, seconds, extra


def kill(proc):
    """Kill QEMU's whole process group, if it is still running."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def stop(proc):
    """Kill QEMU and reap it."""
    kill(proc)
    proc.wait()
    with RUNNING_LOCK:
        RUNNING.discard(proc)


def bad_elf(src, dst):
    """dst: src with its first segment moved into the kernel half."""
    data = bytearray(src.read_bytes())
    phoff = struct.unpack_from("<Q", data, 0x20)[0]
    struct.pack_into("<Q", data, phoff + 0x10, 0xffff800000000000)  # p_vaddr
    dst.write_bytes(data)
    return dst


def far_elf(src, dst, base=0x100000000):
    """dst: src with its last loadable segment moved up to `base` (4 GB, the
    root's scratch window): a valid ELF, but not where a first program may
    lie (include/abi/uspace.h)."""
    data = bytearray(src.read_bytes())
    off = last_load(data)
    vaddr = struct.unpack_from("<Q", data, off + 0x10)[0]
    struct.pack_into("<QQ", data, off + 0x10, base + (vaddr & 0xfff), base + (vaddr & 0xfff))
    dst.write_bytes(data)
    return dst


def big_elf(src, dst, grow=0x46000000):
    """dst: src with its last loadable segment's memory (its bss) grown by
    `grow` bytes: a valid program that is too large to be the first one."""
    data = bytearray(src.read_bytes())
    last = last_load(data)
    memsz = struct.unpack_from("<Q", data, last + 0x28)[0]
    struct.pack_into("<Q", data, last + 0x28, memsz + grow)  # p_memsz
    dst.write_bytes(data)
    return dst


def corrupted(src, variant, dst):
    """dst: src corrupted as ELF_VARIANTS[variant] says."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    data = bytes(ELF_VARIANTS[variant][0](bytearray(src.read_bytes())))
    if not dst.exists() or dst.read_bytes() != data:
        dst.write_bytes(data)
    return dst


def build_iso(kernel, cmdline, which, grub=()):
    """build/boottest/keel-SLUG.iso for cmdline and modules, unless up to date."""
    slug = re.sub(r"[^A-Za-z0-9]+", "-", cmdline).strip("-")[:60] or "plain"
    if len(cmdline) > 60:            # long command lines: told apart by a hash
        slug += "-" + hashlib.sha1(cmdline.encode()).hexdigest()[:8]
    if which != "user":
        slug += "-" + re.sub(r"[^A-Za-z0-9]+", "-", which)
    if grub:
        slug += "-grub-" + hashlib.sha1("\n".join(grub).encode()).hexdigest()[:8]
    iso = OUT / f"keel-{slug}.iso"
    # The user programs (`make` builds them) go in as modules, in the
    # Makefile's order: the first is the first program (the pager).
    names = (ROOT / "build" / "user" / "modules").read_text().split()
    modules = [ROOT / "build" / "user" / f"{n}.elf" for n in names]
    core = ROOT / "build" / "user" / "coretest.elf"
    if which in ("user", "bad-elf", "big-elf", "far-elf", "empty-first"):  # coretest first
        modules = [core] + [m for m in modules if m != core]
    if which == "none":
        modules = []
    elif which == "bad-elf":
        modules = [bad_elf(modules[0], OUT / "badelf.elf")] + modules[1:]
    elif which == "far-elf":
        modules = [far_elf(modules[0], OUT / "farelf.elf")] + modules[1:]
    elif which == "empty-first":
        empty = OUT / "empty.elf"
        if not empty.exists():
            empty.write_bytes(b"")
        modules = [empty] + modules
    elif which == "big-elf":
        modules = [big_elf(modules[0], OUT / "bigelf.elf")] + modules[1:]
    elif which.startswith("first:"):
        variant = which.split(":")[1]
        modules = [corrupted(core, variant, OUT / "elf" / variant / "coretest.elf")]
    elif which.startswith("system"):
        first = [ROOT / "build" / "user" / f"{n}.elf" for n in ("pager", "init")]
        modules = first + [m for m in modules if m not in first]
        if which.startswith("system:"):   # system:NAME=VARIANT
            name, variant = which.split(":")[1].split("=")
            modules = [corrupted(m, variant, OUT / "elf" / variant / m.name)
                       if m.stem == name else m for m in modules]
        elif which.startswith("system+"):  # system+N: copies of hello up to N
            hello = ROOT / "build" / "user" / "hello.elf"
            (OUT / "copies").mkdir(parents=True, exist_ok=True)
            for i in range(len(modules), int(which[7:])):
                copy = OUT / "copies" / f"copy{i}.elf"
                if not copy.exists() or copy.stat().st_mtime < hello.stat().st_mtime:
                    shutil.copy(hello, copy)
                modules.append(copy)
    inputs = [kernel, ROOT / "tools" / "mkiso.sh", ROOT / "build" / "user" / "modules"] + modules
    if iso.exists() and all(iso.stat().st_mtime >= p.stat().st_mtime for p in inputs):
        return iso, None
    tmp = iso.with_suffix(f".{os.getpid()}.tmp")  # never a half-written ISO
    env = dict(os.environ, KEEL_GRUB_PRE="".join(f"\t{line}\n" for line in grub))
    r = subprocess.run([str(ROOT / "tools" / "mkiso.sh"), str(kernel), str(tmp), cmdline]
                       + [str(m) for m in modules], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        return None, (r.stdout + r.stderr).strip().splitlines()
    tmp.replace(iso)
    return iso, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kernel", default=str(ROOT / "build" / "keel.elf"))
    ap.add_argument("--only", metavar="REGEX", help="run the configs whose name matches")
    ap.add_argument("--list", action="store_true", help="list the configs and exit")
    ap.add_argument("--jobs", type=int, default=2, help="QEMUs at once (default 2)")
    ap.add_argument("--keep", action="store_true", help="keep going after a failure")
    ap.add_argument("--fuzz-calls", type=int, metavar="N",
                    help="instead of the matrix, one test boot (2 CPUs) whose system-call "
                         "storm makes N calls (make fuzz)")
    ap.add_argument("--ksan", action="store_true",
                    help="the kernel is the sanitizer build: run its own configs too")
    ap.add_argument("--out", metavar="DIR",
                    help="logs and ISOs (default build/boottest; one per kernel, since an "
                         "ISO is reused while it is newer than its kernel)")
    ap.add_argument("--slow", action="store_true",
                    help="also the configs that take minutes (a thousand cutmem lines)")
    ap.add_argument("-v", "--verbose", action="store_true", help="echo serial output")
    args = ap.parse_args()

    global OUT
    if args.out:
        OUT = Path(args.out).resolve()
    configs = [c for c in MATRIX if (not args.only or re.search(args.only, c.name))
               and (args.ksan or not c.ksan) and (args.slow or not c.slow)]
    if args.fuzz_calls:
        # About 30 calls a tick on 2 CPUs: 1,000,000 take some 6 minutes.
        configs = [tests(f"sysfuzz-{args.fuzz_calls}-calls-bios-q35-2G-max-2cpu", "bios", "q35",
                         "2G", "max", cmdline=f"test fuzz-calls={args.fuzz_calls}", smp=2,
                         timeout=300 + args.fuzz_calls // 1000)]
    if args.list:
        for c in configs:
            print(f"{c.name:30} {c.kind:6} {c.firmware} {c.machine:12} {c.memory:5} "
                  f"-smp {c.smp:<3} -cpu {c.cpu:26} cmdline {c.cmdline!r}")
        return 0
    if not configs:
        print(f"boottest: no config matches {args.only!r}", file=sys.stderr)
        return 2
    kernel = Path(args.kernel).resolve()
    if not kernel.is_file():
        print(f"boottest: no kernel {args.kernel} (run make first)", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    syms = read_symbols(kernel)
    SYMS.update(syms)

    isos, errors = {}, {}
    for key in dict.fromkeys((c.cmdline, c.modules, c.grub) for c in configs):
        isos[key], errors[key] = build_iso(kernel, *key)

    def on_sigterm(signum, frame):  # e.g. make killed: clean up as for ^C
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, on_sigterm)

    print(f"1..{len(configs)}", flush=True)
    passed = failed = 0
    pool = ThreadPoolExecutor(max_workers=max(1, args.jobs))
    try:
        futures = {}
        for c in configs:
            if isos[(c.cmdline, c.modules, c.grub)]:
                futures[pool.submit(run_config, c, isos[(c.cmdline, c.modules, c.grub)], syms,
                                    args.verbose)] = c
            else:
                failed += 1
                print(f"not ok {passed + failed} - {c.name} # tools/mkiso.sh failed", flush=True)
                print("\n".join(f"#   {line}" for line in errors[(c.cmdline, c.modules, c.grub)][-20:]),
                      flush=True)
        for future in as_completed(futures):
            c = futures[future]
            reason, seconds, extra = future.result()
            with PRINT_LOCK:
                if reason:
                    failed += 1
                    print(f"not ok {passed + failed} - {c.name} ({seconds:.1f} s) # {reason}")
                else:
                    passed += 1
                    print(f"ok {passed + failed} - {c.name} ({seconds:.1f} s)")
                for line in extra:
                    print(f"#   {line}")
                sys.stdout.flush()
            if reason and not args.keep and passed + failed < len(configs):
                print("# stopping at the first failure (--keep runs every config)")
                for f in futures:
                    f.cancel()
                break
    except KeyboardInterrupt:
        print("# interrupted", flush=True)
        failed += 1
    finally:
        with RUNNING_LOCK:
            running = list(RUNNING)
        for proc in running:             # the workers' waits then end at once
            kill(proc)
        pool.shutdown(wait=True, cancel_futures=True)
    print(f"boot: {passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 and passed == len(configs) else 1


if __name__ == "__main__":
    sys.exit(main())
