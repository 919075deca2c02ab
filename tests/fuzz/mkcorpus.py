#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the fuzzer's seed corpus: scripts of valid host messages and guest
calls (see fuzz_aer_pv.c for the script format).  Constants come from the
protocol header, the single source of truth."""

import os
import re
import struct
import sys

HDR = os.path.join(os.path.dirname(__file__), "../../include/uapi/linux/virtio_aer_pv.h")
C = {m.group(1): int(m.group(2), 0) for m in
     re.finditer(r"#define\s+(VIRTIO_\w+)\s+(0x[0-9a-fA-F]+|\d+)", open(HDR).read())}


def error(seq, sev, reset, kind, funcs, flags=0):
    body = struct.pack("<HHIBBBB", C["VIRTIO_AER_PV_EVT_ERROR"], flags, seq,
                       sev, reset, kind, len(funcs))
    body += struct.pack("<10I", 1 << 18, 0, 0x00462030, 0, 0, 0, 0, 0, 0, 0)
    for seg, bus, devfn in funcs + [(0, 0, 0)] * (C["VIRTIO_AER_PV_MAX_FUNCS"] - len(funcs)):
        body += struct.pack("<HBB", seg, bus, devfn)
    return body


def reset(seq, state, kind):
    return struct.pack("<HHIBBxx", C["VIRTIO_AER_PV_EVT_RESET"], 0, seq, state, kind)


def ev(msg):
    return bytes([0, len(msg)]) + msg


def call(op, arg, dt=0):
    return bytes([op | (dt << 4), arg])


F, NF, COR = (C["VIRTIO_AER_PV_SEV_" + s] for s in ("FATAL", "NONFATAL", "CORRECTABLE"))
NONE, PEND, DONE, FAIL = (C["VIRTIO_AER_PV_RESET_" + s] for s in ("NONE", "PENDING", "DONE", "FAILED"))
LINK = C["VIRTIO_AER_PV_RESET_KIND_LINK"]
A, B = (0, 1, 0), (0, 1, 1)

seeds = {
    "fatal_done": b"\x01" + ev(error(1, F, DONE, LINK, [A])) + call(4, 0) + call(7, 0x80),
    "fatal_pending": b"\x01" + ev(error(1, F, PEND, LINK, [A, B])) + call(4, 0) +
                     ev(reset(1, DONE, LINK)) + call(5, 0) + call(7, 0x80) + call(7, 0x81),
    "fatal_timeout": b"\x01" + ev(error(1, F, PEND, LINK, [A])) + call(4, 0) +
                     call(10, 0xff) + call(5, 0) + call(7, 0),
    "nonfatal_request": b"\x01" + ev(error(2, NF, NONE, 0, [A])) + call(4, 0) +
                        bytes([6, 0]) + struct.pack("<BBBBI", 0, 0, 0, LINK, 0) + call(7, 0x80),
    "correctable": b"\x00" + ev(error(3, COR, NONE, 0, [A])),
    "aer_first": b"\x01" + call(2, 0) + bytes([3, 0]) +
                 struct.pack("<BBBBI", 0, F, PEND, LINK, 7) + call(4, 0) +
                 ev(error(7, F, PEND, LINK, [A])) + ev(reset(7, DONE, LINK)) + call(5, 0),
    "storm": b"\x01" + ev(error(1, F, PEND, LINK, [A])) +
             b"".join(ev(error(s, NF, NONE, 0, [A])) for s in range(2, 12)) + call(7, 0x80),
    "removed": b"\x01" + ev(error(1, F, PEND, LINK, [A])) + call(4, 0) + call(8, 0) +
               call(5, 0) + call(7, 0) + call(9, 0x5a),
}

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
