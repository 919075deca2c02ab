#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The nested full-chain test: the real host side of aer-pv, under TCG.

The outer QEMU runs L1: the host kernel (scripts/build-host.sh) with an
emulated Intel IOMMU and vfio-pci bound to an emulated e1000e.  L1 runs
the project's QEMU as the VMM of the L2 test guest, with that e1000e
assigned to it and the virtio-aer-pv channel.  The outer QEMU injects an
AER error into the e1000e that L1 sees; L1's AER core recovers it,
vfio-pci reports it, L1's QEMU forwards it, and the L2 guest recovers.

Three serial ports of the outer QEMU carry L1's shell, L2's console (the
L2 QEMU's serial on L1's ttyS1) and the L2 QEMU's QMP (on L1's ttyS2).

  nested.py --qemu Q --nested DIR [--boot-timeout S] [scenario ...]

Ends with "N passed, N failed".
"""

import argparse
import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../e2e"))
from aerpv import FIRMWARE, KMEMLEAK, Guest, GuestError, _Http  # noqa: E402
from run import RECOVERED, Failure, check  # noqa: E402

# What L1's AER core logs when it resets the link below a Root Port
L1_LINK_RESET = r"Root Port link has been reset"
# What L1's QEMU logs when it falls back to polling (hw/vfio/pci.c)
POLLING = r"the host kernel does not report the end of its reset"
# The L2 guest's channel waits this long for the host's reset at most
L2_RESET_TIMEOUT_MS = 60000


class Console(Guest):
    """A shell on a serial socket (and a QMP socket): L1 and the outer
    QEMU, with Guest's framing of commands."""

    def __init__(self, ser, qmp, proc, tmp):
        self._ser, self._qmp, self.proc, self.tmp = ser, qmp, proc, tmp
        self._serbuf = self._qmpbuf = b""
        self._marker = 0
        self.events = []
        self.kmemleak = False

    def console_tail(self, size=6000):
        """What the console said that no command read, to its end."""
        with contextlib.suppress(OSError):
            self._ser.settimeout(1)
            while True:
                data = self._ser.recv(65536)
                if not data:
                    break
                self._serbuf += data
        return self._serbuf[-size:].decode(errors="replace")


class Nested(Guest):
    """L2 as a Guest (its shell, and its VMM's QMP), with self.l1: L1's
    shell and the outer QEMU's QMP."""

    def __init__(self, qemu, nested, host, funcs=1, hotplug=(), log=None):
        super().__init__(qemu, nested, log=log)
        self.funcs = funcs
        # The functions whose Root Port in L2 has native hot-plug
        self.hotplug = hotplug
        self.kernel = os.path.join(nested, f"host-{host}.bzImage")
        self.initrd = os.path.join(nested, "l1-initramfs.cpio")
        self.l1 = None
        self.times = {}
        # The outer QEMU's QMP socket takes one command at a time
        self.outer_lock = threading.Lock()

    def _connect(self, path, deadline):
        while True:
            try:
                s = socket.socket(socket.AF_UNIX)
                s.connect(path)
                return s
            except OSError:
                if self.proc.poll() is not None or \
                        time.monotonic() > deadline:
                    raise GuestError("QEMU did not start: " + self.qemu_log())
                time.sleep(0.1)

    def start(self, boot_timeout=900, l2=True):
        self.http = _Http()
        self.http.start()
        sock = {n: os.path.join(self.tmp, n + ".sock")
                for n in ("outer-qmp", "l1", "l2", "l2-qmp")}
        args = [self.qemu, "-machine", "q35", "-accel", "tcg", "-m", "2048",
                "-smp", "2", "-display", "none", "-no-reboot",
                "-nodefaults", "-no-user-config",
                "-device", "intel-iommu,intremap=off",
                "-qmp", f"unix:{sock['outer-qmp']},server=on,wait=off",
                "-kernel", self.kernel, "-initrd", self.initrd,
                "-append", "console=ttyS0 loglevel=4 panic=-1 intel_iommu=on "
                # The emulated IOMMU does not remap interrupts here
                "vfio_iommu_type1.allow_unsafe_interrupts=1",
                "-device", "pcie-root-port,id=rp0,bus=pcie.0,chassis=1,"
                "slot=1,hotplug=off"]
        # funcs e1000e functions of one device below one Root Port of L1
        for i in range(self.funcs):
            args += ["-netdev", f"user,id=n{i}",
                     "-device", f"e1000e,id=nic{i},bus=rp0,addr=0.{i},"
                     f"netdev=n{i}" +
                     (",multifunction=on" if self.funcs > 1 and not i else "")]
        for i, n in enumerate(("l1", "l2", "l2-qmp")):
            args += ["-chardev", f"socket,id=s{i},path={sock[n]},"
                     "server=on,wait=off", "-serial", f"chardev:s{i}"]
        for fw in FIRMWARE:
            args += ["-L", fw]
        self.proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL,
            stdout=open(os.path.join(self.tmp, "qemu.log"), "wb"),
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        outer_qmp = self._connect(sock["outer-qmp"], deadline)
        l1_ser = self._connect(sock["l1"], deadline)
        self._ser = self._connect(sock["l2"], deadline)
        self._qmp = self._connect(sock["l2-qmp"], deadline)
        self.l1 = Console(l1_ser, outer_qmp, self.proc, self.tmp)
        self.l1._qmp_read_msg(10)       # greeting
        self.l1.qmp("qmp_capabilities")

        t0 = time.monotonic()
        self.l1._ser_until(b"L1-READY", boot_timeout)
        self.l1._ser.sendall(b"stty -echo; PS1=''\n")
        time.sleep(0.3)
        self.l1.sh("true")
        self.times["l1-boot"] = time.monotonic() - t0
        # Leaks are counted from here: forget what boot left behind.
        self.l1.kmemleak = self.l1.sh(f"test -w {KMEMLEAK}")[0] == 0
        if self.l1.kmemleak:
            self.l1.out(f"echo scan > {KMEMLEAK}; echo clear > {KMEMLEAK}",
                        timeout=300)
        bdfs = self.l1.out("ls /sys/bus/pci/drivers/vfio-pci | "
                           "grep '^0000:' || true").split()
        if len(bdfs) != self.funcs:
            raise GuestError(f"{len(bdfs)} devices bound to vfio-pci in L1, "
                             f"want {self.funcs}:\n" + self.l1.dmesg())
        self.l1_bdfs = sorted(bdfs)
        if not l2:
            return
        # Each function below a Root Port of its own in L2: see the user
        # guide on functions that share a guest Root Port
        assign = " ".join(
            f"-device pcie-root-port,id=rp{i},bus=pcie.0,chassis={i + 1},"
            f"slot={i + 1},hotplug={'on' if i in self.hotplug else 'off'} "
            f"-device vfio-pci,host={b},id=nic{i},bus=rp{i}"
            for i, b in enumerate(sorted(bdfs)))
        # pciehp, not ACPI, handles the ports with hot-plug
        if self.hotplug:
            assign += (" -global ICH9-LPC.acpi-pci-hotplug-with-bridge-"
                       "support=off")
        t0 = time.monotonic()
        self.l1.out(
            "qemu-system-x86_64 -L /share/qemu -machine q35 "
            "-accel tcg,tb-size=64 -m 256 -smp 1 -display none -no-reboot "
            "-nodefaults -no-user-config "
            "-kernel /l2/bzImage -initrd /l2/initramfs.cpio "
            "-append 'console=ttyS0 loglevel=1 panic=-1 "
            f"aer_pv.reset_timeout_ms={L2_RESET_TIMEOUT_MS}' "
            "-chardev serial,id=s0,path=/dev/ttyS1 -serial chardev:s0 "
            "-chardev serial,id=q0,path=/dev/ttyS2 -mon chardev=q0,mode=control "
            "-msg timestamp=on -trace 'vfio_pci_aer_pv_reset' "
            "-trace 'vfio_err_recovery' -trace 'vfio_pci_host_error' "
            "-trace 'virtio_aer_pv_request*' -trace 'virtio_aer_pv_reset_end' "
            "-trace 'virtio_aer_pv_host_error' "
            f"{assign} -device virtio-aer-pv-pci,id=aerpv,"
            f"reset-timeout-ms={L2_RESET_TIMEOUT_MS} "
            ">/tmp/qemu.log 2>&1 </dev/null & echo $! >/tmp/qemu.pid")
        try:
            self._qmp_read_msg(120)     # greeting
            self.qmp("qmp_capabilities")
            self._ser_until(b"AERPV-READY", boot_timeout)
        except GuestError as e:
            raise GuestError(f"L2 did not boot: {e}\nL1's QEMU:\n" +
                             self.l1_qemu_log())
        self._ser.sendall(b"stty -echo; PS1=''\n")
        time.sleep(0.3)
        self.sh("true")
        self.times["l2-boot"] = time.monotonic() - t0

    def stop(self):
        if self.l1 and self.proc and self.proc.poll() is None:
            with contextlib.suppress(Exception):
                self.l1.qmp("quit")
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(10)
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for s in (self._qmp, self._ser) + ((self.l1._ser, self.l1._qmp)
                                           if self.l1 else ()):
            if s:
                s.close()
        if self.http:
            self.http.stop()

    def l1_qemu_log(self):
        try:
            return self.l1.out("cat /tmp/qemu.log", timeout=60)
        except Exception as e:
            return f"(L1 unreachable: {e})"

    def inject(self, error):
        """Inject an uncorrectable error into the e1000e L1 sees."""
        with self.outer_lock:
            return self.l1.qmp("human-monitor-command", **{
                "command-line": f"pcie_aer_inject_error nic0 {error}"})

    def outer_resets(self):
        """The resets L1 did to its e1000e: link (its Root Port's
        secondary bus resets) and function (FLR)."""
        with self.outer_lock:
            c = self.l1.qmp("x-aer-pv-query-resets", id="nic0")
        return c["link-resets"], c["function-resets"]


class Ctx:
    pass


@contextlib.contextmanager
def nested(ctx, host, funcs=1, l2=True, hotplug=()):
    # --sanitize: the host series runs on the sanitized host kernel
    if ctx.sanitize and host == "patched":
        host = "sanitize"
    n = Nested(ctx.qemu, ctx.nested, host, funcs, hotplug)
    try:
        n.start(boot_timeout=ctx.boot_timeout, l2=l2)
        ctx.times = n.times
        if l2:
            n.load_driver()
            check(n.wait_dmesg("host-coordinated AER recovery enabled", 1,
                               120), "virtio-aer-pv driver did not bind in L2")
            check(n.traffic(), "no traffic through the assigned NIC before "
                  "the error")
        yield n
        if ctx.verbose:
            print("  L1:  " + "\n  L1:  ".join(
                ln for ln in n.l1.dmesg().splitlines()
                if re.search(r"AER|vfio|link", ln)), flush=True)
            if l2:
                print("  L1 QEMU:  " + n.l1_qemu_log().replace(
                    "\n", "\n  L1 QEMU:  "), flush=True)
                print("  L2:  " + "\n  L2:  ".join(
                    ln for ln in n.dmesg().splitlines()
                    if re.search(r"AER|aer_pv|e1000e", ln)), flush=True)
        for who, g in (("L2", n), ("L1", n.l1))[0 if l2 else 1:]:
            bad = g.splats()
            check(not bad, f"kernel problems in {who}'s log:\n  " +
                  "\n  ".join(bad[:10]))
    except Exception:
        if n.l1 and n.proc and n.proc.poll() is not None:
            # L1 is gone (panic=-1 and -no-reboot): its console's last words
            ctx.diag = "L1's console:\n" + n.l1.console_tail()
        elif n.l1:
            with contextlib.suppress(Exception):
                ctx.diag = "L1 dmesg:\n" + n.l1.dmesg()[-3000:]
                ctx.diag += ("\nL1's QEMU:\n" + n.l1_qemu_log()[-2000:] +
                             "\nL2 dmesg:\n" + n.dmesg()[-3000:])
        raise
    finally:
        n.stop()


def recovered_once(n, timeout=600):
    """L2 recovered once, and only L1 reset the device: once if a host
    reset was expected."""
    check(n.wait_dmesg(RECOVERED, 1, timeout) == 1,
          "no recovery in L2")
    time.sleep(2)
    check(n.wait_dmesg(RECOVERED, 2, 1) == 1, "L2 recovered twice")


def inject_and_recover(ctx, n, error):
    """Inject error into the device L1 sees and wait for L2's single
    recovery; return the outer QEMU's reset counts from before."""
    before = n.outer_resets()
    t0 = time.monotonic()
    n.inject(error)
    recovered_once(n)
    ctx.times["recovery"] = time.monotonic() - t0
    return before


def l1_reset_once(n, before):
    """L1's AER core reset the link once, and nothing else reset the
    device since the outer QEMU counted before."""
    l1log = n.l1.dmesg()
    check(len(re.findall(L1_LINK_RESET, l1log)) == 1,
          "L1's AER core did not reset the link once:\n" + l1log[-1500:])
    after = n.outer_resets()
    check(after == (before[0] + 1, before[1]),
          f"resets of the device (link, FLR): {before} before, {after} "
          "after; want one more link reset")


def fatal(ctx, host):
    """A fatal error: L1 resets the link once, L1's QEMU learns of its end
    from the host patch or, without it, by polling; L2 recovers without a
    second reset and passes traffic."""
    with nested(ctx, host) as n:
        bdf = n.bdf()
        l1_reset_once(n, inject_and_recover(ctx, n, "DLP"))
        polled = bool(re.search(POLLING, n.l1_qemu_log()))
        check(polled == (host == "unpatched"),
              "L1's QEMU polled although L1 reports the phases" if polled
              else "L1's QEMU did not log that it polls")
        log = n.dmesg()
        check("link reset skipped: host reset done" in log,
              "L2 did not skip its link reset")
        check("Root Port link has been reset" not in log,
              "L2 reset the link itself")
        check(re.search(r"\[ 4\] DLP", log),
              "the event lacks the device's AER status")
        check(n.sysfs(bdf, "resets_avoided") == "1", "resets_avoided != 1")
        check(n.traffic(), "no traffic through the NIC after recovery")


def s_fatal_with_reset(ctx):
    """fatal error: L1 resets the link once and reports each phase; L2
    recovers without a second reset"""
    fatal(ctx, "patched")


def nonfatal(ctx, host):
    """A non-fatal error: L1 resets nothing; L1's QEMU learns so from the
    host patch or, without it, from the device's AER status; L2's e1000e
    asks for a reset, which L1's QEMU does once."""
    with nested(ctx, host) as n:
        bdf = n.bdf()
        before = inject_and_recover(ctx, n, "POISON_TLP")
        l1log = n.l1.dmesg()
        check("AER: device recovery successful" in l1log,
              "L1 did not recover the NIC")
        check(not re.search(L1_LINK_RESET, l1log),
              "L1's AER core reset the link for a non-fatal error")
        after = n.outer_resets()
        check(sum(after) == sum(before) + 1,
              f"resets of the NIC (link, FLR): {before} before, {after} "
              "after; want one more")
        check(n.sysfs(bdf, "errors_nonfatal") == "1", "errors_nonfatal != 1")
        check(n.sysfs(bdf, "reset_requests") == "1", "reset_requests != 1")
        check(not re.search(POLLING, n.l1_qemu_log()),
              "L1's QEMU waited for a reset L1 does not do")
        check(n.traffic(), "no traffic through the NIC after recovery")


def s_nonfatal(ctx):
    """non-fatal error: L1 resets nothing and says so; L2's e1000e asks
    for a reset, which L1's QEMU does once"""
    nonfatal(ctx, "patched")


def s_nonfatal_unpatched_l1(ctx):
    """non-fatal error, L1 without the host patch: QEMU tells it from a
    fatal one by the AER status; one reset, by L2's request"""
    nonfatal(ctx, "unpatched")


def s_fatal_unpatched_l1(ctx):
    """fatal error, L1 without the host patch: QEMU polls the device for
    the end of L1's reset; L2 recovers without a second reset"""
    fatal(ctx, "unpatched")


def s_two_functions(ctx):
    """fatal error on one function of a two-function device: L1 resets the
    link once; one event names both; both recover in L2, no second reset"""
    with nested(ctx, "patched", funcs=2) as n:
        bdfs = [n.bdf(0), n.bdf(1)]
        before = n.outer_resets()
        t0 = time.monotonic()
        n.inject("DLP")
        check(n.wait_dmesg(RECOVERED, 2, 600) == 2,
              "both functions did not recover in L2")
        ctx.times["recovery"] = time.monotonic() - t0
        time.sleep(2)
        l1_reset_once(n, before)
        log = n.dmesg()
        seqs = set(re.findall(r"error reported by host \(seq (\d+)", log))
        check(seqs == {"1"}, f"L2 got the errors {sorted(seqs)}, want one")
        check(re.search(re.escape(bdfs[0]) + r": AER: aer-pv: Fatal error "
                        r"reported by host \(seq 1", log) and
              re.search(r"\[ 4\] DLP", log),
              "the event does not name the function that reported first, "
              "with its AER status")
        for b in bdfs:
            check(n.sysfs(b, "resets_avoided") == "1",
                  f"{b}: resets_avoided != 1")
            check(n.sysfs(b, "recovered") == "1", f"{b}: recovered != 1")
        check("Root Port link has been reset" not in log,
              "L2 reset a link itself")
        check(n.wait_dmesg(RECOVERED, 3, 1) == 2, "L2 recovered again")
        check(n.traffic(), "no traffic through the NIC after recovery")


def s_two_functions_requested_reset(ctx):
    """non-fatal error on one function of a two-function device: L1 resets
    nothing; the event names both; L2 asks for the link reset, which L1's
    QEMU does as one hot reset of the link: one outer link reset, no FLR"""
    with nested(ctx, "patched", funcs=2) as n:
        bdfs = [n.bdf(0), n.bdf(1)]
        before = n.outer_resets()
        idle = QmpSampler(n).run(5)
        # L1's QEMU answers its monitor throughout, the hot reset of the
        # host link L2 asks for included
        busy = QmpSampler(n)
        busy.start()
        t0 = time.monotonic()
        n.inject("POISON_TLP")
        check(n.wait_dmesg(RECOVERED, 2, 600) == 2,
              "both functions did not recover in L2")
        ctx.times["recovery"] = time.monotonic() - t0
        busy.stop()
        during = busy.around_reset()
        worst = max(lat for _, lat in busy.samples)
        print(f"  L1's QEMU, slowest QMP answer: {idle * 1000:.0f} ms idle, "
              f"{max(during, default=0) * 1000:.0f} ms of {len(during)} "
              "within 1 s of its hot reset of the link, "
              f"{worst * 1000:.0f} ms from the error to L2's recovery "
              "(L1's own AER handling included)", flush=True)
        check("requesting link reset from host" in n.dmesg(),
              "L2 did not ask for a reset")
        check(len(during) >= 10, f"only {len(during)} QMP answers around "
              "the hot reset")
        check(max(during) < 0.1, f"L1's QEMU took "
              f"{max(during) * 1000:.0f} ms to answer QMP around its hot "
              "reset of the link")
        time.sleep(2)
        l1log = n.l1.dmesg()
        check(not re.search(L1_LINK_RESET, l1log),
              "L1's AER core reset the link for a non-fatal error")
        after = n.outer_resets()
        check(after == (before[0] + 1, before[1]),
              f"resets of the device (link, FLR): {before} before, {after} "
              "after; want one more link reset and no FLR")
        log = n.dmesg()
        seqs = set(re.findall(r"error reported by host \(seq (\d+)", log))
        check(seqs == {"1"}, f"L2 got the errors {sorted(seqs)}, want one")
        check(sum(int(n.sysfs(b, "reset_requests")) for b in bdfs) == 1,
              "L2 did not ask for the link reset once")
        for b in bdfs:
            check(n.sysfs(b, "recovered") == "1", f"{b}: recovered != 1")
        check("Root Port link has been reset" not in log,
              "L2 reset a link itself")
        check(n.traffic(), "no traffic through the NIC after recovery")
        # Interrupts, not the watchdog's polling, carry it: the emulated
        # MSI/MSI-X state was reset with the device
        irqs = nic_interrupts(n)
        check(n.traffic(), "no traffic through the NIC after recovery")
        check(nic_interrupts(n) > irqs, "the NIC raised no interrupt in L2 "
              "after the link reset")


# How long the outer QEMU holds both functions in reset after L1's link
# reset, reading all ones, for unplug_peer_during_probe: L1 waits that
# long for them, and blocks user config access to both meanwhile
HOLD_MS = 30000


def l1_qemu_trace(n, event):
    """The arguments of L1's QEMU's trace lines for event (with -msg
    timestamp=on: "2026-12-06T23:17:52.205007Z event args")."""
    return re.findall(r"^\S+Z " + event + r" (.*)$", n.l1_qemu_log(), re.M)


def pci_ids(buses):
    """The qdev ids of query-pci's devices, bridges' included."""
    ids = []
    for b in buses:
        for d in b["devices"]:
            ids.append(d.get("qdev_id"))
            ids += pci_ids([d["pci_bridge"]] if "pci_bridge" in d and
                           "devices" in d["pci_bridge"] else [])
    return ids


def vfio_device_fds(n):
    """The VFIO device fds L1's QEMU holds open."""
    return int(n.l1.out("ls -l /proc/$(cat /tmp/qemu.pid)/fd | "
                        "grep -c 'vfio-device' || true"))


def s_unplug_peer_during_probe(ctx):
    """fatal error on one function of a two-function device, the other
    unplugged while L1's QEMU probes both: it is left out of the event and
    freed, QEMU answers throughout, L2 recovers the first"""
    with nested(ctx, "patched", funcs=2, hotplug=(1,)) as n:
        bdf0, bdf1 = n.bdf(0), n.bdf(1)
        check(vfio_device_fds(n) == 2, "L1's QEMU does not hold two VFIO "
              "devices")
        # L2 lets go of the peer first, so that its unplug needs no access
        # to the function: L1 blocks config access to it during its reset
        n.out(f"echo 1 > /sys/bus/pci/devices/{bdf1}/remove")
        before = n.outer_resets()
        # The device comes back HOLD_MS after L1's link reset
        with n.outer_lock:
            n.l1.qmp("x-aer-pv-slow-link-reset", id="rp0",
                     **{"hold-ms": HOLD_MS})
        t0 = time.monotonic()
        n.inject("DLP")
        # L1's QEMU took the error in and probes the functions: their
        # config reads wait for the end of L1's reset
        deadline = time.monotonic() + HOLD_MS / 3000
        while not any(" errors 1 " in ln for ln in
                      l1_qemu_trace(n, "vfio_err_recovery")):
            check(time.monotonic() < deadline, "L1's QEMU did not take the "
                  "error in:\n" + n.l1_qemu_log()[-1500:])
            time.sleep(0.5)
        check(not l1_qemu_trace(n, "vfio_pci_host_error"),
              "the probe ended before L1's reset did")
        # L2's pciehp powers the slot off 5 s after the attention button,
        # and QEMU unplugs nic1 then; its DEVICE_DELETED comes only when
        # the last reference goes, the probe's.  L1's QEMU answers QMP
        # throughout.
        n.qmp("device_del", id="nic1")
        lat, unplugged = [], False
        deadline = time.monotonic() + HOLD_MS / 1000 + 120
        while not n.wait_dmesg(RECOVERED, 1, 0):
            # QMP every 100 ms, L2's log every 2 s
            for _ in range(20):
                t1 = time.monotonic()
                ids = pci_ids(n.qmp("query-pci"))
                lat.append(time.monotonic() - t1)
                if not unplugged and "nic1" not in ids:
                    unplugged = True
                    t_del = time.monotonic() - t0
                    check(not l1_qemu_trace(n, "vfio_pci_host_error"),
                          f"nic1 was unplugged {t_del:.1f} s after the "
                          "error, after the probe ended")
                time.sleep(0.1)
            check(time.monotonic() < deadline, "no recovery in L2")
        ctx.times["recovery"] = time.monotonic() - t0
        check(unplugged, "nic1 was still there when L2 recovered")
        worst = max(lat)
        print(f"  nic1 unplugged {t_del:.1f} s after the error, during "
              f"the probe; L2 recovered after {ctx.times['recovery']:.1f} s;"
              f" L1's QEMU, slowest of {len(lat)} QMP answers: "
              f"{worst * 1000:.0f} ms", flush=True)
        deadline = time.monotonic() + 30
        while not any(e["event"] == "DEVICE_DELETED" and
                      e["data"].get("device") == "nic1"
                      for e in n.poll_events()):
            check(time.monotonic() < deadline, "no DEVICE_DELETED for nic1 "
                  "once the probe let go of it")
            time.sleep(0.5)
        ended = l1_qemu_trace(n, "vfio_pci_host_error")
        check(len(ended) == 1 and "functions 2" in ended[0],
              f"the probe did not cover both functions: {ended}")
        sent = l1_qemu_trace(n, "virtio_aer_pv_host_error")
        check(len(sent) == 1 and "functions 1" in sent[0],
              f"the event does not name the remaining function alone: {sent}")
        check(worst < 0.1, f"L1's QEMU took {worst * 1000:.0f} ms to answer "
              "QMP while it unplugged a function the host resets")
        check(n.qmp("query-status")["status"] == "running", "L2 stopped")
        check(vfio_device_fds(n) == 1, "the unplugged function's VFIO device "
              "is still open")
        time.sleep(2)
        l1_reset_once(n, before)
        log = n.dmesg()
        check("link reset skipped: host reset done" in log,
              "L2 did not skip its link reset")
        check(n.sysfs(bdf0, "recovered") == "1", "recovered != 1")
        check(n.traffic(), "no traffic through the NIC after recovery")


class QmpSampler(threading.Thread):
    """Asks L1's QEMU (L2's VMM) for its status every 50 ms, on L2's QMP
    socket, which nothing else uses meanwhile, and notes when the outer
    QEMU first counts a new link reset of the device (L1's hot reset)."""

    def __init__(self, n):
        super().__init__(daemon=True)
        self.n, self.samples, self.reset_at = n, [], None
        self.done = threading.Event()

    def run(self, seconds=None):
        end = time.monotonic() + (seconds or 600)
        links = self.n.outer_resets()[0]
        while not self.done.is_set() and time.monotonic() < end:
            t0 = time.monotonic()
            self.n.qmp("query-status")
            self.samples.append((t0, time.monotonic() - t0))
            if self.reset_at is None and self.n.outer_resets()[0] != links:
                self.reset_at = time.monotonic()
            time.sleep(0.05)
        return max(lat for _, lat in self.samples)

    def stop(self):
        self.done.set()
        self.join(30)

    def around_reset(self, span=1.0):
        """The answers that began within span s of the link reset."""
        return [lat for t, lat in self.samples if self.reset_at is not None
                and abs(t - self.reset_at) <= span]


def nic_interrupts(n):
    """Interrupts L2 counted for its NICs (every eth* line)."""
    total = 0
    for ln in n.out("cat /proc/interrupts").splitlines():
        if re.search(r"\beth\d", ln):
            total += sum(int(x) for x in ln.split()[1:] if x.isdigit())
    return total


def watch_recovery(n, bdf, error, timeout=120):
    """Inject error into the device while a user of the feature watches;
    return what it read before and at each signal, as (errors, resets,
    resumes, failures, state, channel), once a recovery is over."""
    n.l1.out(f"vfio-err-uapi {bdf} watch {timeout} >/tmp/watch.log 2>&1 & "
             "echo $! >/tmp/watch.pid")
    deadline = time.monotonic() + 30
    while "armed" not in n.l1.out("cat /tmp/watch.log"):
        check(time.monotonic() < deadline, "the watcher did not arm")
        time.sleep(0.5)
    n.inject(error)
    deadline = time.monotonic() + timeout
    while True:
        log = n.l1.out("cat /tmp/watch.log")
        seen = [(int(m.group(1)), int(m.group(2)), int(m.group(3)),
                 int(m.group(4)), m.group(5), int(m.group(6))) for m in
                re.finditer(r"^recovery (\d+) (\d+) (\d+) (\d+) (\w+) "
                            r"(\d+)$", log, re.M)]
        if len(seen) > 1 and seen[-1][4] in ("resumed", "failed"):
            break
        check(time.monotonic() < deadline,
              f"no end of the recovery within {timeout} s:\n{log}")
        time.sleep(1)
    n.l1.out("kill $(cat /tmp/watch.pid); wait $(cat /tmp/watch.pid); true")
    return seen


def s_uapi(ctx):
    """the host series' uAPI from user space in L1: its contract, and what
    it reads during a fatal and a non-fatal error"""
    with nested(ctx, "patched", l2=False) as n:
        bdf = n.l1_bdfs[0]
        rc, out = n.l1.sh(f"vfio-err-uapi {bdf} selftest", timeout=120)
        check(rc == 0 and out.rstrip().endswith(" 0 failed"),
              "the uAPI self-test failed:\n" + out)
        if ctx.verbose:
            print("  " + out.rstrip().replace("\n", "\n  "), flush=True)
        normal, frozen = 1, 2
        got = watch_recovery(n, bdf, "DLP")
        if ctx.verbose:
            print(f"  fatal: {got}", flush=True)
        # Signals may coalesce; the counters say what happened since the
        # watcher opened the device (whose reset may count)
        def delta(got):
            return tuple(b - a for a, b in zip(got[0][:4], got[-1][:4])) + \
                got[-1][4:]
        check(delta(got) == (1, 1, 1, 0, "resumed", frozen),
              f"fatal error: read {got}, want one error, one reset seen "
              "to end, one resume, frozen")
        check(all(g[4] in ("resetting", "reset_done", "resumed")
                  for g in got[1:]), f"fatal error: states {got}")
        got = watch_recovery(n, bdf, "POISON_TLP")
        check(delta(got) == (1, 0, 1, 0, "resumed", normal),
              f"non-fatal error: read {got}, want one error, no reset, "
              "one resume, normal")


ORDER = ["s_uapi", "s_fatal_with_reset", "s_nonfatal", "s_fatal_unpatched_l1",
         "s_nonfatal_unpatched_l1",
         "s_two_functions", "s_two_functions_requested_reset",
         "s_unplug_peer_during_probe"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--nested", required=True,
                    help="scripts/build-nested.sh's output directory")
    ap.add_argument("--boot-timeout", type=int, default=900,
                    help="seconds L1, and then L2, may take to boot")
    ap.add_argument("--sanitize", action="store_true",
                    help="run the host series on the KASAN, UBSAN, lockdep "
                    "and kmemleak host kernel")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print L1's and L2's recovery logs")
    ap.add_argument("scenario", nargs="*")
    a = ap.parse_args()
    ctx = Ctx()
    ctx.qemu, ctx.nested, ctx.boot_timeout = a.qemu, a.nested, a.boot_timeout
    ctx.verbose = a.verbose
    ctx.sanitize = a.sanitize
    passed = failed = 0
    for name in a.scenario or ORDER:
        fn = globals().get(name if name.startswith("s_") else "s_" + name)
        if name not in ORDER and "s_" + name not in ORDER:
            fn = None
        if not fn:
            print(f"unknown scenario {name}")
            failed += 1
            continue
        ctx.times, ctx.diag = {}, ""
        t0 = time.monotonic()
        try:
            fn(ctx)
            passed += 1
            verdict = "PASS"
        except Exception as e:
            failed += 1
            verdict = "FAIL"
            print(f"FAIL {fn.__name__[2:]}: {e}", flush=True)
            if not isinstance(e, Failure):
                traceback.print_exc()
            if ctx.diag:
                print(ctx.diag, flush=True)
        times = ", ".join(f"{k} {v:.0f}s" for k, v in ctx.times.items())
        print(f"{verdict} {fn.__name__[2:]} ({time.monotonic() - t0:.0f}s; "
              f"{times}): {fn.__doc__.split(chr(10))[0]}", flush=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
