#!/bin/sh
# fuzz-seeds.sh [ISO] [CONFIG...] - regenerate the firmware seeds of the
# fuzzing corpus (tests/fuzz/README.md): boot ISO (default build/keel.iso,
# which must exist; this never builds it) in QEMU under each configuration,
# stop at the kernel's Multiboot2 entry with GDB (tools/fuzz_seeds.py), and
# write what GRUB and the firmware handed over as
#   tests/fuzz/corpus/mb2/CONFIG      the Multiboot2 information
#   tests/fuzz/corpus/memmap/CONFIG   its memory map
#   tests/fuzz/corpus/acpi/CONFIG     the RSDP and the ACPI tables
# CONFIG is FIRMWARE-MACHINE-MEMORY-CPUScpu (bios or uefi, pc or q35); the
# default set is below.  One QEMU at a time, each under `timeout`.
set -eu
cd "$(dirname "$0")/.."
iso=build/keel.iso
case ${1:-} in *.iso) iso=$1; shift ;; esac
configs=${*:-"bios-pc-256M-1cpu bios-q35-256M-1cpu bios-pc-4G-4cpu bios-q35-4G-4cpu
uefi-pc-256M-1cpu uefi-q35-256M-1cpu uefi-pc-4G-4cpu uefi-q35-4G-4cpu"}
out=tests/fuzz/corpus
[ -f "$iso" ] || { echo "fuzz-seeds: no $iso (make iso)" >&2; exit 1; }

tmp=$(mktemp -d)
qpid=
cleanup() {
	[ -n "$qpid" ] && kill "$qpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# A copy of the ISO, so a rebuild meanwhile changes nothing; the kernel's
# entry from the kernel inside it (ELF entry is virtual: the physical one is
# its segment's physical address plus the same offset).
cp "$iso" "$tmp/keel.iso"
xorriso -osirrox on -indev "$tmp/keel.iso" -extract /boot/keel.elf "$tmp/keel.elf" \
	>/dev/null 2>&1 || { echo "fuzz-seeds: no /boot/keel.elf in $iso" >&2; exit 1; }
entry=$(python3 - "$tmp/keel.elf" <<'EOF'
import struct, sys
d = open(sys.argv[1], "rb").read()
e_entry, e_phoff = struct.unpack_from("<QQ", d, 24)
e_phnum = struct.unpack_from("<H", d, 56)[0]
for i in range(e_phnum):
    typ, _, _, vaddr, paddr, _, memsz = struct.unpack_from("<IIQQQQQ", d, e_phoff + 56 * i)
    if typ == 1 and vaddr <= e_entry < vaddr + memsz:
        print(hex(e_entry - vaddr + paddr))
EOF
)
[ -n "$entry" ] || { echo "fuzz-seeds: cannot find the kernel's entry" >&2; exit 1; }
echo "fuzz-seeds: $iso, Multiboot2 entry at physical $entry"

# A free TCP port for the GDB stub (not 1234: someone may be debugging).
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')

failed=0
for c in $configs; do
	IFS=- read -r fw machine mem cpus <<EOF
$c
EOF
	smp=${cpus%cpu}
	fwargs='' limit=60
	if [ "$fw" = uefi ]; then
		cp /usr/share/OVMF/OVMF_VARS_4M.fd "$tmp/vars.fd"
		fwargs="-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd
-drive if=pflash,format=raw,file=$tmp/vars.fd"
		limit=180
	fi
	# shellcheck disable=SC2086
	timeout $((limit + 30)) qemu-system-x86_64 -accel tcg -machine "$machine" -cpu max \
		-m "$mem" -smp "$smp" $fwargs -cdrom "$tmp/keel.iso" -boot d -display none \
		-serial null -monitor none -no-reboot -gdb "tcp:127.0.0.1:$port" -S &
	qpid=$!
	sleep 1
	if FUZZ_SEEDS_PORT=$port FUZZ_SEEDS_ENTRY=$entry FUZZ_SEEDS_NAME=$c FUZZ_SEEDS_OUT=$out \
		timeout "$limit" gdb -nx -batch -x tools/fuzz_seeds.py >"$tmp/gdb.log" 2>&1; then
		grep '^fuzz-seeds' "$tmp/gdb.log"
	else
		echo "fuzz-seeds: $c failed:" >&2
		tail -n 20 "$tmp/gdb.log" >&2
		failed=$((failed + 1))
	fi
	kill "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	qpid=
done
[ "$failed" -eq 0 ]
