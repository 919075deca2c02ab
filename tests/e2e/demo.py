#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Show a recovery: one fatal error on an e1000e with a 200 ms host reset,
first with aer-pv, then the same error without it (the error forwarded
as an emulated AER message only, the guest resetting the link itself).
For each run, print the timeline, "guest link resets: N", when the guest
touched the device relative to the end of the host's reset, and how many
of its accesses found the device in the host's reset (the modelled reset
answers as hardware in reset does: all ones)."""

import argparse
import re
import sys
import time

from aerpv import Guest

RESET_MS = 200
INTERESTING = re.compile(r"AER|aer-pv|e1000e.*(Link|reset)")


def timeline(g, t0_host, since):
    g.poll_events()
    lines = []
    for e in g.events:
        if e["event"] != "AER_PV_PHASE":
            continue
        ts = e["timestamp"]["seconds"] + e["timestamp"]["microseconds"] / 1e6
        lines.append((ts - t0_host, f"host   QMP AER_PV_PHASE {e['data']['phase']}"
                      f" (seq {e['data']['seq']})"))
    base = None
    for line in g.dmesg().splitlines():
        m = re.match(r"\[\s*([0-9.]+)\]\s*(.*)", line)
        if m and float(m.group(1)) > since and INTERESTING.search(m.group(2)):
            # guest time from its first log line about the error
            base = float(m.group(1)) if base is None else base
            lines.append((None, f"guest  [+{float(m.group(1)) - base:6.3f}s] "
                          f"{m.group(2)}"))
    for off, text in lines:
        print(f"  {'' if off is None else f'+{off:6.3f}s'}".ljust(11) + text)


def first_guest_reset(g, t0, timeout=10):
    """Host time, from t0, at which the guest's first link or function
    reset of the NIC reached QEMU; polled, so late by a few ms at most."""
    end = time.time() + timeout
    while time.time() < end:
        c = g.resets()
        if c["link-resets"] + c["function-resets"]:
            return time.time() - t0
        time.sleep(0.002)
    return None


def phase_time(g, t0, phase):
    g.poll_events()
    for e in g.events:
        if e["event"] == "AER_PV_PHASE" and e["data"]["phase"] == phase:
            ts = e["timestamp"]
            return ts["seconds"] + ts["microseconds"] / 1e6 - t0
    return None


def run(args, with_aer_pv):
    g = Guest(args.qemu, args.guest, channel=with_aer_pv)
    try:
        g.start()
        if with_aer_pv:
            g.load_driver()
        if not g.traffic():
            print("the NIC passes no traffic before the error", file=sys.stderr)
            return None
        # printk time, not /proc/uptime: the two clocks drift apart
        stamps = re.findall(r"^\[\s*([0-9.]+)\]", g.dmesg(), re.M)
        since = float(stamps[-1]) if stamps else 0.0
        print(f"\n== {'with aer-pv' if with_aer_pv else 'without aer-pv'}:"
              f" fatal error on e1000e, host reset {RESET_MS} ms ==")
        t0 = time.time()
        print(f"  +{0:6.3f}s  host   error injected, host link reset starts")
        if with_aer_pv:
            g.inject(severity="fatal", **{"host-reset": "after",
                                          "reset-delay-ms": RESET_MS})
        else:
            g.inject(severity="fatal", channel=False,
                     **{"aer-message": True, "host-reset": "after",
                        "reset-delay-ms": RESET_MS})
            touched = first_guest_reset(g, t0)
        g.wait_dmesg(r"AER: device recovery (successful|failed)", 1, 60)
        time.sleep(0.5)
        timeline(g, t0, since)
        end = RESET_MS / 1000
        if with_aer_pv:
            t = phase_time(g, t0, "recovered")
            waited = "waiting for host reset" in g.dmesg()
            if t is not None and waited:
                print(f"  the guest waited for the host: it resumed the "
                      f"device {(t - end) * 1000:.0f} ms after the host's "
                      f"reset ended")
            elif t is not None:
                print("  the host's reset ended while the guest's drivers "
                      "were still in error_detected (e1000e polls a device "
                      "in reset until its timeouts), so the guest found it "
                      f"done and did not reset; it resumed the device at "
                      f"+{t:.3f}s")
        elif touched is None:
            print("  the guest did not reset the device")
        else:
            d = (touched - end) * 1000
            print(f"  the guest reset the link at +{touched:.3f}s, "
                  f"{abs(d):.0f} ms {'before' if d < 0 else 'after'} the "
                  f"host's reset ended" +
                  (": a second reset racing with the host's" if d < 0
                   else ""))
        ok = g.traffic()
        outcome = re.findall(r"AER: device recovery (successful|failed)",
                             g.dmesg())
        print(f"  recovery: {outcome[-1] if outcome else 'none'}; traffic "
              f"after recovery: {'yes' if ok else 'NO'}")
        c = g.resets()
        print(f"guest link resets: {c['link-resets'] + c['function-resets']}")
        print(f"device accesses while the host reset: "
              f"{c['accesses-in-reset']}")
        if with_aer_pv:
            print(f"device accesses after RESET_WAIT: "
                  f"{c['accesses-after-reset-wait']}")
        elif c["accesses-in-reset"]:
            print(f"  the guest's own recovery touched the device "
                  f"{c['accesses-in-reset']} times while the host reset "
                  "it: each read found all ones, each write was lost "
                  "(the seed's race)")
        return (c["link-resets"] + c["function-resets"], ok,
                c["accesses-after-reset-wait"])
    finally:
        g.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--guest", required=True)
    args = ap.parse_args()
    a = run(args, True)
    b = run(args, False)
    if not a or not b:
        return 1
    if a[0] != 0 or b[0] < 1 or not a[1] or a[2] != 0:
        print("unexpected result", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
