#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Model-check the aer-pv recovery (tests/model/aer_pv.pml: the guest core
# of drivers/pci/pcie/aer_pv/fsm.c, the glue of recovery.c and channel.c,
# the QEMU device and a faulty event queue) with SPIN.  First the drift
# check (tests/model/drift.py: the model's constants against the protocol
# header and fsm.h), then per configuration one exhaustive search for
# (c) and one for its safety properties together (each alone again only
# where that one fails, to say which):
#   (a) single reset (per kind)         assertions     pan
#   (b) no touch during host reset      assertions     pan
#   (c) every error ends                LTL under weak fairness, pan -a -f
#   (d) second error not lost           assertions     pan
#   (e) reset request not stale         assertions     pan
#   (f) resumed on a reset of its kind  assertions     pan
#   (g) every function named ends       assertions     pan
# Prints one line per property, "verify: N states explored, M errors" and,
# last, "K passed, F failed" (the drift check and each property are one
# test).  Exits non-zero on any error, and when a search was not
# exhaustive (depth or memory bound reached).  Builds in
# $AER_PV_CACHE/build/model.
#
#   scripts/verify.sh                  the default configurations
#   scripts/verify.sh --known-issues   nothing left: every configuration
#                                      it ran is a default one now;
#                                      prints so and exits 0
#   scripts/verify.sh --config 'NAME|-DKNOB ...[|PROPS]'   other
#                                      configurations (PROPS: which of
#                                      a b c d e f g, default a b c d e)
#   scripts/verify.sh --model FILE     check another copy of the model
#   scripts/verify.sh --fsm-only       only the searches of fsm.c itself
#   scripts/verify.sh --fsm-config 'NAME|-DKNOB ...'   other
#                                      configurations of aer_pv_fsm.pml
#   scripts/verify.sh --fsm-src DIR    run them on another copy of
#                                      drivers/pci/pcie/aer_pv (a mutant)
#
# Then tests/model/aer_pv_fsm.pml, whose every transition is fsm.c's own
# aer_pv_step() (SPIN's embedded C; no transcription): one search per
# configuration checks (a) (b) (d) (e) (f) (g) at once, and each
# property is one more test, "verify (fsm.c itself): ...".
# MEMLIM (MB per search, default 3000) and JOBS
# (searches at once, one of them for the LTL searches) apply.

source "$(dirname "$0")/lib.sh"
set +e

model="$AER_PV_ROOT/tests/model/aer_pv.pml"
fsm_model="$AER_PV_ROOT/tests/model/aer_pv_fsm.pml"
fsm_src="$AER_PV_ROOT/drivers/pci/pcie/aer_pv"
fsm_only=
build="$AER_PV_CACHE/build/model"
# The largest searches, reset-kinds-faulty's joint one (14 M states of
# 300 bytes) and fsm.c's reset-kinds (3.4 M of 568), need 2 to 3 GB;
# with JOBS=2 one of them runs beside the LTL lane's (0.6 GB at most).
memlim=${MEMLIM:-3000}
mode=check

# NAME|spin defines[|properties, default a b c d e; (f) only matters
# where a unit needs a function reset, (g) where a function may not be
# tracked or may go: those list them].  Each fits the time and memory
# budget (the largest, reset-kinds-faulty's joint search, 2026-12-06:
# 14.4 M states, 80 s, 2.07 GB; make verify logs each search's states,
# time and memory).
# The model's header lists what each found in earlier versions of fsm.c.
configs=(
	# one device per host link and Root Port; both errors on one
	# function (folding), 1 channel fault
	"one-device|-DTOPO=0"
	# a two-function device: one host link, a Root Port per function;
	# every error names both, so two units share its reset and its
	# request; 1 channel fault (was --known-issues
	# pending-misses-group-reset)
	"two-functions|-DTOPO=2"
	# the same device with both functions under one guest Root Port:
	# one unit walks both, two overlapping errors, 1 channel fault (was
	# --known-issues shared-root-port)
	"shared-root-port|-DTOPO=1"
	# non-fatal errors with every host reset timing, every topology
	"nonfatal-errors|-DTOPO=3 -DNONFATAL_HOST_RESET -DFAULTS=0"
	# 3 errors on one function, every host behaviour
	"three-errors|-DTOPO=0 -DNERR=3 -DFAULTS=0"
	# 3 errors on one function with a working host: a request that
	# names a superseded error is answered STALE, and the guest follows
	# the newer error without perm_failure
	"stale-reset-request|-DTOPO=0 -DNERR=3 -DFAULTS=0 -DHOST_WORKS|e"
	# 3 errors on the two functions under one Root Port
	"shared-root-port-three-errors|-DTOPO=1 -DNERR=3 -DFAULTS=0"
	# an error shared by two units, a working host: STALE for one of
	# them strands neither
	"shared-error-stale|-DTOPO=2 -DFAULTS=0 -DHOST_WORKS|e"
	# a storm of 4 non-fatal errors on one function (3 fold into one
	# pending recovery), every host reset timing, a working host: no
	# perm_failure (e)
	"nonfatal-storm|-DTOPO=0 -DNERR=4 -DNONFATAL_ONLY -DNONFATAL_HOST_RESET -DHOST_WORKS -DFAULTS=0"
	# the channel goes away at any moment (unregister), every topology
	"channel-down|-DTOPO=3 -DDOWN -DFAULTS=0|a b c d e g"
	# a function leaves the guest at any moment: below one Root Port
	# with the other function, and below its own with an error shared
	# with the other
	"function-gone|-DTOPO=1 -DGONE -DFAULTS=0|a b c d e g"
	"function-gone-shared|-DTOPO=2 -DGONE -DFAULTS=0|a b c d e g"
	# correctable errors beside the others (they start no recovery and
	# do not change the host's current error); with a working host, no
	# request answered STALE for them
	"correctable-errors|-DTOPO=3 -DCORRECTABLE -DFAULTS=0|a b c d"
	"correctable-stale|-DTOPO=3 -DNERR=3 -DCORRECTABLE -DFAULTS=0 -DHOST_WORKS|e"
	# reset kinds (VIRTIO_AER_PV_F_RESET_KINDS): an RCiEP, which needs a
	# function reset, and a function below a Root Port, which needs a
	# link reset, on one host link; the host offers any set of kinds
	"reset-kinds|-DTOPO=4 -DKINDS -DFAULTS=0|a b c d e f g"
	"reset-kinds-faulty|-DTOPO=4 -DKINDS|a b d f g"
	# a function table of one (a host that declared one function and
	# names two): eviction, and a function beyond the table, every
	# topology
	"table-of-one|-DTOPO=3 -DTABLE=1 -DFAULTS=0|a b c d e g"
	"table-of-one-three-errors|-DTOPO=3 -DTABLE=1 -DNERR=3 -DFAULTS=0|a b d g"
)

# aer_pv_fsm.pml: NAME|spin defines.  Each checks every property; the
# largest (reset-kinds, 2026-12-06: 3.4 M states, 30 s, 2.0 GB) fits
# MEMLIM.
fsm_configs=(
	# one device per host link and Root Port, two errors on one function
	"one-device|-DTOPO=0"
	# every topology of a two-function device, and two devices
	"topologies|-DTOPO=3"
	# one host link, two errors, a faulty event queue (reorder, duplicate,
	# loss)
	"two-functions-faulty|-DTOPO=2 -DFAULTS=1"
	# VIRTIO_AER_PV_F_RESET_KINDS: an RCiEP needing a function reset
	# beside a Root Port needing a link reset, on one host link
	"reset-kinds|-DTOPO=4 -DKINDS -DCAN_REQUEST"
	"reset-kinds-no-requests|-DTOPO=4 -DKINDS -DNO_CAN_REQUEST"
	# a host that declared one function and names two: eviction, and a
	# function beyond the table
	"table-of-one|-DTOPO=3 -DTABLE=1 -DANYFN"
	# the channel goes away, a function leaves, at any moment
	"channel-down|-DTOPO=3 -DDOWN"
	"function-gone|-DTOPO=3 -DGONE"
	# the host's own reset a function reset (found that an RCiEP was
	# held to a link reset no host could do any more: a second FLR)
	"host-flr|-DTOPO=4 -DHOST_FLR"
)

while [ $# -gt 0 ]; do
	case "$1" in
	--known-issues) mode=known ;;
	--config) shift; [ $# -gt 0 ] || die "--config needs 'NAME|DEFINES[|PROPS]'"
		[ "$mode" = custom ] || configs=()
		mode=custom; configs+=("$1") ;;
	--model) shift; [ -f "${1:-}" ] || die "no model file '${1:-}'"
		model=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") ;;
	--fsm-only) fsm_only=1 ;;
	--fsm-config) shift; [ $# -gt 0 ] || die "--fsm-config needs 'NAME|DEFINES'"
		[ -n "${fsm_custom:-}" ] || fsm_configs=()
		fsm_custom=1; fsm_configs+=("$1") ;;
	--fsm-src) shift; [ -f "${1:-}/fsm.c" ] || die "no fsm.c in '${1:-}'"
		fsm_src=$(cd "$1" && pwd) ;;
	*) die "unknown argument '$1' (--known-issues, --config, --model, --fsm-only, --fsm-src)" ;;
	esac
	shift
done

if [ "$mode" = known ]; then
	echo "verify: no known issues left: shared-root-port and pending-misses-group-reset are default configurations now (make verify), query-timeout went with REQ_QUERY; what the model found in fsm.c, and the fixes, are in tests/model/aer_pv.pml"
	exit 0
fi

if ! command -v spin >/dev/null; then
	SUDO=
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	log "installing spin"
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq spin \
		>/dev/null || die "cannot install spin"
fi
command -v gcc >/dev/null || die "gcc is missing"

declare -A title=(
	[a]="(a) single reset"
	[b]="(b) no touch during host reset"
	[c]="(c) every error ends (LTL, weak fairness)"
	[d]="(d) second error not lost"
	[e]="(e) reset request not stale"
	[f]="(f) resumed on a reset of its kind"
	[g]="(g) every function named ends"
)

# The -DCHECK_ flags of properties PROPS ("abd": a, b and d)
check_flags() {
	local i
	for ((i = 0; i < ${#1}; i++)); do
		printf -- '-DCHECK_%s ' "${1:i:1}" | tr '[:lower:]' '[:upper:]'
	done
}

# record T0: in a search's directory, after it ran (since T0), write
# "STATES ERRORS COMPLETE SECONDS MB" to result from its pan.out, or from
# gcc's output if there is none
record() {
	local t0=$1 states errors complete=1 mem
	[ -s pan.out ] || cat gcc.out >>pan.out
	# pan prints 1e8 states and more as 1.0485177e+08
	states=$(sed -n 's/^ *\([0-9][0-9.e+]*\) states, stored.*/\1/p' \
		pan.out | tail -n 1)
	[ -z "$states" ] || states=$(printf '%.0f' "$states")
	errors=$(sed -n 's/.*errors: \([0-9][0-9]*\).*/\1/p' pan.out | tail -n 1)
	mem=$(sed -n 's/^ *\([0-9.]*\)[ \t]*total actual memory usage.*/\1/p' \
		pan.out | tail -n 1)
	if [ -z "$states" ] || [ -z "$errors" ] ||
	   grep -qE 'too small|truncated|out of memory|MEMLIM|not completed|pan: error' \
		pan.out; then
		complete=0
	fi
	echo "${states:-0} ${errors:-1} $complete $((SECONDS - t0)) ${mem:-0}" >result
}

# check PROPS NAME DEFINES: one search for properties PROPS ("c", or
# safety properties together: "abdfg"), in its own directory; leaves
# its result (record()) and the search's output in pan.out.  The LTL searches are the big ones: -O2; the others spend
# more time in gcc than in the search: -O1.
check() {
	local p=$1 name=$2 defs=$3
	local dir="$build/$p-$name" t0=$SECONDS
	rm -rf "$dir"
	mkdir -p "$dir"
	cd "$dir" || return
	cp "$model" aer_pv.pml
	# shellcheck disable=SC2046,SC2086
	if ! spin $(check_flags "$p") $defs -a aer_pv.pml >spin.out 2>&1; then
		cp spin.out pan.out
		echo "0 1 0 0 0" >result
		return
	fi
	if [ "$p" = c ]; then
		gcc -O2 -w -DCOLLAPSE -DNFAIR=3 -DMEMLIM="$memlim" -o pan pan.c \
			>gcc.out 2>&1 &&
			./pan -a -f -m200000 -w24 -N c_every_error_ends \
				>pan.out 2>&1
	else
		gcc -O1 -w -DSAFETY -DCOLLAPSE -DMEMLIM="$memlim" -o pan pan.c \
			>gcc.out 2>&1 && ./pan -m200000 -w24 >pan.out 2>&1
	fi
	record "$t0"
}

# check_fsm NAME DEFINES: one search of aer_pv_fsm.pml, fsm.c built in
# with the fuzzer's shim and the model's small tables; leaves "STATES
# ERRORS COMPLETE SECONDS MB" in result and the violated properties
# (a..g, or "all" for an error no assertion names) in props.
check_fsm() {
	local name=$1 defs=$2
	local dir="$build/fsm-$name" t0=$SECONDS
	local shim="$AER_PV_ROOT/tests/fuzz/shim"
	rm -rf "$dir"
	mkdir -p "$dir"
	cd "$dir" || return
	cp "$fsm_model" aer_pv_fsm.pml
	: >props
	# shellcheck disable=SC2086
	if ! spin $defs -a aer_pv_fsm.pml >spin.out 2>&1; then
		cp spin.out pan.out
		echo "0 1 0 0 0" >result
		echo all >props
		return
	fi
	gcc -O1 -w -DSAFETY -DCOLLAPSE -DMEMLIM="$memlim" \
		-include "$shim/aer_pv_shim.h" -I"$shim" -I"$fsm_src" \
		-I"$AER_PV_ROOT/include/uapi" -DAER_PV_MAX_FNS=2 \
		-DAER_PV_MAX_RECS=3 -DAER_PV_MAX_RESETS=4 \
		-o pan pan.c "$fsm_src/fsm.c" >gcc.out 2>&1 &&
		./pan -m200000 -w24 >pan.out 2>&1
	record "$t0"
	local errors
	read -r _ errors _ <result
	if [ "$errors" -gt 0 ]; then
		sed -n 's/.*assertion violated (prop_\([a-g]\)|.*/\1/p' pan.out >props
		[ -s props ] || echo all >props
	fi
}

# Run "PROP|NAME|DEFINES" jobs, N at a time
run_lane() {	# N job...
	local j n=$1 running=0 p name defs
	shift
	for j in "$@"; do
		if [ "$running" -ge "$n" ]; then
			wait -n
			running=$((running - 1))
		fi
		IFS='|' read -r p name defs <<<"$j"
		if [ "$p" = fsm ]; then
			(check_fsm "$name" "$defs") &
		else
			(check "$p" "$name" "$defs") &
		fi
		running=$((running + 1))
	done
	wait
}

# The LTL searches take the most time and memory: one after the other in
# a lane of their own, the others beside them.
run_jobs() {
	local j ltl=() safety=()
	for j in "$@"; do
		case "$j" in
		c\|*) ltl+=("$j") ;;
		*) safety+=("$j") ;;
		esac
	done
	if [ "$JOBS" -le 1 ]; then
		run_lane 1 "$@"
		return
	fi
	run_lane 1 "${ltl[@]}" &
	run_lane $((JOBS - 1)) "${safety[@]}"
	wait
}

# The counterexample of a failed search, as the model's MSC lines, with
# the meaning of their numbers (from the headers, by drift.py --legend)
replay() {	# dir defines props
	local dir=$1 defs=$2 p=$3
	[ -f "$dir/aer_pv.pml.trail" ] || return 0
	echo "--- counterexample (spin -t; $(python3 "$AER_PV_ROOT/tests/model/drift.py" --legend)):"
	# shellcheck disable=SC2046,SC2086
	(cd "$dir" && spin $(check_flags "$p") $defs -t aer_pv.pml 2>&1) |
		grep -E 'MSC:|violated|cycle' | sed 's/^ *//; s/^MSC: /  /' |
		uniq | head -n 60
}

start=$SECONDS
mkdir -p "$build"

pass=0
fail=0
total_states=0
total_errors=0

# The drift check first: a model out of step checks the wrong protocol.
if [ -n "$fsm_only" ]; then
	configs=()
elif out=$(python3 "$AER_PV_ROOT/tests/model/drift.py" \
		--model "$model" 2>&1); then
	echo "verify: drift: ${out#drift: ok: }"
	pass=$((pass + 1))
else
	printf '%s\n' "$out"
	echo "verify: drift: FAILED"
	fail=$((fail + 1))
fi

# tally LABEL: one property's line from the states, errors, incomplete
# and failed of its searches, counted as a test; fails if it did
tally() {
	local note=
	total_errors=$((total_errors + errors))
	[ ${#incomplete[@]} -eq 0 ] ||
		note=" (search not exhaustive: ${incomplete[*]})"
	echo "$1: $states states, $errors errors$note"
	if [ ${#failed[@]} -eq 0 ]; then
		pass=$((pass + 1))
		return 0
	fi
	fail=$((fail + 1))
	return 1
}

# has PROPS P: whether a configuration's property list names P
has() { [[ " ${1:-a b c d e} " == *" $2 "* ]]; }

# safety PROPS: a configuration's safety properties, as one word ("abd").
# They are assertions over the same state space, so one search checks
# them all: their ghost variables together add about 5 % of states
# (reset-kinds: 2.19M against 2.04M to 2.09M alone).
safety() {
	local p out=
	for p in a b d e f g; do
		has "$1" "$p" && out+=$p
	done
	printf '%s' "$out"
}

# ok DIR: the search in DIR found nothing and was exhaustive
ok() {
	local s e c
	read -r s e c _ <"$1/result" 2>/dev/null && [ "$e" -eq 0 ] && [ "$c" -eq 1 ]
}

searches=()
for cfg in "${configs[@]}"; do
	IFS='|' read -r name defs props <<<"$cfg"
	has "$props" c && searches+=("c|$name|$defs")
done
for cfg in "${configs[@]}"; do
	IFS='|' read -r name defs props <<<"$cfg"
	sp=$(safety "$props")
	[ -z "$sp" ] || searches+=("$sp|$name|$defs")
done
for cfg in "${fsm_configs[@]}"; do
	IFS='|' read -r name defs <<<"$cfg"
	searches+=("fsm|$name|$defs")
done
log "model check: ${#searches[@]} searches (${#configs[@]} + ${#fsm_configs[@]} configurations), $JOBS at a time, in $build"
run_jobs "${searches[@]}"

# A joint search stops at its first violation, of one property: search
# each property of it alone, to say which fail, each with its
# counterexample.
retry=()
for cfg in "${configs[@]}"; do
	IFS='|' read -r name defs props <<<"$cfg"
	sp=$(safety "$props")
	[ ${#sp} -gt 1 ] && ! ok "$build/$sp-$name" || continue
	for ((i = 0; i < ${#sp}; i++)); do
		retry+=("${sp:i:1}|$name|$defs")
	done
done
if [ ${#retry[@]} -gt 0 ]; then
	log "model check: ${#retry[@]} searches of one property each, where a joint search failed"
	run_lane "$JOBS" "${retry[@]}"
fi

for p in a b c d e f g; do
	[ ${#configs[@]} -gt 0 ] || break
	states=0
	errors=0
	incomplete=()
	failed=()
	for cfg in "${configs[@]}"; do
		IFS='|' read -r name defs props <<<"$cfg"
		has "$props" "$p" || continue
		# the search that decides: the joint one, or this property's
		# own after the joint one failed
		dir=$p-$name
		with=
		if [ "$p" != c ]; then
			sp=$(safety "$props")
			if [ ${#sp} -eq 1 ] || ok "$build/$sp-$name"; then
				dir=$sp-$name
				[ ${#sp} -eq 1 ] || with=" (one search for ${sp})"
			fi
		fi
		read -r s e c secs mem <"$build/$dir/result" 2>/dev/null ||
			{ s=0; e=1; c=0; secs=0; mem=0; }
		log "${title[$p]}, $name: $s states, $e errors, ${secs} s, ${mem} MB$with"
		states=$((states + s))
		errors=$((errors + e))
		# a search stops at its first error: "not exhaustive" only
		# matters for one that found none
		[ "$c" -eq 1 ] || [ "$e" -gt 0 ] || incomplete+=("$name")
		{ [ "$e" -gt 0 ] || [ "$c" -ne 1 ]; } && failed+=("$name|$defs|$dir")
	done
	tally "verify: ${title[$p]}" && continue
	for f in "${failed[@]}"; do
		IFS='|' read -r name defs dir <<<"$f"
		echo "--- ${title[$p]}, configuration $name ($defs): pan output, last lines:"
		tail -n 25 "$build/$dir/pan.out"
		replay "$build/$dir" "$defs" "${dir%%-*}"
	done
done

# every search run, once
for j in "${searches[@]}" "${retry[@]}"; do
	IFS='|' read -r p name _ <<<"$j"
	read -r s _ <"$build/$p-$name/result" 2>/dev/null || s=0
	total_states=$((total_states + s))
done

# fsm.c itself: every search checked every property at once
declare -A fsm_title=(
	[a]="(a) single reset (per kind)"
	[b]="(b) no touch during host reset"
	[d]="(d) second error not lost"
	[e]="(e) reset request not stale"
	[f]="(f) resumed on a reset of its kind, not older"
	[g]="(g) every function named ends"
)
for cfg in "${fsm_configs[@]}"; do
	IFS='|' read -r name defs <<<"$cfg"
	read -r s e c secs mem <"$build/fsm-$name/result" 2>/dev/null ||
		{ s=0; e=1; c=0; secs=0; mem=0; }
	log "verify (fsm.c itself), $name: $s states, $e errors, ${secs} s, ${mem} MB"
done
for p in a b d e f g; do
	states=0
	errors=0
	incomplete=()
	failed=()
	for cfg in "${fsm_configs[@]}"; do
		IFS='|' read -r name defs <<<"$cfg"
		read -r s e c secs mem <"$build/fsm-$name/result" 2>/dev/null ||
			{ s=0; e=1; c=0; secs=0; mem=0; }
		states=$((states + s))
		if grep -qxE "$p|all" "$build/fsm-$name/props" 2>/dev/null; then
			errors=$((errors + 1))
			failed+=("$name|$defs")
		elif [ "$c" -ne 1 ] && [ "$e" -eq 0 ]; then
			incomplete+=("$name")
			failed+=("$name|$defs")
		elif [ "$e" -gt 0 ]; then
			# stopped at another property's error: not exhaustive
			incomplete+=("$name")
			failed+=("$name|$defs")
		fi
	done
	tally "verify (fsm.c itself): ${fsm_title[$p]}" && continue
	for f in "${failed[@]}"; do
		IFS='|' read -r name defs <<<"$f"
		grep -qxE "$p|all" "$build/fsm-$name/props" 2>/dev/null || continue
		echo "--- (fsm.c itself) ${fsm_title[$p]}, configuration $name ($defs): pan output, last lines:"
		tail -n 25 "$build/fsm-$name/pan.out"
		echo "--- counterexample (./pan -r in $build/fsm-$name):"
		(cd "$build/fsm-$name" && ./pan -r 2>&1) | grep -E '^MSC:|assertion violated' |
			sed 's/^ *//; s/^MSC: /  /' | uniq | head -n 60
	done
done

log "model check done in $((SECONDS - start)) s"
echo "verify: $total_states states explored, $total_errors errors"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
