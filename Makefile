# SPDX-License-Identifier: GPL-2.0
#
# aer-pv: paravirtual PCIe AER recovery for assigned devices.
#
# Every target installs what it needs (Debian 12 packages) and builds into
# the cache directory $(AER_PV_CACHE), never into this tree.

export AER_PV_CACHE ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/aer-pv

.PHONY: help deps linux qemu guest guest-sanitize host kunit kunit-sanitize \
	lint build-check series e2e e2e-sanitize e2e-nested demo bench fuzz \
	qemu-fuzz qtest verify check check-full

FUZZ_SECONDS ?= 60
# make qemu-fuzz: executions and seconds, whichever ends first (0: no
# limit), and the target: generic-fuzz-virtio-aer-pv or virtio-aer-pv-fuzz
QEMU_FUZZ_RUNS ?= 1000000
QEMU_FUZZ_SECONDS ?= 0
QEMU_FUZZ_TARGET ?= generic-fuzz-virtio-aer-pv

help:
	@echo "make demo            show a recovery with and without aer-pv"
	@echo "make bench           recovery latency against the baseline, idle cost, storm"
	@echo "make check           every test; ends with 'N passed, N failed'"
	@echo "make check-full      make check, e2e on the sanitized guest, e2e-nested"
	@echo "make e2e             the end-to-end scenarios in a real guest"
	@echo "make qtest           QEMU's qtest of virtio-aer-pv: a hostile driver"
	@echo "make e2e-sanitize    the same on a KASAN/UBSAN/lockdep/kmemleak guest"
	@echo "make e2e-nested      the real host chain: L1 host kernel, vfio-pci,"
	@echo "                     QEMU, L2 guest, nested under TCG"
	@echo "make qemu            QEMU 10.2 with the virtio-aer-pv device"
	@echo "make guest           the test guest's kernel and initramfs"
	@echo "make guest-sanitize  the sanitized test guest"
	@echo "make host            the L1 host kernels, with and without patches/host"
	@echo "make kunit           KUnit suites under UML"
	@echo "make kunit-sanitize  KUnit suites with KASAN and UBSAN"
	@echo "make lint            checkpatch --strict, sparse, W=1, make series by patch"
	@echo "make build-check     the patched kernel builds with CONFIG_PCIE_AER_PV=n"
	@echo "make linux           prepare the patched Linux 6.12 tree"
	@echo "make series          the guest change as a git am series against"
	@echo "                     Linux 6.12, into \$$AER_PV_CACHE/series/"
	@echo "make verify          SPIN model check of the protocol (tests/model/)"
	@echo "make fuzz            libFuzzer on the core (FUZZ_SECONDS=$(FUZZ_SECONDS))"
	@echo "make qemu-fuzz       QEMU's fuzzer on virtio-aer-pv, ASan/UBSan"
	@echo "                     (QEMU_FUZZ_RUNS=$(QEMU_FUZZ_RUNS) QEMU_FUZZ_SECONDS=$(QEMU_FUZZ_SECONDS)"
	@echo "                     QEMU_FUZZ_TARGET=$(QEMU_FUZZ_TARGET),"
	@echo "                     or virtio-aer-pv-fuzz: with host errors)"
	@echo "cache: $(AER_PV_CACHE)"

deps:
	@scripts/deps.sh

linux: deps
	@scripts/prepare-linux.sh

series: deps
	@scripts/series.sh

qemu: deps
	@scripts/build-qemu.sh

guest: deps
	@scripts/build-guest.sh

guest-sanitize: deps
	@scripts/build-guest.sh sanitize

e2e: deps
	@scripts/e2e.sh

e2e-sanitize: deps
	@scripts/e2e.sh --sanitize

qtest: deps
	@scripts/qtest.sh

host: deps
	@scripts/build-host.sh patched
	@scripts/build-host.sh unpatched

e2e-nested: deps
	@scripts/e2e-nested.sh $(NESTED_ARGS)

demo:
	@scripts/demo.sh

bench:
	@scripts/bench.sh $(BENCH_ARGS)

kunit: deps
	@scripts/kunit.sh plain

kunit-sanitize: deps
	@scripts/kunit.sh sanitize

lint: deps
	@test -f "$(AER_PV_CACHE)/build/kunit-plain/.config" || scripts/kunit.sh plain
	@scripts/lint.sh

build-check: deps
	@test -f "$(AER_PV_CACHE)/build/kunit-plain/.config" || scripts/kunit.sh plain
	@scripts/build-check.sh

verify: deps
	@scripts/verify.sh

fuzz:
	@scripts/fuzz.sh $(FUZZ_SECONDS)

qemu-fuzz: deps
	@scripts/fuzz-qemu.sh $(QEMU_FUZZ_RUNS) $(QEMU_FUZZ_SECONDS) \
		$(QEMU_FUZZ_TARGET)

check: deps
	@scripts/check.sh

check-full: deps
	@scripts/check.sh --full
