#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build what the nested full-chain test needs (scripts/build-nested.sh:
# QEMU, the L2 guest, both L1 host kernels, the L1 initramfs) and run its
# scenarios (tests/nested/nested.py); arguments select scenarios, -v
# prints L1's and L2's recovery logs.  Ends with "N passed, N failed".
#   scripts/e2e-nested.sh [-v] [scenario ...]
#   scripts/e2e-nested.sh --sanitize [-v] [scenario ...]
#       L1 runs the host series on a KASAN, UBSAN, lockdep and kmemleak
#       kernel wherever it runs the series

source "$(dirname "$0")/lib.sh"

args=()
if [ "${1:-}" = --sanitize ]; then
	args=(--sanitize)
	shift
fi
{ read -r qemu; read -r nested; } < <("$AER_PV_ROOT/scripts/build-nested.sh" \
	"${args[@]}" | tail -n 2)
[ -x "${qemu:-}" ] && [ -d "${nested:-}" ] ||
	die "the nested test's build failed"
cd "$AER_PV_ROOT/tests/nested"
exec python3 nested.py --qemu "$qemu" --nested "$nested" "${args[@]}" "$@"
