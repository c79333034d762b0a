#!/usr/bin/env python3
"""shelltest.py - drive Keel's shell over the serial line, as a person would.

Boots the ISO in QEMU with COM1 on a Unix socket, waits for the prompt,
types each command a character at a time (the console echoes each), and
checks what comes back: every command of the shell, line editing, Ctrl-C,
programs started in the foreground and the background and killed, free
memory back where it was, and the serial driver killed mid-session and
started again by init while typing goes on.

Lines the kernel or the pager print (`[kernel] ...`, `[pager] ...`,
`[thread] ...`) share the wire (docs/design-core.md, "Sharing COM1");
each is whole, though it may land inside a line of the console's, and
they are taken out before the shell's output is matched.

    tools/shelltest.py [--iso build/keel.iso] [--smp 2] [--mem 256M]
                       [--firmware bios|uefi] [--machine q35] [-v]
    tools/shelltest.py --matrix      (make test-shell: the machines of MATRIX)

Exits 0 if every check passed; prints a TAP line for each.
"""
import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time

OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"
PROMPT = "keel> "
# Whole lines of the kernel's log (and the pager's, which goes through it):
# one may land inside a line of the console's, but is whole itself.
KERNEL_LINE = re.compile(r"\[(kernel|pager|thread|root|irq|cpu|smp|time|mm)\] [^\n]*\n")


class Wire:
    def __init__(self, sock, verbose):
        self.sock = sock
        self.buf = b""
        self.mark = 0      # where the current command's output starts
        self.verbose = verbose

    def pump(self, timeout):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            return False
        if not data:
            raise EOFError("QEMU closed the serial line")
        if self.verbose:
            sys.stdout.write(data.decode("utf-8", "replace"))
            sys.stdout.flush()
        self.buf += data
        return True

    def text(self, start=0):
        t = self.buf[start:].decode("utf-8", "replace").replace("\r", "")
        return KERNEL_LINE.sub("", t)

    def wait_for(self, what, timeout, start=None):
        """Until `what` (a string or compiled regex) is in the output since start."""
        start = self.mark if start is None else start
        end = time.monotonic() + timeout
        while True:
            t = self.text(start)
            if (what.search(t) if isinstance(what, re.Pattern) else what in t):
                return t
            left = end - time.monotonic()
            if left <= 0:
                return None
            self.pump(min(left, 0.5))

    def type(self, keys, echo=True):
        """Type keys one at a time, each after the echo of the one before."""
        for ch in keys:
            before = len(self.buf)
            self.sock.sendall(ch.encode())
            if echo and " " <= ch <= "~":
                end = time.monotonic() + 10
                while ch.encode() not in self.buf[before:] and time.monotonic() < end:
                    self.pump(0.2)

    def enter(self, line):
        """Type a line and Enter, marking where its output starts; waits for nothing after."""
        self.mark = len(self.buf)
        self.type(line)
        self.sock.sendall(b"\r")

    def command(self, line, timeout=30, until=PROMPT):
        """Type a command line and Enter; the output up to the next prompt (None: none came)."""
        self.enter(line)
        t = self.wait_for(until, timeout)
        if t is None:
            return None
        # What the command printed: after the echoed line, before the prompt.
        t = t.split("\n", 1)[1] if "\n" in t else ""
        return t[: t.rfind(PROMPT)] if until == PROMPT and PROMPT in t else t


class Results:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def check(self, name, ok, why=""):
        self.n += 1
        if not ok:
            self.failed += 1
        print(f"{'ok' if ok else 'not ok'} {self.n} - {name}" + ("" if ok else f" # {why}"),
              flush=True)
        return ok


def in_order(needle, text):
    """Do needle's characters all come in text, in order (with others between)?"""
    it = iter(text)
    return all(ch in it for ch in needle)


def ps_table(out):
    """{pid: (parent, state, cpu, kb, name)} from ps's output."""
    rows = {}
    for line in (out or "").splitlines():
        m = re.match(r"^\s*(\d+)\s+(\d+)\s+(\w+)\s+(\d+)\s+(\d+) KB\s+(\S+)", line)
        if m:
            rows[int(m[1])] = (int(m[2]), m[3], int(m[4]), int(m[5]), m[6])
    return rows


def pid_of(rows, name, state="running"):
    pids = [p for p, r in rows.items() if r[4] == name and r[1] == state]
    return pids[0] if pids else None


def free_bytes(out):
    m = re.search(r"^free\s+(\d+) bytes", out or "", re.M)
    return int(m[1]) if m else None


def kill_service(w, name):
    """`kill` a service by name: its old pid, and the output once init said it started it
    again (None if it never did)."""
    old = pid_of(ps_table(w.command("ps")), name)
    w.enter(f"kill {old}")
    return old, w.wait_for(re.compile(rf"{name} \(process \d+\) was killed; started again as "
                                      r"process \d+"), 30)


def session(w, r):
    """The checks, in the order a person might try things."""
    out = w.command("help")
    r.check("help lists every command", out is not None and all(
        f"  {c}" in out for c in ["help", "echo", "ps", "mem", "run", "kill", "cpus", "layout",
                                  "irq", "bench", "halt"]), repr(out)[:200])

    out = w.command("echo hello,   world")
    r.check("echo prints its words", out is not None and out.strip() == "hello, world",
            repr(out))

    out = w.command("frobnicate now")
    r.check("an unknown command is named", out is not None and
            "frobnicate: unknown command" in out, repr(out))

    # Line editing: Backspace, then Ctrl-U throws a line away.
    w.mark = len(w.buf)
    w.type("echo abx")
    w.sock.sendall(b"\x7f")
    w.type("c")
    w.sock.sendall(b"\r")
    out = w.wait_for(PROMPT, 20)
    r.check("Backspace edits the line", out is not None and "\nabc\n" in out, repr(out))
    w.mark = len(w.buf)
    w.type("echo wrong")
    w.sock.sendall(b"\x15")
    w.type("echo right")
    w.sock.sendall(b"\r")
    out = w.wait_for(PROMPT, 20)
    r.check("Ctrl-U throws the line away", out is not None and "\nright\n" in out and
            "wrong\n" not in out, repr(out))

    out = w.command("ps")
    rows = ps_table(out)
    names = {row[4] for row in rows.values()}
    r.check("ps lists init, the services and the shell",
            {"init", "console", "serial", "shell"} <= names, repr(out))

    out = w.command("mem")
    free0 = free_bytes(out)
    r.check("mem shows the pager's statistics", free0 is not None and "total" in out, repr(out))

    out = w.command("cpus", timeout=30)
    r.check("cpus shows each CPU", out is not None and re.search(r"^\s+0\s+\d+\s+\d+\s+\d+%",
                                                                out, re.M) is not None, repr(out))

    out = w.command("layout")
    r.check("layout shows the kernel's regions", out is not None and all(
        n in out for n in ["user", "direct map", "per-cpu", "kernel"]) and
        re.search(r"0xffff800000000000-0xffffbfffffffffff direct map\s+[1-9]\d* bytes mapped",
                  out) is not None, repr(out))

    out = w.command("irq")
    m = re.search(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+4$", out or "", re.M)
    if w.ioapic:
        r.check("irq counts the serial line's interrupts", m is not None and int(m[2]) > 0,
                repr(out))
    else:                            # no I/O APIC: the driver polls, nothing interrupts
        r.check("irq shows no serial interrupts without an I/O APIC",
                out is not None and "LINE" in out and m is None, repr(out))

    out = w.command("run hello one two", timeout=60)
    r.check("run starts a program with its arguments", out is not None and
            "hello from process on CPU" in out and "argument 1: one" in out and
            "argument 2: two" in out, repr(out))

    out = w.command("run nosuch")
    r.check("run refuses a program that does not exist", out is not None and
            "no program called 'nosuch'" in out, repr(out))

    out = w.command("run")
    r.check("run without a program says how", out is not None and "which program" in out,
            repr(out))

    # An arrow key's escape sequence is swallowed, and CR LF is one Enter.
    w.mark = len(w.buf)
    w.type("echo a")
    w.sock.sendall(b"\x1b[A")
    w.type("b")
    w.sock.sendall(b"\r\n")
    out = w.wait_for(PROMPT, 20)
    time.sleep(0.5)
    w.pump(0.2)
    after = w.text(w.mark)
    r.check("an escape sequence is swallowed and CR LF is one line",
            out is not None and "\nab\n" in after and after.count(PROMPT) == 1, repr(after))

    # Programs flooding the console or the kernel's log do not silence the shell.
    for how in ("flood", "klog"):
        out = w.command(f"run pvictim {how} &")
        m = re.search(r"\[(\d+)\] pvictim started", out or "")
        time.sleep(1)
        alive = w.command("echo still answering", timeout=30)
        # The flood's text mixes in (at a write's or an 8-byte burst's
        # boundary): the answer is there if its letters come in order.
        r.check(f"the shell answers while a program floods ({how})", m is not None and
                alive is not None and in_order("still answering\n", alive), repr(alive)[-200:])
        if m:
            w.command(f"kill {m[1]}", timeout=30)
            w.wait_for(PROMPT, 10)

    out = w.command("kill x")
    r.check("kill without a number says how", out is not None and "which process" in out,
            repr(out))

    out = w.command("kill 999")
    r.check("kill of no process says so", out is not None and "no process 999" in out,
            repr(out))

    # Ctrl-C ends the program in the foreground.
    w.enter("run hello spin")
    started = w.wait_for("spinning", 60)
    w.sock.sendall(b"\x03")
    out = w.wait_for(PROMPT, 30)
    r.check("Ctrl-C ends the foreground program", started is not None and out is not None and
            re.search(r"\[\d+\] hello: killed", out) is not None, repr(out))

    # In the background: it runs while the shell takes commands; kill ends it.
    out = w.command("run hello spin &")
    m = re.search(r"\[(\d+)\] hello started", out or "")
    r.check("run ... & starts a program in the background", m is not None, repr(out))
    if m:
        pid = int(m[1])
        out = w.command("ps")
        r.check("ps shows the background program running",
                ps_table(out).get(pid, (0, ""))[1] == "running", repr(out))
        out = w.command(f"kill {pid}")
        r.check("kill ends it", out is not None and f"killed process {pid}" in out, repr(out))
        out = w.command("ps")
        r.check("and it is gone", pid not in ps_table(out), repr(out))

    if w.gdb_sock:                   # keel-user names the program running on a CPU
        w.enter("run hello spin")
        spun = w.wait_for("spinning", 60)
        g = subprocess.run(
            ["gdb", "-batch", "-nx", "-ex", "set architecture i386:x86-64",
             "-ex", "symbol-file build/keel.elf", "-ex", f"target remote {w.gdb_sock}",
             "-ex", "source tools/gdb_keel.py", "-ex", "thread 2", "-ex", "keel-user",
             "-ex", "bt 1", "-ex", "detach"],
            capture_output=True, text=True, timeout=120)
        r.check("GDB's keel-user finds the program on a CPU and its source line",
                spun is not None and "program: hello" in g.stdout and
                re.search(r"main \(\) at user/hello/main\.c:\d+", g.stdout) is not None,
                (g.stdout + g.stderr)[-300:])
        w.sock.sendall(b"\x03")
        w.wait_for(PROMPT, 30)

    # docs/writing-programs.md's server and client, sharing a page by name.
    out = w.command("run greet serve &")
    m = re.search(r"\[(\d+)\] greet started", out or "")
    served = w.wait_for("greet: serving", 30)
    out = w.command("run greet world", timeout=60)
    r.check("greet's client reaches its server by name, through a shared page",
            m is not None and served is not None and out is not None and
            re.search(r"greet: hello, world \(process \d+\)", out) is not None and
            "greet: the server read 5 bytes" in out, repr(out))
    if m:
        w.command(f"kill {m[1]}")

    out = w.command("bench", timeout=120)
    r.check("bench reports its measurements", out is not None and all(
        re.search(rf"^{k}.*\s[1-9]\d* cycles$", out, re.M) for k in ["system call", "IPC round trip",
                                                       "first touch"]), repr(out))

    out = w.command("mem")
    r.check("free memory is back where it was after the programs",
            free0 is not None and free_bytes(out) == free0,
            f"free {free0} before, {free_bytes(out)} after")

    # The serial driver dies mid-session; init starts it again; typing goes on.
    old, out = kill_service(w, "serial")
    r.check("init reports the serial driver's end and starts it again", out is not None,
            repr(w.text(w.mark))[-300:])
    w.wait_for(PROMPT, 30)
    out = w.command("echo still here", timeout=30)
    r.check("the shell works through the new serial driver",
            out is not None and "still here" in out, repr(out))
    rows = ps_table(w.command("ps"))
    new = pid_of(rows, "serial")
    r.check("ps shows the new serial driver", new is not None and new != old,
            f"old {old}, new {new}")

    # A driver that keeps dying: init starts it a second later each time
    # past 5 starts in 10 s, and never gives up.
    w.mark = len(w.buf)
    start = w.mark
    for _ in range(5):
        kill_service(w, "serial")
        w.wait_for(PROMPT, 30)
    paused = w.wait_for("serial ended 5 times in 10 s; waiting a second", 30, start=start)
    out = None
    for _ in range(10):
        out = w.command("echo after the storm", timeout=5)
        if out is not None and "after the storm" in out:
            break
    r.check("a driver that keeps dying is started again a second later, for good",
            paused is not None and out is not None and "after the storm" in out,
            repr(w.text(start))[-400:])

    out = w.command("mem")
    r.check("free memory is back after the driver's restart",
            free0 is not None and free_bytes(out) == free0,
            f"free {free0} before, {free_bytes(out)} after")

    # The console server dies too: init starts it again under its reserved
    # name, the driver and the shell attach to the new one.
    old, out = kill_service(w, "console")
    # The shell hears of it from the pager and comes back with a prompt by
    # itself: one after its answer to `kill`, and one more on the new console.
    reprompt = w.wait_for(re.compile(r"killed service \d+.*keel> .*keel> ", re.S), 15)
    r.check("the shell attaches to the new console by itself", out is not None and
            reprompt is not None, repr(w.text(w.mark))[-300:])
    time.sleep(1)
    w.sock.sendall(b"\x15")         # whatever reached the new console half-typed
    out = None
    for _ in range(20):              # the first keys may go to the old console
        out = w.command("echo console back", timeout=5)
        if out is not None and "console back" in out:
            break
        w.sock.sendall(b"\x15")
    r.check("the shell works through a new console server",
            out is not None and "console back" in out, repr(w.text(w.mark))[-300:])
    for _ in range(3):               # a line typed meanwhile may still be on its way
        rows = ps_table(w.command("ps"))
        if pid_of(rows, "console") not in (None, old):
            break
    r.check("ps shows the new console", pid_of(rows, "console") not in (None, old),
            repr(w.text(w.mark))[-400:])

    w.enter("halt")
    end = time.monotonic() + 30
    while time.monotonic() < end and b"[kernel] halted" not in w.buf[w.mark:]:
        w.pump(0.5)
    r.check("halt stops the machine", b"[kernel] halted" in w.buf[w.mark:],
            repr(w.buf[w.mark:])[-200:])


# `make test`'s machines (--matrix): interrupts under BIOS and UEFI, and
# polling where there is no I/O APIC.
MATRIX = [
    dict(firmware="bios", machine="q35", smp="2", mem="256M", gdb=True),
    dict(firmware="uefi", machine="q35", smp="4", mem="2G", gdb=False),
    dict(firmware="bios", machine="pc,acpi=off", smp="1", mem="128M", gdb=False),
]


def run(args):
    """One session on one machine: its Results."""
    tmp = tempfile.mkdtemp(prefix="keel-shell-")
    sock_path = os.path.join(tmp, "serial.sock")
    gdb_path = os.path.join(tmp, "gdb.sock") if args.gdb else None
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-display", "none", "-no-reboot",
           "-monitor", "none", "-machine", args.machine, "-cpu", "max", "-m", args.mem,
           "-smp", args.smp, "-cdrom", args.iso, "-boot", "d",
           "-chardev", f"socket,id=s0,path={sock_path},server=on,wait=on",
           "-serial", "chardev:s0"]
    if gdb_path:                     # QEMU's GDB stub on a socket of this run's own
        cmd += ["-chardev", f"socket,id=g0,path={gdb_path},server=on,wait=off",
                "-gdb", "chardev:g0"]
    if args.firmware == "uefi":
        shutil.copy(OVMF_VARS, os.path.join(tmp, "vars.fd"))
        cmd += ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                "-drive", f"if=pflash,format=raw,file={os.path.join(tmp, 'vars.fd')}"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    r = Results()
    try:
        sock = socket.socket(socket.AF_UNIX)
        end = time.monotonic() + 60
        while True:                  # QEMU makes the socket, then waits for us
            try:
                sock.connect(sock_path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > end or proc.poll() is not None:
                    raise OSError("QEMU's serial socket never came: "
                                  + proc.stderr.read().decode(errors="replace")[-300:]
                                  if proc.poll() is not None else "QEMU's socket never came")
                time.sleep(0.1)
        w = Wire(sock, args.verbose)
        w.ioapic = "acpi=off" not in args.machine
        w.gdb_sock = gdb_path
        up = w.wait_for(PROMPT, 240, start=0)
        if not r.check("the shell's prompt comes up", up is not None,
                       repr(w.text())[-300:]):
            return r
        session(w, r)
    except (EOFError, OSError) as e:
        r.check("the session ran to its end", False, str(e))
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"1..{r.n}\n# {r.n - r.failed} passed, {r.failed} failed", flush=True)
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--iso", default="build/keel.iso")
    ap.add_argument("--smp", default="2")
    ap.add_argument("--mem", default="256M")
    ap.add_argument("--firmware", default="bios", choices=["bios", "uefi"])
    ap.add_argument("--machine", default="q35",
                    help="QEMU's machine (pc,acpi=off: no I/O APIC, the driver polls)")
    ap.add_argument("--gdb", action="store_true",
                    help="check GDB's keel-user on a spinning program (2 CPUs or more)")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--matrix", action="store_true",
                    help="the machines `make test` uses, each a session")
    args = ap.parse_args()
    if not args.matrix:
        return 1 if run(args).failed else 0
    passed = failed = 0
    for m in MATRIX:
        a = argparse.Namespace(**{**vars(args), **m})
        print(f"# {m['firmware']} {m['machine']} -smp {m['smp']} -m {m['mem']}", flush=True)
        r = run(a)
        passed += r.n - r.failed
        failed += r.failed
    print(f"shell: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

