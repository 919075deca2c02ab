#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the nested test's L1 host kernel: an x86_64 bzImage of Debian's
# Linux 6.12 (tinyconfig + kvm_guest.config + tests/nested/host.config),
# with or without the host-side series patches/host/*.patch.  Prints the
# build directory, which holds arch/x86/boot/bzImage.
#   scripts/build-host.sh            with patches/host (vfio-pci reports
#                                    the phases of the host's recovery)
#   scripts/build-host.sh unpatched  Debian's kernel as it is
#   scripts/build-host.sh sanitize   with patches/host, and KASAN, UBSAN,
#                                    lockdep, DEBUG_ATOMIC_SLEEP, kmemleak
#                                    (tests/e2e/guest-sanitize.config)
#
# The host tree is a git worktree of the prepared Linux tree, kept apart
# from the guest's series.  Both variants build from it into their own
# directories; switching variants rewrites only the files the host series
# touches, so a variant's rebuild is incremental.

source "$(dirname "$0")/lib.sh"

variant=${1:-patched}
frags=("$AER_PV_ROOT/tests/nested/host.config")
shopt -s nullglob
case "$variant" in
patched | sanitize)
	series=("$AER_PV_ROOT"/patches/host/*.patch)
	hash=$(cat /dev/null "${series[@]}" | sha256sum | cut -c1-12)
	[ "$variant" = patched ] ||
		frags+=("$AER_PV_ROOT/tests/e2e/guest-sanitize.config")
	;;
unpatched)
	series=()
	hash=none
	;;
*) die "unknown host variant '$variant' (patched, unpatched or sanitize)" ;;
esac
shopt -u nullglob

guest_tree=$("$AER_PV_ROOT/scripts/prepare-linux.sh")
tree="$guest_tree-host"
build="$AER_PV_CACHE/build/host-$variant"

if [ ! -e "$tree/.git" ]; then
	log "adding the host worktree $tree"
	git -C "$guest_tree" worktree prune
	git -C "$guest_tree" worktree add -q --detach "$tree" baseline
fi
apply_series "$tree" "$hash" "${series[@]}"
mkdir -p "$build"

configure_kernel "$tree" "$build" "$variant host" "${frags[@]}"

log "building the $variant host kernel"
make -s -C "$tree" O="$build" ARCH=x86_64 -j"$JOBS" bzImage \
	>"$build/build.log" 2>&1 || {
	grep -E 'error|Error' "$build/build.log" | head -n 30 >&2
	die "host kernel build failed (see $build/build.log)"
}

# The series' own code must be sparse and W=1 clean.
if [ "$variant" = patched ]; then
	mapfile -t objs < <(cd "$tree" && git diff --name-only baseline -- \
		'drivers/*.c' | sed 's/\.c$/.o/')
	if [ ${#objs[@]} -gt 0 ]; then
		log "sparse and W=1 build of ${objs[*]}"
		(cd "$build" && rm -f "${objs[@]}")
		out=$(make -C "$tree" O="$build" ARCH=x86_64 -j"$JOBS" C=2 W=1 \
			"${objs[@]}" 2>&1) || {
			printf '%s\n' "$out" | tail -n 30 >&2
			die "host series does not build"
		}
		# Upstream's own warnings (vfio_pci_core.c has some) are not
		# ours: keep those on the lines the series adds.
		added=$(cd "$tree" && git diff -U0 baseline -- 'drivers/*.c' |
			awk '/^\+\+\+ b\//{f=substr($2,3)}
			     /^@@/{split($3,a,",");l=substr(a[1],2);n=a[2]==""?1:a[2];
				   for(i=0;i<n;i++)print f":"l+i":"}')
		diag=$(printf '%s\n' "$out" | grep -E '(warning|error):' |
			sed "s|^$tree/||" | grep -F -f <(printf '%s\n' "$added") ||
			true)
		[ -z "$diag" ] || {
			printf '%s\n' "$diag" >&2
			die "sparse or W=1 warnings in the host series"
		}
	fi
fi
printf '%s\n' "$build"
