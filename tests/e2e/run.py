#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""End-to-end scenarios of aer-pv in a real guest under QEMU.

Each scenario boots a fresh guest (Linux 6.12 with aer-pv, e1000e behind a
PCIe Root Port, the virtio-aer-pv channel), injects an error with the
x-aer-pv-inject-error QMP command, and checks the guest's log and sysfs,
QEMU's reset counters and AER_PV_PHASE events, and real traffic through
the NIC.  Prints PASS/FAIL per scenario and "N passed, N failed" last.

usage: run.py --qemu QEMU --guest GUESTDIR [--lanes N] [scenario ...]

With --lanes N, N guests run at a time, except for the scenarios in
ALONE, which run one at a time after the others.
"""

import argparse
import contextlib
import itertools
import multiprocessing
import os
import queue
import random
import re
import struct
import sys
import time
import traceback

from aerpv import Guest, GuestError, nic_mac, nic_netdev, uapi
from libvirt_scenario import Failure as LibvirtFailure, s_libvirt  # noqa: F401

P = uapi()

RECOVERED = r"AER: device recovery successful"
# e1000e disables the device in error_detected and enables it again only in
# slot_reset, so when a recovery fails in between, the next error, or the
# removal of the device, disables it twice and the PCI core warns.
# Upstream e1000e, not aer-pv: the native recovery does the same.  Allowed
# only in the scenarios where a recovery must fail.
E1000E_AFTER_FAILURE = r"disabling already-disabled device"
# Lockdep reports reset_lock against pci_rescan_remove_lock inside
# pciehp_unconfigure_device() on every hot-unplug in Debian's 6.12.117,
# with or without aer-pv (an idle e1000e unplugged shows the same).
PCIEHP_UNPLUG_LOCKDEP = r"pciehp_unconfigure_device"
FAILED = r"AER: device recovery failed"
# A modelled host reset answers as hardware in reset does, so a driver's
# error_detected that touches the device takes long: e1000e's polls of its
# registers run to their timeouts, about 3 s under TCG.  A scenario that
# needs the guest to wait for the host's reset gives the reset longer than
# that, and the guest a bound longer still.
WAIT_RESET = {"host-reset": "after", "reset-delay-ms": 8000}
WAIT_TIMEOUT_MS = 20000


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


@contextlib.contextmanager
def guest(ctx, driver=True, allow=(), **kw):
    g = Guest(ctx.qemu, ctx.guest, **kw)
    try:
        g.start(boot_timeout=ctx.boot_timeout)
        if driver:
            g.load_driver()
            check(g.wait_dmesg("host-coordinated AER recovery enabled", 1, 30),
                  "virtio-aer-pv driver did not bind")
        bad = g.traffic_all()
        check(not bad, f"no traffic through {bad} before the error")
        yield g
        check_qemu_alive(g)
        bad = g.splats(allow)
        check(not bad, "kernel problems in the guest log:\n  " +
              "\n  ".join(bad[:10]))
    except Exception:
        ctx.last_log = g.dmesg_safe() if hasattr(g, "dmesg_safe") else ""
        raise
    finally:
        g.stop()


def check_qemu_alive(g):
    """QEMU survived the scenario: no crash, no sanitizer report."""
    st = g.proc.poll()
    check(st is None, f"QEMU died (exit status {st}): {g.qemu_log()[-2000:]}")
    check("Sanitizer" not in g.qemu_log(), "a sanitizer report from QEMU:\n"
          + g.qemu_log()[-2000:])


def phases(g, seq=None, dev="nic0"):
    time.sleep(0.5)
    return [p for s, p in g.phases(dev) if seq is None or s == seq]


def wait_phase(g, seq, phase, dev="nic0", timeout=30):
    """Wait for dev's AER_PV_PHASE event of phase for error seq.  QMP
    tells at once, where the guest's log comes through a shell that a
    loaded machine may slow down by seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (seq, phase) in g.phases(dev):
            return True
        time.sleep(0.05)
    return False


def assert_no_guest_reset(g, dev="nic0"):
    """The guest did not reset dev itself, and left it alone while it
    waited for the host's reset: the modelled host reset answers as
    hardware in reset does and counts what the guest did meanwhile."""
    c = g.resets(dev)
    check(c["link-resets"] == 0 and c["function-resets"] == 0,
          f"the guest reset {dev} itself: {c}")
    check(c["accesses-after-reset-wait"] == 0,
          f"the guest touched {dev} {c['accesses-after-reset-wait']} times "
          "after it said it waits for the host's reset")
    return c


def fatal(ctx, mode, delay, **kw):
    with guest(ctx, **kw) as g:
        bdf = g.bdf()
        r = g.inject(severity="fatal", **{"host-reset": mode,
                                          "reset-delay-ms": delay})
        check(r["delivered"], "error not delivered over the channel")
        check(g.wait_dmesg(RECOVERED, 1, 60) == 1, "no recovery in the guest")
        c = assert_no_guest_reset(g)
        check(c["host-resets"] == 1, f"host resets: {c['host-resets']}, want 1")
        print(f"  device accesses while the host reset: "
              f"{c['accesses-in-reset']}, after RESET_WAIT: "
              f"{c['accesses-after-reset-wait']}", flush=True)
        check(not c["in-reset"], "the host's reset never ended")
        log = g.dmesg()
        # Which path the reset step took: the host's reset was done before
        # the event, or the guest waited for its end.
        waited = "waiting for host reset" in log
        check(waited == (mode == "after"),
              f"host reset {mode}: the guest {'' if waited else 'did not '}"
              "wait for it")
        check("link reset skipped: host reset done" in log,
              "no 'link reset skipped' line")
        check("Root Port link has been reset" not in log,
              "the guest reset the link")
        check(g.sysfs(bdf, "resets_avoided") == "1", "resets_avoided != 1")
        check(g.sysfs(bdf, "recovered") == "1", "recovered != 1")
        check("recovered" in phases(g, r["seq"]), "no AER_PV_PHASE recovered")
        check(g.traffic(), "no traffic after recovery")


def s_fatal_reset_before(ctx):
    """fatal error, the host reset before telling the guest"""
    fatal(ctx, "before", 0)


def s_fatal_reset_after(ctx):
    """fatal error, the host reset ends 8 s after the notification: the
    guest waits for it at its reset step"""
    # Long enough that the reset cannot end before the guest reaches its
    # reset step (error_detected against a device in reset is slow, see
    # WAIT_RESET): then this would test "before" again.
    fatal(ctx, "after", WAIT_RESET["reset-delay-ms"],
          timeout_ms=WAIT_TIMEOUT_MS)


def s_nonfatal_need_reset(ctx):
    """non-fatal error; e1000e asks NEED_RESET; the host resets once"""
    with guest(ctx) as g:
        bdf = g.bdf()
        r = g.inject(severity="non-fatal")
        check(r["delivered"], "error not delivered")
        check(g.wait_dmesg(RECOVERED, 1, 60) == 1, "no recovery")
        c = assert_no_guest_reset(g)
        check(c["host-resets"] == 1, f"host resets {c['host-resets']}, want 1")
        check(g.sysfs(bdf, "reset_requests") == "1", "reset_requests != 1")
        check(g.sysfs(bdf, "errors_nonfatal") == "1", "errors_nonfatal != 1")
        check("requesting link reset from host" in g.dmesg(),
              "no reset request logged")
        ph = phases(g, r["seq"])
        check(ph[:1] == ["detected"] and "recovered" in ph,
              f"phases {ph}")
        check(g.traffic(), "no traffic after recovery")


def s_nonfatal_host_cannot_reset(ctx):
    """non-fatal, NEED_RESET, the host cannot reset: native fallback"""
    with guest(ctx) as g:
        g.inject(severity="non-fatal", **{"request-reset": "unsupported"})
        check(g.wait_dmesg(RECOVERED, 1, 60) == 1, "no recovery")
        c = g.resets()
        check(c["host-resets"] == 0, "the host reset although it cannot")
        check(c["link-resets"] == 1, f"native fallback resets {c}, want 1")
        check("host cannot reset, link has been reset" in g.dmesg(),
              "no fallback log line")
        # The event said the host cannot: the guest did not ask
        check(g.sysfs(g.bdf(), "reset_requests") == "0",
              "the guest asked for a reset the host said it cannot do")
        check(g.traffic(), "no traffic after recovery")


def s_correctable(ctx):
    """correctable error: logged and counted like native AER, no recovery"""
    with guest(ctx) as g:
        bdf = g.bdf()
        g.inject(severity="correctable")
        check(g.wait_dmesg(r"Correctable error reported by host", 1, 30),
              "no log line")
        time.sleep(1)
        log = g.dmesg()
        check("RxErr" in log, "no native AER decoding of the error")
        stats = g.out(f"cat /sys/bus/pci/devices/{bdf}/aer_dev_correctable")
        check("TOTAL_ERR_COR 1" in stats, f"aer_dev_correctable: {stats}")
        check("device recovery" not in log, "a recovery ran")
        check(g.sysfs(bdf, "errors_correctable") == "1", "not counted")
        assert_no_guest_reset(g)


def s_host_reset_never_completes(ctx):
    """the host reset never completes: bounded wait, perm_failure"""
    with guest(ctx) as g:
        t0 = time.monotonic()
        r = g.inject(severity="fatal", **{"host-reset": "never"})
        check(g.wait_dmesg(FAILED, 1, 60) == 1, "recovery did not fail")
        check(time.monotonic() - t0 < 30, "the wait was not bounded")
        log = g.dmesg()
        check("host reset did not complete within 2000 ms" in log,
              "no timeout log line")
        check(g.out("echo alive") == "alive", "guest not responsive")
        check("failed" in phases(g, r["seq"]), "no AER_PV_PHASE failed")
        assert_no_guest_reset(g)


def s_host_reset_fails(ctx):
    """the host reset fails: perm_failure"""
    with guest(ctx) as g:
        r = g.inject(severity="fatal", **{"host-reset": "failed",
                                          "reset-delay-ms": 100})
        check(g.wait_dmesg(FAILED, 1, 60) == 1, "recovery did not fail")
        check("host reset failed" in g.dmesg(), "no log line")
        check("failed" in phases(g, r["seq"]), "no AER_PV_PHASE failed")
        check(g.out("echo alive") == "alive", "guest not responsive")
        assert_no_guest_reset(g)


def s_second_error_during_recovery(ctx):
    """a second error while recovery runs is recovered after it"""
    with guest(ctx, timeout_ms=WAIT_TIMEOUT_MS) as g:
        bdf = g.bdf()
        g.inject(severity="fatal", **WAIT_RESET)
        check(g.wait_dmesg("waiting for host reset", 1, 30),
              "first recovery not waiting")
        g.inject(severity="fatal", **{"host-reset": "before"})
        check(g.wait_dmesg(RECOVERED, 2, 60) == 2,
              "the second error was not recovered")
        check(g.sysfs(bdf, "recovered") == "2", "recovered != 2")
        c = assert_no_guest_reset(g)
        check(c["host-resets"] == 2, f"host resets {c['host-resets']}")
        check(g.traffic(), "no traffic after recovery")


def s_two_devices(ctx):
    """one host reset affects two devices: both recover, no guest reset"""
    with guest(ctx, nics=2) as g:
        b0, b1 = g.bdf(0), g.bdf(1)
        g.inject(severity="fatal", functions=["nic1"],
                 **{"host-reset": "after", "reset-delay-ms": 300})
        check(g.wait_dmesg(RECOVERED, 2, 60) == 2, "not both recovered")
        for dev in ("nic0", "nic1"):
            c = assert_no_guest_reset(g, dev)
            check(c["host-resets"] == 1, f"{dev}: host resets {c}")
        for b in (b0, b1):
            check(g.sysfs(b, "recovered") == "1", f"{b} not recovered")
        bad = g.traffic_all()
        check(not bad, f"no traffic through {bad} after recovery")


def s_driver_not_loaded(ctx):
    """no guest driver: upstream recovery, QEMU falls back"""
    with guest(ctx, driver=False) as g:
        r = g.inject(severity="fatal", **{"aer-message": True})
        check(not r["delivered"], "delivered without a driver")
        check(g.wait_dmesg(RECOVERED, 1, 60) == 1, "no native recovery")
        check("Root Port link has been reset" in g.dmesg(),
              "the native path did not reset the link")
        check("aer-pv" not in g.dmesg(), "aer-pv acted without its driver")
        c = g.resets()
        check(c["link-resets"] >= 1, f"link resets {c}")


def s_aer_message_suppressed(ctx):
    """an emulated AER message for a managed function is not sent once
    the driver is live: one recovery, over the channel"""
    with guest(ctx) as g:
        bdf = g.bdf()
        r = g.inject(severity="fatal", **{"aer-message": True,
                                          "host-reset": "after",
                                          "reset-delay-ms": 300})
        check(r["delivered"], "error not delivered over the channel")
        check(g.wait_dmesg(RECOVERED, 1, 60) == 1, "no recovery")
        time.sleep(2)
        log = g.dmesg()
        check(len(re.findall(RECOVERED, log)) == 1, "recovered twice")
        check(g.stats()["aer-messages-suppressed"] == 1,
              f"QEMU did not suppress the AER message: {g.stats()}")
        check("recovered the native way" not in log,
              "an AER message reached the guest")
        check(g.sysfs(bdf, "recovered") == "1", "recovered != 1")
        assert_no_guest_reset(g)
        check("recovered" in phases(g, r["seq"]), "no recovered phase")
        check(g.traffic(), "no traffic after recovery")


def s_native_aer_for_managed_function(ctx):
    """an AER message that still arrives for a managed function (QEMU's
    own pcie_aer_inject_error) is recovered the native way"""
    with guest(ctx) as g:
        g.inject(severity="fatal", **{"host-reset": "before"})
        check(g.wait_dmesg(RECOVERED, 1, 60) == 1, "no aer-pv recovery")
        g.qmp("human-monitor-command",
              **{"command-line": "pcie_aer_inject_error nic0 MALF_TLP"})
        check(g.wait_dmesg(RECOVERED, 2, 60) == 2, "no native recovery")
        log = g.dmesg()
        check(len(re.findall("recovered the native way", log)) == 1,
              "no single log line for the AER message")
        check("Root Port link has been reset" in log,
              "the native path did not reset the link")
        check(g.resets()["link-resets"] == 1, "not one native link reset")
        check(g.traffic(), "no traffic after the native recovery")


def s_multifunction_overlapping_errors(ctx):
    """two functions of one device under one Root Port, two overlapping
    errors, each with its own host link reset: one reset per error"""
    with guest(ctx, nics=2, multifunction=True,
               timeout_ms=WAIT_TIMEOUT_MS) as g:
        b0, b1 = g.bdf(0), g.bdf(1)
        check(b0.rsplit(":", 1)[0] == b1.rsplit(":", 1)[0],
              f"not one device: {b0} {b1}")
        r1 = g.inject(severity="fatal", functions=["nic1"], **WAIT_RESET)
        check(wait_phase(g, r1["seq"], "reset-wait", "nic1"),
              "first recovery not waiting")
        r2 = g.inject(severity="fatal", functions=["nic1"],
                      **{"host-reset": "after", "reset-delay-ms": 300})
        # The errors overlap only if the first is not over yet
        check("recovered" not in phases(g, r1["seq"]) + phases(g, r1["seq"],
                                                              "nic1"),
              "the first recovery ended before the second error came")
        check(g.wait_dmesg("waiting for host reset", 1, 30),
              "first recovery not waiting in the guest's log")
        check(g.wait_dmesg(RECOVERED, 2, 90) == 2,
              "the two errors were not both recovered")
        time.sleep(2)
        check(len(re.findall(RECOVERED, g.dmesg())) == 2,
              "more recoveries than errors")
        for dev, b in (("nic0", b0), ("nic1", b1)):
            c = assert_no_guest_reset(g, dev)
            check(c["host-resets"] == 2,
                  f"{dev}: host resets {c['host-resets']}, want 2")
            check(g.sysfs(b, "recovered") == "2", f"{b} recovered != 2")
            check(g.sysfs(b, "failed") == "0", f"{b} failed")
        # AER_PV_PHASE follows each function's current error: the
        # second's outcome, none of the first's after the second came
        check("recovered" in phases(g, r2["seq"]),
              f"no recovered phase for seq {r2['seq']}")
        check("recovered" not in phases(g, r1["seq"]),
              f"an outcome of seq {r1['seq']} after seq {r2['seq']} came")
        bad = g.traffic_all()
        check(not bad, f"no traffic through {bad} after recovery")


def s_nonfatal_storm(ctx):
    """500 non-fatal errors with a working host (ticks QEMU is too busy
    for are skipped): each one QEMU sent is counted by the guest, folded,
    0 perm_failures (100 on the sanitized guest, which takes each error
    in far slower)"""
    n = 100 if ctx.sanitize else 500
    with guest(ctx) as g:
        bdf = g.bdf()
        g.inject(severity="non-fatal", repeat=n,
                 **{"repeat-interval-us": 2000})
        # The storm ends with every tick injected or skipped; then the
        # guest's own count must reach what QEMU sent, bounded.
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            st = g.stats()
            if (st["errors-injected"] + st["storm-ticks-skipped"] == n and
                    g.sysfs(bdf, "errors_nonfatal") == str(st["events-sent"])
                    and g.sysfs(bdf, "state") == "idle"):
                break
            time.sleep(1)
        st = g.stats()
        sent = st["events-sent"]
        print(f"  {st['errors-injected']} errors injected, "
              f"{st['storm-ticks-skipped']} ticks skipped, {sent} sent",
              flush=True)
        check(st["errors-injected"] + st["storm-ticks-skipped"] == n,
              f"the storm did not end: {st}")
        check(st["errors-injected"] >= n // 2,
              f"QEMU skipped most of the storm: {st}")
        check(sent + st["events-coalesced"] + st["events-dropped"] ==
              st["errors-injected"], f"errors lost in QEMU: {st}")
        check(g.sysfs(bdf, "state") == "idle", "the function never settled")
        check(g.sysfs(bdf, "errors_nonfatal") == str(sent),
              f"errors_nonfatal {g.sysfs(bdf, 'errors_nonfatal')}, want "
              f"{sent}")
        check(g.sysfs(bdf, "failed") == "0",
              f"{g.sysfs(bdf, 'failed')} recoveries failed")
        check(FAILED not in g.dmesg(), "a perm_failure")
        rec = int(g.sysfs(bdf, "recovered"))
        check(rec >= 1 and rec + int(g.sysfs(bdf, "coalesced")) == sent,
              f"recovered {rec}, coalesced {g.sysfs(bdf, 'coalesced')}")
        assert_no_guest_reset(g)
        check(g.traffic(), "no traffic after the storm")


def s_unbind_mid_recovery(ctx):
    """virtio_aer_pv unbound while a recovery waits: bounded, no hang"""
    with guest(ctx, allow=[E1000E_AFTER_FAILURE],
               timeout_ms=WAIT_TIMEOUT_MS) as g:
        bdf = g.bdf()
        recovery_waiting(g, **WAIT_RESET)
        dev = g.out("ls /sys/bus/virtio/drivers/virtio_aer_pv | grep virtio")
        t0 = time.monotonic()
        g.out(f"echo {dev} > /sys/bus/virtio/drivers/virtio_aer_pv/unbind",
              timeout=30)
        check(time.monotonic() - t0 < 10, "unbind was not prompt")
        check(g.wait_dmesg(FAILED, 1, 30) == 1,
              "the driver got no perm_failure")
        check("channel or device gone during recovery" in g.dmesg(),
              "no log line for the lost channel")
        check(g.out("echo alive") == "alive", "guest not responsive")
        wait_reset_over(g)
        g.out(f"echo {dev} > /sys/bus/virtio/drivers/virtio_aer_pv/bind")
        check(g.wait_dmesg("host-coordinated AER recovery enabled", 2, 30)
              == 2, "driver did not bind again")
        recovers_later(g, bdf, 1)
        assert_no_guest_reset(g)


def s_requested_reset_failed(ctx):
    """non-fatal, NEED_RESET; the reset the guest asks for fails:
    perm_failure, no guest reset, and a later error still recovers"""
    with guest(ctx, allow=[E1000E_AFTER_FAILURE]) as g:
        bdf = g.bdf()
        r = g.inject(severity="non-fatal", **{"request-reset": "failed"})
        check(r["delivered"], "error not delivered")
        check(g.wait_dmesg(FAILED, 1, 60) == 1, "recovery did not fail")
        log = g.dmesg()
        check("requesting link reset from host" in log,
              "the guest did not ask for a reset")
        check(f"host reset failed (seq {r['seq']})" in log,
              "no log line for the failed reset")
        check(RECOVERED not in log, "a recovery was reported successful")
        check(g.sysfs(bdf, "failed") == "1", "failed != 1")
        check(g.sysfs(bdf, "reset_requests") == "1", "reset_requests != 1")
        ph = phases(g, r["seq"])
        check("failed" in ph and "recovered" not in ph, f"phases {ph}")
        assert_no_guest_reset(g)
        recovers_later(g, bdf, 1)


def s_requested_reset_late(ctx):
    """the reset the guest asks for is answered after the guest's bound,
    then never: each wait ends in time in perm_failure, the late answer
    harms nothing, and a later error still recovers"""
    with guest(ctx, allow=[E1000E_AFTER_FAILURE]) as g:
        bdf = g.bdf()
        # Answered 3 s after the request: past the guest's 2 s bound
        t0 = time.monotonic()
        r1 = g.inject(severity="non-fatal", **{"request-delay-ms": 3000})
        check(g.wait_dmesg(FAILED, 1, 30) == 1, "recovery did not fail")
        check(time.monotonic() - t0 < 15, "the wait was not bounded")
        check(f"host reset did not complete within 2000 ms (seq {r1['seq']})"
              in g.dmesg(), "no timeout log line")
        time.sleep(3)           # the late answer comes in
        check(g.sysfs(bdf, "state") == "idle", "the function never settled")
        # Never answered, as far as the guest can tell: the modelled reset
        # holds the device for 15 s, far past the guest's 2 s bound
        r2 = g.inject(severity="non-fatal", **{"request-delay-ms": 15000})
        check(g.wait_dmesg(FAILED, 2, 30) == 2, "recovery did not fail")
        check(f"host reset did not complete within 2000 ms (seq {r2['seq']})"
              in g.dmesg(), "no timeout log line")
        for r in (r1, r2):
            ph = phases(g, r["seq"])
            check("failed" in ph and "recovered" not in ph,
                  f"seq {r['seq']}: phases {ph}")
        check(g.sysfs(bdf, "reset_requests") == "2", "reset_requests != 2")
        check(g.sysfs(bdf, "timeouts") == "2", "timeouts != 2")
        check(g.out("echo alive") == "alive", "guest not responsive")
        assert_no_guest_reset(g)
        wait_reset_over(g)
        recovers_later(g, bdf, 1)


def s_aer_message_channel_race(ctx):
    """the host breaks the rule and an AER message for a managed function
    comes with the channel's event: one recovery of each error, callbacks
    never interleaved, no guest reset while aer-pv recovers"""
    with guest(ctx, timeout_ms=WAIT_TIMEOUT_MS) as g:
        bdf = g.bdf()
        # The message while aer-pv's recovery waits for the host's reset:
        # that recovery covers it.
        r = recovery_waiting(g, **WAIT_RESET)
        g.qmp("human-monitor-command",
              **{"command-line": "pcie_aer_inject_error nic0 MALF_TLP"})
        check(g.wait_dmesg(RECOVERED, 1, 60) == 1, "no recovery")
        time.sleep(2)
        log = g.dmesg()
        check(len(re.findall(RECOVERED, log)) == 1,
              "the message was recovered a second time")
        check("AER message during recovery in step with the host: cleared"
              in log, "no log line for the message aer-pv covered")
        check("recovered the native way" not in log,
              "the native path took the message in")
        c = assert_no_guest_reset(g)
        check(c["host-resets"] == 1, f"host resets {c}")
        check("recovered" in phases(g, r["seq"]), "no recovered phase")
        check(g.traffic(), "no traffic after recovery")

        # Both at one moment: each error is recovered once, one after the
        # other, and at most the native path resets the link, once.
        g.out("dmesg -c >/dev/null")
        r = g.inject(severity="fatal", **{"host-reset": "before"})
        g.qmp("human-monitor-command",
              **{"command-line": "pcie_aer_inject_error nic0 MALF_TLP"})
        check(g.wait_dmesg(RECOVERED, 1, 60) >= 1, "no recovery")
        time.sleep(3)
        log = g.dmesg()
        n = len(re.findall(RECOVERED, log))
        check(1 <= n <= 2 and FAILED not in log,
              f"{n} recoveries of two deliveries of one error")
        # No callbacks of one recovery between the start and the end of
        # the other: aer-pv's recovery is one run of its lines.
        lines = [ln for ln in log.splitlines()
                 if "error recovery in step with the host" in ln or
                 RECOVERED in ln or "link has been reset" in ln or
                 "link reset skipped" in ln]
        start = [i for i, ln in enumerate(lines)
                 if "error recovery in step with the host" in ln]
        check(len(start) == 1, f"aer-pv recoveries: {lines}")
        i = start[0]
        check(i + 2 < len(lines) and
              "link reset skipped" in lines[i + 1] and
              RECOVERED in lines[i + 2], f"recoveries interleaved: {lines}")
        for j, ln in enumerate(lines):
            if "link has been reset" in ln:
                check(j + 1 < len(lines) and RECOVERED in lines[j + 1],
                      f"recoveries interleaved: {lines}")
        c = g.resets()
        check(c["link-resets"] <= 1 and c["function-resets"] == 0,
              f"guest resets {c}")
        check("recovered" in phases(g, r["seq"]), "no recovered phase")
        print(f"  at one moment: {n} recoveries, {c['link-resets']} guest "
              "link resets", flush=True)
        check(g.traffic(), "no traffic after recovery")


# An igb on pcie.0: a root-complex integrated endpoint, which has no link
# of its own but has FLR
IGB_RCIEP = ["-netdev", nic_netdev("ni", 12),
             "-device", "igb,id=igb0,bus=pcie.0,addr=0x5,netdev=ni,"
             f"romfile=,mac={nic_mac(12)}"]


def s_function_reset_integrated_igb(ctx):
    """an error on an RCiEP (igb on pcie.0) that igb answers with
    NEED_RESET, and the host did not reset: the guest asks the host for a
    FUNCTION reset, the host resets that function once, the guest resets
    nothing itself"""
    with guest(ctx, extra=IGB_RCIEP) as g:
        bdf = "0000:00:05.0"
        check(g.out(f"basename $(readlink /sys/bus/pci/devices/{bdf}/driver)")
              == "igb", "igb not bound to the RCiEP")
        check(g.out(f"cat /sys/bus/pci/devices/{bdf}/aer_pv/state") == "idle",
              "no aer_pv attributes on the RCiEP")
        iface = g.out(f"ls /sys/bus/pci/devices/{bdf}/net")
        check(g.traffic(iface), f"no traffic through {iface} before the error")
        # 6.12's igb answers a non-fatal error with CAN_RECOVER and asks
        # for a reset only on a frozen channel: a fatal error, which the
        # host did not reset.
        r = g.inject(id="igb0", severity="fatal", **{"host-reset": "none"})
        check(r["delivered"], "error not delivered")
        check(g.wait_dmesg(RECOVERED, 1, 60) == 1, "no recovery")
        log = g.dmesg()
        check(f"requesting function reset from host (seq {r['seq']})" in log,
              "the guest did not ask for a function reset")
        check("requesting link reset" not in log, "the guest asked for a link")
        check(f"link reset skipped: host reset done (seq {r['seq']}, "
              "function reset)" in log, "not resumed on the host's FLR")
        c = assert_no_guest_reset(g, "igb0")
        check(c["host-resets"] == 1,
              f"host resets of igb0: {c['host-resets']}, want 1")
        check(g.sysfs(bdf, "reset_requests") == "1", "reset_requests != 1")
        check(g.sysfs(bdf, "host_resets") == "1", "host_resets != 1")
        check(g.sysfs(bdf, "recovered") == "1", "recovered != 1")
        ph = phases(g, r["seq"], "igb0")
        check(ph[:1] == ["detected"] and "recovered" in ph, f"phases {ph}")
        check(g.traffic(iface), f"no traffic through {iface} after recovery")
        assert_no_guest_reset(g, "nic0")


def recovers_later(g, bdf, n):
    """A later valid error still recovers: exactly n recoveries in all,
    traffic."""
    g.inject(severity="fatal", **{"host-reset": "before"})
    got = g.wait_dmesg(RECOVERED, n, 60)
    time.sleep(1)
    got = len(re.findall(RECOVERED, g.dmesg()))
    check(got == n, f"{got} recoveries in all, want {n}: the later valid "
          "error was not recovered, or recovered more than once")
    check(g.traffic(), "no traffic after the later recovery")


def wait_reset_over(g, dev="nic0", timeout=30):
    deadline = time.monotonic() + timeout
    while g.resets(dev)["in-reset"]:
        check(time.monotonic() < deadline, "the host's reset never ended")
        time.sleep(0.2)


def recovery_waiting(g, **inject):
    """A fatal error whose host reset is in flight; returns once the
    guest's recovery waits for that reset."""
    r = g.inject(severity="fatal", **inject)
    check(g.wait_dmesg("waiting for host reset", 1, 30),
          "recovery not waiting for the host")
    return r


def s_module_unloaded_mid_recovery(ctx):
    """the driver unloaded while a recovery waits: it fails, no hang"""
    with guest(ctx, allow=[E1000E_AFTER_FAILURE],
               timeout_ms=WAIT_TIMEOUT_MS) as g:
        bdf = g.bdf()
        recovery_waiting(g, **WAIT_RESET)
        t0 = time.monotonic()
        g.out("rmmod virtio_aer_pv", timeout=30)
        check(time.monotonic() - t0 < 10, "rmmod was not prompt")
        check(g.wait_dmesg(FAILED, 1, 30) == 1, "recovery did not fail")
        check("channel or device gone during recovery" in g.dmesg(),
              "no log line for the lost channel")
        check(g.out("echo alive") == "alive", "guest not responsive")
        wait_reset_over(g)
        g.load_driver()
        check(g.wait_dmesg("host-coordinated AER recovery enabled", 2, 30)
              == 2, "driver did not bind again")
        recovers_later(g, bdf, 1)
        check(g.sysfs(bdf, "recovered") == "1", "recovered != 1")
        assert_no_guest_reset(g)


def s_device_error_mid_recovery(ctx):
    """the host resets the virtio device mid-recovery (NEEDS_RESET)"""
    with guest(ctx, allow=[E1000E_AFTER_FAILURE],
               timeout_ms=WAIT_TIMEOUT_MS) as g:
        bdf = g.bdf()
        recovery_waiting(g, **WAIT_RESET)
        g.qmp("x-aer-pv-device-error")
        check(g.wait_dmesg("device reset, channel up again", 1, 30),
              "the driver did not reset the device")
        check(g.wait_dmesg(FAILED, 1, 30) == 1, "recovery did not fail")
        log = g.dmesg()
        check("device needs reset" in log, "no log line for the reset")
        check(g.out("cat /sys/bus/virtio/drivers/virtio_aer_pv/virtio*/"
                    "device_resets") == "1", "device_resets != 1")
        check(g.stats()["device-errors"] == 1, "QEMU did not count it")
        wait_reset_over(g)
        recovers_later(g, bdf, 1)
        assert_no_guest_reset(g)


def s_event_queue_overflow(ctx):
    """80 errors while the guest takes none: folded, counted, recovered"""
    with guest(ctx, nics=2) as g:
        bdf = g.bdf()
        g.qmp("x-aer-pv-hold-events", hold=True)
        for _ in range(80):
            g.inject(severity="fatal", **{"host-reset": "before"})
        # Of other functions than every queued one: cannot fold, dropped
        g.inject(id="nic1", severity="fatal", **{"host-reset": "before"})
        st = g.stats()
        check(st["events-queued"] == 64, f"queued {st}")
        check(st["events-coalesced"] == 16, f"coalesced {st}")
        check(st["events-dropped"] == 1, f"dropped {st}")
        g.qmp("x-aer-pv-hold-events", hold=False)
        check(g.wait_dmesg(RECOVERED, 2, 60) >= 2, "not recovered")
        deadline = time.monotonic() + 60
        while g.sysfs(bdf, "state") != "idle" and time.monotonic() < deadline:
            time.sleep(0.5)
        check(g.sysfs(bdf, "state") == "idle", "the function never settled")
        st = g.stats()
        check(st["events-sent"] == 64 and st["events-queued"] == 0,
              f"not every queued event reached the guest: {st}")
        check(g.sysfs(bdf, "errors_fatal") == "64",
              f"guest counted {g.sysfs(bdf, 'errors_fatal')} errors, want 64")
        m = g.channel_messages()
        check(m["ok"] == 64, f"not every event in order and taken: {m}")
        check(g.sysfs(bdf, "failed") == "0", "a recovery failed")
        n = int(g.sysfs(bdf, "recovered"))
        check(n >= 2 and int(g.sysfs(bdf, "coalesced")) == 64 - n,
              f"recovered {n}, coalesced {g.sysfs(bdf, 'coalesced')}")
        assert_no_guest_reset(g)
        recovers_later(g, bdf, n + 1)


def s_allocation_failures_during_recovery(ctx):
    """failslab fails every slab allocation made under a recovery (the
    drivers' callbacks included): each error ends recovered or in
    perm_failure, nothing hangs (sanitized guest only)"""
    fi = "/sys/kernel/debug/failslab"
    with guest(ctx, allow=[E1000E_AFTER_FAILURE]) as g:
        bdf = g.bdf()
        check(g.sh(f"test -d {fi}")[0] == 0, "this guest has no failslab")
        # The recovery work's own code, from its start to the next symbol:
        # a stack that passes through it is a recovery's.
        syms = g.out("sort /proc/kallsyms | grep -A1 ' aer_pv_unit_work$'")
        addrs = [ln.split()[0] for ln in syms.splitlines()]
        check(len(addrs) == 2 and int(addrs[0], 16) != 0,
              f"no address range for the recovery work: {syms!r}")
        for k, v in (("require-start", int(addrs[0], 16)),
                     ("require-end", int(addrs[1], 16)),
                     ("stacktrace-depth", 32), ("verbose", 1),
                     ("ignore-gfp-wait", "N"), ("interval", 1),
                     ("times", -1), ("probability", 100)):
            g.out(f"echo {v} > {fi}/{k}")
        n = 3
        for i in range(n):
            if i % 2 == 0:
                g.inject(severity="fatal", **{"host-reset": "before"})
            else:
                g.inject(severity="non-fatal")
            deadline = time.monotonic() + 60
            while True:
                log = g.dmesg()
                ended = (len(re.findall(RECOVERED, log)) +
                         len(re.findall(FAILED, log)))
                if ended > i:
                    break
                check(time.monotonic() < deadline,
                      f"error {i + 1} did not end: recovery hung")
                time.sleep(0.5)
        g.out(f"echo 0 > {fi}/probability")
        log = g.dmesg()
        # The filter reaches the recovery: the drivers' callbacks allocate
        # under it (aer-pv's own code allocates nothing there).
        check(re.search(r"FAULT_INJECTION: forcing a failure", log),
              "failslab failed no allocation under a recovery")
        ok = len(re.findall(RECOVERED, log))
        check(ok + len(re.findall(FAILED, log)) == n,
              "not every error ended exactly once")
        check(int(g.sysfs(bdf, "recovered")) + int(g.sysfs(bdf, "failed"))
              == n, "the counters do not add up")
        check(g.out("echo alive") == "alive", "guest not responsive")
        # Without failures, the device recovers again.
        recovers_later(g, bdf, ok + 1)
        assert_no_guest_reset(g)


# A second NIC on a Root Port with native hot-plug (pciehp), for
# device_del; QEMU's ACPI hot-plug of bridges is off so that the guest's
# pciehp, not ACPI, handles the port.
HOTPLUG_NIC = ["-global", "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off",
               "-device", "pcie-root-port,id=rp9,bus=pcie.0,chassis=9,"
               "slot=9,hotplug=on",
               "-netdev", nic_netdev("n9", 11),
               "-device", f"e1000e,id=nic9,bus=rp9,netdev=n9,mac={nic_mac(11)}"]


def s_device_unplugged_mid_recovery(ctx):
    """the device hot-unplugged (device_del) while its recovery waits"""
    # The host's reset never ends, so only the unplug can end the wait:
    # pciehp waits 5 s after the attention button, and on the sanitized
    # guest the unplug takes up to about 2 minutes (lockdep's report,
    # above, which also puts every kernel message on the console).  The
    # host's bound outlasts the unplug: the host's reset of nic9 times out
    # with nothing left of its function.
    bound_ms = 180000 if ctx.sanitize else 30000
    with guest(ctx, timeout_ms=300000, extra=HOTPLUG_NIC + [
            "-global", f"virtio-aer-pv-device.reset-timeout-ms={bound_ms}"],
               allow=[E1000E_AFTER_FAILURE, PCIEHP_UNPLUG_LOCKDEP]) as g:
        bdf0, bdf9 = g.bdf(0), g.bdf(1)
        r = recovery_waiting(g, id="nic9", **{"host-reset": "never"})
        g.qmp("device_del", id="nic9")
        deadline = time.monotonic() + 300
        while not any(e["event"] == "DEVICE_DELETED" and
                      e["data"].get("device") == "nic9"
                      for e in g.poll_events()):
            check(time.monotonic() < deadline, "nic9 was not unplugged")
            time.sleep(0.5)
        check(g.wait_dmesg(FAILED, 1, 30) == 1, "recovery did not fail")
        check("channel or device gone during recovery" in g.dmesg(),
              "no log line for the lost device")
        check(g.sh(f"test -e /sys/bus/pci/devices/{bdf9}")[0] != 0,
              "the function is still there")
        # A host that still names the unplugged function is not followed.
        b9 = [int(x, 16) for x in re.split("[:.]", bdf9)]
        g.raw_event(error_event(r["seq"] + 100, [(b9[0], b9[1],
                                                  b9[2] << 3 | b9[3])]))
        deadline = time.monotonic() + 30
        while g.channel_messages().get("no_device", 0) < 1:
            check(time.monotonic() < deadline,
                  "an error on the unplugged function was not dropped")
            time.sleep(0.5)
        check(g.out("echo alive") == "alive", "guest not responsive")
        # The host's reset of nic9 was never reported: it times out with
        # nothing left of its function
        wait_qemu_log(g, f"the host's reset did not end within {bound_ms} ms",
                      bound_ms / 1000 + 30)
        check("unplugged function" in g.qemu_log(),
              f"timeout not logged as of an unplugged function: "
              f"{g.qemu_log()[-500:]}")
        recovers_later(g, bdf0, 1)
        assert_no_guest_reset(g)


def wait_qemu_log(g, text, timeout):
    deadline = time.monotonic() + timeout
    while text not in g.qemu_log():
        check(time.monotonic() < deadline, f"QEMU never logged '{text}'")
        time.sleep(0.5)


def s_unplug_during_requested_reset(ctx):
    """the device hot-unplugged (device_del) while the reset its guest
    asked for runs: the reset ends with it, nothing is left behind"""
    with guest(ctx, timeout_ms=300000, extra=HOTPLUG_NIC,
               allow=[E1000E_AFTER_FAILURE, PCIEHP_UNPLUG_LOCKDEP]) as g:
        bdf0 = g.bdf(0)
        g.inject(id="nic9", severity="non-fatal",
                 **{"request-delay-ms": 60000})
        check(g.wait_dmesg("requesting link reset from host", 1, 30),
              "the guest did not ask for a reset")
        check(g.resets("nic9")["in-reset"], "the requested reset is not "
              "under way")
        g.qmp("device_del", id="nic9")
        deadline = time.monotonic() + 300
        while not any(e["event"] == "DEVICE_DELETED" and
                      e["data"].get("device") == "nic9"
                      for e in g.poll_events()):
            check(time.monotonic() < deadline, "nic9 was not unplugged")
            time.sleep(0.5)
        check(g.wait_dmesg(r"device recovery (successful|failed)|"
                           r"channel or device gone", 1, 60) >= 1,
              "the recovery did not end")
        check(g.out("echo alive") == "alive", "guest not responsive")
        check(g.qmp("query-status")["status"] == "running", "VM stopped")
        recovers_later(g, bdf0, 1)
        assert_no_guest_reset(g)


def error_event(seq, funcs, sev=P["VIRTIO_AER_PV_SEV_FATAL"],
                reset=P["VIRTIO_AER_PV_RESET_PENDING"],
                kind=P["VIRTIO_AER_PV_RESET_KIND_LINK"],
                typ=P["VIRTIO_AER_PV_EVT_ERROR"], flags=0, nr=None):
    """struct virtio_aer_pv_error_event's bytes; funcs: (seg, bus, devfn)"""
    maxf = P["VIRTIO_AER_PV_MAX_FUNCS"]
    b = struct.pack("<HHIBBBB", typ, flags, seq, sev, reset, kind,
                    len(funcs) if nr is None else nr)
    b += bytes(40)              # struct virtio_aer_pv_aer_regs
    for seg, bus, devfn in list(funcs)[:maxf]:
        b += struct.pack("<HBB", seg, bus, devfn)
    return b + bytes(4 * (maxf - min(len(funcs), maxf)))


def garbage(rng, bus):
    """Host messages that must all be dropped, and the verdict of each."""
    R = P["VIRTIO_AER_PV_EVT_RESET"]
    LINK, MAXF = P["VIRTIO_AER_PV_RESET_KIND_LINK"], P["VIRTIO_AER_PV_MAX_FUNCS"]

    def err(seq, funcs=((0, bus, 0),), **kw):
        return error_event(seq, funcs, **kw)

    out = []
    for _ in range(300):    # random bytes, random lengths
        out.append((rng.randbytes(rng.randint(1, 116)), None, None))
    good = err(1000)
    out += [(good[:n], None, "short") for n in (1, 4, 11, 12, 60, 115)]
    out += [(good, 0, "short"), (good, 5, "short")]     # claims fewer
    out += [(good[:12], 4096, None)]                     # claims more
    out += [(err(1000, typ=t), None, "type") for t in (0, 3, 0x7fff, 0xffff)]
    out += [(err(1000, flags=4), None, "flags"), (err(0), None, "seq")]
    out += [(err(1000, sev=3), None, "severity"),
            (err(1000, reset=4), None, "reset"),
            (err(1000, kind=9), None, "reset_kind"),
            (err(1000, nr=0), None, "nr_funcs"),
            (err(1000, nr=MAXF + 1), None, "nr_funcs"),
            (err(1000, funcs=((0, bus, 0), (0, bus, 0))), None, "func")]
    # functions the guest does not have, all with valid fields
    out += [(err(1000 + i, funcs=((seg, b, d),)), None, "no_device")
            for i, (seg, b, d) in enumerate(((0, 0xff, 0xff), (0xffff, 0, 0),
                                             (0, bus, 7), (1, bus, 0)))]
    done = P["VIRTIO_AER_PV_RESET_DONE"]
    out += [(struct.pack("<HHIBBBB", R, 0, 999, done, LINK, 0, 0), None,
             "unknown_seq"),
            (struct.pack("<HHIBBBB", R, 1, 999, done, LINK, 0, 0), None,
             "flags")]
    return out


def s_garbage_from_host(ctx):
    """random, short, long, unknown and out-of-range messages: all dropped"""
    with guest(ctx) as g:
        bdf = g.bdf()
        bus = int(bdf.split(":")[1], 16)
        msgs = garbage(random.Random(5), bus)
        for data, length, _ in msgs:
            g.raw_event(data, length)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            m = g.channel_messages()
            if sum(m.values()) >= len(msgs):
                break
            time.sleep(0.5)
        m = g.channel_messages()
        check(sum(m.values()) == len(msgs),
              f"{sum(m.values())} of {len(msgs)} messages counted: {m}")
        check(m["ok"] == 0, f"garbage accepted: {m}")
        for _, _, verdict in msgs:
            if verdict:
                check(m.get(verdict, 0) > 0, f"no '{verdict}' verdict: {m}")
        check(g.out("echo alive") == "alive", "guest not responsive")
        check("device recovery" not in g.dmesg(), "garbage started a recovery")
        recovers_later(g, bdf, 1)
        check(g.channel_messages()["ok"] == 1, "the valid error not counted")


def dmesg_time(g, pattern):
    """The guest's uptime, in seconds, at the last log line matching pattern."""
    t = None
    for ln in g.dmesg().splitlines():
        m = re.match(r"\[\s*(\d+\.\d+)\]", ln)
        if m and re.search(pattern, ln):
            t = float(m.group(1))
    return t


def s_guest_runs_during_host_reset(ctx):
    """the guest and the monitor keep running through a 1 s host reset: a
    guest loop stamping the time every 50 ms never stalls"""
    with guest(ctx) as g:
        # The loop ends while the shell waits for it: the guest's shell is
        # its init, and busybox ash at its prompt can take a child's end
        # for the end of its input, and exit.
        g.out("touch /tmp/stamping; (while [ -e /tmp/stamping ]; do "
              "read t _ </proc/uptime; echo $t >>/tmp/stamps; sleep 0.05; "
              "done) </dev/null >/dev/null 2>&1 & true")
        time.sleep(1)
        r = g.inject(severity="fatal", **{"host-reset": "after",
                                          "reset-delay-ms": 1000})
        check(r["delivered"], "error not delivered over the channel")
        # The monitor answers during the reset too
        worst = 0
        t_end = time.monotonic() + 0.8
        while time.monotonic() < t_end:
            t0 = time.monotonic()
            g.qmp("query-status")
            worst = max(worst, time.monotonic() - t0)
            time.sleep(0.05)
        check(g.wait_dmesg(RECOVERED, 1, 60) == 1, "no recovery in the guest")
        g.out("rm /tmp/stamping; wait")
        t_err = dmesg_time(g, "in step with the host")
        t_rec = dmesg_time(g, RECOVERED)
        check(t_err is not None and t_rec is not None,
              "no recovery lines in the guest log")
        check(t_rec - t_err >= 1.0,
              f"recovery took {t_rec - t_err:.3f} s, less than the reset")
        stamps = [float(x) for x in g.out("cat /tmp/stamps").split()]
        during = [t for t in stamps if t_err <= t <= t_rec]
        edges = [t_err] + during + [t_rec]
        gap = max(b - a for a, b in zip(edges, edges[1:]))
        print(f"  host reset {t_rec - t_err:.3f} s: {len(during)} stamps, "
              f"longest gap {gap * 1000:.0f} ms; slowest QMP answer "
              f"{worst * 1000:.0f} ms", flush=True)
        check(len(during) >= 5, f"only {len(during)} stamps during the reset")
        check(gap < 0.5, f"the guest stalled for {gap * 1000:.0f} ms")
        check(worst < 0.5, f"QMP stalled for {worst * 1000:.0f} ms")
        assert_no_guest_reset(g)


def s_migration(ctx):
    """migrate the VM with the channel bound: refused with a clear message
    while a recovery runs, allowed once it is over; the destination
    recovers the next error with no guest reset"""
    src = Guest(ctx.qemu, ctx.guest)
    dst = None
    try:
        src.start(boot_timeout=ctx.boot_timeout)
        src.load_driver()
        check(src.wait_dmesg("host-coordinated AER recovery enabled", 1, 30),
              "virtio-aer-pv driver did not bind")
        check(src.traffic(), "no traffic through the NIC before the error")
        image = os.path.join(src.tmp, "vm.migration")
        uri = "file:" + image
        r1 = src.inject(severity="fatal", **{"host-reset": "after",
                                             "reset-delay-ms": 1500})
        check(r1["delivered"], "error not delivered over the channel")
        try:
            src.qmp("migrate", uri=uri)
            refused = None
        except GuestError as e:
            refused = str(e)
        print(f"  during the recovery: {refused}", flush=True)
        check(refused and "virtio-aer-pv" in refused and
              "recovering nic0" in refused,
              f"migration during a recovery not refused clearly: {refused}")
        check(src.wait_dmesg(RECOVERED, 1, 60) == 1, "no recovery in the guest")
        check("recovered" in phases(src, r1["seq"]),
              "no AER_PV_PHASE recovered")
        src.migrate(uri)
        src.stop()

        dst = Guest(ctx.qemu, ctx.guest)
        dst.start(boot_timeout=ctx.boot_timeout, incoming=uri)
        os.unlink(image)
        check(dst.out("echo alive") == "alive", "guest not responsive")
        check(dst.traffic(), "no traffic after the migration")
        r2 = dst.inject(severity="fatal", **{"host-reset": "after",
                                             "reset-delay-ms": 200})
        check(r2["delivered"], "error not delivered on the destination")
        check(r2["seq"] > r1["seq"],
              f"seq went back from {r1['seq']} to {r2['seq']}")
        check(dst.wait_dmesg(RECOVERED, 2, 60) == 2,
              "no recovery on the destination")
        c = assert_no_guest_reset(dst)
        # What the device knows of a function comes with its next error
        check(c["host-resets"] == 1, f"host resets: {c['host-resets']}, "
              "want 1 on the destination")
        bdf = dst.bdf()
        check(dst.sysfs(bdf, "resets_avoided") == "2", "resets_avoided != 2")
        check("recovered" in phases(dst, r2["seq"]),
              "no AER_PV_PHASE recovered on the destination")
        check(dst.traffic(), "no traffic after recovery")
        bad = dst.splats()
        check(not bad, "kernel problems in the guest log:\n  " +
              "\n  ".join(bad[:10]))
    finally:
        for g in (src, dst):
            if g:
                g.stop()


def s_migration_error_midway(ctx):
    """an error while a migration is under way, too late for a blocker:
    the migration fails at its end with the device's reason, and the VM
    goes on on the source and recovers"""
    with guest(ctx) as g:
        image = os.path.join(g.tmp, "vm.migration")
        uri = "file:" + image
        # Slow enough that the error comes before the switch-over
        g.qmp("migrate-set-parameters", **{"max-bandwidth": 1 << 20})
        g.qmp("migrate", uri=uri)
        time.sleep(1)
        check(g.qmp("query-migrate").get("status") == "active",
              "the migration is not under way")
        # The guest takes the error only once the migration is over
        g.qmp("x-aer-pv-hold-events", hold=True)
        r = g.inject(severity="fatal", **{"host-reset": "before"})
        check(r["delivered"], "error not delivered over the channel")
        g.qmp("migrate-set-parameters", **{"max-bandwidth": 0})
        deadline = time.monotonic() + 120
        while True:
            m = g.qmp("query-migrate")
            if m.get("status") in ("completed", "failed", "cancelled"):
                break
            check(time.monotonic() < deadline, "the migration did not end")
            time.sleep(0.2)
        why = m.get("error-desc", "")
        print(f"  error during the migration: {m.get('status')}: {why}",
              flush=True)
        check(m.get("status") == "failed" and "recovering nic0" in why,
              f"migration {m.get('status')}, not refused by the device: "
              f"{why}")
        check(g.qmp("query-status")["status"] == "running",
              "the source does not run after the failed migration")
        g.qmp("x-aer-pv-hold-events", hold=False)
        check(g.wait_dmesg(RECOVERED, 1, 60) == 1, "no recovery in the guest")
        check("recovered" in phases(g, r["seq"]), "no AER_PV_PHASE recovered")
        assert_no_guest_reset(g)
        check(g.traffic(), "no traffic after recovery")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(image)


def aer_pv_section(image, next_seq, ev_head, ev_count, esz, first):
    """The offset of virtio-aer-pv's own fields in a migration stream:
    next_seq, ev_head and ev_count (big-endian), then the event ring of
    esz-byte events, whose one at ev_head starts with first, then the
    counters, as its VMStateDescription puts them."""
    key = struct.pack(">III", next_seq, ev_head, ev_count)
    data = open(image, "rb").read()
    found = [m.start() for m in re.finditer(re.escape(key), data)
             if data[m.start() + 12 + ev_head * esz:].startswith(first)]
    check(len(found) == 1,
          f"the device's fields are not once in the stream: {len(found)}")
    return data, found[0]


def s_migration_corrupt_stream(ctx):
    """a migration stream of the device truncated, or with a field out of
    range: each refused on load with a message, no crash; the counters,
    which have no wrong value, load as they are"""
    src = Guest(ctx.qemu, ctx.guest, nics=2)
    try:
        src.start(boot_timeout=ctx.boot_timeout)
        src.load_driver()
        check(src.wait_dmesg("host-coordinated AER recovery enabled", 1, 30),
              "virtio-aer-pv driver did not bind")
        src.inject(severity="fatal", **{"host-reset": "before"})
        check(src.wait_dmesg(RECOVERED, 1, 60) == 1, "no recovery")
        # Events the guest has not taken travel with the device
        src.qmp("x-aer-pv-hold-events", hold=True)
        src.inject(severity="correctable")
        src.inject(id="nic1", severity="correctable")
        st = src.stats()
        check(st["events-queued"] == 2, f"queued: {st}")
        image = os.path.join(src.tmp, "vm.migration")
        src.migrate("file:" + image)
        src.stop()
        # struct virtio_aer_pv_error_event, the larger of the union
        esz = 12 + 40 + 4 * P["VIRTIO_AER_PV_MAX_FUNCS"]
        # The first queued event: the correctable error seq 2, flags 0
        data, off = aer_pv_section(
            image, 3, st["events-sent"] % 64, 2, esz,
            struct.pack("<HHI", P["VIRTIO_AER_PV_EVT_ERROR"], 0, 2))
        ring = off + 12
        ev = ring + (st["events-sent"] % 64) * esz
        counters = ring + 64 * esz

        def patched(at, value):
            return data[:at] + value + data[at + len(value):]
        E = struct.Struct("<HHIBBBB")
        bad = [
            ("truncated in the ring", data[:ring + 100], "migration"),
            ("ev_head 64", patched(off + 4, struct.pack(">I", 64)),
             "event ring head 64"),
            ("ev_count 65", patched(off + 8, struct.pack(">I", 65)),
             "count 65 out of range"),
            ("next_seq before a queued event",
             patched(off, struct.pack(">I", 1)), "queued event"),
            ("event type", patched(ev, struct.pack("<H", 0x7777)),
             "queued event 0 is malformed"),
            ("event seq 0", patched(ev + 4, struct.pack("<I", 0)),
             "queued event 0 is malformed"),
            ("event severity", patched(ev + 8, b"\x09"),
             "queued event 0 is malformed"),
            ("event reset", patched(ev + 9, b"\x09"),
             "queued event 0 is malformed"),
            ("event reset kind", patched(ev + 10, b"\x09"),
             "queued event 0 is malformed"),
            ("event nr_funcs 0", patched(ev + 11, b"\x00"),
             "queued event 0 is malformed"),
            ("event nr_funcs 17", patched(ev + 11, b"\x11"),
             "queued event 0 is malformed"),
            ("second event type", patched(ev + esz if ev + esz < counters
                                          else ring, b"\xff\xff"),
             "queued event 1 is malformed"),
        ]
        check(E.unpack_from(data, ev)[0] == P["VIRTIO_AER_PV_EVT_ERROR"],
              "the queued event is not where the layout says")
        for name, stream, want in bad:
            path = os.path.join(src.tmp, "bad.migration")
            open(path, "wb").write(stream)
            dst = Guest(ctx.qemu, ctx.guest, nics=2)
            try:
                dst.start(boot_timeout=30, incoming="file:" + path)
                refused = None
            except (GuestError, OSError):      # QMP closes as QEMU exits
                refused = dst.qemu_log()
            finally:
                dst.stop()
            st = dst.proc.returncode
            print(f"  {name}: exit {st}: "
                  f"{(refused or '').strip().splitlines()[-1:]}", flush=True)
            check(refused is not None, f"{name}: the stream was taken")
            check(st is not None and st > 0,
                  f"{name}: QEMU ended by signal {st}, not with an error")
            check(want in refused,
                  f"{name}: no message '{want}': {refused[-500:]}")
            check("Sanitizer" not in refused, f"{name}: a sanitizer report")
        # A counter has no wrong value: one flipped loads as it is
        path = os.path.join(src.tmp, "flipped.migration")
        open(path, "wb").write(patched(counters, b"\xff"))
        dst = Guest(ctx.qemu, ctx.guest, nics=2)
        try:
            dst.start(boot_timeout=ctx.boot_timeout, incoming="file:" + path)
            check(dst.stats()["events-sent"] >> 56 == 0xff,
                  "the flipped counter did not load as it was")
            check(dst.out("echo alive") == "alive", "guest not responsive")
        finally:
            dst.stop()
    finally:
        src.stop()


SCENARIOS = [v for k, v in sorted(globals().items()) if k.startswith("s_")]
ORDER = ["s_fatal_reset_before", "s_fatal_reset_after",
         "s_nonfatal_need_reset", "s_nonfatal_host_cannot_reset",
         "s_correctable", "s_host_reset_never_completes",
         "s_host_reset_fails", "s_second_error_during_recovery",
         "s_two_devices", "s_driver_not_loaded", "s_aer_message_suppressed",
         "s_native_aer_for_managed_function", "s_aer_message_channel_race",
         "s_requested_reset_failed", "s_requested_reset_late",
         "s_function_reset_integrated_igb",
         "s_multifunction_overlapping_errors", "s_nonfatal_storm",
         "s_module_unloaded_mid_recovery",
         "s_device_unplugged_mid_recovery",
         "s_unplug_during_requested_reset", "s_device_error_mid_recovery",
         "s_event_queue_overflow",
         "s_unbind_mid_recovery",
         "s_garbage_from_host", "s_guest_runs_during_host_reset",
         "s_migration", "s_migration_error_midway",
         "s_migration_corrupt_stream", "s_libvirt"]
# Only where the guest has fault injection
SANITIZE_ONLY = ["s_allocation_failures_during_recovery"]
# Scenarios whose windows are a few hundred milliseconds of a guest under
# TCG, or that measure the guest's pace: with --lanes they run one at a
# time after the others, so that no other guest competes for the CPU.
ALONE = {"s_fatal_reset_before", "s_host_reset_fails",
         "s_second_error_during_recovery", "s_two_devices",
         "s_aer_message_suppressed", "s_aer_message_channel_race",
         "s_requested_reset_late", "s_multifunction_overlapping_errors",
         "s_nonfatal_storm", "s_guest_runs_during_host_reset",
         "s_migration", "s_migration_error_midway"}


class Ctx:
    pass


def run_one(ctx, name):
    """Run scenario @name ("s_..."); return (passed, its report line)."""
    fn = globals().get(name)
    if not fn:
        return False, f"unknown scenario {name[2:]}"
    t0 = time.monotonic()
    doc = " ".join((fn.__doc__ or "").split())
    try:
        fn(ctx)
        return True, (f"PASS {fn.__name__[2:]} ({time.monotonic() - t0:.1f}s):"
                      f" {doc}")
    except Exception as e:
        line = (f"FAIL {fn.__name__[2:]} ({time.monotonic() - t0:.1f}s): "
                f"{doc}: {e}")
        if not isinstance(e, (Failure, LibvirtFailure)):
            line += "\n" + traceback.format_exc().rstrip()
        return False, line


def lane(ctx, todo, done):
    """A lane: run scenarios from @todo until it is empty."""
    for name in iter(todo.get, None):
        done.put(run_one(ctx, name))


def run_lanes(ctx, names, lanes):
    """Run @names in @lanes processes, each taking the next one when it
    is done with its own; yield each result as it comes."""
    mp = multiprocessing.get_context("fork")
    todo, done = mp.Queue(), mp.Queue()
    procs = [mp.Process(target=lane, args=(ctx, todo, done))
             for _ in range(min(lanes, len(names)))]
    for name in names + [None] * len(procs):
        todo.put(name)
    for p in procs:
        p.start()
    try:
        for _ in names:
            while True:
                try:
                    yield done.get(timeout=5)
                    break
                except queue.Empty:
                    if not any(p.is_alive() for p in procs) and done.empty():
                        raise RuntimeError("an e2e lane died")
    finally:
        for p in procs:
            p.join(60)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--guest", required=True)
    ap.add_argument("--boot-timeout", type=int, default=120,
                    help="seconds a guest may take to boot")
    ap.add_argument("--sanitize", action="store_true",
                    help="the sanitized guest: also its own scenarios")
    ap.add_argument("--lanes", type=int, default=1,
                    help="guests at a time (scenarios in ALONE: one)")
    ap.add_argument("scenario", nargs="*")
    a = ap.parse_args()
    if a.lanes < 1:
        ap.error("--lanes must be at least 1")
    ctx = Ctx()
    ctx.qemu, ctx.guest = a.qemu, a.guest
    ctx.boot_timeout = a.boot_timeout
    ctx.sanitize = a.sanitize
    names = a.scenario or ORDER + (SANITIZE_ONLY if a.sanitize else [])
    names = [n if n.startswith("s_") else "s_" + n for n in names]
    together = [n for n in names if n not in ALONE] if a.lanes > 1 else []
    alone = [n for n in names if n not in together]
    passed = failed = 0
    results = itertools.chain(run_lanes(ctx, together, a.lanes),
                              (run_one(ctx, n) for n in alone))
    for ok, line in results:
        passed += ok
        failed += not ok
        print(line, flush=True)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
