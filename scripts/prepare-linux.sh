#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prepare a Linux 6.12 tree with aer-pv in it and print its path.
#
#  1. Unpack Debian's linux-source-6.12 into the cache (once per source
#     version) and commit it as the baseline.
#  2. Apply patches/linux/*.patch with "git am" on the baseline whenever
#     the series changed, which proves the series applies to it.
#  3. Lay the project's own files into the tree.  Only files whose content
#     changed are copied, so incremental kernel builds stay incremental.
#
# Where the project's files go in the kernel tree:
#   include/, drivers/   -> the same paths
#   tests/kunit/         -> drivers/pci/pcie/aer_pv/tests/

source "$(dirname "$0")/lib.sh"

tree=$(linux_tree)

if [ ! -f "$tree/.aer-pv-ready" ]; then
	[ -f "$LINUX_TARBALL" ] || die "$LINUX_TARBALL missing (run scripts/deps.sh)"
	log "unpacking $(linux_pkg_version) into $tree"
	tmp="$tree.tmp"
	rm -rf "$tmp" "$tree"
	mkdir -p "$tmp"
	tar -C "$tmp" --strip-components=1 -xf "$LINUX_TARBALL"
	(
		cd "$tmp"
		export GIT_AUTHOR_NAME=aer-pv GIT_AUTHOR_EMAIL=aer-pv@localhost
		export GIT_COMMITTER_NAME=aer-pv GIT_COMMITTER_EMAIL=aer-pv@localhost
		git init -q
		git add -A -f .
		git commit -q -m "Linux $(linux_pkg_version) (Debian linux-source-6.12)"
		git tag baseline
	)
	touch "$tmp/.aer-pv-ready"
	mv "$tmp" "$tree"
fi
shopt -s nullglob
apply_series "$tree" "$(patches_hash)" "$AER_PV_ROOT"/patches/linux/*.patch
shopt -u nullglob

# Copy $1 (relative to the project) to $2 (relative to the tree) if it differs.
sync_file() {
	local src="$AER_PV_ROOT/$1" dst="$tree/$2"
	if ! cmp -s "$src" "$dst"; then
		mkdir -p "$(dirname "$dst")"
		cp "$src" "$dst"
	fi
	printf '%s\n' "$2" >>"$tree/.aer-pv-overlay.new"
}

: >"$tree/.aer-pv-overlay.new"
cd "$AER_PV_ROOT"
while IFS= read -r f; do
	sync_file "$f" "$f"
done < <(find include drivers -type f | sort)
while IFS= read -r f; do
	sync_file "$f" "drivers/pci/pcie/aer_pv/tests/${f#tests/kunit/}"
done < <(find tests/kunit -type f | sort)

# Remove files that an earlier overlay laid in and the project no longer has.
if [ -f "$tree/.aer-pv-overlay" ]; then
	comm -23 <(sort "$tree/.aer-pv-overlay") \
		 <(sort "$tree/.aer-pv-overlay.new") |
	while IFS= read -r f; do rm -f "$tree/$f"; done
fi
mv "$tree/.aer-pv-overlay.new" "$tree/.aer-pv-overlay"

printf '%s\n' "$tree"
