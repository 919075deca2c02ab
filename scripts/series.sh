#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest change as a patch series against the 6.12 baseline, for
# "git am", generated from this tree (its working files, not a commit).
#
#   scripts/series.sh          write the series into $AER_PV_CACHE/series/
#                              and print that path (make series)
#   scripts/series.sh --check  write it, then for every patch: apply it to
#                              the baseline with "git am", run
#                              checkpatch.pl --strict on it, and build what
#                              it touches with CONFIG_PCIE_AER_PV=y and =n
#                              (a uapi header: compile it on its own; an
#                              ABI file: scripts/get_abi.pl validate);
#                              one "series: <check>: ok|FAIL" line each
#                              (scripts/lint.sh counts them).  Needs the
#                              KUnit build (scripts/kunit.sh) for its
#                              .config.
#
# The series, in order:
#   1. patches/linux/ as they are, except the Kconfig/Makefile wiring
#      (upstream backports: they keep their author and message);
#   2. the uapi header, include/uapi/ (it carries the virtio device ID);
#   3. the core: drivers/pci/pcie/aer_pv/, include/linux/, and tests/kunit/
#      laid where scripts/prepare-linux.sh lays it
#      (drivers/pci/pcie/aer_pv/tests/), with the drivers/pci/pcie wiring
#      from patches/linux;
#   4. the virtio driver: drivers/virtio/, with its wiring from
#      patches/linux;
#   5. the sysfs ABI, Documentation/ABI/.
# Steps take whole directories, so new files land in them by themselves;
# a file that prepare-linux.sh lays into the kernel tree but no step
# takes is an error.  Each step adds its paths to a MAINTAINERS entry.
# The messages of steps 2-5 are patches/series-msgs/{uapi,core,virtio,
# abi}.txt.  Commits are made in a scratch worktree of the prepared
# tree's baseline with a fixed author and date, so an unchanged tree
# gives byte-identical patches.

source "$(dirname "$0")/lib.sh"

check=
[ "${1:-}" = --check ] && check=1

SERIES_AUTHOR="aer-pv developers <aer-pv@example.org>"
SERIES_DATE="Tue, 24 Nov 2026 02:00:00 +0000"
MAINT_TITLE="PCI PARAVIRTUAL AER RECOVERY (AER-PV)"
MAINT_BEFORE="PCI PEER-TO-PEER DMA (P2PDMA)"

out="$AER_PV_CACHE/series"
msgs="$AER_PV_ROOT/patches/series-msgs"

tree=$(linux_tree)
[ -f "$tree/.aer-pv-ready" ] ||
	"$AER_PV_ROOT/scripts/prepare-linux.sh" >/dev/null

export GIT_AUTHOR_NAME=${SERIES_AUTHOR% <*}
export GIT_AUTHOR_EMAIL=${SERIES_AUTHOR##*<}
GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL%>}
export GIT_COMMITTER_NAME=$GIT_AUTHOR_NAME
export GIT_COMMITTER_EMAIL=$GIT_AUTHOR_EMAIL
export GIT_AUTHOR_DATE=$SERIES_DATE
export GIT_COMMITTER_DATE=$SERIES_DATE

# worktree NAME: a worktree of the prepared tree, at the baseline, clean.
worktree() {
	local wt="$AER_PV_CACHE/$1"
	if ! git -C "$wt" rev-parse --git-dir >/dev/null 2>&1; then
		rm -rf "$wt"
		git -C "$tree" worktree prune
		git -C "$tree" worktree add -q --detach "$wt" baseline
	fi
	git -C "$wt" am --abort >/dev/null 2>&1 || true
	git -C "$wt" reset -q --hard baseline
	git -C "$wt" clean -q -f -d -x
	printf '%s\n' "$wt"
}

# The files a patch touches, one per line.
patch_files() {
	sed -n 's@^diff --git a/\(.*\) b/.*@\1@p' "$1"
}

# Is every file of patch $1 one of $2 ... ?
patch_only() {
	local p=$1 f
	shift
	while IFS= read -r f; do
		case " $* " in *" $f "*) ;; *) return 1 ;; esac
	done < <(patch_files "$p")
}

# maint_add PATTERN...: add F: lines to the MAINTAINERS entry, creating
# the entry first; F: lines stay in byte order, as checkpatch wants.
maint_add() {
	local f
	if ! grep -qxF "$MAINT_TITLE" MAINTAINERS; then
		grep -qxF "$MAINT_BEFORE" MAINTAINERS ||
			die "MAINTAINERS has no '$MAINT_BEFORE' entry"
		awk -v title="$MAINT_TITLE" -v before="$MAINT_BEFORE" \
		    -v m="$SERIES_AUTHOR" '
			$0 == before {
				print title
				print "M:\t" m
				print "L:\tlinux-pci@vger.kernel.org"
				print "L:\tvirtualization@lists.linux.dev"
				print "S:\tMaintained"
				print ""
			}
			{ print }' MAINTAINERS >MAINTAINERS.new
		mv MAINTAINERS.new MAINTAINERS
	fi
	for f in "$@"; do
		# Before the first F: line that sorts after it, or at the
		# end of the entry.
		LC_ALL=C awk -v title="$MAINT_TITLE" -v add="F:\t$f" '
			$0 == title { in_entry = 1 }
			in_entry && $0 == add { in_entry = 0 }
			in_entry && (/^$/ || (/^F:/ && $0 > add)) {
				print add
				in_entry = 0
			}
			{ print }' MAINTAINERS >MAINTAINERS.new
		mv MAINTAINERS.new MAINTAINERS
	done
}

# commit MSG: commit everything in the worktree with message file MSG.
commit() {
	[ -f "$1" ] || die "$1 missing"
	git add -A -f .
	git commit -q -F "$1" || die "nothing to commit for $(basename "$1")"
}

# lay SRC DST: copy the project's directory or file SRC (relative to the
# project) to DST (relative to the kernel tree).
lay() {
	local src="$AER_PV_ROOT/$1" dst=$2 f
	if [ -d "$src" ]; then
		while IFS= read -r f; do
			mkdir -p "$(dirname "$dst/$f")"
			cp "$src/$f" "$dst/$f"
		done < <(cd "$src" && find . -type f | sed 's@^\./@@' | sort)
	else
		mkdir -p "$(dirname "$dst")"
		cp "$src" "$dst"
	fi
}

# Every file prepare-linux.sh lays into the kernel tree must be in a step.
steps_re='^(include/uapi/|include/linux/|drivers/pci/pcie/aer_pv/|drivers/virtio/|tests/kunit/)'
stray=$(cd "$AER_PV_ROOT" && find include drivers tests/kunit -type f |
	grep -Ev "$steps_re" || true)
[ -z "$stray" ] || die "files in no step of the series: $stray"

pcie_wiring=(drivers/pci/pcie/Kconfig drivers/pci/pcie/Makefile
	     drivers/pci/pci-sysfs.c drivers/pci/pci.h)
virtio_wiring=(drivers/virtio/Kconfig drivers/virtio/Makefile)
carried=() core_wire=() virtio_wire=()
for p in "$AER_PV_ROOT"/patches/linux/*.patch; do
	if patch_only "$p" "${pcie_wiring[@]}"; then
		core_wire+=("$p")
	elif patch_only "$p" "${virtio_wiring[@]}"; then
		virtio_wire+=("$p")
	else
		carried+=("$p")
	fi
done

wt=$(worktree series-gen)
cd "$wt"
for p in "${carried[@]}"; do
	git am -q --keep-cr --committer-date-is-author-date "$p" ||
		die "$(basename "$p") does not apply to the baseline"
done

lay include/uapi include/uapi
maint_add $(cd "$AER_PV_ROOT" && find include/uapi -type f | sort)
commit "$msgs/uapi.txt"

lay drivers/pci/pcie/aer_pv drivers/pci/pcie/aer_pv
lay include/linux include/linux
lay tests/kunit drivers/pci/pcie/aer_pv/tests
for p in "${core_wire[@]}"; do
	git apply "$p" || die "$(basename "$p") does not apply"
done
maint_add drivers/pci/pcie/aer_pv/ \
	$(cd "$AER_PV_ROOT" && find include/linux -type f | sort)
commit "$msgs/core.txt"

lay drivers/virtio drivers/virtio
for p in "${virtio_wire[@]}"; do
	git apply "$p" || die "$(basename "$p") does not apply"
done
maint_add $(cd "$AER_PV_ROOT" && find drivers/virtio -type f | sort)
commit "$msgs/virtio.txt"

lay Documentation/ABI Documentation/ABI
maint_add $(cd "$AER_PV_ROOT" && find Documentation/ABI -type f | sort)
commit "$msgs/abi.txt"

rm -rf "$out"
git format-patch -q --zero-commit -o "$out" baseline..HEAD
[ -n "$check" ] || { printf '%s\n' "$out"; exit 0; }

#
# --check
#
set +e
export PATH=/usr/bin:/bin:$PATH		# Debian's python3 for spdxcheck.py
kbuild="$AER_PV_CACHE/build/kunit-plain"
[ -f "$kbuild/.config" ] || die "no $kbuild/.config: run 'make kunit' first"

result() {	# name, status
	if [ "$2" -eq 0 ]; then
		printf 'series: %s: ok\n' "$1"
	else
		printf 'series: %s: FAIL\n' "$1"
	fi
}

# Upstream backports keep upstream's text: its commit ids are unknown to
# the baseline's one-commit history, and its spelling is upstream's.
checkpatch() {	# patch
	local ign=
	grep -qE '^commit [0-9a-f]{40} upstream\.$' "$1" &&
		ign="--ignore UNKNOWN_COMMIT_ID,TYPO_SPELLING"
	perl scripts/checkpatch.pl --strict --no-summary --terse --show-types \
		$ign "$1" 2>&1
}

# configure BUILD y|n: the KUnit configuration with aer-pv (and the
# virtio transport) on, or with aer-pv off, for the tree as it is now.
configure() {
	local b=$1 opt
	mkdir -p "$b"
	cp "$kbuild/.config" "$b/.config"
	if [ "$2" = y ]; then
		scripts/config --file "$b/.config" -e PCIE_AER_PV \
			-e VIRTIO_MENU -e VIRTIO -e VIRTIO_AER_PV
	else
		scripts/config --file "$b/.config" -d PCIE_AER_PV \
			-d PCIE_AER_PV_KUNIT_TEST -d VIRTIO_AER_PV
	fi
	make -s ARCH=um O="$b" olddefconfig >/dev/null || return 1
	for opt in PCIE_AER_PV VIRTIO_AER_PV; do
		# Only once the series has added the option.
		git grep -q "^config $opt\$" -- '*Kconfig*' || continue
		if [ "$2" = y ]; then
			grep -q "^CONFIG_$opt=y" "$b/.config"
		else
			! grep -q "^CONFIG_$opt=" "$b/.config"
		fi || { echo "CONFIG_$opt is not $2"; return 1; }
	done
}

# build BUILD y|n DIR...: build DIR... and fail on an error, or on a
# warning in a file of ours.  A tree and configuration that built before
# are not built again: the stamp lists them.
build() {
	local b=$1 v=$2 out st diag key
	shift 2
	key="$(git rev-parse HEAD^{tree}) $v $* $(sha256sum <"$kbuild/.config" |
		cut -c1-16) $(gcc -dumpfullversion)"
	if grep -qxF "$key" "$b/.aer-pv-series-ok" 2>/dev/null; then
		log "series: $v: this tree built before"
		return 0
	fi
	out=$(configure "$b" "$v" 2>&1 &&
	      make ARCH=um O="$b" -j"$JOBS" W=1 "$@" 2>&1)
	st=$?
	diag=$(printf '%s\n' "$out" | grep -E '(warning|error):' |
		grep -E 'aer_pv|pcie/err\.c' || true)
	[ $st -ne 0 ] && printf '%s\n' "$out" | tail -n 30
	[ -n "$diag" ] && printf '%s\n' "$diag"
	[ $st -eq 0 ] && [ -z "$diag" ] || return 1
	# With aer-pv off, nothing of it may be built.
	[ "$v" = y ] || [ ! -e "$b/drivers/pci/pcie/aer_pv/built-in.a" ] ||
		{ echo "aer_pv was built with CONFIG_PCIE_AER_PV=n"; return 1; }
	printf '%s\n' "$key" >>"$b/.aer-pv-series-ok"
}

# What a patch touches that compiles: the top-most directories under
# drivers/ of its sources, Kconfig and Makefiles.
build_dirs() {	# patch
	patch_files "$1" | grep -E '^drivers/.*(\.[ch]|Kconfig|Makefile)$' |
		sed 's@/[^/]*$@/@' | sort -u |
		awk '{ for (i = 1; i <= n; i++)
			       if (index($0, d[i]) == 1) next
		       d[++n] = $0; print }'
}

# A uapi header must compile on its own in user space, as the kernel's
# header test (usr/include/Makefile) compiles it: sanitized by
# headers_install.sh, with -std=c90, against the system's installed
# headers for the ones it includes.
uapi_check() {	# patch
	local h st=0 inst src=$PWD
	# headers_install.sh runs scripts/unifdef of the build directory.
	[ -f "$by/.config" ] || configure "$by" y >/dev/null 2>&1
	make -s ARCH=um O="$by" scripts_unifdef 2>&1 || return 1
	inst=$(mktemp -d)
	for h in $(patch_files "$1" | grep '^include/uapi/.*\.h$'); do
		mkdir -p "$(dirname "$inst/${h#include/uapi/}")"
		(cd "$by" && sh "$src/scripts/headers_install.sh" "$src/$h" \
			"$inst/${h#include/uapi/}") &&
		gcc -std=c90 -Wall -Werror -I"$inst" -S -o /dev/null -x c \
			-include "${h#include/uapi/}" /dev/null 2>&1 || st=1
	done
	rm -rf "$inst"
	return $st
}

# checkpatch does not depend on how far the check worktree is: run it on
# all patches at once, in the generated tree, while the builds run.  A
# patch that passed before, unchanged, is not checked again.
cpdir=$(mktemp -d)
trap 'rm -rf "$cpdir"' EXIT
cpok="$AER_PV_CACHE/build/series-checkpatch-ok"
cpver=$(cat "$wt/scripts/checkpatch.pl" "$wt/scripts/spelling.txt" |
	sha256sum | cut -c1-16)
declare -A cppid cpkey
for p in "$out"/*.patch; do
	name=$(basename "$p")
	cpkey[$name]="$(sha256sum <"$p" | cut -c1-16) $cpver"
	if grep -qxF "${cpkey[$name]}" "$cpok" 2>/dev/null; then
		true &
	else
		(cd "$wt" && checkpatch "$p" >"$cpdir/$name") &
	fi
	cppid[$name]=$!
done

chk=$(worktree series-check)
cd "$chk"
by="$AER_PV_CACHE/build/series-y"
bn="$AER_PV_CACHE/build/series-n"
for p in "$out"/*.patch; do
	name=$(basename "$p")
	git am -q --keep-cr "$p"
	st=$?
	result "$name: git am" $st
	if [ $st -ne 0 ]; then
		git am --abort >/dev/null 2>&1
		break
	fi
	if patch_files "$p" | grep -q '^include/uapi/.*\.h$'; then
		uapi_check "$p"
		result "$name: uapi header compiles on its own" $?
	fi
	if patch_files "$p" | grep -q '^Documentation/ABI/'; then
		abi=$(perl scripts/get_abi.pl validate --dir Documentation/ABI 2>&1)
		[ -n "$abi" ] && printf '%s\n' "$abi"
		[ -z "$abi" ]
		result "$name: get_abi.pl validate" $?
	fi
	mapfile -t dirs < <(build_dirs "$p")
	if [ ${#dirs[@]} -gt 0 ]; then
		log "series: $name: build ${dirs[*]}"
		build "$by" y "${dirs[@]}"
		result "$name: builds with CONFIG_PCIE_AER_PV=y" $?
		build "$bn" n "${dirs[@]}"
		result "$name: builds with CONFIG_PCIE_AER_PV=n" $?
	fi
	wait "${cppid[$name]}" && [ ! -s "$cpdir/$name" ]
	st=$?
	[ -f "$cpdir/$name" ] && cat "$cpdir/$name"
	[ $st -eq 0 ] && printf '%s\n' "${cpkey[$name]}" >>"$cpok"
	result "$name: checkpatch --strict" $st
done
wait
