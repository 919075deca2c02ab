#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the libFuzzer target (tests/fuzz: the guest's protocol.c and
# fsm.c, unchanged, under ASan and UBSan) and run it from the committed
# seed corpus for N seconds (default: $FUZZ_SECONDS, else 60).  Ends with
# "N passed, N failed": one run, passed when it found no crash.
#   scripts/fuzz.sh [seconds]

source "$(dirname "$0")/lib.sh"

seconds=${1:-${FUZZ_SECONDS:-60}}
case "$seconds" in
'' | *[!0-9]*) die "fuzz time must be a number of seconds, not '$seconds'" ;;
esac
"$AER_PV_ROOT/scripts/deps.sh"
out="$AER_PV_CACHE/build/fuzz"
log="$out/last-run.log"
mkdir -p "$out"
if make -s -C "$AER_PV_ROOT/tests/fuzz" run OUT="$out" \
	FUZZ_SECONDS="$seconds" >"$log" 2>&1; then
	st=0
else
	st=1
fi
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
if [ $st -eq 0 ] && [ -n "$runs" ]; then
	printf 'fuzz: %s executions in %s s (%s/s), 0 crashes\n' "$runs" \
		"$seconds" "$rate"
	printf '1 passed, 0 failed\n'
else
	grep -E 'ERROR|SUMMARY|runtime error|invariant|Test unit written' \
		"$log" | head -n 20
	printf 'fuzz: crash or build failure (see %s)\n' "$log"
	printf '0 passed, 1 failed\n'
	exit 1
fi
