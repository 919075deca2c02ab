#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fail when the Promela model and the C sources disagree on a constant.

tests/model/aer_pv.pml mirrors, as #defines of the same names:
  - every VIRTIO_AER_PV_(EVT|REQ|RESET|S|SEV|PHASE)_* value of the protocol
    header include/uapi/linux/virtio_aer_pv.h (message types, flags,
    requests, reset states and kinds, status codes, severities, phases);
  - every enumerator of enum aer_pv_state, enum aer_pv_decision and
    enum aer_pv_aer_verdict, and every AER_PV_DF_* flag, of
    drivers/pci/pcie/aer_pv/fsm.h;
  - the enum aer_pv_verdict values of protocol.h that it uses.

This checks that each of those appears in the model with the same value,
and that the model defines no VIRTIO_AER_PV_* or AER_PV_* name (message
type, state, ...) that the sources lack or give another value.  Exit 0
when they agree, 1 (listing every difference) when they drifted apart.

Usage: drift.py [--header H] [--fsm F] [--protocol P] [--model M]
(defaults: the files of this tree), e.g. to test it on a scratch copy.
"""

import argparse
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                     "..", ".."))

# Header constants in the checked families that the model does not need,
# and why.
NOT_MODELLED = {
    "VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS":
        "a bound in ms; the model's waits time out nondeterministically",
}

FAMILY = re.compile(r"VIRTIO_AER_PV_(EVT|REQ|RESET|S|SEV|PHASE)_\w+$")
DEFINE = re.compile(r"^\s*#\s*define\s+(\w+)\s+([^/\s][^/]*?)\s*(?:/[*/].*)?$")


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"),
                  text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def int_value(expr):
    """The value of an integer literal or BIT(n), else None."""
    expr = expr.strip()
    while expr.startswith("(") and expr.endswith(")"):
        expr = expr[1:-1].strip()
    m = re.fullmatch(r"BIT\((\d+)\)", expr)
    if m:
        return 1 << int(m.group(1))
    m = re.fullmatch(r"(0[xX][0-9a-fA-F]+|\d+)[uUlL]*", expr)
    if m:
        return int(m.group(1), 0)
    return None


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError as e:
        sys.exit(f"drift: cannot read {path}: {e.strerror}")


def defines(path):
    """{name: value} of the object-like #defines with an integer value."""
    out = {}
    for line in read(path).splitlines():
        m = DEFINE.match(line)
        if not m:
            continue
        v = int_value(m.group(2))
        if v is not None:
            out.setdefault(m.group(1), v)
    return out


def enum(path, name):
    """{enumerator: value} of 'enum name { ... };' in a C header."""
    text = strip_comments(read(path))
    m = re.search(r"\benum\s+" + name + r"\s*\{(.*?)\}\s*;", text, re.S)
    if not m:
        sys.exit(f"drift: enum {name} not found in {path}")
    out, nxt = {}, 0
    for item in m.group(1).split(","):
        item = item.strip()
        if not item:
            continue
        if "=" in item:
            key, expr = (s.strip() for s in item.split("=", 1))
            v = int_value(expr)
            if v is None:
                v = out.get(expr)
            if v is None:
                sys.exit(f"drift: cannot evaluate {key} = {expr} in {path}")
        else:
            key, v = item, nxt
        out[key] = v
        nxt = v + 1
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--header", default=os.path.join(
        ROOT, "include/uapi/linux/virtio_aer_pv.h"))
    ap.add_argument("--fsm", default=os.path.join(
        ROOT, "drivers/pci/pcie/aer_pv/fsm.h"))
    ap.add_argument("--protocol", default=os.path.join(
        ROOT, "drivers/pci/pcie/aer_pv/protocol.h"))
    ap.add_argument("--model", default=os.path.join(
        ROOT, "tests/model/aer_pv.pml"))
    args = ap.parse_args()

    header = defines(args.header)
    fsm_defs = defines(args.fsm)
    model = defines(args.model)

    # What the model must mirror, name -> (value, where)
    required = {}
    for k, v in header.items():
        if FAMILY.match(k) and k not in NOT_MODELLED:
            required[k] = (v, "virtio_aer_pv.h")
    for en in ("aer_pv_state", "aer_pv_decision", "aer_pv_aer_verdict"):
        for k, v in enum(args.fsm, en).items():
            required[k] = (v, f"fsm.h enum {en}")
    for k, v in fsm_defs.items():
        if k.startswith("AER_PV_DF_"):
            required[k] = (v, "fsm.h")
    # What the model may use besides
    optional = {k: (v, "protocol.h enum aer_pv_verdict")
                for k, v in enum(args.protocol, "aer_pv_verdict").items()}
    for k, v in header.items():
        optional.setdefault(k, (v, "virtio_aer_pv.h"))

    drift = []
    for k, (v, where) in sorted(required.items()):
        if k not in model:
            drift.append(f"{k} = {v} ({where}) is missing from the model")
        elif model[k] != v:
            drift.append(f"{k} is {model[k]} in the model but {v} in {where}")
    for k, v in sorted(model.items()):
        if not (k.startswith("VIRTIO_AER_PV_") or k.startswith("AER_PV_")):
            continue
        if k in required:
            continue
        if k in optional:
            if optional[k][0] != v:
                drift.append(f"{k} is {v} in the model but {optional[k][0]} "
                             f"in {optional[k][1]}")
            continue
        drift.append(f"{k} = {v} is in the model but in none of "
                     "virtio_aer_pv.h, fsm.h, protocol.h")

    for line in drift:
        print(f"drift: {line}")
    if drift:
        model = os.path.abspath(args.model)
        if model.startswith(ROOT + os.sep):
            model = os.path.relpath(model, ROOT)
        print(f"drift: FAILED: {len(drift)} difference(s) between {model} "
              "and the sources; update the model (and its transcription "
              "of fsm.c) to match")
        return 1
    nproto = sum(1 for w in required.values() if w[1] == "virtio_aer_pv.h")
    print(f"drift: ok: {nproto} protocol constants, "
          f"{len(required) - nproto} fsm.h states, decisions, verdicts and "
          "flags agree with the model")
    return 0


if __name__ == "__main__":
    sys.exit(main())
