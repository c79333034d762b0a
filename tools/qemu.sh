#!/bin/sh
# qemu.sh ISO [QEMU ARGS...] - boot a Keel ISO in QEMU (TCG) with the serial
# console on this terminal.  Environment: KEEL_FIRMWARE=uefi for OVMF,
# KEEL_MEM (default 512M), KEEL_CPU (default max), KEEL_MACHINE (default q35),
# KEEL_SMP (CPUs, default 4).
#
# A test boot (`make run CMDLINE=test`) ends QEMU through the isa-debug-exit
# device, as `make test` does: this script then exits 0 if every test
# passed, 1 if one failed, 2 after a panic.  A run ended by hand (Ctrl-A X)
# exits 0.  Under UEFI, OVMF's variables go to a temporary copy, removed
# when QEMU ends.
set -eu
iso=$1
shift
fw= vars=
if [ "${KEEL_FIRMWARE:-bios}" = uefi ]; then
	vars=$(mktemp)
	trap 'rm -f "$vars"' EXIT INT TERM
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"
	fw="-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd -drive if=pflash,format=raw,file=$vars"
fi
echo "Keel in QEMU: Ctrl-A X quits, Ctrl-A C switches to the monitor"
status=0
# shellcheck disable=SC2086
qemu-system-x86_64 -accel tcg -machine "${KEEL_MACHINE:-q35}" \
	-cpu "${KEEL_CPU:-max}" -m "${KEEL_MEM:-512M}" -smp "${KEEL_SMP:-4}" $fw \
	-cdrom "$iso" -boot d -display none -serial mon:stdio -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@" || status=$?
# The kernel writes 0x10 (passed), 0x11 (failed) or 0x12 (panic): QEMU exits (code << 1) | 1.
case $status in
0) exit 0 ;;
33) exit 0 ;;
35) exit 1 ;;
37) exit 2 ;;
*) exit "$status" ;;
esac
