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


def answer(unit, status, kind, seq):
    return bytes([4, unit]) + struct.pack("<BBxxI", status, kind, seq)


# Opcodes of fuzz_aer_pv.c
STEP, WAKE, DONE_, GONE, DOWN, TIME = 2, 3, 5, 6, 7, 8
OK_, OK_UNIT = 0x40, 0

F, NF, COR = (C["VIRTIO_AER_PV_SEV_" + s] for s in ("FATAL", "NONFATAL", "CORRECTABLE"))
NONE, PEND, DONE, FAIL = (C["VIRTIO_AER_PV_RESET_" + s] for s in ("NONE", "PENDING", "DONE", "FAILED"))
LINK = C["VIRTIO_AER_PV_RESET_KIND_LINK"]
S_OK, S_STALE, S_UNSUP = (C["VIRTIO_AER_PV_S_" + s] for s in ("OK", "STALE", "UNSUPPORTED"))
A, B, C2 = (0, 1, 0), (0, 1, 1), (0, 2, 0)

seeds = {
    "fatal_done": b"\x01" + ev(error(1, F, DONE, LINK, [A])) + call(STEP, 0x80) +
                  call(DONE_, OK_),
    "fatal_pending": b"\x01" + ev(error(1, F, PEND, LINK, [A, B])) + call(STEP, 0x80) +
                     ev(reset(1, DONE, LINK)) + call(WAKE, 0) + call(DONE_, OK_),
    "fatal_timeout": b"\x01" + ev(error(1, F, PEND, LINK, [A])) + call(STEP, 0x80) +
                     call(TIME, 0xff) + call(WAKE, 0) + call(DONE_, 0),
    "nonfatal_request": b"\x01" + ev(error(2, NF, NONE, 0, [A])) + call(STEP, 0x80) +
                        answer(0, S_OK, LINK, 2) + call(DONE_, OK_),
    "stale": b"\x01" + ev(error(1, NF, NONE, 0, [A])) + call(STEP, 0x80) +
             ev(error(2, NF, NONE, 0, [A])) + answer(0, S_STALE, 0, 1) +
             answer(0, S_OK, LINK, 2) + call(DONE_, OK_) + call(STEP, 0x80) +
             call(DONE_, OK_),
    "unsupported": b"\x01" + ev(error(1, NF, NONE, 0, [C2])) + call(STEP, 0x80) +
                   answer(0, S_UNSUP, 0, 1) + call(DONE_, OK_),
    "two_ports": b"\x01" + ev(error(1, F, PEND, LINK, [A, C2])) + call(STEP, 0x80) +
                 call(STEP, 0x81) + ev(reset(1, DONE, LINK)) + call(WAKE, 0) +
                 call(WAKE, 1) + call(DONE_, OK_) + call(DONE_, OK_ | 1),
    "overlap": b"\x01" + ev(error(1, F, PEND, LINK, [A, B])) +
               ev(error(2, F, PEND, LINK, [A, B])) + call(STEP, 0x80) +
               ev(reset(1, DONE, LINK)) + call(WAKE, 0) + ev(reset(2, DONE, LINK)) +
               call(WAKE, 0) + call(DONE_, OK_) + call(STEP, 0x80) + call(DONE_, OK_),
    "correctable": b"\x00" + ev(error(3, COR, NONE, 0, [A])),
    "storm": b"\x01" + ev(error(1, F, PEND, LINK, [A])) +
             b"".join(ev(error(s, NF, NONE, 0, [A])) for s in range(2, 12)) +
             call(STEP, 0x80) + ev(reset(1, DONE, LINK)) + call(WAKE, 0) + call(DONE_, OK_),
    "removed": b"\x01" + ev(error(1, F, PEND, LINK, [A])) + call(STEP, 0x80) +
               call(GONE, 0) + call(WAKE, 0) + call(DONE_, 0) + call(DOWN, 0x5a),
}

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
