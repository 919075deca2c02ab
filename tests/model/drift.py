#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Fail when the Promela model and the C sources disagree on a constant.

The C headers are the only source of truth: this script holds no value of
its own, it reads every one from them.  tests/model/aer_pv.pml mirrors, as
#defines of the same names:
  - every VIRTIO_AER_PV_(F|EVT|EVF|REQ|RESET|S|SEV|PHASE)_* value of the
    protocol header include/uapi/linux/virtio_aer_pv.h (feature bits,
    message types, error event flags, request types, reset states and
    kinds, status codes, severities, phases);
  - every enumerator of the enums of drivers/pci/pcie/aer_pv/fsm.h that
    the model transcribes: enum aer_pv_state (unit states), enum
    aer_pv_req (reset request states), enum aer_pv_why (failure reasons),
    enum aer_pv_input_type and enum aer_pv_act_type (aer_pv_step()'s
    inputs and actions);
  - the enum aer_pv_verdict values of protocol.h that it uses.

This checks that each of those appears in the model with the same value,
that the model defines each name once, and that it defines no
VIRTIO_AER_PV_* or AER_PV_* name (message type, state, ...) that the
sources lack or give another value (a name the design dropped, such as
REQ_QUERY, is drift too).  Exit 0 when they agree, 1 (listing every
difference) when they drifted apart.

Usage: drift.py [--header H] [--fsm F] [--protocol P] [--model M]
(defaults: the files of this tree), e.g. to test it on a scratch copy.
drift.py --legend prints, from the same headers, what the numbers in the
model's MSC lines mean (scripts/verify.sh shows it with a trail).
"""

import argparse
import os
import re
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                     "..", ".."))

# Header constants in the checked families that the model does not need,
# and why.  Each entry needs its reason: an empty one is drift too.
NOT_MODELLED = {
    "VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS":
        "a bound in ms; the model's waits time out nondeterministically",
}

FAMILY = re.compile(r"VIRTIO_AER_PV_(F|EVT|EVF|REQ|RESET|S|SEV|PHASE)_\w+$")

# The enums of fsm.h that the model transcribes
FSM_ENUMS = ("aer_pv_state", "aer_pv_req", "aer_pv_why", "aer_pv_input_type",
             "aer_pv_act_type")
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
    m = re.fullmatch(r"(\d+)\s*<<\s*(\d+)", expr)
    if m:
        return int(m.group(1)) << int(m.group(2))
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


def defines(path, dups=None):
    """{name: value} of the object-like #defines with an integer value;
    names defined more than once go to dups, if given."""
    out = {}
    for line in read(path).splitlines():
        m = DEFINE.match(line)
        if not m:
            continue
        v = int_value(m.group(2))
        if v is None:
            continue
        if m.group(1) in out and dups is not None:
            dups.add(m.group(1))
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


def legend(args):
    """One line: the values of the names a trail prints as numbers."""
    header = defines(args.header)

    def names(pairs, prefix):
        return " ".join(f"{v} {k[len(prefix):].lower()}"
                        for k, v in sorted(pairs.items(), key=lambda kv: kv[1])
                        if k.startswith(prefix) and not k.startswith(prefix + "NR_"))

    def hdr(prefix, skip=()):
        return names({k: v for k, v in header.items()
                      if k.startswith(prefix) and k not in skip}, prefix)

    verdicts = {k: v for k, v in enum(args.protocol, "aer_pv_verdict").items()
                if k != "AER_PV_OK"}
    parts = [
        "state " + names(enum(args.fsm, "aer_pv_state"), "AER_PV_"),
        "action " + names(enum(args.fsm, "aer_pv_act_type"), "AER_PV_ACT_"),
        "why " + names(enum(args.fsm, "aer_pv_why"), "AER_PV_WHY_"),
        "verdict 0 ok " + names(verdicts, "AER_PV_DROP_"),
        "sev " + hdr("VIRTIO_AER_PV_SEV_"),
        "reset " + hdr("VIRTIO_AER_PV_RESET_",
                       [k for k in header if k.startswith("VIRTIO_AER_PV_RESET_KIND_")
                        or k in NOT_MODELLED]),
        "status/request " + hdr("VIRTIO_AER_PV_S_"),
    ]
    return "; ".join(parts) + ("; error sets and functions (functions N) "
                               "are bit masks: BIT(seq), BIT(F)")


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
    ap.add_argument("--legend", action="store_true",
                    help="print the meaning of the numbers in a trail")
    args = ap.parse_args()

    if args.legend:
        print(legend(args))
        return 0

    header = defines(args.header)
    dups = set()
    model = defines(args.model, dups)

    # What the model must mirror, name -> (value, where)
    required = {}
    for k, v in header.items():
        if FAMILY.match(k) and k not in NOT_MODELLED:
            required[k] = (v, "virtio_aer_pv.h")
    for en in FSM_ENUMS:
        for k, v in enum(args.fsm, en).items():
            required[k] = (v, f"fsm.h enum {en}")
    # What the model may use besides
    optional = {k: (v, "protocol.h enum aer_pv_verdict")
                for k, v in enum(args.protocol, "aer_pv_verdict").items()}
    for k, v in header.items():
        optional.setdefault(k, (v, "virtio_aer_pv.h"))

    drift = [f"{k} is defined more than once in the model"
             for k in sorted(dups)
             if k.startswith("VIRTIO_AER_PV_") or k.startswith("AER_PV_")]
    drift += [f"{k} is in NOT_MODELLED without a reason"
              for k, why in NOT_MODELLED.items() if not why.strip()]
    drift += [f"{k} is in NOT_MODELLED but the model defines it"
              for k in NOT_MODELLED if k in model]
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
    print(f"drift: ok: {nproto} protocol constants and "
          f"{len(required) - nproto} fsm.h enumerators (states, request "
          "states, failure reasons, inputs, actions) agree with the model")
    return 0


if __name__ == "__main__":
    sys.exit(main())
