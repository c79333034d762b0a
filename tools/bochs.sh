#!/bin/bash
# bochs.sh ISO LOGFILE [CPUS] [MEGS] [TIMEOUT_S] - boot a Keel ISO in Bochs,
# headless, with the serial console (COM1) written to LOGFILE.
#
# Bochs (Debian's bochs 2.7) emulates x2APIC, which QEMU's TCG does not, so
# this is how Keel's x2APIC mode is tested with several CPUs.  The CPU model
# is an x2APIC-capable one (corei7_skylake_x; BOCHS_CPU overrides it).
# CPUS (default 1) processors, MEGS (default 128) MB of RAM, TIMEOUT_S
# (default 120) seconds of wall-clock time at most.  Bochs's own log goes to
# a temporary file, or to $BOCHS_LOG if set.  Needs Debian's packages bochs,
# bochs-term, bochsbios and vgabios.
#
# Guest time is counted in instructions (clock: sync=none) at BOCHS_MIPS
# (default 10) million a second: waits for time (the BIOS, timer
# calibration) cost that many instructions, and with several CPUs Bochs
# steps even halted ones through every tick, so a low rate boots faster
# (4 CPUs: ~3 s at 10, ~10 s at 50).  The TSC then runs at that rate too.
# Bochs 2.7 takes at most 15 CPUs.  Above 2048 MB of RAM it gets slow, and
# above 3072 MB its BIOS loses 1 GB (the RAM under the 3-4 GB PCI hole).
#
# Bochs has no isa-debug-exit device, so the kernel cannot end the run: we
# watch LOGFILE and stop Bochs once the kernel is done, i.e. when it shows
#   - `[kernel] boot complete` and then `N passed, M failed` (command line
#     with `test`, as the `[boot] loader ...` line shows) or
#   - `[kernel] boot complete` (command line without `test`) or
#   - `[panic] system halted` or `[boot] halted: ...` (at any time).
# The caller reads LOGFILE to judge what happened.
#
# Exit status: 0 the kernel got to one of those lines, 124 the time ran out
# first, 2 Bochs stopped by itself or could not start (the tail of its log is
# shown), 1 bad arguments.  No Bochs process is left behind.
set -u

if [ $# -lt 2 ] || [ $# -gt 5 ]; then
	echo "usage: $0 ISO LOGFILE [CPUS] [MEGS] [TIMEOUT_S]" >&2
	exit 1
fi
iso=$(realpath -e "$1") || exit 1
log=$(realpath -m "$2")
cpus=${3:-1} megs=${4:-128} limit=${5:-120}
model=${BOCHS_CPU:-corei7_skylake_x}
for n in "$cpus" "$megs" "$limit"; do
	case $n in '' | *[!0-9]*) echo "$0: not a number: '$n'" >&2; exit 1 ;; esac
done
command -v bochs-bin >/dev/null || {
	echo "$0: bochs is not installed (apt-get install bochs bochs-term bochsbios vgabios)" >&2
	exit 1
}

dir=$(mktemp -d)
blog=${BOCHS_LOG:-$dir/bochs.log}
pid=
stop_bochs() {
	[ -n "$pid" ] || return 0
	# SIGINT drops Bochs into its debugger, which reads the `q` of the rc
	# file and quits cleanly (SIGTERM is caught and ignored by the term
	# display); SIGKILL if that does not work within 5 s.
	kill -INT "$pid" 2>/dev/null
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
}
trap 'stop_bochs; rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM HUP

mkdir -p "$(dirname "$log")"
: >"$log"
cat >"$dir/bochsrc" <<EOF
# Only the devices a PC needs; no sound, USB, network or parallel port.
plugin_ctrl: unmapped=1, biosdev=1, speaker=0, extfpuirq=1, parallel=0, serial=1, gameport=0, iodebug=0, e1000=0, es1370=0, ne2k=0, pcipnic=0, sb16=0, usb_uhci=0, usb_ohci=0, usb_ehci=0, usb_xhci=0
config_interface: textconfig
# Debian's Bochs has no 'nogui'; 'term' (curses) draws the VGA text screen
# into a file we never read.
display_library: term
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
vga: extension=vbe, update_freq=1
pci: enabled=1, chipset=i440fx
cpu: model=$model, count=$cpus, ips=$(( ${BOCHS_MIPS:-10} * 1000000 )), reset_on_triple_fault=0
memory: guest=$megs, host=$(( megs < 2048 ? megs : 2048 ))
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
ata0-master: type=cdrom, path="$iso", status=inserted
ata1: enabled=0
boot: cdrom
floppy_bootsig_check: disabled=1
# Guest time follows the instruction count, not the host clock: as fast as
# the host can go, and the same on every run.
clock: sync=none, time0=utc
com1: enabled=1, mode=file, dev="$log"
magic_break: enabled=0
port_e9_hack: enabled=0
log: $blog
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
EOF
# Bochs starts in its debugger: continue, and quit when stopped (SIGINT).
printf 'c\nq\n' >"$dir/rc"

# The kernel is done (see above)?  Lines may hold \r.
done_yet() {
	awk '
	{ gsub(/\r/, "") }
	/^\[boot\] loader .*command line "/ {
		cl = $0; sub(/.*command line "/, "", cl); sub(/".*/, "", cl)
		test = (" " cl " ") ~ / test /
	}
	/^\[kernel\] boot complete/ { booted = 1 }
	booted && /^[0-9]+ passed, [0-9]+ failed/ { done = 1 }
	/^\[panic\] system halted/ || /^\[boot\] halted:/ { done = 1 }
	END { exit !(done || (booted && !test)) }' "$log"
}

ms() { date +%s%3N; }
start=$(ms)
# timeout(1) is only a backstop in case this script itself is killed.
TERM=vt100 timeout -s KILL $((limit + 60)) \
	bochs-bin -q -f "$dir/bochsrc" -rc "$dir/rc" </dev/null >"$dir/stdout" 2>&1 &
pid=$!
deadline=$((start + limit * 1000))
status=
while [ -z "$status" ]; do
	if done_yet; then
		status=0
	elif ! kill -0 "$pid" 2>/dev/null; then
		wait "$pid"
		rc=$?
		pid=
		if done_yet; then
			status=0
		else
			echo "bochs.sh: Bochs stopped by itself (status $rc) before the kernel was done; its log:" >&2
			[ -s "$blog" ] || blog=$dir/stdout
			grep -m 10 '>>PANIC<<\|^[0-9]*e\[' "$blog" >&2
			echo "..." >&2
			tail -n 15 "$blog" >&2
			status=2
		fi
	elif [ "$(ms)" -ge "$deadline" ]; then
		echo "bochs.sh: timed out after ${limit}s; the serial log ends:" >&2
		tail -n 5 "$log" >&2
		status=124
	else
		sleep 0.2
	fi
done
stop_bochs
t=$(( $(ms) - start ))
echo "bochs.sh: $cpus CPU(s), $megs MB: stopped after $((t / 1000)).$((t / 100 % 10))s" >&2
exit $status
