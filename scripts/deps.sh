#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian 12 packages that the build and the tests need, and
# unpack bookworm-backports' meson into the cache for QEMU 10.2 (the
# system's meson and apt sources stay as they are).  Arguments name more
# packages, for the targets that alone need them.  Idempotent: does
# nothing when everything is present.

source "$(dirname "$0")/lib.sh"

pkgs=(
	# the kernel, KUnit and lint
	build-essential bc bison flex libelf-dev libssl-dev cpio kmod
	xz-utils python3 python3-ply python3-git git sparse linux-source-6.12
	# QEMU 10.2 from Debian's source package (meson: see below)
	dpkg-dev ninja-build python3-venv python3-setuptools pkg-config
	libglib2.0-dev libpixman-1-dev libfdt-dev libslirp-dev zlib1g-dev
	# guests: firmware for the built QEMU, and an initramfs
	seabios qemu-system-data ipxe-qemu busybox-static
	# the protocol model, and the fuzzer (libFuzzer with ASan and UBSan:
	# their runtimes are only a recommendation of Debian's clang)
	spin clang libclang-rt-14-dev
	# the libvirt e2e scenario: Debian's libvirtd (with its QEMU driver)
	# and virsh.  It runs libvirtd with a configuration of its own, so
	# not libvirt-daemon-system: no service, users, polkit or networks.
	libvirt-daemon libvirt-clients
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

if [ ${#missing[@]} -ne 0 ]; then
	log "installing: ${missing[*]}"
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# meson for QEMU 10.2 (>= 1.5), unpacked rather than installed: it is
# pure Python, and qemu_env (scripts/lib.sh) puts it on PATH/PYTHONPATH.
if [ ! -x "$QEMU_MESON_DIR/usr/bin/meson" ]; then
	log "fetching meson $QEMU_MESON_VERSION from $QEMU_MESON_SUITE"
	tmp="$QEMU_MESON_DIR.tmp"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	line="deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $QEMU_MESON_SUITE main"
	if ! private_apt "$tmp/apt" "$line" update >"$tmp/fetch.log" 2>&1 ||
	   ! (cd "$tmp" && private_apt "$tmp/apt" "$line" download \
		"meson=$QEMU_MESON_VERSION") >>"$tmp/fetch.log" 2>&1; then
		tail -n 5 "$tmp/fetch.log" >&2
		die "cannot fetch meson=$QEMU_MESON_VERSION from Debian's $QEMU_MESON_SUITE"
	fi
	dpkg-deb -x "$tmp"/meson_*.deb "$tmp"
	rm -rf "$tmp/apt" "$tmp"/meson_*.deb
	v=$(PYTHONPATH="$tmp/usr/lib/python3/dist-packages" \
		"$tmp/usr/bin/meson" --version) || die "the unpacked meson does not run"
	[ "$v" = "${QEMU_MESON_VERSION%%-*}" ] ||
		die "the unpacked meson says $v, not ${QEMU_MESON_VERSION%%-*}"
	rm -rf "$QEMU_MESON_DIR"
	mv "$tmp" "$QEMU_MESON_DIR"
fi
