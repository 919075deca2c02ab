#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build qemu-system-x86_64 from Debian's QEMU 10.2 with the aer-pv patches:
# x86_64-softmmu only, the minimal device set of
# qemu/configs/devices/x86_64-softmmu/aer-pv.mak (QEMU_CONFIGURE_ARGS in
# scripts/lib.sh).  Prints the binary's path.

source "$(dirname "$0")/lib.sh"
qemu_env

tree=$("$AER_PV_ROOT/scripts/prepare-qemu.sh")
build="$AER_PV_CACHE/build/$(basename "$tree")"

qemu_build "$tree" "$build" qemu-system-x86_64
printf '%s\n' "$build/qemu-system-x86_64"
