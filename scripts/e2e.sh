#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build QEMU and the test guest if needed, then run the end-to-end
# scenarios (tests/e2e/run.py); arguments select scenarios.
#   scripts/e2e.sh [scenario ...]             on the test guest
#   scripts/e2e.sh --sanitize [scenario ...]  on the guest with KASAN,
#                                             UBSAN, lockdep,
#                                             DEBUG_ATOMIC_SLEEP, kmemleak
# AER_PV_E2E_LANES: guests at a time (default 2 for the test guest, 1 for
# the sanitized one, whose every guest keeps a core busy); scenarios timed
# to the guest's pace still run alone (ALONE in tests/e2e/run.py).

source "$(dirname "$0")/lib.sh"

variant=plain
lanes=${AER_PV_E2E_LANES:-2}
args=()
if [ "${1:-}" = --sanitize ]; then
	variant=sanitize
	lanes=${AER_PV_E2E_LANES:-1}
	# KASAN, lockdep and kmemleak slow the guest down under TCG.
	args=(--boot-timeout 600 --sanitize)
	shift
fi
[[ "$lanes" =~ ^[1-9][0-9]*$ ]] ||
	die "AER_PV_E2E_LANES must be a positive number, not '$lanes'"
args+=(--lanes "$lanes")
qemu=$("$AER_PV_ROOT/scripts/build-qemu.sh" | tail -n 1)
guest=$("$AER_PV_ROOT/scripts/build-guest.sh" "$variant" | tail -n 1)
cd "$AER_PV_ROOT/tests/e2e"
exec python3 run.py --qemu "$qemu" --guest "$guest" "${args[@]}" "$@"
