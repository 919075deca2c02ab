#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare Debian's QEMU 10.2 source with aer-pv in it and print its path.
#
#  1. Fetch the pinned source package (QEMU_PKG_VERSION from Debian
#     unstable, scripts/lib.sh) once, through a private apt sources list:
#     the system's apt sources stay as they are.  Unpack it with Debian's
#     patches into the cache, committed as the baseline.
#  2. Apply qemu/patches/*.patch with "git am" whenever they changed.
#  3. Lay qemu/{hw,include,qapi,stubs,configs} into the tree, and generate
#     include/standard-headers/linux/virtio_aer_pv.h from the Linux uapi
#     header, the way QEMU's scripts/update-linux-headers.sh does: the
#     protocol has one source, include/uapi/linux/virtio_aer_pv.h.

source "$(dirname "$0")/lib.sh"

dsc="$QEMU_SRC_DIR/qemu_$(qemu_pkg_version).dsc"
if [ ! -f "$dsc" ]; then
	mkdir -p "$QEMU_SRC_DIR"
	log "fetching Debian's QEMU $QEMU_PKG_VERSION source package from $QEMU_PKG_SUITE"
	apt="$QEMU_SRC_DIR/apt"
	line="deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $QEMU_PKG_SUITE main"
	if ! private_apt "$apt" "$line" update >"$QEMU_SRC_DIR/fetch.log" 2>&1 ||
	   ! (cd "$QEMU_SRC_DIR" && private_apt "$apt" "$line" source \
		--download-only "qemu=$QEMU_PKG_VERSION") >>"$QEMU_SRC_DIR/fetch.log" 2>&1 ||
	   [ ! -f "$dsc" ]; then
		tail -n 5 "$QEMU_SRC_DIR/fetch.log" >&2
		die "cannot fetch the source package qemu=$QEMU_PKG_VERSION from Debian's $QEMU_PKG_SUITE (unstable) suite"
	fi
	rm -rf "$apt"
fi

tree=$(qemu_tree)
if [ ! -f "$tree/.aer-pv-ready" ]; then
	tmp="$tree.tmp"
	rm -rf "$tmp" "$tree"
	log "unpacking QEMU $(qemu_pkg_version) into $tree"
	dpkg-source -x "$dsc" "$tmp" >/dev/null
	# dpkg-source leaves a copy of the upstream tarball beside the tree.
	rm -f "$(dirname "$tree")"/qemu_*.orig.tar.*
	(
		cd "$tmp"
		export GIT_AUTHOR_NAME=aer-pv GIT_AUTHOR_EMAIL=aer-pv@localhost
		export GIT_COMMITTER_NAME=aer-pv GIT_COMMITTER_EMAIL=aer-pv@localhost
		rm -rf .pc
		git init -q
		git add -A -f .
		git commit -q -m "QEMU $(qemu_pkg_version) (Debian source package)"
		git tag baseline
	)
	touch "$tmp/.aer-pv-ready"
	mv "$tmp" "$tree"
fi
shopt -s nullglob
apply_series "$tree" "$(qemu_patches_hash)" "$AER_PV_ROOT"/qemu/patches/*.patch
shopt -u nullglob

sync_file() {	# source file, destination relative to the tree
	if ! cmp -s "$1" "$tree/$2"; then
		mkdir -p "$(dirname "$tree/$2")"
		cp "$1" "$tree/$2"
	fi
}

cd "$AER_PV_ROOT/qemu"
while IFS= read -r f; do
	sync_file "$f" "$f"
done < <(find hw include qapi stubs configs tests -type f | sort)

# QEMU's cp_portable(), for the one header we export.
gen="$tree/include/standard-headers/linux/virtio_aer_pv.h.new"
sed -e 's/__u\([0-9][0-9]*\)/uint\1_t/g' \
    -e 's/__le\([0-9][0-9]*\)/uint\1_t/g' \
    -e 's/<linux\/\([^>]*\)>/"standard-headers\/linux\/\1"/' \
    -e '/^#ifndef _UAPI/s/_UAPI//' -e '/^#define _UAPI/s/_UAPI//' \
    "$AER_PV_ROOT/include/uapi/linux/virtio_aer_pv.h" >"$gen"
if cmp -s "$gen" "${gen%.new}"; then rm "$gen"; else mv "$gen" "${gen%.new}"; fi

printf '%s\n' "$tree"
