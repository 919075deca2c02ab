#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test guest: an x86_64 bzImage of the prepared Linux 6.12 tree
# (tinyconfig + kvm_guest.config + tests/e2e/guest.config, aer-pv built
# in, virtio_aer_pv as a module) and a busybox initramfs.  Prints the
# build directory, which holds arch/x86/boot/bzImage and initramfs.cpio.

source "$(dirname "$0")/lib.sh"

tree=$("$AER_PV_ROOT/scripts/prepare-linux.sh")
build="$AER_PV_CACHE/build/guest"
frag="$AER_PV_ROOT/tests/e2e/guest.config"
mkdir -p "$build"

# Reconfigure only when the fragment changed, to keep builds incremental.
if ! cmp -s "$frag" "$build/.aer-pv-fragment"; then
	log "configuring the guest kernel"
	make -s -C "$tree" O="$build" ARCH=x86_64 tinyconfig >/dev/null
	(cd "$build" && "$tree/scripts/kconfig/merge_config.sh" -m .config \
		"$tree/kernel/configs/kvm_guest.config" "$frag" >/dev/null)
	make -s -C "$tree" O="$build" ARCH=x86_64 olddefconfig >/dev/null
	while IFS= read -r opt; do
		case "$opt" in CONFIG_*) ;; *) continue ;; esac
		grep -qx "$opt" "$build/.config" ||
			die "guest config lacks $opt (dependency missing?)"
	done <"$frag"
	cp "$frag" "$build/.aer-pv-fragment"
fi

log "building the guest kernel"
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
