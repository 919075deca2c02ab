#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Prove that the patched AER core builds with CONFIG_PCIE_AER_PV=n (the
# KUnit build proves =y): compile drivers/pci/pcie/ from the KUnit
# configuration with the option turned off.

source "$(dirname "$0")/lib.sh"

tree=$("$AER_PV_ROOT/scripts/prepare-linux.sh")
kbuild="$AER_PV_CACHE/build/kunit-plain"
build="$AER_PV_CACHE/build/aer-pv-n"
[ -f "$kbuild/.config" ] || die "no $kbuild/.config: run 'make kunit' first"

mkdir -p "$build"
cd "$tree"
cp "$kbuild/.config" "$build/.config"
"$tree/scripts/config" --file "$build/.config" -d PCIE_AER_PV -d PCIE_AER_PV_KUNIT_TEST
make -s ARCH=um O="$build" olddefconfig >/dev/null
grep -q '^# CONFIG_PCIE_AER_PV is not set' "$build/.config" ||
	die "CONFIG_PCIE_AER_PV is still set"
make -s ARCH=um O="$build" -j"$JOBS" W=1 drivers/pci/pcie/ 2>&1
[ ! -e "$build/drivers/pci/pcie/aer_pv/built-in.a" ] ||
	die "aer_pv was built with CONFIG_PCIE_AER_PV=n"
log "drivers/pci/pcie/ builds with CONFIG_PCIE_AER_PV=n"
