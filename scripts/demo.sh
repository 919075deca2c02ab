#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: build what is needed, then show one fatal error on an e1000e
# recovered with aer-pv, and the same error without it.

source "$(dirname "$0")/lib.sh"

"$AER_PV_ROOT/scripts/deps.sh"
qemu=$("$AER_PV_ROOT/scripts/build-qemu.sh" | tail -n 1)
guest=$("$AER_PV_ROOT/scripts/build-guest.sh" | tail -n 1)
cd "$AER_PV_ROOT/tests/e2e"
exec python3 demo.py --qemu "$qemu" --guest "$guest" "$@"
