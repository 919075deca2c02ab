#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Run every test suite of the project and sum the results.  The last line
# is "N passed, N failed" over all suites; the exit status is 0 only when
# nothing failed.  Each suite's full output goes to $AER_PV_CACHE/logs/.
#   scripts/check.sh         make check
#   scripts/check.sh --full  make check-full: also the e2e scenarios on the
#                            sanitized guest (KASAN, UBSAN, lockdep,
#                            DEBUG_ATOMIC_SLEEP, kmemleak) and the nested
#                            full-chain test (make e2e-nested)

source "$(dirname "$0")/lib.sh"
set +e

full=
[ "${1:-}" = --full ] && full=1

logs="$AER_PV_CACHE/logs"
mkdir -p "$logs"
pass=0
fail=0
summary=()

t_suite=$SECONDS
# A suite counts as failed, at least once, when its runner exited non-zero
# or left no summary line: its own counts cannot be trusted then.
add() {	# suite, passed, failed[, runner's exit status, summary line]
	local st=${4:-0} line=${5-x}
	if [ -z "$line" ]; then
		printf '%s: no summary line\n' "$1"
		[ "$3" -gt 0 ] || set -- "$1" "$2" 1
	fi
	if [ "$st" -ne 0 ]; then
		printf '%s: runner exited with %d\n' "$1" "$st"
		[ "$3" -gt 0 ] || set -- "$1" "$2" 1
	fi
	pass=$((pass + $2))
	fail=$((fail + $3))
	summary+=("$(printf '%-22s %4d passed, %4d failed  (%d s)' "$1" "$2" "$3" \
		$((SECONDS - t_suite)))")
	t_suite=$SECONDS
}

# kunit.py ends with "Testing complete. Ran N tests: passed: P[, failed: F]..."
kunit_suite() {	# variant
	local log="$logs/kunit-$1.log" line p f
	"$AER_PV_ROOT/scripts/kunit.sh" "$1" >"$log" 2>&1
	local st=$?
	line=$(grep -a 'Testing complete\.' "$log" | tail -n 1)
	[ -n "$line" ] && printf '%s\n' "$line"
	p=$(sed -n 's/.*passed: \([0-9]*\).*/\1/p' <<<"$line")
	f=$(sed -n 's/.*failed: \([0-9]*\).*/\1/p' <<<"$line")
	p=${p:-0}
	f=${f:-0}
	# It did not get as far as running the tests: say why.
	[ $st -ne 0 ] || [ -z "$line" ] && tail -n 30 "$log"
	add "kunit ($1)" "$p" "$f" "$st" "$line"
}

log "KUnit under UML"
kunit_suite plain
log "KUnit under UML with KASAN and UBSAN"
kunit_suite sanitize

log "lint: checkpatch --strict, sparse, W=1"
"$AER_PV_ROOT/scripts/lint.sh" >"$logs/lint.log" 2>&1
st=$?
grep -v ': ok$' "$logs/lint.log" | grep -v '^\[aer-pv\]' | tail -n 40
line=$(grep '^lint: [0-9]* passed' "$logs/lint.log" | tail -n 1)
p=$(sed -n 's/^lint: \([0-9]*\) passed.*/\1/p' <<<"$line")
f=$(sed -n 's/.*passed, \([0-9]*\) failed.*/\1/p' <<<"$line")
add "lint" "${p:-0}" "${f:-0}" "$st" "$line"

log "patch series builds with CONFIG_PCIE_AER_PV=n"
if "$AER_PV_ROOT/scripts/build-check.sh" >"$logs/build-n.log" 2>&1; then
	add "build (AER_PV=n)" 1 0
else
	tail -n 30 "$logs/build-n.log"
	add "build (AER_PV=n)" 0 1
fi

# Count a suite whose log ends with "N passed, N failed", showing the
# lines of the log that match show_re.
count_log() {	# name, log name, show_re, runner's exit status
	local name=$1 log="$logs/$2.log" show=$3 st=$4 line p=0 f=0
	grep -E "$show" "$log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ -n "$line" ]; then
		p=${line%% passed*}
		f=${line#*passed, }
		f=${f%% failed*}
	fi
	[ "$st" -ne 0 ] || [ -z "$line" ] && tail -n 30 "$log"
	add "$name" "$p" "$f" "$st" "$line"
}

# Run such a suite and count it.
counted_suite() {	# name, log name, show_re, runner
	local name=$1 log=$2 show=$3
	shift 3
	"$@" >"$logs/$log.log" 2>&1
	count_log "$name" "$log" "$show" $?
}

# QEMU and the test guest first: the model check beside their builds
# would only slow both down, while beside the scenarios, which wait
# more than they compute, it uses what they leave idle.
log "building QEMU and the test guest"
if ! { "$AER_PV_ROOT/scripts/build-qemu.sh" &&
       "$AER_PV_ROOT/scripts/build-guest.sh"; } >"$logs/build.log" 2>&1; then
	tail -n 30 "$logs/build.log"	# qtest and e2e fail, and say so
fi
summary+=("$(printf '%-22s %25s  (%d s)' "QEMU and guest build" "" \
	$((SECONDS - t_suite)))")
t_suite=$SECONDS

# The model check's longest search runs alone for its last minutes, and
# the e2e scenarios use one core at a time: run them side by side.
log "model check of the protocol (SPIN), alongside the next suites"
"$AER_PV_ROOT/scripts/verify.sh" >"$logs/verify.log" 2>&1 &
verify_pid=$!

log "fuzzing the protocol and state machine (${CHECK_FUZZ_SECONDS:-30} s)"
counted_suite "fuzz (libFuzzer)" fuzz '^fuzz: ' \
	"$AER_PV_ROOT/scripts/fuzz.sh" "${CHECK_FUZZ_SECONDS:-30}"

log "QEMU's qtest of virtio-aer-pv: a hostile driver"
counted_suite "qtest (hostile driver)" qtest '^(PASS|FAIL) ' \
	"$AER_PV_ROOT/scripts/qtest.sh"

log "end-to-end scenarios in a real guest under QEMU"
counted_suite e2e e2e '^(PASS|FAIL) ' "$AER_PV_ROOT/scripts/e2e.sh"

log "waiting for the model check"
wait "$verify_pid"
count_log "verify (model)" verify '^verify: ' $?

if [ -n "$full" ]; then
	log "end-to-end scenarios in the sanitized guest"
	counted_suite "e2e (sanitized guest)" e2e-sanitize '^(PASS|FAIL) ' \
		"$AER_PV_ROOT/scripts/e2e.sh" --sanitize
	log "nested full-chain test: L1 host, vfio-pci, L2 guest"
	counted_suite "e2e (nested)" e2e-nested '^(PASS|FAIL) ' \
		"$AER_PV_ROOT/scripts/e2e-nested.sh"
fi

echo
printf '%s\n' "${summary[@]}"
printf 'total time: %d s\n' "$SECONDS"
printf '%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ]
