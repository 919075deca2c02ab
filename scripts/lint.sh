#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks (kernel and QEMU code):
#   - checkpatch.pl --strict on every kernel C file and header, and on the
#     patch series;
#   - the series "make series" writes, patch by patch: git am on the
#     baseline, checkpatch --strict, builds with CONFIG_PCIE_AER_PV=y and =n;
#   - sparse (C=2) and W=1 builds of drivers/pci/pcie/aer_pv/ (with the
#     KUnit suites) and of the patched AER core files.
# Prints one "lint: <check>: ok|FAIL" line per check and exits non-zero if
# any failed.  Needs the KUnit build (scripts/kunit.sh) for its .config.

source "$(dirname "$0")/lib.sh"
set +e

# checkpatch runs scripts/spdxcheck.py, which needs Debian's python3-ply:
# use Debian's python3 even where another python3 comes first in PATH.
export PATH=/usr/bin:/bin:$PATH

tree=$("$AER_PV_ROOT/scripts/prepare-linux.sh")
kbuild="$AER_PV_CACHE/build/kunit-plain"
build="$AER_PV_CACHE/build/lint"
[ -f "$kbuild/.config" ] || die "no $kbuild/.config: run 'make kunit' first"

pass=0
fail=0
result() {	# name, status
	if [ "$2" -eq 0 ]; then
		printf 'lint: %s: ok\n' "$1"; pass=$((pass + 1))
	else
		printf 'lint: %s: FAIL\n' "$1"; fail=$((fail + 1))
	fi
}

cd "$AER_PV_ROOT"
mapfile -t files < <(find include drivers tests/kunit -name '*.[ch]' | sort)

cd "$tree"
for f in "${files[@]}"; do
	t=$f
	case "$f" in tests/kunit/*) t="drivers/pci/pcie/aer_pv/tests/${f#tests/kunit/}" ;; esac
	out=$(perl scripts/checkpatch.pl --strict --no-summary --terse \
		--show-types -f "$t" 2>&1) && [ -z "$out" ]
	st=$?
	[ -n "$out" ] && printf '%s\n' "$out"
	result "checkpatch $f" $st
done
# An upstream backport ("commit <sha> upstream.") keeps upstream's text:
# its commit ids are unknown to the baseline's one-commit history, and its
# spelling is upstream's.
for p in "$AER_PV_ROOT"/patches/linux/*.patch; do
	ign=
	grep -qE '^commit [0-9a-f]{40} upstream\.$' "$p" &&
		ign="--ignore UNKNOWN_COMMIT_ID,TYPO_SPELLING"
	out=$(perl scripts/checkpatch.pl --strict --no-summary --terse \
		--show-types $ign "$p" 2>&1) && [ -z "$out" ]
	st=$?
	[ -n "$out" ] && printf '%s\n' "$out"
	result "checkpatch $(basename "$p")" $st
done
# The host series adds a file under drivers/vfio/, which MAINTAINERS'
# VFIO DRIVER entry covers already.
for p in "$AER_PV_ROOT"/patches/host/*.patch; do
	out=$(perl scripts/checkpatch.pl --strict --no-summary --terse \
		--show-types --ignore FILE_PATH_CHANGES "$p" 2>&1) &&
		[ -z "$out" ]
	st=$?
	[ -n "$out" ] && printf '%s\n' "$out"
	result "checkpatch host/$(basename "$p")" $st
done

# The vfio uAPI QEMU builds against is the host series': the same struct
# fields in the same order and the same constants.  QEMU's copy is in its
# vfio patch (QEMU's checkpatch refuses hand edits of linux-headers/),
# with QEMU's integer types.
uapi_layout() {	# patch: the feature's fields in order, then its constants
	local block
	block=$(sed -n 's/^+//p' "$1" |
		sed -n '/^struct vfio_device_feature_pci_err_recovery {/,/^#define VFIO_DEVICE_FEATURE_PCI_ERR_RECOVERY /p' |
		sed -e 's/__s32/int32_t/; s/__u32/uint32_t/; s/__u16/uint16_t/' \
		    -e 's/[[:space:]][[:space:]]*/ /g; s/^ //')
	grep -E '^[a-z0-9_]+ [a-z_]+;$' <<<"$block" || true
	grep -E '^#define VFIO_' <<<"$block" | sort || true
}
host_uapi=$(uapi_layout "$AER_PV_ROOT"/patches/host/0001-*.patch)
qemu_uapi=$(uapi_layout "$(ls "$AER_PV_ROOT"/qemu/patches/*-hw-vfio-pci-*.patch)")
[ -n "$host_uapi" ] && [ "$host_uapi" = "$qemu_uapi" ]
result "vfio uAPI: QEMU's vfio patch matches the host series" $?

# sparse and W=1: a build directory of its own, so the KUnit objects keep
# their flags; only these objects are compiled.
mkdir -p "$build"
cp "$kbuild/.config" "$build/.config"
# The KUnit configuration plus the virtio transport.
"$tree/scripts/config" --file "$build/.config" -e VIRTIO_MENU -e VIRTIO \
	-e VIRTIO_AER_PV
make -s ARCH=um O="$build" olddefconfig >/dev/null
grep -q '^CONFIG_VIRTIO_AER_PV=y' "$build/.config" ||
	die "lint build lacks CONFIG_VIRTIO_AER_PV"

objs=(drivers/pci/pcie/aer_pv/ drivers/pci/pcie/aer.o drivers/pci/pcie/err.o
      drivers/virtio/virtio_aer_pv.o)
find "$build/drivers/pci/pcie" -name '*.o' -delete 2>/dev/null || true
log "sparse and W=1 build of ${objs[*]}"
out=$(make ARCH=um O="$build" -j"$JOBS" C=2 W=1 "${objs[@]}" 2>&1)
st=$?
diag=$(printf '%s\n' "$out" | grep -E '(warning|error):' |
	grep -E 'aer_pv|aer\.c|err\.c' || true)
[ -n "$diag" ] && printf '%s\n' "$diag"
[ $st -eq 0 ] && [ -z "$diag" ]
result "sparse + W=1" $?

# The series "make series" writes: every patch applies to the baseline
# with git am, passes checkpatch --strict, and builds with
# CONFIG_PCIE_AER_PV=y and =n (scripts/series.sh --check).
t0=$SECONDS
sout=$("$AER_PV_ROOT/scripts/series.sh" --check 2>&1)
sst=$?
printf '%s\n' "$sout" | grep -v '^\[aer-pv\]' | sed 's/^series: /lint: series: /'
pass=$((pass + $(grep -c '^series: .*: ok$' <<<"$sout")))
fail=$((fail + $(grep -c '^series: .*: FAIL$' <<<"$sout")))
if ! grep -q '^series: ' <<<"$sout" || { [ $sst -ne 0 ] &&
   ! grep -q '^series: .*: FAIL$' <<<"$sout"; }; then
	# It did not get as far as checking the patches.
	printf '%s\n' "$sout" | tail -n 20
	result "series" 1
fi
log "series checked in $((SECONDS - t0)) s"

# QEMU's checkpatch on the QEMU side.
qout=$("$AER_PV_ROOT/scripts/qemu-lint.sh" 2>&1)
printf '%s\n' "$qout" | grep -v '^qemu-lint: [0-9]* passed'
pass=$((pass + $(grep -c ': ok$' <<<"$qout")))
fail=$((fail + $(grep -c ': FAIL$' <<<"$qout")))

printf 'lint: %d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ]
