#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# QEMU's own virtual-device fuzzer on virtio-aer-pv: build qemu-fuzz-x86_64
# (--enable-fuzzing, ASan and UBSan, Debian's clang) from the same patched
# tree, device set and options as scripts/build-qemu.sh, and run one of its
# targets for RUNS executions or SECONDS seconds, whichever ends first (0:
# no limit), from the seeds of tests/fuzz-qemu/mkcorpus.py and the corpus
# of the target's earlier runs:
#
#   generic-fuzz-virtio-aer-pv  (the default; qemu/patches/0008) generic-fuzz
#       on the device's BARs, config space and DMA: what a guest reaches
#       alone, with no error from the host
#   virtio-aer-pv-fuzz  (qemu/patches/0009) a hostile driver while the host
#       reports errors (qemu/tests/qtest/fuzz/virtio_aer_pv_fuzz.c)
#
# Ends with "N passed, N failed": one run, passed when it found no crash
# (ASan, UBSan, or the target's own check) and no leak in any
# input it kept.  Crashes are written to $AER_PV_CACHE/fuzz-qemu/TARGET/.
#   scripts/fuzz-qemu.sh [runs [seconds [target]]]
#
# Not part of make check: the build takes 10 minutes on 2 cores, and a
# million executions an hour or more.

source "$(dirname "$0")/lib.sh"

runs=${1:-${QEMU_FUZZ_RUNS:-1000000}}
seconds=${2:-${QEMU_FUZZ_SECONDS:-0}}
target=${3:-${QEMU_FUZZ_TARGET:-generic-fuzz-virtio-aer-pv}}
for n in "$runs" "$seconds"; do
	case "$n" in
	'' | *[!0-9]*) die "runs and seconds must be numbers, not '$n'" ;;
	esac
done
[ "$runs" -gt 0 ] || [ "$seconds" -gt 0 ] || die "no limit on the run"
# What the seeds must reach, lest the fuzzer start from nothing
case "$target" in
generic-fuzz-virtio-aer-pv) reach=virtio_aer_pv_respond ;;
virtio-aer-pv-fuzz) reach=virtio_aer_pv_start_reset ;;
*) die "no such target '$target' (generic-fuzz-virtio-aer-pv, virtio-aer-pv-fuzz)" ;;
esac

# llvm-symbolizer, for the sanitizers' stacks
"$AER_PV_ROOT/scripts/deps.sh" llvm-14
qemu_env

tree=$("$AER_PV_ROOT/scripts/prepare-qemu.sh")
build="$AER_PV_CACHE/build/qemu-fuzz"
out="$AER_PV_CACHE/fuzz-qemu/$target"
log="$out/last-run.log"

qemu_build "$tree" "$build" qemu-fuzz-x86_64 --cc=clang --cxx=clang++ \
	--enable-fuzzing --enable-asan --enable-ubsan
qemu_link_firmware "$build"

# aer-pv's edges that LOG's coverage list (-print_coverage=1) reports as
# covered, of all edges in the device's files, as "covered/all"
aer_pv_edges() {
	sed -n 's|^\(UN\)*COVERED_FUNC: hits: [0-9]* edges: \([0-9]*\)/\([0-9]*\) .*/hw/virtio/virtio-aer-pv\(-reset\|-pci\)*\.c:[0-9]*$|\2 \3|p' \
		"$1" | awk '{ c += $1; n += $2 } END { printf "%d/%d\n", c, n }'
}

# The sanitizers' reports are crashes too, and their stacks name files
# and lines.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-symbolize=1}
fuzz() {
	(cd "$out" && "$build/qemu-fuzz-x86_64" --fuzz-target="$target" \
		-artifact_prefix="$out/" "$@")
}

mkdir -p "$out/corpus" "$out/seeds"
rm -f "$out"/seeds/*
python3 "$AER_PV_ROOT/tests/fuzz-qemu/mkcorpus.py" "$out/seeds" "$target"
fuzz -runs=0 -print_coverage=1 seeds >"$out/seeds.log" 2>&1 ||
	die "the seeds do not run (see $out/seeds.log)"
grep -q "^COVERED_FUNC: .* $reach " "$out/seeds.log" ||
	die "the seeds do not reach $reach (tests/fuzz-qemu/mkcorpus.py)"
log "the seeds cover $(aer_pv_edges "$out/seeds.log") edges of virtio-aer-pv"

limits=()
[ "$runs" -eq 0 ] || limits+=("-runs=$runs")
[ "$seconds" -eq 0 ] || limits+=("-max_total_time=$seconds")
log "fuzzing $target: ${limits[*]}"
start=$(date +%s)
st=0
# libFuzzer's leak check after every input that allocated more than it
# freed makes the run six times slower (in QEMU's core most inputs do):
# the run goes without it, then every input it kept in the corpus runs
# again with it.
# Inputs that loop a queue over its whole index range (a guest can, with a
# device that answers as it pops) take seconds each under generic-fuzz,
# which tracks every DMA read: scaling each input's energy by its time
# keeps the fuzzer on the fast ones.
fuzz "${limits[@]}" -detect_leaks=0 -entropic_scale_per_exec_time=1 \
	-print_final_stats=1 -print_coverage=1 corpus seeds >"$log" 2>&1 ||
	st=$?
elapsed=$(($(date +%s) - start))
if [ $st -eq 0 ]; then
	log "the corpus again, with the leak check"
	fuzz -runs=0 -detect_leaks=1 corpus >"$out/leaks.log" 2>&1 || {
		st=$?
		cat "$out/leaks.log" >>"$log"
	}
fi

execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
if [ $st -eq 0 ] && [ -n "$execs" ]; then
	printf 'fuzz-qemu: %s: %s executions in %s s (%s/s), cov %s ft %s, 0 crashes\n' \
		"$target" "$execs" "$elapsed" "$rate" "$cov" "$ft"
	printf 'fuzz-qemu: virtio-aer-pv edges covered: %s\n' \
		"$(aer_pv_edges "$log")"
	printf '1 passed, 0 failed\n'
elif grep -q 'libFuzzer: run interrupted' "$log" &&
	! grep -qE 'ERROR: |runtime error' "$log"; then
	# Stopped from outside: what it ran holds, but it is not a pass
	printf 'fuzz-qemu: %s: interrupted after %s executions in %s s, 0 crashes until then; no leak pass\n' \
		"$target" "${execs:-0}" "$elapsed"
	printf '0 passed, 1 failed\n'
	exit 1
else
	grep -E 'ERROR|SUMMARY|runtime error|Test unit written|^    #[0-9]|virtio-aer-pv:' \
		"$log" | head -n 40
	printf 'fuzz-qemu: %s: crash after %s s (see %s)\n' "$target" \
		"$elapsed" "$log"
	printf '0 passed, 1 failed\n'
	exit 1
fi
