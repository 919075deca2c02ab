#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test guest: an x86_64 bzImage of the prepared Linux 6.12 tree
# (tinyconfig + kvm_guest.config + tests/e2e/guest.config, aer-pv built
# in, virtio_aer_pv as a module) and a busybox initramfs.  Prints the
# build directory, which holds arch/x86/boot/bzImage and initramfs.cpio.
#   scripts/build-guest.sh           the test guest
#   scripts/build-guest.sh sanitize  the same with KASAN, UBSAN, lockdep,
#                                    DEBUG_ATOMIC_SLEEP and kmemleak
#                                    (tests/e2e/guest-sanitize.config)

source "$(dirname "$0")/lib.sh"

variant=${1:-plain}
frags=("$AER_PV_ROOT/tests/e2e/guest.config")
case "$variant" in
plain) build="$AER_PV_CACHE/build/guest" ;;
sanitize)
	build="$AER_PV_CACHE/build/guest-sanitize"
	frags+=("$AER_PV_ROOT/tests/e2e/guest-sanitize.config")
	;;
*) die "unknown guest variant '$variant' (plain or sanitize)" ;;
esac

tree=$("$AER_PV_ROOT/scripts/prepare-linux.sh")
mkdir -p "$build"

configure_kernel "$tree" "$build" "$variant guest" "${frags[@]}"

log "building the $variant guest kernel"
make -s -C "$tree" O="$build" ARCH=x86_64 -j"$JOBS" bzImage modules \
	>"$build/build.log" 2>&1 || {
	grep -E 'error|Error' "$build/build.log" | head -n 30 >&2
	die "guest kernel build failed (see $build/build.log)"
}

# The initramfs: busybox, the module, and the test init.
root="$build/initramfs"
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,lib/modules}
cp /bin/busybox "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done
cp "$build/drivers/virtio/virtio_aer_pv.ko" "$root/lib/modules/"
cp "$AER_PV_ROOT/tests/e2e/init" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) \
	>"$build/initramfs.cpio"
printf '%s\n' "$build"
