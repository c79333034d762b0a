#!/usr/bin/env python3
"""profile.py - where a path's instructions go, per function.

Boots an ISO under QEMU with `-icount` (as tools/bench.py does) and
tools/profile/plugin.c, which counts the instructions executed at each
translation block's start.  Each block is charged to the function its
address falls in (from `nm` of the ELF files given).

  profile.py [--until REGEX] [--smp N] [--cpu MODEL] [--detail FUNCTION]
             [--base ISO] [--per N] ISO ELF...

With --base, the same is done for a second ISO and the difference is
printed: build the two with the path under study run a different number
of times (and nothing else changed), and divide by that number.

  profile.py --windows [--cpu MODEL] ISO ELF...

boots a `bench` ISO instead and prints, for each measurement user/bench
marks as a window (MARK_ON/MARK_OFF), the instructions per operation of
each function.  `make bench` does this too (windows(), below) and puts
the result in docs/benchmarks.md.
"""
import argparse
import bisect
import re
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
import bench  # noqa: E402  (qemu_base, run_qemu)


def plugin():
    so = Path(tempfile.gettempdir()) / "keel-profile-plugin.so"
    src = HERE / "plugin.c"
    if not so.exists() or so.stat().st_mtime < src.stat().st_mtime:
        subprocess.run(["cc", "-shared", "-fPIC", "-O2", "-Wall", "-o", str(so), str(src),
                        "-lpthread"], check=True)
    return so


def symbols(elfs):
    syms = []
    for elf in elfs:
        out = subprocess.run(["nm", "-n", "--defined-only", elf], capture_output=True,
                             text=True, check=True).stdout
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tTwW":
                syms.append((int(parts[0], 16), f"{Path(elf).stem}:{parts[2]}"))
    syms.sort()
    return syms


def run(iso, smp, until, model, timeout):
    with tempfile.TemporaryDirectory() as tmp:
        serial, out = Path(tmp) / "serial.log", Path(tmp) / "profile.out"
        cmd = bench.qemu_base(model, "1G", smp) + [
            "-cdrom", str(iso), "-boot", "d", "-serial", f"file:{serial}",
            "-plugin", f"{plugin()},out={out}"]
        text = bench.run_qemu(cmd, serial, until, timeout, gentle=True)
        if not re.search(until, text, re.M):
            sys.exit(f"profile.py: {iso} did not reach {until!r} in {timeout} s")
        counts = {}
        for line in out.read_text().splitlines():
            a, n = line.split()
            counts[int(a, 16)] = int(n)
        return counts


KERNEL_HALF = 0xffff800000000000


def elf_code(path):
    """The bytes of an ELF's executable PT_LOAD segments: [(vaddr, bytes)]."""
    data = Path(path).read_bytes()
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    segs = []
    for i in range(phnum):
        p_type, flags, offset, vaddr, _, filesz = struct.unpack_from(
            "<IIQQQQ", data, phoff + i * phentsize)
        if p_type == 1 and flags & 1:
            segs.append((vaddr, data[offset:offset + filesz]))
    return segs


class Resolver:
    """Names a block: kernel addresses by keel.elf's symbols; a user address
    by the one program whose code has the block's bytes there (every
    program links at PROG_LOAD_BASE, so an address alone does not say)."""

    def __init__(self, kernel_elf, user_elfs):
        self.kernel = symbols([kernel_elf])
        self.kaddrs = [a for a, _ in self.kernel]
        self.users = [(symbols([e]), elf_code(e)) for e in user_elfs]

    @staticmethod
    def _name(syms, addr):
        i = bisect.bisect_right([a for a, _ in syms], addr) - 1
        return syms[i][1] if i >= 0 else "?"

    def name(self, addr, code):
        if addr >= KERNEL_HALF:
            i = bisect.bisect_right(self.kaddrs, addr) - 1
            return self.kernel[i][1] if i >= 0 else "kernel:?"
        owners = []
        for syms, segs in self.users:
            for base, blob in segs:
                if base <= addr and blob[addr - base:addr - base + len(code)] == code:
                    owners.append(self._name(syms, addr))
                    break
        if len(owners) == 1:
            return owners[0]
        return "user:?" if not owners else f"{owners[0]} (or {len(owners) - 1} more)"


def windows(iso, model, kernel_elf, user_elfs, timeout=900):
    """Boot a bench ISO under the plugin: {window name: (ops, {function:
    instructions per operation}), ...} from its MARK_ON/MARK_OFF windows
    and its `[bench] window ID NAME OPS` lines."""
    with tempfile.TemporaryDirectory() as tmp:
        serial, out = Path(tmp) / "serial.log", Path(tmp) / "profile.out"
        cmd = bench.qemu_base(model, "1G", 2) + [
            "-cdrom", str(iso), "-boot", "d", "-serial", f"file:{serial}",
            "-plugin", f"{plugin()},out={out}"]
        text = bench.run_qemu(cmd, serial, r"^\[init\] bench ended|^\[panic\]", timeout,
                              gentle=True)
        win = Path(str(out) + ".win")
        if "[init] bench ended" not in text or not win.exists():
            return None
        rows = win.read_text().splitlines()
    names = {int(m[0]): (m[1], int(m[2]))
             for m in re.findall(r"^\[bench\] window (\d+) (\S+) (\d+)$", text, re.M)}
    res = Resolver(kernel_elf, user_elfs)
    count, per = {}, {}
    for line in rows:
        f = line.split()
        if f[0] == "W":
            count[int(f[1])] = int(f[2])
            continue
        wid, addr, code, n = int(f[0]), int(f[1], 16), bytes.fromhex(f[2]), int(f[3])
        fn = res.name(addr, code)
        per.setdefault(wid, {})
        per[wid][fn] = per[wid].get(fn, 0) + n
    out = {}
    for wid, (name, ops) in names.items():
        if wid in count and wid in per:
            total_ops = count[wid] * ops
            out[name] = (total_ops, {k: v / total_ops for k, v in per[wid].items()})
    return out


def by_function(counts, syms, detail=None):
    """Counts per function; with `detail`, per block of that function."""
    addrs = [a for a, _ in syms]
    out = {}
    for a, n in counts.items():
        i = bisect.bisect_right(addrs, a) - 1
        name = syms[i][1] if i >= 0 else "?"
        if detail and name.endswith(":" + detail):
            name = f"{name}+{a - syms[i][0]:#x}"
        out[name] = out.get(name, 0) + n
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--until", default=r"^\[init\] bench ended")
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--cpu", default="max")
    ap.add_argument("--base")
    ap.add_argument("--per", type=float, default=1.0, help="divide the figures by this")
    ap.add_argument("--timeout", type=int, default=600)
    ap.add_argument("--detail", help="a function to show block by block")
    ap.add_argument("--windows", action="store_true",
                    help="a bench ISO: per function, per operation of each window")
    ap.add_argument("iso")
    ap.add_argument("elf", nargs="+")
    a = ap.parse_args()
    if a.windows:
        kern = [e for e in a.elf if Path(e).name == "keel.elf"]
        users = [e for e in a.elf if Path(e).name != "keel.elf"]
        w = windows(a.iso, a.cpu, kern[0], users, a.timeout)
        if not w:
            sys.exit("profile.py: the bench did not end, or marked no window")
        for name, (ops, fns) in w.items():
            print(f"{name} ({ops} operations):")
            for k, v in sorted(fns.items(), key=lambda kv: -kv[1]):
                if v >= 0.5:
                    print(f"  {v:12.1f}  {k}")
            print(f"  {sum(fns.values()):12.1f}  total")
        return
    syms = symbols(a.elf)
    f = by_function(run(a.iso, a.smp, a.until, a.cpu, a.timeout), syms, a.detail)
    if a.base:
        b = by_function(run(a.base, a.smp, a.until, a.cpu, a.timeout), syms, a.detail)
        f = {k: f.get(k, 0) - b.get(k, 0) for k in set(f) | set(b)}
    rows = sorted(((v / a.per, k) for k, v in f.items() if v), reverse=True)
    for v, k in rows:
        print(f"{v:12.1f}  {k}")
    print(f"{sum(v for v, _ in rows):12.1f}  total")


if __name__ == "__main__":
    main()
