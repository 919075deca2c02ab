#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write seeds for QEMU's generic-fuzz-virtio-aer-pv target into DIR.

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

    mkcorpus.py DIR
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


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, cmds in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(SEP.join(cmds))


if __name__ == "__main__":
    main()
