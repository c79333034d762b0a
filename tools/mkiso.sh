#!/bin/sh
# mkiso.sh KERNEL.elf OUT.iso [CMDLINE] - a hybrid GRUB ISO (BIOS and UEFI)
# that boots KERNEL with CMDLINE at once (menu timeout 0).
set -eu
kernel=$1 out=$2 cmdline=${3:-}
dir=$(mktemp -d)
log=$(mktemp)
trap 'rm -rf "$dir" "$log"' EXIT
mkdir -p "$dir/boot/grub"
cp "$kernel" "$dir/boot/keel.elf"
cat > "$dir/boot/grub/grub.cfg" <<CFG
set timeout=0
set default=0
serial --unit=0 --speed=115200
terminal_output serial
menuentry "Keel" {
	multiboot2 /boot/keel.elf $cmdline
	boot
}
CFG
mkdir -p "$(dirname "$out")"
grub-mkrescue -o "$out" "$dir" >"$log" 2>&1 || { cat "$log"; exit 1; }
