#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build what the nested full-chain test runs: QEMU, the L2 test guest,
# both L1 host kernels (scripts/build-host.sh) and the L1 initramfs, which
# carries busybox, the project's QEMU with the shared libraries and
# firmware it loads, and the L2 guest's kernel and initramfs.  Prints the
# QEMU binary, then the directory that holds l1-initramfs.cpio,
# host-patched.bzImage and host-unpatched.bzImage.
#   scripts/build-nested.sh             those
#   scripts/build-nested.sh --sanitize  and host-sanitize.bzImage: the host
#                                       series with KASAN, UBSAN, lockdep,
#                                       kmemleak (build-host.sh sanitize)

source "$(dirname "$0")/lib.sh"

qemu=$("$AER_PV_ROOT/scripts/build-qemu.sh" | tail -n 1)
guest=$("$AER_PV_ROOT/scripts/build-guest.sh" | tail -n 1)
patched=$("$AER_PV_ROOT/scripts/build-host.sh" patched | tail -n 1)
out="$AER_PV_CACHE/build/nested"
# The uAPI test builds against the host series' header, from its tree
mkdir -p "$out/uapi/linux"
cp "$(linux_tree)-host/include/uapi/linux/vfio.h" "$out/uapi/linux/vfio.h"
unpatched=$("$AER_PV_ROOT/scripts/build-host.sh" unpatched | tail -n 1)
if [ "${1:-}" = --sanitize ]; then
	sanitize=$("$AER_PV_ROOT/scripts/build-host.sh" sanitize | tail -n 1)
	cp "$sanitize/arch/x86/boot/bzImage" "$out/host-sanitize.bzImage"
fi
cp "$patched/arch/x86/boot/bzImage" "$out/host-patched.bzImage"
cp "$unpatched/arch/x86/boot/bzImage" "$out/host-unpatched.bzImage"

log "assembling the L1 initramfs"
root="$out/l1-root"
rm -rf "$root"
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,l2,share/qemu}
cp /bin/busybox "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do
	[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
done
strip -o "$root/bin/qemu-system-x86_64" "$qemu"
# The dynamic loader and every library QEMU links, at their own paths
ldd "$qemu" | grep -o '/[^ ]*' | while IFS= read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
# The firmware a q35 guest with -nodefaults loads
for fw in bios-256k.bin linuxboot_dma.bin kvmvapic.bin; do
	f=$(find /usr/share/seabios /usr/share/qemu -name "$fw" 2>/dev/null |
		head -n 1)
	[ -n "$f" ] || die "firmware $fw missing (run scripts/deps.sh)"
	cp -L "$f" "$root/share/qemu/"
done
gcc -static -O2 -Wall -Wextra -Werror -D__user= -I"$out/uapi" \
	-o "$root/bin/vfio-err-uapi" "$AER_PV_ROOT/tests/nested/vfio_err_uapi.c" ||
	die "the uAPI test does not build"
cp "$guest/arch/x86/boot/bzImage" "$root/l2/bzImage"
cp "$guest/initramfs.cpio" "$root/l2/initramfs.cpio"
cp "$AER_PV_ROOT/tests/nested/l1-init" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) \
	>"$out/l1-initramfs.cpio"
printf '%s\n' "$qemu" "$out"
