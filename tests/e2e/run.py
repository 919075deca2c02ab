#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""End-to-end scenarios of aer-pv in a real guest under QEMU.

Each scenario boots a fresh guest (Linux 6.12 with aer-pv, e1000e behind a
PCIe Root Port, the virtio-aer-pv channel), injects an error with the
aer-pv-inject-error QMP command, and checks the guest's log and sysfs,
QEMU's reset counters and AER_PV_PHASE events, and real traffic through
the NIC.  Prints PASS/FAIL per scenario and "N passed, N failed" last.

usage: run.py --qemu QEMU --guest GUESTDIR [scenario ...]
"""

import argparse
import contextlib
import sys
import time
import traceback

from aerpv import Guest

RECOVERED = r"AER: device recovery successful"
FAILED = r"AER: device recovery failed"


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


@contextlib.contextmanager
def guest(ctx, driver=True, **kw):
    g = Guest(ctx.qemu, ctx.guest, **kw)
    try:
        g.start()
        if driver:
            g.load_driver()
            check(g.wait_dmesg("host-coordinated AER recovery enabled", 1, 30),
                  "virtio-aer-pv driver did not bind")
        check(g.traffic(), "no traffic through the NIC before the error")
        yield g
    except Exception:
        ctx.last_log = g.dmesg_safe() if hasattr(g, "dmesg_safe") else ""
        raise
    finally:
        g.stop()


def phases(g, seq=None):
    time.sleep(0.5)
    return [p for s, p in g.phases("nic0") if seq is None or s == seq]


def assert_no_guest_reset(g, dev="nic0"):
    c = g.resets(dev)
    check(c["link-resets"] == 0 and c["function-resets"] == 0,
          f"the guest reset {dev} itself: {c}")
    return c


def fatal(ctx, mode, delay):
    with guest(ctx) as g:
        bdf = g.bdf()
        r = g.inject(severity="fatal", **{"host-reset": mode,
                                          "reset-delay-ms": delay})
        check(r["delivered"], "error not delivered over the channel")
        check(g.wait_dmesg(RECOVERED, 1, 60) == 1, "no recovery in the guest")
        c = assert_no_guest_reset(g)
        check(c["host-resets"] == 1, f"host resets: {c['host-resets']}, want 1")
        log = g.dmesg()
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
    """fatal error, the host reset ends 200 ms after the notification"""
    fatal(ctx, "after", 200)


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
    with guest(ctx) as g:
        bdf = g.bdf()
        g.inject(severity="fatal", **{"host-reset": "after",
                                      "reset-delay-ms": 1500})
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
        check(g.traffic(), "no traffic after recovery")


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


def ordering(ctx, first):
    with guest(ctx) as g:
        bdf = g.bdf()
        delay = {"channel-delay-ms" if first == "aer" else
                 "aer-message-delay-ms": 1500}
        r = g.inject(severity="fatal", **{"aer-message": True,
                                          "host-reset": "after",
                                          "reset-delay-ms": 300}, **delay)
        check(g.wait_dmesg(RECOVERED, 1, 60) == 1, "no recovery")
        time.sleep(3)      # let the later of the two arrive
        log = g.dmesg()
        check(len(__import__("re").findall(RECOVERED, log)) == 1,
              "recovered twice")
        check(g.sysfs(bdf, "aer_matched") == "1", "message not matched")
        check(g.sysfs(bdf, "recovered") == "1", "recovered != 1")
        assert_no_guest_reset(g)
        check("Root Port link has been reset" not in log, "guest link reset")
        check("recovered" in phases(g, r["seq"]), "no recovered phase")
        check(g.traffic(), "no traffic after recovery")


def s_aer_message_first(ctx):
    """emulated AER message before the channel event: one recovery"""
    ordering(ctx, "aer")


def s_channel_event_first(ctx):
    """channel event before the emulated AER message: one recovery"""
    ordering(ctx, "channel")


SCENARIOS = [v for k, v in sorted(globals().items()) if k.startswith("s_")]
ORDER = ["s_fatal_reset_before", "s_fatal_reset_after",
         "s_nonfatal_need_reset", "s_nonfatal_host_cannot_reset",
         "s_correctable", "s_host_reset_never_completes",
         "s_host_reset_fails", "s_second_error_during_recovery",
         "s_two_devices", "s_driver_not_loaded", "s_aer_message_first",
         "s_channel_event_first"]


class Ctx:
    pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--guest", required=True)
    ap.add_argument("scenario", nargs="*")
    a = ap.parse_args()
    ctx = Ctx()
    ctx.qemu, ctx.guest = a.qemu, a.guest
    names = a.scenario or ORDER
    passed = failed = 0
    for name in names:
        fn = globals().get(name if name.startswith("s_") else "s_" + name)
        if not fn:
            print(f"unknown scenario {name}")
            failed += 1
            continue
        t0 = time.monotonic()
        try:
            fn(ctx)
            passed += 1
            print(f"PASS {fn.__name__[2:]} ({time.monotonic() - t0:.1f}s): "
                  f"{fn.__doc__}", flush=True)
        except Exception as e:
            failed += 1
            print(f"FAIL {fn.__name__[2:]} ({time.monotonic() - t0:.1f}s): "
                  f"{fn.__doc__}: {e}", flush=True)
            if not isinstance(e, Failure):
                traceback.print_exc()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
