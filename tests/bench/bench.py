#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""make bench: aer-pv against the guest's own link reset, its idle cost,
and an error storm, on the test guest under QEMU (TCG).

Latency.  One guest, one QEMU.  A fatal error on e1000e, with a modelled
host reset of 0, 200 or 5000 ms, is recovered either with aer-pv (the
virtio_aer_pv module loaded) or by the baseline: the module unloaded, the
host resets the device and then forwards the error as an emulated AER
message, and the guest resets the link itself.  The two paths alternate,
so machine noise hits both alike.

Every time is taken on the host's clock, from QEMU's trace log: QEMU's
own events (error injected, host reset done, AER message sent) and the
guest's accesses to the device, which trap into QEMU as they happen.
The driver's resume is called right after its slot_reset handler ends,
and e1000e's slot_reset ends by writing the Wake Up Status register;
that write is where "resume" is taken.

Idle.  60 s with the channel bound, counting in the guest the interrupts,
timers and work items of aer-pv (event tracing), and in QEMU the
notifications of the virtio-aer-pv queues.

Storm.  Errors at 1000 per second or more for 10 s against one device,
then against four; the core's memory (its sysfs counters) against its
designed bound, the guest's shell answering, and each device's end state.

Writes bench.md, bench.json and timeline.png to --out.  The last two
lines are "speedup: X.Yx" and "idle wakeups: N".
"""

import argparse
import datetime
import json
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "e2e"))
from aerpv import Guest, GuestError  # noqa: E402

# The modelled host reset answers as hardware in reset does, so e1000e's
# error_detected, which polls its registers, takes about 3 s when it meets
# it (under TCG): only a longer reset has the guest wait at its reset
# step, where aer-pv's own part is measured.
RESET_MS = (0, 200, 5000)
WAIT_MS = RESET_MS[-1]
WUS = 0x5810            # e1000e Wake Up Status: slot_reset's last write
E1000E_LNKCTL = 0xf0    # QEMU's e1000e: PCIe capability at 0xe0, + 0x10
BRIDGE_CONTROL = 0x3e
SBR = 0x40
TRACE = ["virtio_aer_pv_*", "e1000e_core_write", "pci_cfg_read",
         "pci_cfg_write", "virtio_notify", "virtio_queue_notify"]
# QEMU's log with -msg timestamp=on: "2026-11-25T23:49:46.082842Z name args"
LINE = re.compile(rb"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})Z (\w+) ?(.*)$")


class Trace:
    """QEMU's trace log (-D), read as it grows."""

    def __init__(self, path):
        self.path = path
        self.off = 0

    def mark(self):
        self.off = os.path.getsize(self.path)

    def since_mark(self):
        with open(self.path, "rb") as f:
            f.seek(self.off)
            data = f.read()
        out = []
        for raw in data.split(b"\n"):
            m = LINE.match(raw.lstrip(b"\0"))
            if m:
                t = datetime.datetime.strptime(m.group(1).decode(),
                                               "%Y-%m-%dT%H:%M:%S")
                t = t.replace(tzinfo=datetime.timezone.utc).timestamp()
                out.append((t + int(m.group(2)) / 1e6,
                            m.group(3).decode(), m.group(4).decode()))
        return out


def first(events, name, after=0.0, pred=lambda a: True):
    for t, n, a in events:
        if n == name and t >= after and pred(a):
            return t
    return None


def cfg_access(dev, offs=None, write=True):
    pat = re.compile(r"^(\S+) [0-9a-f:.]+ @0x([0-9a-f]+) (<-|->) 0x([0-9a-f]+)")

    def pred(a):
        m = pat.match(a)
        return (m and m.group(1) == dev and
                (m.group(3) == "<-" or not write) and
                (offs is None or int(m.group(2), 16) == offs))
    return pred


def reg_write(reg):
    def pred(a):
        m = re.match(r"Write to register 0x([0-9a-f]+)", a)
        return m and int(m.group(1), 16) == reg
    return pred


def sbr(asserted):
    pat = re.compile(r"^pcie-root-port \S+ @0x3e <- 0x([0-9a-f]+)")

    def pred(a):
        m = pat.match(a)
        return m and bool(int(m.group(1), 16) & SBR) == asserted
    return pred


class RunQueueWaits:
    """When the host's scheduler kept QEMU's vCPU thread waiting on a run
    queue: preempted while runnable, or woken and not yet running.  None
    of that is the guest's doing, and on a busy host it is most of the
    spread of a 1 ms measurement.  From the host's sched_switch and
    sched_waking events, in a tracefs instance of the bench's own, on
    the TAI clock (the trace log's wall clock plus a fixed offset).
    Needs root and tracefs: without them .ok is False and nothing is
    taken out."""

    TRACEFS = "/sys/kernel/tracing"
    LINE = re.compile(r"\s(\d+\.\d+): (sched_switch|sched_waking): (.*)$")

    def __init__(self, tid):
        self.tid, self.ok = tid, False
        self.dir = os.path.join(self.TRACEFS, "instances", "aer-pv-bench")
        try:
            if os.path.isdir(self.dir):
                os.rmdir(self.dir)
            os.mkdir(self.dir)
            self._write("trace_clock", "tai")
            self._write("buffer_size_kb", "4096")
            self._write("events/sched/sched_switch/filter",
                        f"prev_pid == {tid} || next_pid == {tid}")
            self._write("events/sched/sched_waking/filter", f"pid == {tid}")
            for e in ("sched_switch", "sched_waking"):
                self._write(f"events/sched/{e}/enable", "1")
            self.offset = time.clock_gettime(time.CLOCK_TAI) - time.time()
            self.ok = True
        except OSError as e:
            print(f"  (no host scheduler trace: {e}; the own part's p95 "
                  "includes the host's run queue waits)", flush=True)
            self.close()

    def _write(self, name, value):
        with open(os.path.join(self.dir, name), "w") as f:
            f.write(value)

    def mark(self):
        if self.ok:
            self._write("trace", "")

    def intervals(self):
        """The waits since the mark, as (start, end) on the wall clock."""
        if not self.ok:
            return []
        with open(os.path.join(self.dir, "trace")) as f:
            lines = f.read().splitlines()
        out, since, running = [], None, None
        for ln in lines:
            m = self.LINE.search(ln)
            if not m:
                continue
            t = float(m.group(1)) - self.offset
            f = dict(kv.split("=", 1) for kv in m.group(3).split()
                     if "=" in kv)
            if m.group(2) == "sched_waking":
                if not running and since is None:
                    since = t
            elif int(f.get("next_pid", -1)) == self.tid:
                if since is not None:
                    out.append((since, t))
                since, running = None, True
            elif int(f.get("prev_pid", -1)) == self.tid:
                running = False
                # Preempted while runnable: "R" or "R+"
                since = t if f.get("prev_state", "").startswith("R") \
                    else None
        return out

    @staticmethod
    def within(intervals, a, b):
        return sum(max(0.0, min(e, b) - max(s, a)) for s, e in intervals)

    def close(self):
        try:
            for e in ("sched_switch", "sched_waking"):
                self._write(f"events/sched/{e}/enable", "0")
            os.rmdir(self.dir)
        except OSError:
            pass


def vcpu_tid(pid):
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            if f.read().startswith("CPU 0/"):
                return int(tid)
    raise GuestError("QEMU has no vCPU thread")


def timeline(ev, path):
    """The recovery's moments, in seconds after the error was injected."""
    t0 = first(ev, "virtio_aer_pv_test_inject")
    # The modelled host reset ends when the device comes out of reset
    done = first(ev, "virtio_aer_pv_test_in_reset", t0,
                 lambda a: a.endswith(" 0"))
    if path == "aer-pv":
        told = first(ev, "virtio_aer_pv_event_sent", t0)
    else:
        told = first(ev, "virtio_aer_pv_test_aer_message", t0,
                     lambda a: a.endswith(" 0"))
    sbr_on = first(ev, "pci_cfg_write", told, sbr(True)) if told else None
    sbr_off = first(ev, "pci_cfg_write", sbr_on, sbr(False)) if sbr_on else None
    back = max(done or 0, sbr_off or 0)
    # slot_reset begins: e1000e's first access there reads its Link
    # Control (to disable ASPM); the baseline's wait for the link after
    # its reset reads other registers
    slot = first(ev, "pci_cfg_read", back,
                 cfg_access("e1000e", E1000E_LNKCTL, write=False))
    resume = first(ev, "e1000e_core_write", back, reg_write(WUS))
    if None in (t0, done, told, slot, resume):
        raise GuestError(f"{path}: incomplete trace: inject {t0} done {done} "
                         f"told {told} slot_reset {slot} resume {resume}")
    detected = first(ev, "e1000e_core_write", told) or told
    rel = {k: (v - t0 if v else None) for k, v in
           dict(host_reset_done=done, guest_told=told,
                error_detected=detected, link_reset=sbr_on,
                link_reset_end=sbr_off, slot_reset=slot,
                resume=resume).items()}
    rel["injected_at"] = t0
    return rel


def wait_recovery(g, timeout=60):
    """The outcome of the recovery the guest's log (cleared before the
    error) reports: "successful" or "failed"."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = g.out("dmesg | grep -o -E 'AER: device recovery "
                    "(successful|failed)' || true")
        if out:
            return out.split()[-1]
        time.sleep(0.2)
    raise GuestError(f"the recovery did not end within {timeout} s")


def total_resets(g, dev="nic0"):
    """(resets that reached the device, those the guest issued)"""
    c = g.resets(dev)
    guest = c["link-resets"] + c["function-resets"]
    return guest + c["host-resets"], guest


def latency(args, tracefile):
    # debug-threads: the vCPU thread by its name, for RunQueueWaits
    g = Guest(args.qemu, args.guest, timeout_ms=20000, extra=[
        "-name", "bench,debug-threads=on",
        "-msg", "timestamp=on", "-D", tracefile] +
        sum((["-trace", t] for t in TRACE), []))
    results = []
    rq = None
    try:
        g.start()
        tr = Trace(tracefile)
        rq = RunQueueWaits(vcpu_tid(g.proc.pid))
        all_ok = True
        for rep in range(args.reps):
            for ms in RESET_MS:
                order = ["aer-pv", "baseline"]
                if rep % 2:
                    order.reverse()
                for path in order:
                    if path == "aer-pv":
                        g.load_driver()
                    if not g.traffic():
                        raise GuestError("no traffic before the error")
                    before, guest_before = total_resets(g)
                    g.out("dmesg -c >/dev/null")
                    tr.mark()
                    rq.mark()
                    if path == "aer-pv":
                        g.inject(severity="fatal", **{
                            "host-reset": "after", "reset-delay-ms": ms})
                    else:
                        g.inject(severity="fatal", channel=False, **{
                            "aer-message": True,
                            "aer-message-after-reset": True,
                            "host-reset": "after", "reset-delay-ms": ms})
                    all_ok &= wait_recovery(g) == "successful"
                    ok = g.traffic()
                    resets, guest_resets = total_resets(g)
                    resets -= before
                    guest_resets -= guest_before
                    if path == "baseline":
                        # virtio-aer-pv counts the host's resets of the
                        # errors it delivers; this one went around it
                        resets += 1
                    if path == "aer-pv":
                        g.out("rmmod virtio_aer_pv")
                    rel = timeline(tr.since_mark(), path)
                    # The host's run queue waits of the vCPU within the
                    # own part, from the host's reset done to slot_reset
                    t0 = rel.pop("injected_at")
                    rel["own_rq_wait"] = RunQueueWaits.within(
                        rq.intervals(), t0 + rel["host_reset_done"],
                        t0 + rel["slot_reset"]) if rq.ok else None
                    rel.update(path=path, host_reset_ms=ms, rep=rep,
                               resets=resets, guest_resets=guest_resets,
                               traffic=ok)
                    results.append(rel)
                    print(f"  {path:8} host reset {ms:3} ms  rep {rep + 1:2}:"
                          f" resume +{rel['resume'] * 1e3:7.1f} ms, guest-added"
                          f" {(rel['resume'] - rel['host_reset_done']) * 1e3:6.1f}"
                          f" ms, resets {resets}{'' if ok else ', NO TRAFFIC'}",
                          flush=True)
        return results, all_ok
    finally:
        if rq:
            rq.close()
        g.stop()


def pct(xs, p):
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def summarize(results):
    rows = []
    for ms in RESET_MS:
        for path in ("aer-pv", "baseline"):
            rs = [r for r in results
                  if r["host_reset_ms"] == ms and r["path"] == path]
            total = [r["resume"] * 1e3 for r in rs]
            added = [(r["resume"] - r["host_reset_done"]) * 1e3 for r in rs]
            own = [(r["slot_reset"] - r["host_reset_done"]) * 1e3 for r in rs]
            waits = [r.get("own_rq_wait") for r in rs]
            own_run = None if None in waits else \
                [o - w * 1e3 for o, w in zip(own, waits)]
            drv = [(r["resume"] - r["slot_reset"]) * 1e3 for r in rs]
            rows.append(dict(
                host_reset_ms=ms, path=path, n=len(rs),
                total_median=statistics.median(total),
                total_p95=pct(total, 95),
                added_median=statistics.median(added),
                added_p95=pct(added, 95),
                before_slot_reset_median=statistics.median(own),
                slot_reset_median=statistics.median(drv),
                own_p95=pct(own, 95),
                # the same, less the host's run queue waits of the vCPU
                own_run_median=own_run and statistics.median(own_run),
                own_run_p95=own_run and pct(own_run, 95),
                own_rq_wait_max=own_run and max(waits) * 1e3,
                resets=sorted(set(r["resets"] for r in rs)),
                guest_resets=sum(r["guest_resets"] for r in rs),
                traffic=all(r["traffic"] for r in rs)))
    return rows


# -- idle ---------------------------------------------------------------

IDLE_EVENTS = ["irq/irq_handler_entry", "timer/timer_expire_entry",
               "timer/hrtimer_expire_entry", "workqueue/workqueue_execute_start"]


def idle(args, tracefile):
    g = Guest(args.qemu, args.guest, extra=[
        "-msg", "timestamp=on", "-D", tracefile] +
        sum((["-trace", t] for t in TRACE), []))
    try:
        g.start()
        g.load_driver()
        vdev = g.out("ls /sys/bus/virtio/drivers/virtio_aer_pv | "
                     "grep virtio").split()[0]
        time.sleep(2)
        tdir = "/sys/kernel/tracing"
        g.out(f"echo 0 > {tdir}/tracing_on; echo > {tdir}/trace; " +
              "; ".join(f"echo 1 > {tdir}/events/{e}/enable"
                        for e in IDLE_EVENTS) +
              f"; echo 1 > {tdir}/tracing_on")
        irq0 = g.out(f"grep {vdev}- /proc/interrupts || true")
        tr = Trace(tracefile)
        tr.mark()
        time.sleep(args.idle_seconds)
        host = tr.since_mark()
        g.out(f"echo 0 > {tdir}/tracing_on")
        irq1 = g.out(f"grep {vdev}- /proc/interrupts || true")
        # Everything aer-pv runs is named aer_pv_* or vap_*, and its
        # interrupts are those of its virtio device.
        pat = f"aer_pv|vap_|name={vdev}-"
        guest_n = int(g.out(f"grep -c -E '{pat}' {tdir}/trace || true") or 0)
        total_n = int(g.out(f"grep -v -c '^#' {tdir}/trace || true") or 0)
        host_n = sum(1 for _, n, _ in host
                     if n.startswith(("virtio_aer_pv", "virtio_notify",
                                      "virtio_queue_notify")))

        def counts(s):
            return sum(int(x) for line in s.splitlines()
                       for x in line.split()[1:2] if x.isdigit())
        irq_n = counts(irq1) - counts(irq0)
        return dict(seconds=args.idle_seconds, guest_events=guest_n,
                    guest_events_all=total_n, interrupts=irq_n,
                    host_notifications=host_n,
                    wakeups=guest_n + max(irq_n, 0) + host_n)
    finally:
        g.stop()


# -- storm --------------------------------------------------------------

def storm(args, tracefile, nics, last):
    """Each device gets args.storm_rate errors per second for
    args.storm_seconds (QEMU injects them: x-aer-pv-inject-error's repeat),
    then the errors of @last, one per device."""
    g = Guest(args.qemu, args.guest, nics=nics, extra=[
        "-msg", "timestamp=on", "-D", tracefile, "-trace",
        "virtio_aer_pv_test_inject"])
    try:
        g.start()
        g.load_driver()
        devs = [f"nic{i}" for i in range(nics)]
        bdfs = [g.bdf(i) for i in range(nics)]
        ch = "/sys/bus/virtio/drivers/virtio_aer_pv/virtio*/aer_pv"
        mem_before = int(g.out(f"cat {ch}/mem_bytes"))
        tr = Trace(tracefile)
        tr.mark()
        count = args.storm_rate * args.storm_seconds
        for dev in devs:
            g.inject(id=dev, severity="fatal", repeat=count,
                     **{"host-reset": "before",
                        "repeat-interval-us": 1000000 // args.storm_rate})
        t0 = time.monotonic()
        worst = 0.0
        probes = 0
        while time.monotonic() - t0 < args.storm_seconds + 1:
            t = time.monotonic()
            g.out("echo alive", timeout=30)
            worst = max(worst, time.monotonic() - t)
            probes += 1
            time.sleep(0.5)
        injected = [t for t, n, _ in tr.since_mark()
                    if n == "virtio_aer_pv_test_inject"]
        span = (injected[-1] - injected[0]) if len(injected) > 1 else 1
        for dev, extra in last.items():
            g.inject(id=dev, severity="fatal", **extra)
        # Let the last recoveries end, then read the end state.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            states = [g.sysfs(b, "state") for b in bdfs]
            if all(st == "idle" for st in states):
                break
            time.sleep(0.5)
        time.sleep(1)
        end = {}
        for dev, b in zip(devs, bdfs):
            end[dev] = dict(state=g.sysfs(b, "state"),
                            recovered=int(g.sysfs(b, "recovered")),
                            failed=int(g.sysfs(b, "failed")),
                            coalesced=int(g.sysfs(b, "coalesced")),
                            errors=int(g.sysfs(b, "errors_fatal")))
        log = g.dmesg()
        perm = log.count("AER: device recovery failed")
        traffic = g.traffic(tries=10)
        mem = {"mem_bytes": int(g.out(f"cat {ch}/mem_bytes")),
               "mem_bytes_before": mem_before}
        return dict(nics=nics, injected=len(injected),
                    seconds=round(span, 2),
                    rate=round(len(injected) / span) if span else 0,
                    shell_probes=probes, shell_worst_s=round(worst, 3),
                    responsive=worst < 5.0, end=end,
                    perm_failure_logs=perm, traffic_nic0=traffic, **mem)
    finally:
        g.stop()


# -- output -------------------------------------------------------------

def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def med(p, k):
        rs = [r for r in results if r["path"] == p and
              r["host_reset_ms"] == WAIT_MS]
        vals = [r[k] for r in rs if r.get(k) is not None]
        return statistics.median(vals) * 1e3 if vals else None

    fig, ax = plt.subplots(figsize=(11, 3.6))
    rows = []
    for i, p in enumerate(("baseline", "aer-pv")):
        y = i * 3
        done = med(p, "host_reset_done")
        told = med(p, "guest_told")
        lr, lre = med(p, "link_reset"), med(p, "link_reset_end")
        slot, res = med(p, "slot_reset"), med(p, "resume")
        ax.broken_barh([(0, done)], (y + 2, 0.8), color="#888888")
        ax.broken_barh([(told, (lr or slot) - told)], (y + 1, 0.8),
                       color="#f2b134")
        if lr:
            ax.broken_barh([(lr, slot - lr)], (y + 1, 0.8), color="#d9534f")
        ax.broken_barh([(slot, res - slot)], (y + 1, 0.8), color="#5b8def")
        ax.plot([res], [y + 1.4], marker="v", color="black")
        ax.text(res + 4, y + 1.2, f"resume +{res:.0f} ms", fontsize=8)
        rows += [(y + 2.4, f"{p}: host"), (y + 1.4, f"{p}: guest")]
    ax.set_yticks([r[0] for r in rows], [r[1] for r in rows])
    ax.set_xlabel(f"ms after the error (median of the runs, host reset "
                  f"{WAIT_MS} ms)")
    from matplotlib.patches import Patch
    ax.legend(handles=[
        Patch(color="#888888", label="host reset"),
        Patch(color="#f2b134", label="error_detected, waiting"),
        Patch(color="#d9534f", label="guest link reset + settle"),
        Patch(color="#5b8def", label="driver slot_reset")],
        loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=8)
    ax.set_title("Fatal error on e1000e: recovery timeline")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def own_line(a):
    line = (f"aer-pv's own part at a {WAIT_MS} ms host reset (the host's "
            "\"reset done\" to slot_reset's first access): median "
            f"{a['before_slot_reset_median']:.2f} ms, p95 {a['own_p95']:.2f} ms")
    if a["own_run_p95"] is not None:
        line += (f"; less the host's run queue waits of the vCPU thread "
                 f"(at most {a['own_rq_wait_max']:.2f} ms in one run): "
                 f"median {a['own_run_median']:.2f} ms, "
                 f"p95 {a['own_run_p95']:.2f} ms")
    return line


def table(rows):
    out = ["| host reset | path | runs | error → resume median (p95) | "
           "guest-added median (p95) | of it, before slot_reset | "
           "driver slot_reset | resets reaching the device |",
           "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(
            f"| {r['host_reset_ms']} ms | {r['path']} | {r['n']} | "
            f"{r['total_median']:.1f} ms ({r['total_p95']:.1f}) | "
            f"{r['added_median']:.1f} ms ({r['added_p95']:.1f}) | "
            f"{r['before_slot_reset_median']:.1f} ms | "
            f"{r['slot_reset_median']:.1f} ms | "
            f"{'/'.join(map(str, r['resets']))} |")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--guest", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--idle-seconds", type=int, default=60)
    ap.add_argument("--storm-rate", type=int, default=1000)
    ap.add_argument("--storm-seconds", type=int, default=10)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    tracefile = os.path.join(args.out, "qemu-trace.log")

    print(f"== latency: {args.reps} runs per path and host reset "
          f"({', '.join(map(str, RESET_MS))} ms), interleaved", flush=True)
    results, all_ok = latency(args, tracefile)
    rows = summarize(results)

    print(f"== idle: {args.idle_seconds} s with the channel bound", flush=True)
    idl = idle(args, tracefile)

    print(f"== storm: {args.storm_rate}/s for {args.storm_seconds} s",
          flush=True)
    storms = [storm(args, tracefile, 1, {}),
              storm(args, tracefile, 4,
                    {"nic3": {"host-reset": "failed", "reset-delay-ms": 50}})]

    a = next(r for r in rows if r["path"] == "aer-pv" and
             r["host_reset_ms"] == WAIT_MS)
    b = next(r for r in rows if r["path"] == "baseline" and
             r["host_reset_ms"] == WAIT_MS)
    speedup = b["added_median"] / a["added_median"]

    md = ["## Latency", "", table(rows), "",
          "Times on the host's clock, from QEMU's trace log; \"resume\" is "
          "when e1000e's slot_reset ends (its last register write), right "
          "before the PCI core calls its resume. Guest-added: from the "
          "host's \"reset done\" to resume. Resets: link, function and host "
          "resets that reached the device per error.", "",
          own_line(a), "",
          "## Idle", "",
          f"{idl['seconds']} s idle with the channel bound: "
          f"{idl['interrupts']} interrupts of the virtio-aer-pv device, "
          f"{idl['guest_events']} interrupt/timer/work events of aer-pv "
          f"in the guest (of {idl['guest_events_all']} traced in all), "
          f"{idl['host_notifications']} virtqueue notifications in QEMU.",
          "", "## Storm", "",
          "| devices | errors injected | rate reached | shell worst answer | "
          "core memory before | after | end state |",
          "|---:|---:|---:|---:|---:|---:|---|"]
    for s in storms:
        end = "; ".join(f"{d}: {e['state']}, recovered {e['recovered']}, "
                        f"failed {e['failed']}"
                        for d, e in s["end"].items())
        md.append(f"| {s['nics']} | {s['injected']} | {s['rate']}/s | "
                  f"{s['shell_worst_s']} s | {s['mem_bytes_before']} B | "
                  f"{s['mem_bytes']} B | {end} |")
    md += ["", f"speedup: {speedup:.1f}x", f"idle wakeups: {idl['wakeups']}"]
    with open(os.path.join(args.out, "bench.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    with open(os.path.join(args.out, "bench.json"), "w") as f:
        json.dump(dict(runs=results, summary=rows, idle=idl, storm=storms,
                       speedup=speedup), f, indent=1)
    plot(results, os.path.join(args.out, "timeline.png"))

    problems = []
    if not all_ok:
        problems.append("a recovery in the latency runs failed")
    if not all(r["traffic"] for r in rows):
        problems.append("the NIC passed no traffic after a recovery")
    for r in rows:
        if r["path"] == "aer-pv" and r["guest_resets"]:
            problems.append(f"aer-pv at a {r['host_reset_ms']} ms host reset:"
                            f" the guest reset the device {r['guest_resets']}"
                            " times itself")
    # aer-pv's own part: from the host's "reset done" to slot_reset.  Its
    # tail is judged without the time the host's scheduler held the vCPU
    # thread on a run queue, where that was measured: a build beside the
    # bench preempts the vCPU for milliseconds, which no guest can help.
    p95 = a["own_p95"] if a["own_run_p95"] is None else a["own_run_p95"]
    if a["before_slot_reset_median"] > 1.0 or p95 > 2.0:
        problems.append(f"aer-pv's own time at a {WAIT_MS} ms host reset: "
                        f"{own_line(a)}: over 1 ms median (2 ms p95)")
    for s in storms:
        if s["mem_bytes"] != s["mem_bytes_before"]:
            problems.append(f"storm x{s['nics']}: core memory grew")
        if not s["responsive"]:
            problems.append(f"storm x{s['nics']}: the guest stopped answering")
        for d, e in s["end"].items():
            want_fail = d == "nic3"
            if e["state"] != "idle" or (e["failed"] > 0) != want_fail:
                problems.append(f"storm x{s['nics']}: {d} ended wrong: {e}")
        if not s["traffic_nic0"]:
            problems.append(f"storm x{s['nics']}: nic0 passes no traffic")

    print()
    print("\n".join(md[:-2]))
    print(f"\nwrote {args.out}/bench.md, bench.json, timeline.png")
    for p in problems:
        print(f"PROBLEM: {p}")
    print(f"speedup: {speedup:.1f}x")
    print(f"idle wakeups: {idl['wakeups']}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
