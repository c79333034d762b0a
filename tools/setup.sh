#!/bin/sh
# setup.sh - install the Debian packages Keel's build, run and tests need,
# if any is missing.  `make run` and `make test` call it first, so on a
# fresh Debian 12 machine (as root) either works as the first command.
set -eu
# package: why
pkgs="
gcc make binutils python3
qemu-system-x86
grub-common grub-pc-bin grub-efi-amd64-bin
xorriso mtools
ovmf
libcmocka-dev
gdb
clang-format
"
missing=
for p in $pkgs; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0
echo "setup: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "setup: not root; run as root: apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
