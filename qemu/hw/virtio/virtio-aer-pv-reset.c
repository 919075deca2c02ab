/*
 * virtio-aer-pv: the resets of the functions' errors
 *
 * Two kinds of reset end an error's wait: the host's own, which the
 * guest learns of from the error event and waits for (EVT_RESET tells
 * its end), and one the guest asks for (REQ_RESET, answered at its end)
 * when the host did not reset.  The guest does not choose how many: one
 * reset per error and reset scope, whatever it asks; a second request,
 * of any kind, gets the first's outcome; a failed reset is never retried;
 * and a reset is exactly the kind asked for, done by the functions' host
 * (AerPvHostOps), or refused.
 *
 * Copyright (c) 2026 aer-pv developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/timer.h"
#include "hw/pci/pci_device.h"
#include "hw/virtio/virtio-aer-pv.h"
#include "virtio-aer-pv-internal.h"
#include "trace.h"

static bool virtio_aer_pv_has(AerPvResetOp *op, PCIDevice *dev)
{
    unsigned int i;

    for (i = 0; i < op->nr && op->devs[i] != dev; i++) {
        continue;
    }
    return i < op->nr;
}

/*
 * A reset of error @op->seq ended: count it for every function it
 * reached, tell the functions still on that error and the requests that
 * wait for it and, for the host's own, the guest.
 */
static void virtio_aer_pv_reset_end(AerPvResetOp *op)
{
    VirtIOAerPv *s = op->s;
    bool ok = !op->failed;
    AerPvWaiter *w, *tmp;
    unsigned int i;

    trace_virtio_aer_pv_reset_end(op->seq, op->kind, op->host, ok, op->nr);
    if (!s) {
        g_free(op);
        return;
    }
    QLIST_REMOVE(op, next);
    for (i = 0; i < s->nr_funcs; i++) {
        AerPvFunc *f = &s->funcs[i];

        if (virtio_aer_pv_has(op, f->dev)) {
            if (op->host && f->ops && f->ops->reset_done) {
                f->ops->reset_done(f->dev);
            }
            f->host_resets += ok;
        }
        if (f->seq == op->seq && f->reset == VIRTIO_AER_PV_RESET_PENDING) {
            f->reset = ok ? VIRTIO_AER_PV_RESET_DONE :
                            VIRTIO_AER_PV_RESET_FAILED;
            f->reset_kind = op->kind;
        }
    }
    QSIMPLEQ_FOREACH_SAFE(w, &s->waiters, next, tmp) {
        if (w->seq == op->seq) {
            QSIMPLEQ_REMOVE(&s->waiters, w, AerPvWaiter, next);
            virtio_aer_pv_respond(s, &w->elem, op->seq, ok ?
                                  VIRTIO_AER_PV_S_OK : VIRTIO_AER_PV_S_FAILED,
                                  op->kind);
        }
    }
    if (op->host && virtio_aer_pv_live(s)) {
        union virtio_aer_pv_event ev = { .reset = {
            .type = cpu_to_le16(VIRTIO_AER_PV_EVT_RESET),
            .seq = cpu_to_le32(op->seq),
            .reset = ok ? VIRTIO_AER_PV_RESET_DONE :
                          VIRTIO_AER_PV_RESET_FAILED,
            .reset_kind = op->kind,
        } };

        virtio_aer_pv_queue_event(s, &ev);
    }
    virtio_aer_pv_update(s);
    g_free(op);
}

void virtio_aer_pv_reset_complete(AerPvResetOp *op, int ret)
{
    assert(op->pending);
    op->failed |= ret < 0;
    if (!--op->pending) {
        virtio_aer_pv_reset_end(op);
    }
}

/* Host resets that did not end in time: the guest learns they failed */
void virtio_aer_pv_resets_expire(VirtIOAerPv *s, int64_t now)
{
    AerPvResetOp *op, *tmp;

    QLIST_FOREACH_SAFE(op, &s->resets, next, tmp) {
        if (op->host && op->deadline <= now) {
            warn_report("virtio-aer-pv: %s: the host's reset did not end "
                        "within %u ms; telling the guest it failed (seq %u)",
                        op->nr ? virtio_aer_pv_dev_name(op->devs[0]) :
                        "unplugged function", s->reset_timeout_ms, op->seq);
            op->failed = true;
            virtio_aer_pv_reset_end(op);
        }
    }
}

/* The resets the hosts of error @seq's functions can all do, exactly */
uint16_t virtio_aer_pv_reset_kinds(VirtIOAerPv *s, uint32_t seq)
{
    uint16_t kinds = VIRTIO_AER_PV_EVF_RESET_LINK |
                     VIRTIO_AER_PV_EVF_RESET_FUNCTION;
    unsigned int i;

    for (i = 0; i < s->nr_funcs; i++) {
        AerPvFunc *f = &s->funcs[i];

        if (f->seq == seq) {
            kinds &= f->ops && f->ops->reset_kinds && f->ops->reset ?
                     f->ops->reset_kinds(f->dev) : 0;
            if (!f->link) {
                kinds &= ~VIRTIO_AER_PV_EVF_RESET_LINK;
            }
        }
    }
    return kinds;
}

AerPvResetOp *virtio_aer_pv_new_op(VirtIOAerPv *s, uint32_t seq,
                                   uint8_t kind, bool host)
{
    AerPvResetOp *op = g_new0(AerPvResetOp, 1);
    unsigned int i;

    op->s = s;
    op->seq = seq;
    op->kind = kind;
    op->host = host;
    op->deadline = qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + s->reset_timeout_ms;
    for (i = 0; i < s->nr_funcs; i++) {
        if (s->funcs[i].seq == seq) {
            op->devs[op->nr++] = s->funcs[i].dev;
            s->funcs[i].reset = VIRTIO_AER_PV_RESET_PENDING;
            s->funcs[i].reset_kind = kind;
        }
    }
    QLIST_INSERT_HEAD(&s->resets, op, next);
    return op;
}

/*
 * Start the reset of @kind of every function of error @seq, once per
 * link for LINK: exactly what the guest asked for, or nothing.
 */
static void virtio_aer_pv_start_reset(VirtIOAerPv *s, uint32_t seq,
                                      uint8_t kind)
{
    AerPvResetOp *op = virtio_aer_pv_new_op(s, seq, kind, false);
    unsigned int i, j;
    int ret;

    for (i = 0; i < s->nr_funcs; i++) {
        AerPvFunc *f = &s->funcs[i];

        for (j = 0; kind == VIRTIO_AER_PV_RESET_KIND_LINK && j < i; j++) {
            if (s->funcs[j].seq == seq && !strcmp(s->funcs[j].link, f->link)) {
                break;          /* its link's reset covers it */
            }
        }
        if (f->seq != seq || (kind == VIRTIO_AER_PV_RESET_KIND_LINK && j < i)) {
            continue;
        }
        ret = f->ops->reset(f->dev, kind, op);
        trace_virtio_aer_pv_request_start(virtio_aer_pv_dev_name(f->dev),
                                          seq, kind, ret);
        op->failed |= ret < 0;
        op->pending += ret >= 0;
    }
    if (!op->pending) {
        virtio_aer_pv_reset_end(op);
    }
}

/*
 * REQ_RESET: returns the status to answer with, @kind set to the reset
 * done for S_OK; or -1 when the answer comes once the reset ends.  One
 * reset per error: a second request, of any kind, gets the first's
 * outcome, and a failed reset is never retried.
 */
int virtio_aer_pv_request_reset(VirtIOAerPv *s, AerPvFunc *f, uint32_t seq,
                                uint8_t *kind, AerPvWaiter *w)
{
    if (*kind != VIRTIO_AER_PV_RESET_KIND_LINK &&
        *kind != VIRTIO_AER_PV_RESET_KIND_FUNCTION) {
        return VIRTIO_AER_PV_S_ERR;
    }
    if (!f->recovering || seq != f->seq) {
        s->requests_refused++;
        trace_virtio_aer_pv_request_stale(virtio_aer_pv_dev_name(f->dev),
                                          seq, f->seq, f->recovering);
        return VIRTIO_AER_PV_S_STALE;
    }
    if (f->reset == VIRTIO_AER_PV_RESET_DONE) {
        *kind = f->reset_kind;
        return VIRTIO_AER_PV_S_OK;
    }
    if (f->reset == VIRTIO_AER_PV_RESET_FAILED) {
        return VIRTIO_AER_PV_S_FAILED;
    }
    if (f->reset == VIRTIO_AER_PV_RESET_NONE &&
        !(virtio_aer_pv_reset_kinds(s, seq) &
          (*kind == VIRTIO_AER_PV_RESET_KIND_LINK ?
           VIRTIO_AER_PV_EVF_RESET_LINK : VIRTIO_AER_PV_EVF_RESET_FUNCTION))) {
        return VIRTIO_AER_PV_S_UNSUPPORTED;
    }
    w->seq = seq;
    QSIMPLEQ_INSERT_TAIL(&s->waiters, w, next);
    if (f->reset == VIRTIO_AER_PV_RESET_NONE) {
        virtio_aer_pv_start_reset(s, seq, *kind);
    }
    return -1;
}

static AerPvResetOp *virtio_aer_pv_host_reset(VirtIOAerPv *s, uint32_t seq,
                                              PCIDevice *dev)
{
    AerPvResetOp *op;

    QLIST_FOREACH(op, &s->resets, next) {
        if (op->host && (dev ? virtio_aer_pv_has(op, dev) : op->seq == seq)) {
            return op;
        }
    }
    return NULL;
}

uint32_t virtio_aer_pv_host_reset_pending(VirtIOAerPv *s, PCIDevice *dev)
{
    AerPvResetOp *op = virtio_aer_pv_host_reset(s, 0, dev);

    return op ? op->seq : 0;
}

void virtio_aer_pv_host_reset_done(VirtIOAerPv *s, uint32_t seq, bool ok)
{
    AerPvResetOp *op = virtio_aer_pv_host_reset(s, seq, NULL);

    if (op) {
        op->failed = !ok;
        virtio_aer_pv_reset_end(op);
    }
}

void virtio_aer_pv_free_waiters(VirtIOAerPv *s)
{
    AerPvWaiter *w;

    while ((w = QSIMPLEQ_FIRST(&s->waiters))) {
        QSIMPLEQ_REMOVE_HEAD(&s->waiters, next);
        g_free(w);
    }
}

/* @dev was unplugged: the resets in flight reach it no more */
void virtio_aer_pv_resets_forget(VirtIOAerPv *s, PCIDevice *dev)
{
    AerPvResetOp *op;
    unsigned int i;

    QLIST_FOREACH(op, &s->resets, next) {
        for (i = 0; i < op->nr;) {
            if (op->devs[i] == dev) {
                op->devs[i] = op->devs[--op->nr];
            } else {
                i++;
            }
        }
    }
}

/* The device goes: its hosts complete the resets they run into nothing */
void virtio_aer_pv_resets_cancel(VirtIOAerPv *s)
{
    AerPvResetOp *op, *tmp;

    QLIST_FOREACH_SAFE(op, &s->resets, next, tmp) {
        QLIST_REMOVE(op, next);
        if (op->pending) {
            op->s = NULL;
        } else {
            g_free(op);
        }
    }
    virtio_aer_pv_free_waiters(s);
}
