#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build QEMU and the virtio-aer-pv qtest (qemu/tests/qtest/), which drives
# the device as a hostile driver would, and run it.  Ends with
# "N passed, N failed".
#
# The "+ds" source has no firmware: Debian's seabios, qemu-system-data and
# ipxe-qemu files are linked into the build's qemu-bundle/
# (qemu_link_firmware in scripts/lib.sh), since qtest cannot pass -L.

source "$(dirname "$0")/lib.sh"
qemu_env

qemu=$("$AER_PV_ROOT/scripts/build-qemu.sh" | tail -n 1)
build=$(dirname "$qemu")
log "building the virtio-aer-pv qtest"
ninja -C "$build" -j "$JOBS" tests/qtest/virtio-aer-pv-test \
	>"$build/ninja-qtest.log" 2>&1 || {
	grep -E 'error|warning' "$build/ninja-qtest.log" | head -n 30 >&2
	die "the qtest does not build (see $build/ninja-qtest.log)"
}
qemu_link_firmware "$build"

out="$build/qtest-virtio-aer-pv.tap"
st=0
(cd "$build" && QTEST_QEMU_BINARY=./qemu-system-x86_64 \
	timeout 600 tests/qtest/virtio-aer-pv-test --tap -k) >"$out" 2>&1 || st=$?
grep -E '^(ok|not ok) ' "$out" | sed 's/^ok /PASS /; s/^not ok /FAIL /' || true
pass=$(grep -c '^ok ' "$out" || true)
fail=$(grep -c '^not ok ' "$out" || true)
plan=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$out" | head -n 1)
if [ $st -ne 0 ] || [ -z "$plan" ] || [ $((pass + fail)) -ne "$plan" ]; then
	# It did not run to its end: say why, and count it as a failure.
	tail -n 30 "$out"
	[ "$fail" -gt 0 ] || fail=1
fi
printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ]
