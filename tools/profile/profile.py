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
"""
import argparse
import bisect
import re
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
    ap.add_argument("iso")
    ap.add_argument("elf", nargs="+")
    a = ap.parse_args()
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
