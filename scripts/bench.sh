#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: build what is needed, then measure recovery with aer-pv
# against the guest's own link reset, the idle cost and an error storm
# (tests/bench/bench.py).  Results go to $AER_PV_CACHE/bench; arguments
# go to bench.py (e.g. --reps 5).

source "$(dirname "$0")/lib.sh"

# Debian's python3, which the plotting package is installed for.
"$AER_PV_ROOT/scripts/deps.sh" python3-matplotlib
qemu=$("$AER_PV_ROOT/scripts/build-qemu.sh" | tail -n 1)
guest=$("$AER_PV_ROOT/scripts/build-guest.sh" | tail -n 1)
exec /usr/bin/python3 "$AER_PV_ROOT/tests/bench/bench.py" \
	--qemu "$qemu" --guest "$guest" --out "$AER_PV_CACHE/bench" "$@"
