#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build qemu-system-x86_64 from Debian's QEMU 10.2 with the aer-pv patches:
# x86_64-softmmu only, the minimal device set of
# qemu/configs/devices/x86_64-softmmu/aer-pv.mak (QEMU_CONFIGURE_ARGS in
# scripts/lib.sh).  Prints the binary's path.

source "$(dirname "$0")/lib.sh"
qemu_env

tree=$("$AER_PV_ROOT/scripts/prepare-qemu.sh")
build="$AER_PV_CACHE/build/$(basename "$tree")"

if [ ! -f "$build/build.ninja" ]; then
	rm -rf "$build"
	mkdir -p "$build"
	log "configuring QEMU in $build"
	(cd "$build" && "$tree/configure" "${QEMU_CONFIGURE_ARGS[@]}" \
		>"$build/configure.log" 2>&1) || {
		tail -n 30 "$build/configure.log" >&2
		die "QEMU configure failed"
	}
fi
log "building QEMU"
ninja -C "$build" -j "$JOBS" qemu-system-x86_64 >"$build/ninja.log" 2>&1 || {
	grep -v "^FAILED:" "$build/ninja.log" | grep -E 'error:' |
		cut -c1-300 | head -n 30 >&2 || true
	die "QEMU build failed (see $build/ninja.log)"
}
# Our own code must build without a warning.
if grep -E 'aer-pv|aer_pv' "$build/ninja.log" | grep -q 'warning:'; then
	grep -E 'aer-pv|aer_pv' "$build/ninja.log" | grep 'warning:' >&2
	die "warnings in aer-pv code"
fi
printf '%s\n' "$build/qemu-system-x86_64"
