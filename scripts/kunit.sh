#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run the aer-pv KUnit suites under UML with kunit.py.
#   scripts/kunit.sh           plain build
#   scripts/kunit.sh sanitize  with KASAN and UBSAN

source "$(dirname "$0")/lib.sh"

variant=${1:-plain}
extra=()
case "$variant" in
plain) ;;
sanitize)
	extra=(--kconfig_add CONFIG_KASAN=y --kconfig_add CONFIG_KASAN_VMALLOC=y
	       --kconfig_add CONFIG_UBSAN=y --kconfig_add CONFIG_UBSAN_BOUNDS=y
	       --kconfig_add CONFIG_UBSAN_SHIFT=y
	       --kconfig_add CONFIG_UBSAN_BOOL=y --kconfig_add CONFIG_UBSAN_ENUM=y
	       # Alignment checks report UML's own kernel/exit.c on the
	       # first kthread exit (lib/Kconfig.ubsan: "may be useful only
	       # for architectures without efficient unaligned access").
	       --kconfig_add CONFIG_UBSAN_ALIGNMENT=n)
	;;
*) die "unknown variant '$variant' (plain or sanitize)" ;;
esac

tree=$("$AER_PV_ROOT/scripts/prepare-linux.sh")
build="$AER_PV_CACHE/build/kunit-$variant"
mkdir -p "$build"

cd "$tree"
log "KUnit ($variant) in $build"
python3 tools/testing/kunit/kunit.py run \
	--kunitconfig=drivers/pci/pcie/aer_pv/tests/.kunitconfig \
	--build_dir="$build" --jobs="$JOBS" --timeout=300 "${extra[@]}"
