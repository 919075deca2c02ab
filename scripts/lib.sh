# SPDX-License-Identifier: GPL-2.0
# Common settings for the aer-pv build scripts; sourced, not run.

set -euo pipefail

AER_PV_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
AER_PV_CACHE=${AER_PV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/aer-pv}
LINUX_TARBALL=/usr/src/linux-source-6.12.tar.xz
JOBS=${JOBS:-$(nproc)}

mkdir -p "$AER_PV_CACHE"

log() { printf '[aer-pv] %s\n' "$*" >&2; }
die() { printf '[aer-pv] error: %s\n' "$*" >&2; exit 1; }

# Version of Debian's linux-source-6.12, e.g. 6.12.117-1~deb12u1.
linux_pkg_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null ||
		die "linux-source-6.12 is not installed (run scripts/deps.sh)"
}

# Short hash of everything that changes the prepared tree's history.
patches_hash() {
	cat /dev/null "$AER_PV_ROOT"/patches/linux/*.patch 2>/dev/null |
		sha256sum | cut -c1-12
}

# Trees live at a path per source version; the hash of the patches they
# carry is in their .aer-pv-patches stamp (see apply_series).
linux_tree() {
	local v
	v=$(linux_pkg_version)
	printf '%s/linux-%s\n' "$AER_PV_CACHE" "${v//[~:]/_}"
}

# apply_series TREE HASH PATCH...: bring TREE (a git repo whose baseline
# is tagged "baseline") to the baseline plus PATCH... with "git am",
# unless its stamp says it has them already.  git rewrites only the files
# that differ, so the timestamps of the others, and incremental builds,
# survive a change of the series.
apply_series() {
	local tree=$1 hash=$2 p
	shift 2
	[ "$(cat "$tree/.aer-pv-patches" 2>/dev/null)" = "$hash" ] && return 0
	log "applying $# patches to $(basename "$tree")"
	(
		cd "$tree"
		export GIT_AUTHOR_NAME=aer-pv GIT_AUTHOR_EMAIL=aer-pv@localhost
		export GIT_COMMITTER_NAME=aer-pv GIT_COMMITTER_EMAIL=aer-pv@localhost
		git am --abort >/dev/null 2>&1 || true
		git reset -q --hard baseline
		for p in "$@"; do
			git am -q --keep-cr "$p" ||
				die "patch $(basename "$p") does not apply to the baseline"
		done
	)
	printf '%s\n' "$hash" >"$tree/.aer-pv-patches"
}

# Debian's QEMU source package, pinned: Debian unstable's index lists
# newer versions whose files are not on the mirror.  The tree is unpacked
# with Debian's patches applied.
QEMU_PKG_VERSION=1:10.2.2+ds-1
QEMU_PKG_SUITE=sid
QEMU_SRC_DIR="$AER_PV_CACHE/src/qemu-${QEMU_PKG_VERSION#*:}"

# The version as in file names: no epoch.
qemu_pkg_version() {
	printf '%s\n' "${QEMU_PKG_VERSION#*:}"
}

# QEMU 10.2 needs meson >= 1.5; Debian 12 has 1.0.  scripts/deps.sh
# unpacks bookworm-backports' meson here; qemu_env puts it first on PATH
# and PYTHONPATH for configure and for ninja's re-runs of meson.
QEMU_MESON_VERSION=1.7.0-1~bpo12+1
QEMU_MESON_SUITE=bookworm-backports
QEMU_MESON_DIR="$AER_PV_CACHE/tools/meson-${QEMU_MESON_VERSION//[~:+]/_}"

qemu_env() {
	[ -x "$QEMU_MESON_DIR/usr/bin/meson" ] ||
		die "meson $QEMU_MESON_VERSION missing from $QEMU_MESON_DIR (run scripts/deps.sh)"
	export PATH="$QEMU_MESON_DIR/usr/bin:$PATH"
	export PYTHONPATH="$QEMU_MESON_DIR/usr/lib/python3/dist-packages${PYTHONPATH:+:$PYTHONPATH}"
}

# private_apt DIR SOURCES-LINE ARGS...: run apt-get ARGS with DIR as its
# only sources list, package lists and cache, so that nothing of the
# system's apt configuration changes ("update" first, once per DIR).
private_apt() {
	local dir=$1 line=$2
	shift 2
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	printf '%s\n' "$line" >"$dir/sources.list"
	apt-get -q -o Dir::Etc::sourcelist="$dir/sources.list" \
		-o Dir::Etc::sourceparts=/nonexistent \
		-o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" \
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root "$@"
}

# configure's options for every QEMU build: x86_64-softmmu only, the
# minimal device set of qemu/configs/devices/x86_64-softmmu/aer-pv.mak.
# The "+ds" source carries no firmware (--disable-install-blobs: the tests
# run with -L on, or link in, Debian's seabios, qemu-system-data and
# ipxe-qemu) and no Rust crates (--disable-rust).
QEMU_CONFIGURE_ARGS=(
	--target-list=x86_64-softmmu
	--without-default-features --without-default-devices
	--with-devices-x86_64=aer-pv
	--enable-fdt=system --enable-slirp
	--disable-install-blobs --disable-rust
	--disable-docs --disable-werror
)

# qemu_build TREE BUILD TARGET [CONFIGURE-ARG...]: configure BUILD from
# the prepared QEMU tree TREE with QEMU_CONFIGURE_ARGS and the extra
# arguments, if it is not configured yet, then build TARGET there.  Our
# own code must build without a warning.
qemu_build() {
	local tree=$1 build=$2 target=$3
	shift 3
	if [ ! -f "$build/build.ninja" ]; then
		rm -rf "$build"
		mkdir -p "$build"
		log "configuring QEMU in $build"
		(cd "$build" && "$tree/configure" "${QEMU_CONFIGURE_ARGS[@]}" \
			"$@" >"$build/configure.log" 2>&1) || {
			tail -n 30 "$build/configure.log" >&2
			die "QEMU configure failed"
		}
	fi
	log "building $target"
	ninja -C "$build" -j "$JOBS" "$target" >"$build/ninja.log" 2>&1 || {
		grep -v "^FAILED:" "$build/ninja.log" | grep -E 'error:' |
			cut -c1-300 | head -n 30 >&2 || true
		die "the build of $target failed (see $build/ninja.log)"
	}
	if grep -E 'aer-pv|aer_pv' "$build/ninja.log" | grep -q 'warning:'; then
		grep -E 'aer-pv|aer_pv' "$build/ninja.log" | grep 'warning:' >&2
		die "warnings in aer-pv code"
	fi
}

# qemu_link_firmware BUILD: link Debian's firmware into BUILD's
# qemu-bundle/, where a QEMU run from its build tree looks for it, for the
# binaries that cannot be given -L (qtest, the fuzzer).
qemu_link_firmware() {
	local data dir f
	data=$(dirname "$(find "$1/qemu-bundle" -path '*/share/qemu/keymaps' \
		-type d | head -n 1)")
	[ -d "$data" ] || die "no data directory in $1/qemu-bundle"
	for dir in /usr/share/seabios /usr/share/qemu /usr/lib/ipxe/qemu; do
		for f in "$dir"/*.bin "$dir"/*.rom; do
			if [ -e "$f" ] && [ ! -e "$data/$(basename "$f")" ]; then
				ln -s "$f" "$data/"
			fi
		done
	done
}

qemu_patches_hash() {
	cat /dev/null "$AER_PV_ROOT"/qemu/patches/*.patch 2>/dev/null |
		sha256sum | cut -c1-12
}

qemu_tree() {
	local v
	v=$(qemu_pkg_version)
	printf '%s/qemu-%s\n' "$AER_PV_CACHE" "${v//[~:+]/_}"
}

# configure_kernel TREE BUILD WHAT FRAGMENT...: configure BUILD as
# tinyconfig + kvm_guest.config + FRAGMENT..., and check that every option
# the fragments set (or unset) made it; only when a fragment changed, to
# keep builds incremental.  WHAT names the kernel in messages.
configure_kernel() {
	local tree=$1 build=$2 what=$3 opt
	shift 3
	cat "$@" | cmp -s - "$build/.aer-pv-fragment" && return 0
	log "configuring the $what kernel"
	make -s -C "$tree" O="$build" ARCH=x86_64 tinyconfig >/dev/null
	(cd "$build" && "$tree/scripts/kconfig/merge_config.sh" -m .config \
		"$tree/kernel/configs/kvm_guest.config" "$@" >/dev/null)
	make -s -C "$tree" O="$build" ARCH=x86_64 olddefconfig >/dev/null
	while IFS= read -r opt; do
		case "$opt" in
		CONFIG_*) grep -qx "$opt" "$build/.config" ;;
		"# CONFIG_"*" is not set")
			opt=${opt#\# }
			! grep -q "^${opt%% *}=" "$build/.config" ;;
		*) continue ;;
		esac || die "$what config lacks '$opt' (dependency missing?)"
	done < <(cat "$@")
	cat "$@" >"$build/.aer-pv-fragment"
}
