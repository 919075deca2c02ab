#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# For developers: write the prepared QEMU tree's commits on top of its
# baseline back into qemu/patches/, after changing them in the tree
# (git commit --fixup, git rebase -i --autosquash baseline), and stamp the
# tree as carrying them, so that prepare-qemu.sh keeps it as it is.

source "$(dirname "$0")/lib.sh"

tree=$(qemu_tree)
[ -d "$tree/.git" ] || die "no prepared QEMU tree at $tree (run make qemu)"
[ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
	die "the QEMU tree has uncommitted changes to its own files"
rm -f "$AER_PV_ROOT"/qemu/patches/*.patch
git -C "$tree" format-patch -q --zero-commit --no-signature \
	-o "$AER_PV_ROOT/qemu/patches" baseline
qemu_patches_hash >"$tree/.aer-pv-patches"
ls "$AER_PV_ROOT"/qemu/patches/
