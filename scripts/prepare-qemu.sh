#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare Debian's QEMU 7.2 source with aer-pv in it and print its path.
#
#  1. "apt-get source qemu" (once) and unpack it with Debian's patches
#     into the cache, committed as the baseline.
#  2. Apply qemu/patches/*.patch with "git am" whenever they changed.
#  3. Lay qemu/{hw,include,qapi,stubs,configs} into the tree, and generate
#     include/standard-headers/linux/virtio_aer_pv.h from the Linux uapi
#     header, the way QEMU's scripts/update-linux-headers.sh does: the
#     protocol has one source, include/uapi/linux/virtio_aer_pv.h.

source "$(dirname "$0")/lib.sh"

if ! ls "$QEMU_SRC_DIR"/qemu_7.2*.dsc >/dev/null 2>&1; then
	mkdir -p "$QEMU_SRC_DIR"
	log "fetching Debian's QEMU source package"
	(cd "$QEMU_SRC_DIR" && apt-get source --download-only qemu >/dev/null 2>&1) ||
		die "apt-get source qemu failed (is a deb-src entry configured? run scripts/deps.sh)"
fi

tree=$(qemu_tree)
if [ ! -f "$tree/.aer-pv-ready" ]; then
	tmp="$tree.tmp"
	rm -rf "$tmp" "$tree"
	log "unpacking QEMU $(qemu_pkg_version) into $tree"
	dpkg-source -x "$QEMU_SRC_DIR/qemu_$(qemu_pkg_version).dsc" "$tmp" >/dev/null
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
done < <(find hw include qapi stubs configs -type f | sort)

# QEMU's cp_portable(), for the one header we export.
gen="$tree/include/standard-headers/linux/virtio_aer_pv.h.new"
sed -e 's/__u\([0-9][0-9]*\)/uint\1_t/g' \
    -e 's/__le\([0-9][0-9]*\)/uint\1_t/g' \
    -e 's/<linux\/\([^>]*\)>/"standard-headers\/linux\/\1"/' \
    -e '/^#ifndef _UAPI/s/_UAPI//' -e '/^#define _UAPI/s/_UAPI//' \
    "$AER_PV_ROOT/include/uapi/linux/virtio_aer_pv.h" >"$gen"
if cmp -s "$gen" "${gen%.new}"; then rm "$gen"; else mv "$gen" "${gen%.new}"; fi

printf '%s\n' "$tree"
