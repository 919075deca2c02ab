#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build QEMU and the test guest if needed, then run the end-to-end
# scenarios (tests/e2e/run.py); arguments select scenarios.

source "$(dirname "$0")/lib.sh"

qemu=$("$AER_PV_ROOT/scripts/build-qemu.sh" | tail -n 1)
guest=$("$AER_PV_ROOT/scripts/build-guest.sh" | tail -n 1)
cd "$AER_PV_ROOT/tests/e2e"
exec python3 run.py --qemu "$qemu" --guest "$guest" "$@"
