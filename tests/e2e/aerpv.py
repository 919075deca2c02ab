# SPDX-License-Identifier: GPL-2.0
"""Boot the aer-pv test guest under QEMU (TCG, q35) and drive it.

A Guest owns one QEMU process: QMP on a Unix socket (commands, and events
collected with their host timestamps), the guest's shell on the serial
port (commands framed by markers, exit status returned), and an HTTP
server on the host's loopback that the guest reaches through slirp at
10.0.2.2, to prove that a NIC passes traffic.
"""

import base64
import bisect
import http.server
import json
import os
import re
import socket
import subprocess
import tempfile
import threading
import time

CACHE = os.environ.get("AER_PV_CACHE") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "aer-pv")
FIRMWARE = ["/usr/share/seabios", "/usr/share/qemu", "/usr/lib/ipxe/qemu"]
TOKEN = "aer-pv-traffic-ok"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))

# Anything of these in the guest's log fails a scenario: the sanitizers'
# and lockdep's reports, warnings, oopses, hung tasks, kmemleak's finds.
SPLAT = re.compile(r"BUG:|WARNING:|UBSAN:|KASAN|general protection fault|"
                   r"Oops|Call Trace:|possible (recursive|circular) locking|"
                   r"inconsistent lock state|lock held when returning|"
                   r"sleeping function called from invalid context|"
                   r"INFO: task .* blocked|kmemleak: \d+ new suspected|"
                   r"unreferenced object")
KMEMLEAK = "/sys/kernel/debug/kmemleak"

# Each NIC of a test guest has its own user network, 10.0.N.0/24, and a
# MAC that ends in N, from which the guest takes its address 10.0.N.15
MAC_PREFIX = "52:54:00:ae:00"


def nic_mac(net):
    return f"{MAC_PREFIX}:{net:02x}"


def nic_netdev(netdev_id, net):
    return f"user,id={netdev_id},net=10.0.{net}.0/24"


def uapi():
    """The protocol's constants, from the one header that defines them."""
    consts = {}
    path = os.path.join(ROOT, "include/uapi/linux/virtio_aer_pv.h")
    with open(path) as f:
        for m in re.finditer(r"^#define\s+(VIRTIO_\w+)\s+(0x[0-9a-fA-F]+|\d+)",
                             f.read(), re.M):
            consts[m.group(1)] = int(m.group(2), 0)
    return consts


def _own_lines(out):
    """A command's output without the kernel's messages: once lockdep has
    reported (the sanitized guest, on every PCIe hot-unplug),
    console_verbose() puts every one on the serial line too, between a
    command's lines."""
    return "\n".join(ln for ln in out.splitlines()
                     if not re.match(r"\[ *\d+\.\d+\]", ln))


class GuestError(Exception):
    pass


class _Http(threading.Thread):
    """Serves TOKEN on 127.0.0.1, which the guest sees as 10.0.2.2."""

    def __init__(self):
        super().__init__(daemon=True)

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                body = TOKEN.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def run(self):
        self.server.serve_forever()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Guest:
    """One guest: a q35 machine with PCIe Root Ports, e1000e NICs and,
    unless channel=False, the virtio-aer-pv channel."""

    def __init__(self, qemu, guestdir, nics=1, channel=True, append="",
                 timeout_ms=2000, log=None, extra=(), multifunction=False):
        self.qemu = qemu
        self.kernel = os.path.join(guestdir, "arch/x86/boot/bzImage")
        self.sysmap = os.path.join(guestdir, "System.map")
        self.initrd = os.path.join(guestdir, "initramfs.cpio")
        self.nics = nics
        self.channel = channel
        self.append = append
        self.timeout_ms = timeout_ms
        self.log = log
        self.extra = list(extra)
        # nic0 and nic1 as functions 0 and 1 of one device on one port
        self.multifunction = multifunction
        self.tmp = tempfile.mkdtemp(prefix="aer-pv-e2e-")
        self.events = []
        self.proc = None
        self.http = None
        self._qmp = None
        self._ser = None
        self._serbuf = b""
        self._qmpbuf = b""
        self._marker = 0
        self.kmemleak = False

    # -- lifecycle --------------------------------------------------------

    def start(self, boot_timeout=120, incoming=None):
        """Boot the guest, or with incoming (a migration URI such as
        "file:PATH"), take over one migrated from another QEMU."""
        self.http = _Http()
        self.http.start()
        qmp_path = os.path.join(self.tmp, "qmp.sock")
        ser_path = os.path.join(self.tmp, "serial.sock")
        args = [self.qemu, "-machine", "q35", "-accel", "tcg", "-m", "512",
                "-smp", "1", "-display", "none", "-no-reboot",
                "-nodefaults", "-no-user-config",
                "-chardev", f"socket,id=ser0,path={ser_path},server=on,wait=off",
                "-serial", "chardev:ser0",
                "-qmp", f"unix:{qmp_path},server=on,wait=off",
                "-kernel", self.kernel, "-initrd", self.initrd,
                "-append", "console=ttyS0 loglevel=1 panic=-1 "
                f"aer_pv.reset_timeout_ms={self.timeout_ms} {self.append}"]
        for fw in FIRMWARE:
            args += ["-L", fw]
        for i in range(self.nics):
            port = 0 if self.multifunction else i
            # No hot-plug: user guide, "QEMU defects fixed by the patches"
            if port == i:
                args += ["-device", f"pcie-root-port,id=rp{i},bus=pcie.0,"
                         f"chassis={i + 1},slot={i + 1},hotplug=off"]
            fn = (f",addr=0.{i}" + (",multifunction=on" if i == 0 else "")
                  if self.multifunction else "")
            args += ["-netdev", nic_netdev(f"n{i}", 2 + i),
                     "-device", f"e1000e,id=nic{i},bus=rp{port},netdev=n{i},"
                     f"mac={nic_mac(2 + i)}" + fn]
        if self.channel:
            args += ["-device", "virtio-aer-pv-pci,id=aerpv"]
        args += self.extra
        if incoming:
            args += ["-incoming", incoming]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=open(os.path.join(self.tmp, "qemu.log"), "wb"),
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                self._qmp = socket.socket(socket.AF_UNIX)
                self._qmp.connect(qmp_path)
                self._ser = socket.socket(socket.AF_UNIX)
                self._ser.connect(ser_path)
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise GuestError("QEMU did not start: " + self.qemu_log())
                time.sleep(0.1)
        self._qmp_read_msg(10)          # greeting
        self.qmp("qmp_capabilities")
        if incoming:
            self._wait_status("running", boot_timeout)
        self.take_shell(boot_timeout, booted=not incoming)

    def take_shell(self, boot_timeout, booted=True):
        """Wait for the guest's init and make its shell quiet and
        promptless; a migrated guest's shell (booted=False) is so
        already.  Leaks are counted from a boot on: forget what boot
        left behind, not what the source of a migration did."""
        if booted:
            self._ser_until(b"AERPV-READY", boot_timeout)
            self._ser.sendall(b"stty -echo; PS1=''\n")
            time.sleep(0.3)
        self.sh("true")
        if booted:
            self.address_nics()
        self.kmemleak = self.sh(f"test -w {KMEMLEAK}")[0] == 0
        if self.kmemleak and booted:
            self.out(f"echo scan > {KMEMLEAK}; echo clear > {KMEMLEAK}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.qmp("quit")
            except Exception:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for s in (self._qmp, self._ser):
            if s:
                s.close()
        if self.http:
            self.http.stop()

    def _wait_status(self, status, timeout):
        deadline = time.monotonic() + timeout
        while True:
            st = self.qmp("query-status")["status"]
            if st == status:
                return
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise GuestError(f"VM is {st}, not {status}: " +
                                 self.qemu_log())
            time.sleep(0.2)

    def migrate(self, uri, timeout=120):
        """Migrate the VM to uri; returns when it completed.  Raises
        GuestError with QEMU's reason when the migration is refused or
        fails."""
        self.qmp("migrate", uri=uri)
        deadline = time.monotonic() + timeout
        while True:
            m = self.qmp("query-migrate")
            st = m.get("status")
            if st == "completed":
                return
            if st in ("failed", "cancelled"):
                raise GuestError("migration " + st + ": " +
                                 m.get("error-desc", ""))
            if time.monotonic() > deadline:
                raise GuestError(f"migration still {st} after {timeout} s")
            time.sleep(0.2)

    def qemu_log(self):
        try:
            with open(os.path.join(self.tmp, "qemu.log"), errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def qemu_end(self):
        """QEMU's last output, and how it ended, for a guest that went
        away: a signal leaves no line of its own, and the process may
        end a moment after its sockets close."""
        rc = None
        if self.proc:
            try:
                rc = self.proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
        if rc is None:
            return self.qemu_log()
        if rc < 0:
            return self.qemu_log() + f" [QEMU killed by signal {-rc}]"
        return self.qemu_log() + f" [QEMU exited with status {rc}]"

    # -- QMP --------------------------------------------------------------

    def _qmp_read_msg(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self._qmpbuf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise GuestError("QMP timed out")
            self._qmp.settimeout(left)
            data = self._qmp.recv(65536)
            if not data:
                raise GuestError("QMP closed: " + self.qemu_end())
            self._qmpbuf += data
        line, self._qmpbuf = self._qmpbuf.split(b"\n", 1)
        return json.loads(line)

    def qmp(self, cmd, **args):
        msg = {"execute": cmd}
        if args:
            msg["arguments"] = args
        try:
            self._qmp.sendall(json.dumps(msg).encode() + b"\n")
        except OSError as e:
            raise GuestError(f"QMP {cmd}: {e}: " + self.qemu_end())
        while True:
            r = self._qmp_read_msg(30)
            if "event" in r:
                self.events.append(r)
                continue
            if "error" in r:
                raise GuestError(f"{cmd}: {r['error']['desc']}")
            return r.get("return")

    def poll_events(self):
        """Collect events that arrived since the last command."""
        self._qmp.settimeout(0.05)
        try:
            while True:
                data = self._qmp.recv(65536)
                if not data:
                    break
                self._qmpbuf += data
        except (socket.timeout, BlockingIOError):
            pass
        while b"\n" in self._qmpbuf:
            line, self._qmpbuf = self._qmpbuf.split(b"\n", 1)
            r = json.loads(line)
            if "event" in r:
                self.events.append(r)
        return self.events

    def phases(self, device=None):
        self.poll_events()
        return [(e["data"]["seq"], e["data"]["phase"]) for e in self.events
                if e["event"] == "AER_PV_PHASE" and
                (device is None or e["data"]["device"] == device)]

    def splats(self, allow=()):
        """The guest log's lines that report a kernel problem, after a
        kmemleak scan on a guest that has kmemleak.  A report (a warning's
        "cut here" block, or a lockdep or sanitizer report between its
        "====" banner and the end of its stack) that contains one of the
        regexes in allow is not one."""
        if self.kmemleak:
            self.out(f"echo scan > {KMEMLEAK}", timeout=300)
            leaks = self.out(f"cat {KMEMLEAK}")
            if leaks:
                return ["kmemleak: " + ln for ln in leaks.splitlines()[:20]]
        kept, block = [], None
        for ln in self.dmesg().splitlines():
            if block is None and ("[ cut here ]" in ln or
                                  re.match(r"\[[^]]*\] =+$", ln)):
                block = []
            if block is None:
                kept.append(ln)
                continue
            block.append(ln)
            if "---[ end trace" in ln or "</TASK>" in ln:
                if not any(re.search(a, b) for a in allow for b in block):
                    kept += block
                block = None
        kept += block or []
        return [ln for ln in kept if SPLAT.search(ln)]

    def stats(self):
        return self.qmp("x-aer-pv-query-stats")

    def raw_event(self, data, length=None):
        """Put data in the guest's next event buffer, waiting (bounded)
        for the guest to post one."""
        args = {"data": base64.b64encode(data).decode()}
        if length is not None:
            args["length"] = length
        deadline = time.monotonic() + 10
        while True:
            try:
                return self.qmp("x-aer-pv-inject-raw-event", **args)
            except GuestError as e:
                if ("no event buffer" not in str(e) or
                        time.monotonic() > deadline):
                    raise
                time.sleep(0.01)

    def channel_messages(self):
        """The channel's verdict counters, as {name: count}."""
        out = self.out("cat /sys/bus/virtio/drivers/virtio_aer_pv/virtio*/aer_pv/messages")
        return {k: int(v) for k, v in
                (ln.split() for ln in _own_lines(out).splitlines())}

    def resets(self, dev="nic0"):
        return self.qmp("x-aer-pv-query-resets", id=dev)

    def inject(self, **args):
        args.setdefault("id", "nic0")
        return self.qmp("x-aer-pv-inject-error", **args)

    def cpu_where(self, samples=10):
        """Where a guest that does not answer spends its time: the vCPU's
        instruction pointer, sampled over a second, by kernel symbol."""
        try:
            rips = []
            for _ in range(samples):
                r = self.qmp("human-monitor-command",
                             **{"command-line": "info registers"})
                m = re.search(r"RIP=([0-9a-f]+)", r or "")
                if m:
                    rips.append(int(m.group(1), 16))
                time.sleep(1 / samples)
        except (GuestError, OSError) as e:
            return f"; guest CPU: not sampled ({e})"
        syms = []
        try:
            with open(self.sysmap) as f:
                for ln in f:
                    a, _, name = ln.split()[:3]
                    syms.append((int(a, 16), name))
        except (OSError, ValueError):
            pass
        syms.sort()
        where = []
        for rip in rips:
            i = bisect.bisect_right(syms, (rip, "\x7f")) - 1
            where.append(f"{syms[i][1]}+{rip - syms[i][0]:#x}"
                         if i >= 0 and rip - syms[i][0] < 1 << 20
                         else f"{rip:#x}")
        return "; guest CPU at: " + ", ".join(where)

    # -- guest shell ------------------------------------------------------

    def _ser_until(self, pattern, timeout):
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self._serbuf, re.S)
            if m:
                self._serbuf = self._serbuf[m.end():]
                return m
            left = deadline - time.monotonic()
            if left <= 0 or (self.proc and self.proc.poll() is not None):
                raise GuestError("guest did not answer; serial: %r; qemu: %s%s"
                                 % (self._serbuf[-500:], self.qemu_end(),
                                    self.cpu_where()))
            self._ser.settimeout(min(left, 1))
            try:
                data = self._ser.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                data = b""          # reset by a QEMU that went away
            if not data:
                raise GuestError("serial closed; serial: %r; qemu: %s" %
                                 (self._serbuf[-1500:], self.qemu_end()))
            self._serbuf += data

    def sh(self, cmd, timeout=60, check=False):
        """Run cmd in the guest; return (status, output)."""
        self._marker += 1
        b, e = f"@@B{self._marker}@@", f"@@E{self._marker}@@"
        try:
            self._ser.sendall(f"echo {b}; {cmd}; echo {e}$?\n".encode())
        except OSError as err:
            raise GuestError(f"serial: {err}: " + self.qemu_end())
        m = self._ser_until(
            re.escape(b.encode()) + rb"\r?\n(.*?)" + re.escape(e.encode()) +
            rb"(\d+)", timeout)
        out = m.group(1).decode(errors="replace").replace("\r", "")
        rc = int(m.group(2))
        if check and rc:
            raise GuestError(f"guest command failed ({rc}): {cmd}\n{out}")
        return rc, out

    def out(self, cmd, timeout=60):
        return self.sh(cmd, timeout, check=True)[1].strip()

    def dmesg(self):
        return self.out("dmesg")

    def bdf(self, index=0):
        return self.e1000e()[index]

    def load_driver(self):
        self.out("insmod /lib/modules/virtio_aer_pv.ko")

    def address_nics(self):
        """Give every NIC whose MAC names a subnet (nic_mac()) its address
        there, so that each carries its own traffic."""
        self.out("for d in /sys/class/net/eth*; do "
                 "m=$(cat $d/address); case $m in "
                 f"{MAC_PREFIX}:*) n=$((0x${{m##*:}})); "
                 "ip addr add 10.0.$n.15/24 dev ${d##*/} 2>/dev/null;; "
                 "esac; done; true")

    def iface(self, index=0):
        """The network interface of the index-th e1000e, as bdf() counts."""
        return self.out(f"ls /sys/bus/pci/devices/{self.bdf(index)}/net")

    def traffic(self, iface="eth0", tries=20):
        """True if a request through iface reaches the host and back, and
        iface's own counters show it went through iface."""
        addr = self.out(f"ip -4 -o addr show dev {iface} | "
                        "sed -n 's/.* inet \\([0-9.]*\\)\\/.*/\\1/p'")
        if not re.fullmatch(r"10\.0\.\d+\.15", addr):
            raise GuestError(f"{iface} has no test address: {addr!r}")
        host = addr.rsplit(".", 1)[0] + ".2"
        stats = f"/sys/class/net/{iface}/statistics"
        for _ in range(tries):
            before = self.out(f"cat {stats}/rx_packets {stats}/tx_packets")
            # busybox's static wget crashes here; a raw request via nc
            rc, out = self.sh("printf 'GET / HTTP/1.0\\r\\n\\r\\n' | "
                              f"nc -w 3 {host} {self.http.port} 2>&1",
                              timeout=30)
            after = self.out(f"cat {stats}/rx_packets {stats}/tx_packets")
            moved = all(int(b) < int(a) for b, a in
                        zip(before.split(), after.split()))
            if rc == 0 and TOKEN in out and moved:
                return True
            time.sleep(0.5)
        return False

    def e1000e(self):
        """The BDFs of the e1000e functions, sorted."""
        devs = sorted(self.out("ls /sys/bus/pci/drivers/e1000e").split())
        return [d for d in devs if re.match(r"[0-9a-f]{4}:", d)]

    def traffic_all(self, tries=20):
        """The interfaces of the e1000e functions that carry no traffic."""
        ifs = [self.iface(i) for i in range(len(self.e1000e()))]
        return [i for i in ifs if not self.traffic(i, tries)]

    def wait_dmesg(self, pattern, count=1, timeout=60):
        """Wait until pattern occurs count times in the kernel log."""
        deadline = time.monotonic() + timeout
        while True:
            n = len(re.findall(pattern, self.dmesg()))
            if n >= count:
                return n
            if time.monotonic() > deadline:
                return n
            time.sleep(0.5)

    def sysfs(self, bdf, name):
        return _own_lines(
            self.out(f"cat /sys/bus/pci/devices/{bdf}/aer_pv/{name}"))
