#!/bin/sh
# setup.sh [run|test|debug|bench] - install the Debian packages Keel needs for
# that use, if any is missing.  `make run`, `make test` and `make debug`
# call it first, so on a fresh Debian 12 machine (as root) each works as
# the first command typed.
set -eu
use=${1:-run}

# Building and booting (make, make run):
#   gcc, libc6-dev, binutils, make: the kernel, and host programs (gcc only
#     recommends libc6-dev, and we install without recommends)
#   python3: symbol-table and doc generators, the boot-test runner
#   grub-*, xorriso, mtools: grub-mkrescue's hybrid BIOS+UEFI ISO
#   qemu-system-x86, ovmf: the machines, with SeaBIOS and UEFI firmware
pkgs="gcc libc6-dev binutils make python3 grub-common grub-pc-bin grub-efi-amd64-bin
xorriso mtools qemu-system-x86 ovmf"
case $use in
run) ;;
# make test: the host unit-test framework, the format check, Bochs
# (with its own BIOS and VGA BIOS, and the text display it runs headless
# with) for the x2APIC boot tests, since QEMU's TCG has no x2APIC, and
# gdb for the shell test's check of keel-user (tools/gdb_keel.py),
# and clang with libFuzzer for the parsers' fuzzers (tests/fuzz)
test) pkgs="$pkgs libcmocka-dev clang-format bochs bochs-term bochsbios vgabios gdb clang-14
libclang-rt-14-dev" ;;
# make debug: the debugger
debug) pkgs="$pkgs gdb" ;;
# make bench: Debian's Linux kernel (the system Keel is compared with),
# cpio for its initramfs, and gdb to stop QEMU at Linux's entry and read
# the clock there (boot cost from kernel entry to /init), and gnuplot to draw
# the charts next to docs/benchmarks.md
bench) pkgs="$pkgs gdb cpio linux-image-amd64 gnuplot-nox" ;;
*) echo "usage: setup.sh [run|test|debug|bench]" >&2; exit 2 ;;
esac

missing=
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
echo "setup: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "setup: not root; as root, run: apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
