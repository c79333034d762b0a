#!/bin/sh
# qemu.sh ISO [QEMU ARGS...] - boot a Keel ISO in QEMU (TCG) with the serial
# console on this terminal.  Environment: KEEL_FIRMWARE=uefi for OVMF,
# KEEL_MEM (default 512M), KEEL_CPU (default max), KEEL_MACHINE (default q35),
# KEEL_SMP (CPUs, default 4).
set -eu
iso=$1
shift
fw=
if [ "${KEEL_FIRMWARE:-bios}" = uefi ]; then
	vars=$(mktemp)
	cp /usr/share/OVMF/OVMF_VARS_4M.fd "$vars"
	fw="-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd -drive if=pflash,format=raw,file=$vars"
fi
echo "Keel in QEMU: Ctrl-A X quits, Ctrl-A C switches to the monitor"
# shellcheck disable=SC2086
exec qemu-system-x86_64 -accel tcg -machine "${KEEL_MACHINE:-q35}" \
	-cpu "${KEEL_CPU:-max}" -m "${KEEL_MEM:-512M}" -smp "${KEEL_SMP:-4}" $fw \
	-cdrom "$iso" -boot d -display none -serial mon:stdio -no-reboot "$@"
