#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write seeds for QEMU's fuzz targets of virtio-aer-pv into DIR:
generic-fuzz-virtio-aer-pv (the default), or virtio-aer-pv-fuzz.

Each seed is a generic-fuzz input (tests/qtest/fuzz/generic_fuzz.c in
QEMU): commands separated by "FUZZ", the first byte of each its opcode.
The seeds do what a virtio driver does to bring the device up (status,
features, both queues, DRIVER_OK), then post requests and event buffers
through DMA patterns, so that the fuzzer starts from a live device rather
than having to find the dozen register writes that make one.  Constants
come from the protocol header, the single source of truth.

generic-fuzz maps the device's BARs afresh for every input, at the same
addresses, and numbers the fuzzed MemoryRegions in address order: BAR 1
(MSI-X table, PBA) first, then BAR 4 (virtio common, ISR, device,
notify).  scripts/fuzz-qemu.sh checks that the target lists them so.

virtio-aer-pv-fuzz's input is simpler (see the opcodes below): the
target brings the driver up itself, and its seeds are errors from the
host and the recoveries a guest would make of them, or botch.

    mkcorpus.py DIR [generic-fuzz-virtio-aer-pv|virtio-aer-pv-fuzz]
"""

import os
import re
import struct
import sys

HDR = os.path.join(os.path.dirname(__file__),
                   "../../include/uapi/linux/virtio_aer_pv.h")
C = {m.group(1): int(m.group(2), 0) for m in
     re.finditer(r"#define\s+(VIRTIO_\w+)\s+(0x[0-9a-fA-F]+|\d+)",
                 open(HDR).read())}

SEP = b"FUZZ"
# generic-fuzz opcodes
OP_READ, OP_WRITE, OP_PCI_WRITE = 2, 3, 5
OP_ADD_DMA_PATTERN, OP_CLOCK_STEP = 7, 9
# The fuzzed MemoryRegions, in the order generic-fuzz numbers them
MSIX_TABLE, MSIX_PBA, COMMON, ISR, DEVICE, NOTIFY = range(6)
NOTIFY_MULT = 4                 # virtio-pci's notify_off_multiplier
MSIX_CAP = 0x98                 # in the device's config space

# struct virtio_pci_common_cfg
DFSELECT, DF, GFSELECT, GF = 0x00, 0x04, 0x08, 0x0c
MSIX_CONFIG, NUM_QUEUES, STATUS = 0x10, 0x12, 0x14
Q_SELECT, Q_SIZE, Q_MSIX, Q_ENABLE = 0x16, 0x18, 0x1a, 0x1c
Q_DESC, Q_AVAIL, Q_USED = 0x20, 0x28, 0x30
ACK, DRIVER, DRIVER_OK, FEATURES_OK = 1, 2, 4, 8
VERSION_1 = 32
DESC_F_NEXT, DESC_F_WRITE = 1, 2

VQ_EVENT = C["VIRTIO_AER_PV_VQ_EVENT"]
VQ_REQUEST = C["VIRTIO_AER_PV_VQ_REQUEST"]
# Guest memory for each queue's rings and buffers
RINGS = {VQ_EVENT: 0x100000, VQ_REQUEST: 0x110000}
BUFS = 0x120000

BYTE, WORD, LONG, QUAD = range(4)


def write(region, offset, value, size=LONG):
    return bytes([OP_WRITE]) + struct.pack("<BBxxIQ", size, region, offset,
                                           value)


def read(region, offset, size=LONG):
    return bytes([OP_READ]) + struct.pack("<BBxxI", size, region, offset)


def pci_write(offset, value, size=LONG):
    return bytes([OP_PCI_WRITE]) + struct.pack("<BBBxI", size, 0, offset,
                                               value)


def pattern(data):
    """The next DMA read of the device gets these bytes (repeated)."""
    assert SEP not in data
    return bytes([OP_ADD_DMA_PATTERN]) + struct.pack("<BB", 0, 0) + data


def bring_up(features, queues=(VQ_EVENT, VQ_REQUEST), driver_ok=True):
    cmds = [write(COMMON, STATUS, ACK, BYTE),
            write(COMMON, STATUS, ACK | DRIVER, BYTE),
            write(COMMON, GFSELECT, 0), write(COMMON, GF, features),
            write(COMMON, GFSELECT, 1),
            write(COMMON, GF, 1 << (VERSION_1 - 32)),
            write(COMMON, STATUS, ACK | DRIVER | FEATURES_OK, BYTE)]
    for q in queues:
        base = RINGS[q]
        cmds += [write(COMMON, Q_SELECT, q, WORD),
                 write(COMMON, Q_DESC, base),
                 write(COMMON, Q_DESC + 4, 0),
                 write(COMMON, Q_AVAIL, base + 0x1000),
                 write(COMMON, Q_AVAIL + 4, 0),
                 write(COMMON, Q_USED, base + 0x2000),
                 write(COMMON, Q_USED + 4, 0),
                 write(COMMON, Q_ENABLE, 1, WORD)]
    if driver_ok:
        cmds.append(write(COMMON, STATUS,
                          ACK | DRIVER | FEATURES_OK | DRIVER_OK, BYTE))
    return cmds


def desc(addr, length, flags, nxt=0):
    return struct.pack("<QIHH", addr, length, flags, nxt)


def post(q, out=None, in_len=0):
    """Post one buffer chain on queue q and kick it.  The device's DMA
    reads come in this order: the avail index, the ring entry, the
    first descriptor, the out buffer, the next descriptor, the in
    buffer, the avail flags (whether to interrupt)."""
    out_addr, in_addr = BUFS, BUFS + 0x1000
    pats = [struct.pack("<H", 1), struct.pack("<H", 0)]
    if out is not None:
        flags = DESC_F_NEXT if in_len else 0
        pats += [desc(out_addr, len(out), flags, 1), out]
    if in_len:
        pats += [desc(in_addr, in_len, DESC_F_WRITE), bytes(in_len)]
    pats.append(struct.pack("<H", 0))
    return [pattern(p) for p in pats] + \
        [write(NOTIFY, q * NOTIFY_MULT, q, WORD)]


def request(rtype, seq=1, bus=0, devfn=0, arg=0, segment=0):
    return struct.pack("<HxxIHBBBxxx", rtype, seq, segment, bus, devfn, arg)


RESP = 8                        # struct virtio_aer_pv_response
EVENT = 132                     # union virtio_aer_pv_event
FEATURES = (1 << C["VIRTIO_AER_PV_F_RESET_REQUEST"]) | \
           (1 << C["VIRTIO_AER_PV_F_RESET_KINDS"])
REQ_RESET = C["VIRTIO_AER_PV_REQ_RESET"]
REQ_PHASE = C["VIRTIO_AER_PV_REQ_PHASE"]
KIND_LINK = C["VIRTIO_AER_PV_RESET_KIND_LINK"]
PHASE_DETECTED = C["VIRTIO_AER_PV_PHASE_DETECTED"]

# e1000e behind the Root Port: bus 1, devfn 0
NIC = dict(bus=1, devfn=0)

SEEDS = {
    "bring-up": bring_up(FEATURES),
    "bring-up-no-features": bring_up(0),
    "no-driver-ok": bring_up(FEATURES, driver_ok=False) +
    post(VQ_REQUEST, request(REQ_PHASE, **NIC, arg=PHASE_DETECTED), RESP),
    "config": bring_up(FEATURES) +
    [read(DEVICE, 0), read(DEVICE, 4, WORD), read(ISR, 0, BYTE),
     read(COMMON, DF), read(COMMON, NUM_QUEUES, WORD)],
    "phase": bring_up(FEATURES) +
    post(VQ_REQUEST, request(REQ_PHASE, **NIC, arg=PHASE_DETECTED), RESP),
    "reset-request": bring_up(FEATURES) +
    post(VQ_REQUEST, request(REQ_RESET, **NIC, arg=KIND_LINK), RESP),
    "reset-request-unsupported": bring_up(0) +
    post(VQ_REQUEST, request(REQ_RESET, **NIC, arg=KIND_LINK), RESP),
    "unknown-type": bring_up(FEATURES) +
    post(VQ_REQUEST, request(0x7fff, **NIC), RESP),
    "short-request": bring_up(FEATURES) +
    post(VQ_REQUEST, request(REQ_PHASE, **NIC)[:6], RESP),
    "no-response-buffer": bring_up(FEATURES) +
    post(VQ_REQUEST, request(REQ_PHASE, **NIC, arg=PHASE_DETECTED)),
    "event-buffer": bring_up(FEATURES) + post(VQ_EVENT, None, EVENT),
    "virtio-reset": bring_up(FEATURES) +
    post(VQ_REQUEST, request(REQ_RESET, **NIC, arg=KIND_LINK), RESP) +
    [write(COMMON, STATUS, 0, BYTE)] + bring_up(FEATURES),
    "clock": bring_up(FEATURES) + post(VQ_EVENT, None, EVENT) +
    [bytes([OP_CLOCK_STEP])] * 3,
    # MSI-X on: vector 0 for the config, 1 for each queue
    "msix": [pci_write(MSIX_CAP + 2, 0x8000, WORD)] +
    [w for v in range(3) for w in
     (write(MSIX_TABLE, 16 * v, 0xfee00000), write(MSIX_TABLE, 16 * v + 8,
                                                  0x40 + v),
      write(MSIX_TABLE, 16 * v + 12, 0))] +
    bring_up(FEATURES, driver_ok=False) +
    [write(COMMON, MSIX_CONFIG, 0, WORD),
     write(COMMON, Q_SELECT, VQ_EVENT, WORD), write(COMMON, Q_MSIX, 1, WORD),
     write(COMMON, Q_SELECT, VQ_REQUEST, WORD),
     write(COMMON, Q_MSIX, 2, WORD),
     write(COMMON, STATUS, ACK | DRIVER | FEATURES_OK | DRIVER_OK, BYTE)] +
    post(VQ_REQUEST, request(REQ_PHASE, **NIC, arg=PHASE_DETECTED), RESP),
}


# virtio-aer-pv-fuzz (tests/qtest/fuzz/virtio_aer_pv_fuzz.c): an opcode
# byte, then its arguments, back to back; the driver is up at the start.
NIC0, NIC1, NIC2 = range(3)
PORT0 = 3
SEV_CORRECTABLE, SEV_NONFATAL, SEV_FATAL = range(3)
HOST_NONE, HOST_BEFORE, HOST_AFTER, HOST_NEVER, HOST_FAILED = range(5)
ANSWER_OK, ANSWER_FAILED, ANSWER_UNSUPPORTED = range(3)
CURRENT, NEWEST, ANY = range(3)
LAYOUT_OK, LAYOUT_SHORT = 0, 1
RESET, PHASE = 0, 1
PHASE_RESET_WAIT = C["VIRTIO_AER_PV_PHASE_RESET_WAIT"]
PHASE_RECOVERED = C["VIRTIO_AER_PV_PHASE_RECOVERED"]
PHASE_FAILED = C["VIRTIO_AER_PV_PHASE_FAILED"]
KIND_FUNCTION = C["VIRTIO_AER_PV_RESET_KIND_FUNCTION"]


def inject(nic, sev, host=None, delay_ms=200, answer=None, answer_ms=50,
           more=(), aer_message=False):
    return bytes([0, nic, sev,
                  0 if host is None else 0x80 | host, delay_ms // 10,
                  0 if answer is None else 0x80 | answer, answer_ms // 10,
                  sum(1 << m for m in more), 1 if aer_message else 0])


def req(rtype, nic, arg, seq=CURRENT, delta=0, layout=LAYOUT_OK):
    return bytes([1, rtype, seq, delta & 0xff, nic, 0, 0, arg, layout])


def clock(ms):
    return bytes([4]) + struct.pack("<H", ms)


def event_bufs(n):
    return bytes([3, n - 1, 0])


def virtio_reset(restart=True):
    return bytes([5, 0 if restart else 3])


def host(what):                 # 0 release, 1 hold events, 2 device error
    return bytes([6, what])


def config(target, offset, value=None, size=4):
    return bytes([7, target]) + struct.pack("<H", offset) + \
        bytes([(size // 2) | (0x80 if value is not None else 0)]) + \
        struct.pack("<I", value or 0)


def recover(nic, phases=(PHASE_DETECTED, PHASE_RESET_WAIT)):
    return [req(PHASE, nic, p) for p in phases]


AER_PV_SEEDS = {
    "fatal-host-reset-after": [inject(NIC0, SEV_FATAL, HOST_AFTER)] +
    recover(NIC0) + [clock(300), event_bufs(2)] +
    recover(NIC0, (PHASE_RECOVERED,)),
    "nonfatal-reset-request": [inject(NIC2, SEV_NONFATAL, HOST_NONE)] +
    recover(NIC2) +
    [req(RESET, NIC2, KIND_FUNCTION), req(RESET, NIC2, KIND_LINK),
     clock(100), req(RESET, NIC2, KIND_LINK)] +
    recover(NIC2, (PHASE_RECOVERED,)),
    "two-functions-one-link": [inject(NIC0, SEV_NONFATAL, HOST_NONE,
                                      more=(NIC1,))] +
    recover(NIC0) + recover(NIC1) +
    [req(RESET, NIC0, KIND_LINK), req(RESET, NIC1, KIND_LINK), clock(100)] +
    recover(NIC0, (PHASE_RECOVERED,)) + recover(NIC1, (PHASE_FAILED,)),
    "answers-failed-unsupported": [inject(NIC0, SEV_NONFATAL, HOST_NONE,
                                          answer=ANSWER_FAILED),
                                   req(RESET, NIC0, KIND_LINK), clock(100),
                                   req(RESET, NIC0, KIND_LINK),
                                   inject(NIC2, SEV_FATAL, HOST_NONE,
                                          answer=ANSWER_UNSUPPORTED),
                                   req(RESET, NIC2, KIND_FUNCTION)],
    "host-reset-failed-never": [inject(NIC0, SEV_FATAL, HOST_FAILED),
                                inject(NIC2, SEV_FATAL, HOST_NEVER)] +
    recover(NIC0) + recover(NIC2) + [clock(11000), event_bufs(4)] +
    recover(NIC2, (PHASE_FAILED,)),
    "stale-and-future-seqs": [inject(NIC0, SEV_FATAL, HOST_BEFORE),
                              inject(NIC0, SEV_NONFATAL, HOST_NONE),
                              req(PHASE, NIC0, PHASE_DETECTED, NEWEST, -1),
                              req(PHASE, NIC0, PHASE_DETECTED, NEWEST, 1),
                              req(RESET, NIC0, KIND_LINK, NEWEST, -1),
                              req(RESET, NIC0, KIND_LINK, ANY, 7),
                              req(PHASE, NIC0, 9),
                              req(PHASE, NIC0, PHASE_DETECTED,
                                  layout=LAYOUT_SHORT)],
    "event-queue-overflow": [inject(NIC0 + i % 3, SEV_NONFATAL, HOST_NONE)
                             for i in range(80)] + [event_bufs(8)] * 3,
    "virtio-reset-while-waiting": [inject(NIC0, SEV_NONFATAL, HOST_NONE,
                                          answer_ms=500),
                                   req(RESET, NIC0, KIND_LINK), clock(10),
                                   virtio_reset(), clock(1000),
                                   req(RESET, NIC0, KIND_LINK)],
    "guest-touches-resetting-function": [inject(NIC0, SEV_FATAL, HOST_AFTER,
                                                aer_message=True)] +
    recover(NIC0) +
    [config(NIC0, 0), config(NIC0, 0x4, 0x7), config(NIC1, 0x100),
     config(PORT0, 0x3e, 0x40, 2), config(PORT0, 0x3e, 0, 2), clock(300)],
    "held-events-device-error": [host(1), inject(NIC0, SEV_FATAL, HOST_AFTER),
                                 clock(50), host(0), req(PHASE, NIC0,
                                                         PHASE_DETECTED),
                                 host(2), req(PHASE, NIC0, PHASE_RESET_WAIT),
                                 virtio_reset(), clock(300)],
}


def main():
    out = sys.argv[1]
    seeds = AER_PV_SEEDS if sys.argv[2:] == ["virtio-aer-pv-fuzz"] else SEEDS
    sep = b"" if seeds is AER_PV_SEEDS else SEP
    os.makedirs(out, exist_ok=True)
    for name, cmds in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(sep.join(cmds))


if __name__ == "__main__":
    main()
