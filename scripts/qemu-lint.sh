#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# QEMU's own checkpatch.pl on the QEMU patch series and on every new QEMU
# source file.  Prints one "qemu-lint: <check>: ok|FAIL" line per check.

source "$(dirname "$0")/lib.sh"
set +e

tree=$("$AER_PV_ROOT/scripts/prepare-qemu.sh")
pass=0
fail=0
cd "$AER_PV_ROOT"
for f in qemu/patches/*.patch $(find qemu/hw qemu/include qemu/stubs qemu/tests -name '*.[ch]' | sort); do
	if [ "${f%.patch}" != "$f" ]; then
		out=$(perl "$tree/scripts/checkpatch.pl" -q "$f" 2>&1)
	else
		# From qemu/, so that a file's path is the one it has in QEMU's
		# tree (checkpatch's rules for tests/ differ)
		out=$(cd qemu && perl "$tree/scripts/checkpatch.pl" -q -f "${f#qemu/}" 2>&1)
	fi
	if [ -z "$out" ]; then
		printf 'qemu-lint: checkpatch %s: ok\n' "$f"; pass=$((pass + 1))
	else
		printf '%s\nqemu-lint: checkpatch %s: FAIL\n' "$out" "$f"; fail=$((fail + 1))
	fi
done
printf 'qemu-lint: %d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ]
