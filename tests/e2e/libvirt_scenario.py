#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The e2e scenario under libvirt, the way users run VMs.

The test guest becomes a libvirt domain (aer-pv-domain.xml beside this
file, the same file the user guide shows) of a libvirtd that the scenario
starts and stops itself.  Errors go in through `virsh
qemu-monitor-command` and the outcome comes back through `virsh
qemu-monitor-event --event AER_PV_PHASE`, as a management tool would see
it.

The libvirtd is the system's binary (Debian 12's libvirt 9.0) with none of
the system's state: it runs as pid 1's child in new mount and pid
namespaces, where /etc/libvirt, /run/libvirt, /var/lib/libvirt,
/var/log/libvirt and /var/cache/libvirt are bind mounts of directories
under one temporary directory, the cgroup hierarchies are unmounted
(libvirt then leaves the host's cgroups alone), and /etc/passwd and
/etc/group are copies with the libvirt-qemu user that libvirtd needs.
virsh joins those namespaces with nsenter.  When the namespace's pid 1
ends, the kernel kills whatever is left in it, and pid 1 ends with the
test: unshare dies with the test (PR_SET_PDEATHSIG) and takes pid 1 with
it (--kill-child).  So no libvirtd or QEMU outlives the scenario, even
when the test itself is killed (only the temporary directory, and the
empty mount points that it made for directories the system lacks, are
then left).

usage: libvirt_scenario.py --qemu QEMU --guest GUESTDIR
       (run.py runs it as the scenario "libvirt")
"""

import argparse
import ctypes
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import uuid
from xml.sax.saxutils import escape

from aerpv import Guest, GuestError, _Http

HERE = os.path.dirname(os.path.abspath(__file__))
TEMPLATE = os.path.join(HERE, "aer-pv-domain.xml")
GUIDE = os.path.join(HERE, "../../Documentation/aer-pv-user-guide.rst")
NAME = "aer-pv-e2e"
NIC = "ua-nic0"                 # the NIC's user alias, so its QEMU id
RECOVERED = r"AER: device recovery successful"
URI = "qemu:///system"

# Where a privileged libvirtd keeps its configuration and state: each is
# a bind mount of TMP/<key> in the namespace.
LIBVIRT_DIRS = {"etc": "/etc/libvirt", "run": "/run/libvirt",
                "lib": "/var/lib/libvirt", "log": "/var/log/libvirt",
                "cache": "/var/cache/libvirt"}

LIBVIRTD_CONF = """\
# aer-pv e2e: a libvirtd of the test's own
auth_unix_ro = "none"
auth_unix_rw = "none"
host_uuid = "{uuid}"
log_outputs = "3:file:/var/log/libvirt/libvirtd.log"
"""

# QEMU as root, with no security driver, private /dev or cgroups: the
# domain needs nothing that these would confine, and the host is left
# as it was.  No virtlogd: QEMU's output goes to a file.
QEMU_CONF = """\
# aer-pv e2e: a libvirtd of the test's own
user = "root"
group = "root"
dynamic_ownership = 0
remember_owner = 0
security_driver = "none"
namespaces = [ ]
cgroup_controllers = [ ]
seccomp_sandbox = 0
stdio_handler = "file"
"""


class Failure(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Failure(msg)


def _die_with_parent():
    """In the child before exec: SIGKILL when the test process dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL)       # PR_SET_PDEATHSIG


def _children(pid):
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # the field after the command name, which may hold spaces
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.append(int(p))
    return out


def _tail(path, n=3000):
    try:
        with open(path, errors="replace") as f:
            return f.read()[-n:]
    except OSError:
        return ""


def system_state():
    """The system's libvirt directories, as (path, mode, size, mtime):
    the scenario must leave them as they were."""
    state = []
    for top in LIBVIRT_DIRS.values():
        for root, dirs, files in os.walk(top):
            for name in sorted(dirs + files):
                p = os.path.join(root, name)
                try:
                    st = os.lstat(p)
                except OSError:
                    continue
                state.append((p, st.st_mode, st.st_size, st.st_mtime_ns))
        if os.path.exists(top):
            state.append((top, "exists"))
    return sorted(state, key=str)


class Libvirtd:
    """The system's libvirtd, with a private configuration and state, in
    mount and pid namespaces of its own (see the module's docstring)."""

    def __init__(self):
        self.tmp = tempfile.mkdtemp(prefix="aer-pv-libvirt-")
        self.proc = None        # unshare
        self.init_pid = None    # the namespace's pid 1, as the host sees it
        self.pidns = None
        self.made = []          # mount points this created on the host

    def path(self, key, *rest):
        return os.path.join(self.tmp, key, *rest)

    def start(self, timeout=120):
        for key in LIBVIRT_DIRS:
            os.makedirs(self.path(key))
        with open(self.path("etc", "libvirtd.conf"), "w") as f:
            f.write(LIBVIRTD_CONF.format(uuid=uuid.uuid4()))
        with open(self.path("etc", "qemu.conf"), "w") as f:
            f.write(QEMU_CONF)
        # A bind mount needs its mount point: one that is missing is made
        # here, empty, and removed again by stop().
        for path in LIBVIRT_DIRS.values():
            if not os.path.isdir(path):
                os.mkdir(path)
                self.made.append(path)
        self.proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "--pid",
             "--fork", "--mount-proc", "--kill-child",
             sys.executable, os.path.abspath(__file__), "--ns-init",
             self.tmp],
            stdin=subprocess.DEVNULL,
            stdout=open(os.path.join(self.tmp, "init.log"), "wb"),
            stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + timeout
        while not self.init_pid:
            kids = _children(self.proc.pid)
            if kids:
                self.init_pid = kids[0]
                self.pidns = os.readlink(f"/proc/{self.init_pid}/ns/pid")
                break
            self._alive(deadline, "unshare did not start the namespace")
            time.sleep(0.05)
        sock = self.path("run", "libvirt-sock")
        while not os.path.exists(sock):
            self._alive(deadline, "libvirtd did not open its socket")
            time.sleep(0.2)
        while True:
            r = self.virsh("list", "--all", check=False, timeout=30)
            if r.returncode == 0:
                return
            self._alive(deadline, "libvirtd does not answer: " + r.stderr)
            time.sleep(0.5)

    def _alive(self, deadline, msg):
        if self.proc.poll() is not None:
            raise GuestError(f"libvirtd's namespace ended "
                             f"({self.proc.returncode}): " + self.logs())
        if time.monotonic() > deadline:
            raise GuestError(msg + ": " + self.logs())

    def logs(self):
        return ("\ninit: " + _tail(os.path.join(self.tmp, "init.log")) +
                "\nlibvirtd.log: " + _tail(self.path("log", "libvirtd.log")))

    def virsh_cmd(self, *args, wrap=()):
        return (["nsenter", "-t", str(self.init_pid), "--mount", "--pid",
                 "--"] + list(wrap) + ["virsh", "-q", "-c", URI] + list(args))

    def virsh(self, *args, timeout=60, check=True):
        """Run virsh in the namespace; return the CompletedProcess (its
        stdout, stderr as text); with check, fail unless it succeeded."""
        cmd = self.virsh_cmd(*args)
        try:
            r = subprocess.run(cmd, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            raise GuestError(f"virsh {' '.join(args)}: no answer within "
                             f"{timeout} s")
        if check and r.returncode:
            raise GuestError(f"virsh {' '.join(args)} failed "
                             f"({r.returncode}): {r.stderr.strip()}")
        return r

    def procs(self):
        """The processes left in the namespace, as (pid, command)."""
        left = []
        if not self.pidns:
            return left
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            try:
                if os.readlink(f"/proc/{p}/ns/pid") != self.pidns:
                    continue
                with open(f"/proc/{p}/comm") as f:
                    left.append((int(p), f.read().strip()))
            except OSError:
                continue
        return left

    def stop(self):
        """Stop libvirtd (SIGTERM through pid 1, then SIGKILL to the whole
        namespace), wait until no process is left in the namespace, and
        remove what start() made.  Returns libvirtd's exit status, or
        None if it had to be killed."""
        status = None
        if self.proc:
            if self.proc.poll() is None and self.init_pid:
                try:
                    os.kill(self.init_pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            try:
                status = self.proc.wait(30)
            except subprocess.TimeoutExpired:
                # --kill-child: pid 1, and with it the namespace, dies
                self.proc.kill()
                self.proc.wait(10)
        deadline = time.monotonic() + 10
        while self.procs() and time.monotonic() < deadline:
            time.sleep(0.1)
        self.left = self.procs()
        for path in reversed(self.made):
            try:
                os.rmdir(path)
            except OSError:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)
        return status


def ns_init(tmp):
    """pid 1 of the namespaces: mounts the private libvirt directories,
    unmounts the cgroup hierarchies, runs libvirtd, reaps every orphan
    (QEMU's parent is gone), passes SIGTERM on to libvirtd and exits with
    libvirtd's status.  The mounts exist only in this mount namespace."""
    for key, path in LIBVIRT_DIRS.items():
        subprocess.run(["mount", "--bind", os.path.join(tmp, key), path],
                       check=True)
    # libvirtd looks up its built-in QEMU user before it reads qemu.conf;
    # libvirt-daemon-system would add it to the system.
    for db, line in (("passwd", "libvirt-qemu:x:{id}:{id}:Libvirt Qemu:"
                      "/var/lib/libvirt:/usr/sbin/nologin"),
                     ("group", "libvirt-qemu:x:{id}:")):
        with open(f"/etc/{db}") as f:
            text = f.read()
        if not re.search(r"^libvirt-qemu:", text, re.M):
            used = {int(ln.split(":")[2]) for ln in text.splitlines()
                    if ln.count(":") >= 2 and ln.split(":")[2].isdigit()}
            free = next(i for i in range(64055, 65534) if i not in used)
            copy = os.path.join(tmp, db)
            with open(copy, "w") as f:
                f.write(text.rstrip("\n") + "\n" + line.format(id=free) +
                        "\n")
            subprocess.run(["mount", "--bind", copy, f"/etc/{db}"],
                           check=True)
    if os.path.ismount("/sys/fs/cgroup"):
        subprocess.run(["umount", "--lazy", "/sys/fs/cgroup"], check=True)
    binary = shutil.which("libvirtd") or "/usr/sbin/libvirtd"
    lv = subprocess.Popen([binary, "--pid-file", "/run/libvirt/libvirtd.pid"],
                          stdin=subprocess.DEVNULL)

    def term(signum, frame):
        try:
            lv.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass

    signal.signal(signal.SIGTERM, term)
    signal.signal(signal.SIGINT, term)
    while True:
        pid, status = os.wait()
        if pid == lv.pid:
            code = os.waitstatus_to_exitcode(status)
            print(f"libvirtd exited: {code}", flush=True)
            sys.exit(code if code >= 0 else 128 - code)


class Events(threading.Thread):
    """virsh qemu-monitor-event --loop, read as a management tool would:
    each line becomes {"event": name, "data": {...}}."""

    LINE = re.compile(r"event (\S+) (?:at \S+ )?for domain '([^']*)': (.*)$")

    def __init__(self, lv, domain, event, timeout=600):
        super().__init__(daemon=True)
        self.events = []
        self.lines = []
        self.proc = subprocess.Popen(
            lv.virsh_cmd("qemu-monitor-event", "--domain", domain,
                         "--event", event, "--loop",
                         "--timeout", str(timeout),
                         wrap=["stdbuf", "-oL"]),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, bufsize=1,
            preexec_fn=_die_with_parent)
        self.start()

    def run(self):
        for ln in self.proc.stdout:
            ln = ln.rstrip("\n")
            self.lines.append(ln)
            m = self.LINE.search(ln)
            if not m:
                continue
            try:
                data = json.loads(m.group(3))
            except ValueError:
                data = None
            self.events.append({"event": m.group(1), "data": data})

    def virsh_pid(self):
        kids = _children(self.proc.pid)    # nsenter forks virsh
        return kids[0] if kids else None

    def wait_listening(self, timeout=30):
        """Wait until virsh has registered for the events: it then blocks
        reading its event pipe (vshEventWait), not its connection."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            check(self.proc.poll() is None,
                  "virsh qemu-monitor-event ended: " + "\n".join(self.lines))
            pid = self.virsh_pid()
            try:
                with open(f"/proc/{pid}/syscall") as f:
                    sc = f.read().split()
                # read(2) is syscall 0 on x86_64
                fd = f"/proc/{pid}/fd/{int(sc[1], 16)}"
                if sc[0] == "0" and os.readlink(fd).startswith("pipe:"):
                    return
            except (OSError, TypeError, IndexError, ValueError):
                pass
            time.sleep(0.1)
        raise Failure("virsh qemu-monitor-event did not start listening")

    def wait(self, cond, timeout=30):
        deadline = time.monotonic() + timeout
        while not cond(self.events) and time.monotonic() < deadline:
            time.sleep(0.2)
        return cond(self.events)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.join(5)


def guide_xml():
    """The domain XML that the user guide shows: its xml code block."""
    with open(GUIDE) as f:
        lines = f.read().split("\n")
    start = lines.index(".. code-block:: xml") + 1
    block = []
    for ln in lines[start:]:
        if ln and not ln.startswith("    "):
            break
        block.append(ln[4:])
    return "\n".join(block).strip("\n")


def domain_xml(name, qemu, guestdir, serial):
    """The template with its @FIELDS@ filled in."""
    with open(TEMPLATE) as f:
        xml = f.read()
    fields = {"NAME": name, "QEMU": os.path.abspath(qemu),
              "KERNEL": os.path.join(guestdir, "arch/x86/boot/bzImage"),
              "INITRD": os.path.join(guestdir, "initramfs.cpio"),
              "SERIAL": serial}
    for k, v in fields.items():
        xml = xml.replace(f"@{k}@", escape(v, {"'": "&apos;", '"': "&quot;"}))
    check("@" not in re.sub(r"<!--.*?-->", "", xml, flags=re.S),
          "a field of the domain XML template is not filled in")
    return xml


class LibvirtGuest(Guest):
    """The test guest as a transient libvirt domain: QMP through virsh
    qemu-monitor-command, the shell on the serial console's Unix socket,
    events from an Events listener."""

    def __init__(self, lv, qemu, guestdir, name=NAME):
        super().__init__(qemu, guestdir)
        self.guestdir = guestdir
        self.lv = lv
        self.name = name
        self.serial = lv.path("serial.sock")
        self.listener = None
        self.running = False

    def start(self, boot_timeout=120):
        self.http = _Http()
        self.http.start()
        xml = self.lv.path("domain.xml")
        with open(xml, "w") as f:
            f.write(domain_xml(self.name, self.qemu, self.guestdir,
                               self.serial))
        r = self.lv.virsh("create", xml, timeout=180, check=False)
        if r.returncode:
            raise GuestError(f"virsh create: {r.stderr.strip()}\n" +
                             self.qemu_log() + self.lv.logs())
        self.running = True
        deadline = time.monotonic() + 30
        while True:
            try:
                self._ser = socket.socket(socket.AF_UNIX)
                self._ser.connect(self.serial)
                break
            except OSError:
                self._ser.close()
                self._ser = None
                if time.monotonic() > deadline:
                    raise GuestError("no serial console: " + self.qemu_log())
                time.sleep(0.1)
        self.take_shell(boot_timeout)

    def listen(self, event="AER_PV_PHASE"):
        self.listener = Events(self.lv, self.name, event)
        self.listener.wait_listening()
        return self.listener

    def destroy(self):
        self.lv.virsh("destroy", self.name, timeout=60)
        self.running = False

    def stop(self):
        if self.listener:
            self.listener.stop()
        if self.running:
            try:
                self.destroy()
            except Exception:
                pass
        if self._ser:
            self._ser.close()
        if self.http:
            self.http.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def qemu_log(self):
        return "\nqemu: " + _tail(self.lv.path("log", "qemu",
                                               self.name + ".log"))

    def qmp(self, cmd, **args):
        msg = {"execute": cmd}
        if args:
            msg["arguments"] = args
        r = self.lv.virsh("qemu-monitor-command", self.name, json.dumps(msg),
                          timeout=60)
        reply = json.loads(r.stdout)
        if "error" in reply:
            raise GuestError(f"{cmd}: {reply['error']['desc']}")
        return reply.get("return")

    def poll_events(self):
        return self.listener.events if self.listener else []

    def inject(self, **args):
        args.setdefault("id", NIC)
        return self.qmp("x-aer-pv-inject-error", **args)

    def resets(self, dev=NIC):
        return self.qmp("x-aer-pv-query-resets", id=dev)


def s_libvirt(ctx):
    """libvirt: the test guest as a domain of a libvirtd the test runs
    (domain XML from tests/e2e/aer-pv-domain.xml); a fatal error with a
    host reset, injected with virsh qemu-monitor-command, is recovered
    with no guest reset and virsh qemu-monitor-event reports it; the
    domain is destroyed, libvirtd stops, nothing is left behind"""
    with open(TEMPLATE) as f:
        check(guide_xml() == f.read().strip("\n"),
              "the user guide's domain XML is not tests/e2e/aer-pv-domain.xml")
    before = system_state()
    lv = Libvirtd()
    stopped = False
    try:
        lv.start()
        g = LibvirtGuest(lv, ctx.qemu, ctx.guest)
        try:
            g.start(boot_timeout=ctx.boot_timeout)
            state = lv.virsh("domstate", NAME).stdout.strip()
            check(state == "running", f"domain state {state!r}")
            live = lv.virsh("dumpxml", NAME).stdout
            check("virtio-aer-pv-pci" in live and f"'{NIC}'" in live and
                  f"<emulator>{os.path.abspath(ctx.qemu)}</emulator>" in live,
                  "the live domain has not the channel, the aliased NIC "
                  "or the project's QEMU")
            g.load_driver()
            check(g.wait_dmesg("host-coordinated AER recovery enabled", 1,
                               30), "virtio-aer-pv driver did not bind")
            check(g.traffic(), "no traffic through the NIC before the error")
            bdf = g.bdf()

            ev = g.listen("AER_PV_PHASE")
            r = g.inject(severity="fatal", **{"host-reset": "after",
                                              "reset-delay-ms": 200})
            check(r["delivered"], "error not delivered over the channel")
            check(g.wait_dmesg(RECOVERED, 1, 60) == 1,
                  "no recovery in the guest")
            c = g.resets(NIC)
            check(c["link-resets"] == 0 and c["function-resets"] == 0,
                  f"the guest reset {NIC} itself: {c}")
            check(c["host-resets"] == 1,
                  f"host resets: {c['host-resets']}, want 1")
            log = g.dmesg()
            check("link reset skipped: host reset done" in log,
                  "no 'link reset skipped' line")
            check("Root Port link has been reset" not in log,
                  "the guest reset the link")
            check(g.sysfs(bdf, "resets_avoided") == "1", "resets_avoided != 1")
            check(g.sysfs(bdf, "recovered") == "1", "recovered != 1")

            def mine(events):
                return [e["data"]["phase"] for e in events
                        if e["event"] == "AER_PV_PHASE" and e["data"] and
                        e["data"].get("device") == NIC and
                        e["data"].get("seq") == r["seq"]]

            ev.wait(lambda evs: "recovered" in mine(evs))
            ph = mine(ev.events)
            check("recovered" in ph and ph[:1] == ["detected"] and
                  "failed" not in ph,
                  f"AER_PV_PHASE through virsh qemu-monitor-event: {ph}; "
                  f"virsh printed: {ev.lines}")
            check(g.traffic(), "no traffic after recovery")
            bad = g.splats()
            check(not bad, "kernel problems in the guest log:\n  " +
                  "\n  ".join(bad[:10]))

            g.listener.stop()
            g.destroy()
            left = lv.virsh("list", "--all", "--name").stdout.strip()
            check(not left, f"domains left after destroy: {left}")
        finally:
            g.stop()
        status = lv.stop()
        stopped = True
        check(status == 0, f"libvirtd did not stop cleanly (status {status})")
        check(not lv.left, f"processes left in libvirtd's namespace: "
              f"{lv.left}")
    finally:
        if not stopped:
            lv.stop()
    after = system_state()
    check(after == before, "the system's libvirt directories changed: " +
          str(sorted(set(map(str, after)) ^ set(map(str, before))))[:500])


class Ctx:
    pass


def main():
    if sys.argv[1:2] == ["--ns-init"]:
        return ns_init(sys.argv[2])
    ap = argparse.ArgumentParser()
    ap.add_argument("--qemu", required=True)
    ap.add_argument("--guest", required=True)
    ap.add_argument("--boot-timeout", type=int, default=120,
                    help="seconds a guest may take to boot")
    ap.add_argument("--sanitize", action="store_true",
                    help="the sanitized guest")
    a = ap.parse_args()
    ctx = Ctx()
    ctx.qemu, ctx.guest = a.qemu, a.guest
    ctx.boot_timeout, ctx.sanitize = a.boot_timeout, a.sanitize
    t0 = time.monotonic()
    doc = " ".join(s_libvirt.__doc__.split())
    try:
        s_libvirt(ctx)
        print(f"PASS libvirt ({time.monotonic() - t0:.1f}s): {doc}",
              flush=True)
        print("1 passed, 0 failed")
        return 0
    except Exception as e:
        print(f"FAIL libvirt ({time.monotonic() - t0:.1f}s): {doc}: {e}",
              flush=True)
        if not isinstance(e, Failure):
            traceback.print_exc()
        print("0 passed, 1 failed")
        return 1


if __name__ == "__main__":
    sys.exit(main())
