#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages that the build and the tests need, and a
# deb-src entry so that "apt-get source qemu" works.  Arguments name more
# packages, for the targets that alone need them.  Idempotent: does
# nothing when everything is present.

source "$(dirname "$0")/lib.sh"

pkgs=(
	# the kernel, KUnit and lint
	build-essential bc bison flex libelf-dev libssl-dev cpio kmod
	xz-utils python3 python3-ply python3-git git sparse linux-source-6.12
	# QEMU 7.2 from Debian's source package
	dpkg-dev ninja-build meson pkg-config libglib2.0-dev libpixman-1-dev
	libfdt-dev libslirp-dev zlib1g-dev
	# guests: firmware for the built QEMU, and an initramfs
	seabios qemu-system-data ipxe-qemu busybox-static
	# the protocol model, and the fuzzer (libFuzzer with ASan and UBSan)
	spin clang
	"$@"
)

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		grep -q 'install ok installed' || missing+=("$p")
done

updated=
# Not "apt-cache ... | grep -q": under pipefail, grep's early exit would
# fail the pipeline.
srcs=$(apt-cache showsrc qemu 2>/dev/null || true)
if ! grep -q '^Package: qemu' <<<"$srcs"; then
	log "adding a deb-src entry for bookworm"
	$SUDO tee /etc/apt/sources.list.d/aer-pv-src.sources >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	$SUDO apt-get update -qq
	updated=1
fi

[ ${#missing[@]} -eq 0 ] && exit 0

log "installing: ${missing[*]}"
[ -n "$updated" ] || $SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
