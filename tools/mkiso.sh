#!/bin/sh
# mkiso.sh KERNEL.elf OUT.iso [CMDLINE [MODULE.elf...]] - a hybrid GRUB ISO
# (BIOS and UEFI) that boots KERNEL with CMDLINE at once (menu timeout 0),
# with each MODULE loaded as a Multiboot2 module named after its file
# (build/user/utest.elf becomes `utest`).  KEEL_GRUB_PRE, if set, holds
# grub.cfg lines put before `multiboot2` (tools/boottest.py's memory-map
# configs use `cutmem` there).
set -eu
kernel=$1 out=$2 cmdline=${3:-}
shift 2
[ $# -gt 0 ] && shift
dir=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$dir" "$log"' EXIT
mkdir -p "$dir/boot/grub"
cp "$kernel" "$dir/boot/keel.elf"
modules=
for m in "$@"; do
	name=$(basename "$m" .elf)
	cp "$m" "$dir/boot/$name.elf"
	modules="$modules	module2 /boot/$name.elf $name
"
done
cat > "$dir/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_output serial
menuentry "Keel" {
${KEEL_GRUB_PRE:-}	multiboot2 /boot/keel.elf $cmdline
$modules	boot
}
CFG
mkdir -p "$(dirname "$out")"
grub-mkrescue -o "$out" "$dir" >"$log" 2>&1 || { cat "$log"; exit 1; }
