/*
 * virtio-aer-pv: host side of paravirtual PCIe AER recovery
 *
 * Tells the guest about AER errors on PCIe functions assigned to it and
 * about the host's reset of them, performs resets the guest asks for, and
 * turns the guest's recovery phase reports into QMP events.  Errors come
 * from vfio-pci's error notifier, or, for testing without faulty hardware,
 * from the x-aer-pv-inject-error QMP command (virtio-aer-pv-test.c), which
 * also models the host's reset (its timing and outcome) on an emulated
 * device.
 *
 * Once the driver is live (DRIVER_OK), the channel is the only source of
 * errors of the functions the device manages: it signals no emulated AER
 * message for them then, and counts the ones it suppresses.
 *
 * The device migrates, except while the guest recovers an error: the
 * host's reset in flight and the guest's requests to it belong to this
 * host and its device, so a migration blocker is held from the error
 * until the guest reports the outcome of every recovery.
 *
 * The wire format is include/standard-headers/linux/virtio_aer_pv.h,
 * generated from the Linux uapi header.
 *
 * Copyright (c) 2026 aer-pv developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-events-aer-pv.h"
#include "qemu/error-report.h"
#include "qemu/iov.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qom/object.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci_bridge.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pcie_aer.h"
#include "hw/virtio/virtio-aer-pv.h"
#include "migration/blocker.h"
#include "migration/vmstate.h"
#include "virtio-aer-pv-internal.h"
#include "trace.h"

/*
 * How long the device waits for the outcome of a recovery after its last
 * sign (the error, a phase report), before it allows migration again
 * anyway: the guest's wait for a reset is bounded by reset-timeout-ms,
 * and this margin is its drivers' callbacks'.
 */
#define AER_PV_RECOVERY_MARGIN_MS   30000

VirtIOAerPv *virtio_aer_pv_get(Error **errp)
{
    bool ambiguous = false;
    Object *obj = object_resolve_path_type("", TYPE_VIRTIO_AER_PV, &ambiguous);

    if (ambiguous) {
        error_setg(errp, "more than one virtio-aer-pv device: only one "
                   "is supported per VM");
        return NULL;
    }
    if (!obj) {
        error_setg(errp, "no virtio-aer-pv device");
        return NULL;
    }
    return VIRTIO_AER_PV(obj);
}

bool virtio_aer_pv_live(VirtIOAerPv *s)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(s);

    return (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
           virtio_queue_ready(s->eventq);
}

/* Has the driver set DRIVER_OK, since the device's last reset? */
static bool virtio_aer_pv_driver_ok(VirtIOAerPv *s)
{
    return VIRTIO_DEVICE(s)->status & VIRTIO_CONFIG_S_DRIVER_OK;
}

const char *virtio_aer_pv_dev_name(PCIDevice *dev)
{
    DeviceState *d = DEVICE(dev);

    return d->id ? d->id : object_get_canonical_path_component(OBJECT(d));
}

/* The address the guest sees @dev at, which is how the protocol names it */
static void virtio_aer_pv_func_addr(PCIDevice *dev,
                                    struct virtio_aer_pv_func *f)
{
    f->segment = cpu_to_le16(0);
    f->bus = pci_dev_bus_num(dev);
    f->devfn = dev->devfn;
}

AerPvFunc *virtio_aer_pv_func(VirtIOAerPv *s, PCIDevice *dev,
                                     bool create)
{
    unsigned int i;

    for (i = 0; i < s->nr_funcs; i++) {
        if (s->funcs[i].dev == dev) {
            return &s->funcs[i];
        }
    }
    if (!create || s->nr_funcs == VIRTIO_AER_PV_QEMU_MAX_FUNCS) {
        return NULL;
    }
    object_ref(OBJECT(dev));
    s->funcs[s->nr_funcs] = (AerPvFunc) { .dev = dev };
    return &s->funcs[s->nr_funcs++];
}

static AerPvFunc *virtio_aer_pv_func_by_addr(VirtIOAerPv *s,
                                             const struct virtio_aer_pv_func *a)
{
    unsigned int i;

    if (le16_to_cpu(a->segment) != 0) {
        return NULL;
    }
    for (i = 0; i < s->nr_funcs; i++) {
        PCIDevice *dev = s->funcs[i].dev;

        if (pci_dev_bus_num(dev) == a->bus && dev->devfn == a->devfn) {
            return &s->funcs[i];
        }
    }
    return NULL;
}

/* A function whose recovery the guest has not reported the end of */
static AerPvFunc *virtio_aer_pv_recovering(VirtIOAerPv *s)
{
    unsigned int i;

    for (i = 0; i < s->nr_funcs; i++) {
        if (s->funcs[i].recovering) {
            return &s->funcs[i];
        }
    }
    return NULL;
}

/*
 * Hold a migration blocker while a recovery is in flight: a function the
 * guest has not reported the outcome of, or a reset of this host's.
 * Sets @errp to say which, for a migration that began before the error.
 */
static bool virtio_aer_pv_busy(VirtIOAerPv *s, Error **errp)
{
    AerPvFunc *f = virtio_aer_pv_recovering(s);
    AerPvReset *r = QTAILQ_FIRST(&s->resets);

    if (f) {
        error_setg(errp, "virtio-aer-pv: the guest is recovering %s from "
                   "a PCIe error (seq %u); migrate once its recovery is "
                   "over", virtio_aer_pv_dev_name(f->dev), f->seq);
    } else if (r) {
        error_setg(errp, "virtio-aer-pv: the host's reset for error seq %u "
                   "is in flight; migrate once it is over", r->seq);
    }
    return f || r;
}

static void virtio_aer_pv_update_blocker(VirtIOAerPv *s)
{
    Error *err = NULL;

    if (s->migration_blocker) {
        if (!virtio_aer_pv_busy(s, NULL)) {
            migrate_del_blocker(&s->migration_blocker);
            timer_del(&s->recovery_timer);
            trace_virtio_aer_pv_migration_blocker(false);
        }
        return;
    }
    if (!virtio_aer_pv_busy(s, &s->migration_blocker)) {
        timer_del(&s->recovery_timer);
        return;
    }
    /* One under way already fails in pre_save instead: see there */
    if (migrate_add_blocker_internal(&s->migration_blocker, &err) < 0) {
        trace_virtio_aer_pv_migration_blocker_refused(error_get_pretty(err));
        error_free(err);
        return;
    }
    trace_virtio_aer_pv_migration_blocker(true);
}

/* The guest recovers @f's error, or has just shown progress in it */
static void virtio_aer_pv_recovery_touch(VirtIOAerPv *s)
{
    timer_mod(&s->recovery_timer, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
                                  s->reset_timeout_ms +
                                  AER_PV_RECOVERY_MARGIN_MS);
}

void virtio_aer_pv_recovery_begin(VirtIOAerPv *s, AerPvFunc *f)
{
    f->recovering = true;
    virtio_aer_pv_recovery_touch(s);
    virtio_aer_pv_update_blocker(s);
}

/* The guest reported @phase of its recovery of @f's error @seq */
static void virtio_aer_pv_recovery_phase(VirtIOAerPv *s, AerPvFunc *f,
                                         uint32_t seq, uint8_t phase)
{
    /* A recovery may cover a newer error of @f, never an older one */
    if (!f->recovering || (int32_t)(seq - f->seq) < 0) {
        return;
    }
    if (phase != VIRTIO_AER_PV_PHASE_RECOVERED &&
        phase != VIRTIO_AER_PV_PHASE_FAILED) {
        virtio_aer_pv_recovery_touch(s);
        return;
    }
    f->recovering = false;
    trace_virtio_aer_pv_recovery_over(virtio_aer_pv_dev_name(f->dev), seq);
    virtio_aer_pv_update_blocker(s);
}

/* The guest went silent about a recovery: do not block migration forever */
static void virtio_aer_pv_recovery_expired(void *opaque)
{
    VirtIOAerPv *s = opaque;
    AerPvFunc *f;

    while ((f = virtio_aer_pv_recovering(s))) {
        warn_report("virtio-aer-pv: %s: the guest reported no outcome of "
                    "its recovery of error seq %u within %u ms; allowing "
                    "migration again", virtio_aer_pv_dev_name(f->dev),
                    f->seq, s->reset_timeout_ms + AER_PV_RECOVERY_MARGIN_MS);
        f->recovering = false;
    }
    virtio_aer_pv_update_blocker(s);
}

void virtio_aer_pv_flush_events(VirtIOAerPv *s)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(s);
    VirtQueueElement *elem;
    bool notify = false;

    while (s->ev_count && !s->hold_events) {
        union virtio_aer_pv_event *ev = &s->events[s->ev_head];
        unsigned int raw = s->ev_raw_len[s->ev_head];
        size_t len, n;

        elem = virtqueue_pop(s->eventq, sizeof(VirtQueueElement));
        if (!elem) {
            break;
        }
        if (raw) {
            len = raw;
        } else {
            len = le16_to_cpu(ev->error.type) == VIRTIO_AER_PV_EVT_ERROR ?
                  sizeof(ev->error) : sizeof(ev->reset);
        }
        n = iov_from_buf(elem->in_sg, elem->in_num, 0, ev, len);
        /* A raw event may claim a length other than what was written */
        virtqueue_push(s->eventq, elem, raw ? s->ev_used_len[s->ev_head] : n);
        g_free(elem);
        s->events_sent++;
        trace_virtio_aer_pv_event_sent(le16_to_cpu(ev->error.type),
                                       le32_to_cpu(ev->error.seq), n);
        s->ev_head = (s->ev_head + 1) % VIRTIO_AER_PV_QEMU_MAX_EVENTS;
        s->ev_count--;
        notify = true;
    }
    if (notify) {
        virtio_notify(vdev, s->eventq);
    }
}

typedef struct virtio_aer_pv_error_event AerPvErrorEvent;

static bool virtio_aer_pv_same_funcs(const AerPvErrorEvent *a,
                                     const AerPvErrorEvent *b)
{
    return a->nr_funcs == b->nr_funcs &&
           !memcmp(a->funcs, b->funcs, a->nr_funcs * sizeof(a->funcs[0]));
}

/*
 * Fold @ev into an event still queued, as the guest folds errors into a
 * pending one: a reset outcome goes into its error if that is still
 * queued, and when the queue is full a newer error replaces the newest
 * queued one for the same functions, keeping the worse severity.  The
 * newest, so that the guest still gets errors in increasing seq order.
 * Returns whether @ev was folded.
 */
static bool virtio_aer_pv_fold_event(VirtIOAerPv *s,
                                     const union virtio_aer_pv_event *ev)
{
    bool full = s->ev_count == VIRTIO_AER_PV_QEMU_MAX_EVENTS;
    uint16_t type = le16_to_cpu(ev->error.type);
    unsigned int i;

    for (i = s->ev_count; i-- > 0;) {
        unsigned int idx = (s->ev_head + i) % VIRTIO_AER_PV_QEMU_MAX_EVENTS;
        union virtio_aer_pv_event *q = &s->events[idx];

        if (s->ev_raw_len[idx] ||
            le16_to_cpu(q->error.type) != VIRTIO_AER_PV_EVT_ERROR) {
            continue;
        }
        if (type == VIRTIO_AER_PV_EVT_RESET && q->error.seq == ev->reset.seq &&
            q->error.reset == VIRTIO_AER_PV_RESET_PENDING) {
            q->error.reset = ev->reset.reset;
            q->error.reset_kind = ev->reset.reset_kind;
            s->events_coalesced++;
            return true;
        }
        if (type == VIRTIO_AER_PV_EVT_ERROR && full &&
            virtio_aer_pv_same_funcs(&q->error, &ev->error)) {
            uint8_t sev = MAX(q->error.severity, ev->error.severity);

            q->error = ev->error;
            q->error.severity = sev;
            s->events_coalesced++;
            return true;
        }
    }
    return false;
}

void virtio_aer_pv_queue(VirtIOAerPv *s,
                                const union virtio_aer_pv_event *ev,
                                unsigned int raw_len, uint32_t used_len)
{
    unsigned int idx;

    if (!raw_len && virtio_aer_pv_fold_event(s, ev)) {
        trace_virtio_aer_pv_event_folded(le16_to_cpu(ev->error.type),
                                         le32_to_cpu(ev->error.seq));
        virtio_aer_pv_flush_events(s);
        return;
    }
    if (s->ev_count == VIRTIO_AER_PV_QEMU_MAX_EVENTS) {
        /* Bounded: the guest's wait for a lost event ends by its timeout */
        s->events_dropped++;
        trace_virtio_aer_pv_event_dropped(le32_to_cpu(ev->error.seq));
        return;
    }
    idx = (s->ev_head + s->ev_count) % VIRTIO_AER_PV_QEMU_MAX_EVENTS;
    s->events[idx] = *ev;
    s->ev_raw_len[idx] = raw_len;
    s->ev_used_len[idx] = used_len;
    s->ev_count++;
    virtio_aer_pv_flush_events(s);
}

void virtio_aer_pv_queue_event(VirtIOAerPv *s,
                               const union virtio_aer_pv_event *ev)
{
    virtio_aer_pv_queue(s, ev, 0, 0);
}

static void virtio_aer_pv_handle_event(VirtIODevice *vdev, VirtQueue *vq)
{
    virtio_aer_pv_flush_events(VIRTIO_AER_PV(vdev));
}

void virtio_aer_pv_reset_dev(PCIDevice *dev)
{
    uint16_t aer = dev->exp.aer_cap;
    uint8_t saved[PCI_ERR_SIZEOF];

    if (aer) {
        memcpy(saved, dev->config + aer, sizeof(saved));
    }
    device_cold_reset(DEVICE(dev));
    if (aer) {
        memcpy(dev->config + aer + PCI_ERR_UNCOR_STATUS,
               saved + PCI_ERR_UNCOR_STATUS, 4);
        memcpy(dev->config + aer + PCI_ERR_COR_STATUS,
               saved + PCI_ERR_COR_STATUS, 4);
        memcpy(dev->config + aer + PCI_ERR_HEADER_LOG,
               saved + PCI_ERR_HEADER_LOG, 16);
    }
}

static void virtio_aer_pv_respond(VirtIOAerPv *s, VirtQueueElement *elem,
                                  const struct virtio_aer_pv_response *resp)
{
    size_t n = iov_from_buf(elem->in_sg, elem->in_num, 0, resp,
                            sizeof(*resp));

    trace_virtio_aer_pv_response(le32_to_cpu(resp->seq), resp->status,
                                 resp->reset_kind);
    virtqueue_push(s->reqq, elem, n);
    virtio_notify(VIRTIO_DEVICE(s), s->reqq);
    g_free(elem);
}

static void virtio_aer_pv_free_reset(VirtIOAerPv *s, AerPvReset *r)
{
    unsigned int i;

    QTAILQ_REMOVE(&s->resets, r, next);
    timer_del(&r->timer);
    for (i = 0; i < r->nr_devs; i++) {
        object_unref(OBJECT(r->devs[i]));
    }
    g_slist_free_full(r->elems, g_free);
    g_free(r);
}

void virtio_aer_pv_reset_add_dev(AerPvReset *r, PCIDevice *dev)
{
    unsigned int i;

    for (i = 0; i < r->nr_devs; i++) {
        if (r->devs[i] == dev) {
            return;
        }
    }
    if (r->nr_devs < ARRAY_SIZE(r->devs)) {
        object_ref(OBJECT(dev));
        r->devs[r->nr_devs++] = dev;
    }
}

/* Has @r reset the host link of its i-th function already? */
static bool virtio_aer_pv_link_reset_done(VirtIOAerPv *s, AerPvReset *r,
                                          unsigned int i, const char *link)
{
    unsigned int j;

    for (j = 0; link && j < i; j++) {
        AerPvFunc *f = virtio_aer_pv_func(s, r->devs[j], false);

        if (f && f->host_ops && f->host_ops->link_reset && f->host_link &&
            !strcmp(f->host_link, link)) {
            return true;
        }
    }
    return false;
}

/*
 * Do the reset @r is, once per link: an assigned function's link reset
 * is its host link's, which resets every assigned function below it; an
 * emulated function is reset as a link or function reset resets it.
 */
static void virtio_aer_pv_do_reset(VirtIOAerPv *s, AerPvReset *r)
{
    unsigned int i;
    int ret;

    for (i = 0; i < r->nr_devs; i++) {
        AerPvFunc *f = virtio_aer_pv_func(s, r->devs[i], false);

        if (r->kind != VIRTIO_AER_PV_RESET_KIND_LINK || !f || !f->host_ops ||
            !f->host_ops->link_reset) {
            virtio_aer_pv_reset_dev(r->devs[i]);
            continue;
        }
        if (virtio_aer_pv_link_reset_done(s, r, i, f->host_link)) {
            continue;
        }
        ret = f->host_ops->link_reset(r->devs[i]);
        trace_virtio_aer_pv_link_reset(virtio_aer_pv_dev_name(r->devs[i]),
                                       r->seq, ret);
        if (ret < 0) {
            warn_report("virtio-aer-pv: %s: the link reset the guest asked "
                        "for failed: %s (seq %u)",
                        virtio_aer_pv_dev_name(r->devs[i]), strerror(-ret),
                        r->seq);
            r->fail = true;
        }
    }
}

static void virtio_aer_pv_reset_end(void *opaque)
{
    AerPvReset *r = opaque;
    VirtIOAerPv *s = r->s;
    uint8_t state;
    unsigned int i;

    if (!r->fail && !r->host_did_reset) {
        virtio_aer_pv_do_reset(s, r);
    }
    state = r->fail ? VIRTIO_AER_PV_RESET_FAILED : VIRTIO_AER_PV_RESET_DONE;
    for (i = 0; i < r->nr_devs; i++) {
        AerPvFunc *f = virtio_aer_pv_func(s, r->devs[i], false);

        if (f) {
            /* The reset happened even if a newer error came meanwhile */
            f->host_resets += !r->fail;
            if (f->seq == r->seq) {
                f->reset = state;
                f->reset_kind = r->kind;
            }
        }
    }
    trace_virtio_aer_pv_host_reset(r->seq, r->fail);

    if (r->ended) {
        r->ended(r);
    }

    if (r->announce && virtio_aer_pv_live(s)) {
        union virtio_aer_pv_event ev = { .reset = {
            .type = cpu_to_le16(VIRTIO_AER_PV_EVT_RESET),
            .seq = cpu_to_le32(r->seq),
            .reset = state,
            .reset_kind = r->kind,
        } };

        virtio_aer_pv_queue_event(s, &ev);
    }
    if (r->elems) {
        struct virtio_aer_pv_response resp = {
            .status = r->fail ? VIRTIO_AER_PV_S_FAILED : VIRTIO_AER_PV_S_OK,
            .reset_kind = r->fail ? VIRTIO_AER_PV_RESET_KIND_NONE : r->kind,
            .seq = cpu_to_le32(r->seq),
        };
        GSList *l;

        for (l = r->elems; l; l = l->next) {
            virtio_aer_pv_respond(s, l->data, &resp);
        }
        g_slist_free(r->elems);
        r->elems = NULL;
    }
    virtio_aer_pv_free_reset(s, r);
    virtio_aer_pv_update_blocker(s);
}

AerPvReset *virtio_aer_pv_new_reset(VirtIOAerPv *s, uint32_t seq,
                                    uint8_t kind)
{
    AerPvReset *r = g_new0(AerPvReset, 1);

    r->s = s;
    r->seq = seq;
    r->kind = kind;
    timer_init_ms(&r->timer, QEMU_CLOCK_VIRTUAL, virtio_aer_pv_reset_end, r);
    QTAILQ_INSERT_TAIL(&s->resets, r, next);
    virtio_aer_pv_update_blocker(s);
    return r;
}

static void virtio_aer_pv_add_link(PCIBus *bus, PCIDevice *dev, void *opaque)
{
    AerPvReset *r = opaque;

    virtio_aer_pv_reset_add_dev(r, dev);
}

static bool virtio_aer_pv_has_flr(PCIDevice *dev)
{
    return pci_is_express(dev) &&
           (pci_get_long(dev->config + dev->exp.exp_cap + PCI_EXP_DEVCAP) &
            PCI_EXP_DEVCAP_FLR);
}

/*
 * Can the host reset every function of error @seq with a reset of @kind?
 * It never substitutes one kind of reset for another.
 */
static bool virtio_aer_pv_can_reset(VirtIOAerPv *s, uint32_t seq,
                                    uint8_t kind)
{
    unsigned int i;

    for (i = 0; i < s->nr_funcs; i++) {
        AerPvFunc *f = &s->funcs[i];

        if (f->seq == seq &&
            (f->request_outcome == AER_PV_REQUEST_UNSUPPORTED ||
             (kind == VIRTIO_AER_PV_RESET_KIND_FUNCTION &&
              !virtio_aer_pv_has_flr(f->dev)) ||
             (kind == VIRTIO_AER_PV_RESET_KIND_LINK && pci_is_vf(f->dev)))) {
            return false;
        }
    }
    return true;
}

uint16_t virtio_aer_pv_reset_kinds(VirtIOAerPv *s, uint32_t seq)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(s);
    uint16_t flags = 0;

    if (!virtio_vdev_has_feature(vdev, VIRTIO_AER_PV_F_RESET_KINDS) ||
        !virtio_vdev_has_feature(vdev, VIRTIO_AER_PV_F_RESET_REQUEST)) {
        return 0;
    }
    if (virtio_aer_pv_can_reset(s, seq, VIRTIO_AER_PV_RESET_KIND_LINK)) {
        flags |= VIRTIO_AER_PV_EVF_RESET_LINK;
    }
    if (virtio_aer_pv_can_reset(s, seq, VIRTIO_AER_PV_RESET_KIND_FUNCTION)) {
        flags |= VIRTIO_AER_PV_EVF_RESET_FUNCTION;
    }
    return flags;
}

/* A reset the guest asked for covers every function of its error */
static void virtio_aer_pv_reset_add_error(VirtIOAerPv *s, AerPvReset *r)
{
    unsigned int i;

    for (i = 0; i < s->nr_funcs; i++) {
        AerPvFunc *f = &s->funcs[i];

        if (f->seq != r->seq) {
            continue;
        }
        if (r->kind == VIRTIO_AER_PV_RESET_KIND_LINK) {
            pci_for_each_device_under_bus(pci_get_bus(f->dev),
                                          virtio_aer_pv_add_link, r);
        } else {
            virtio_aer_pv_reset_add_dev(r, f->dev);
        }
    }
}

static AerPvReset *virtio_aer_pv_requested_reset(VirtIOAerPv *s, uint32_t seq,
                                                 uint8_t kind)
{
    AerPvReset *r;

    QTAILQ_FOREACH(r, &s->resets, next) {
        if (r->requested && r->seq == seq && r->kind == kind) {
            return r;
        }
    }
    return NULL;
}

/* Returns true with @resp filled in, or false when the reset answers later */
static bool virtio_aer_pv_request_reset(VirtIOAerPv *s,
                                        const struct virtio_aer_pv_request *req,
                                        VirtQueueElement *elem,
                                        struct virtio_aer_pv_response *resp)
{
    AerPvFunc *f = virtio_aer_pv_func_by_addr(s, &req->func);
    uint32_t seq = le32_to_cpu(req->seq);
    uint8_t kind = req->arg;
    AerPvReset *r;

    if (!f) {
        resp->status = VIRTIO_AER_PV_S_NOT_MANAGED;
        return true;
    }
    /* The guest follows the newer error instead */
    if (seq != f->seq) {
        trace_virtio_aer_pv_request_stale(virtio_aer_pv_dev_name(f->dev), seq,
                                          f->seq);
        resp->status = VIRTIO_AER_PV_S_STALE;
        return true;
    }
    if (kind != VIRTIO_AER_PV_RESET_KIND_LINK &&
        kind != VIRTIO_AER_PV_RESET_KIND_FUNCTION) {
        resp->status = VIRTIO_AER_PV_S_ERR;
        return true;
    }
    if (!virtio_aer_pv_can_reset(s, seq, kind)) {
        resp->status = VIRTIO_AER_PV_S_UNSUPPORTED;
        return true;
    }

    /*
     * One reset per error: a request from another function of the error
     * joins the reset in flight, or learns that it is done.
     */
    if (f->reset == VIRTIO_AER_PV_RESET_DONE && f->reset_kind == kind) {
        trace_virtio_aer_pv_request_done(seq, kind);
        resp->reset_kind = kind;
        return true;
    }
    r = virtio_aer_pv_requested_reset(s, seq, kind);
    if (r) {
        trace_virtio_aer_pv_request_joined(seq, kind);
    } else {
        r = virtio_aer_pv_new_reset(s, seq, kind);
        r->requested = true;
        r->fail = f->request_outcome == AER_PV_REQUEST_FAILED;
        virtio_aer_pv_reset_add_error(s, r);
        timer_mod(&r->timer, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
                             f->request_delay_ms);
    }
    r->elems = g_slist_append(r->elems, elem);
    return false;
}

static void virtio_aer_pv_handle_request(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOAerPv *s = VIRTIO_AER_PV(vdev);
    VirtQueueElement *elem;

    while ((elem = virtqueue_pop(vq, sizeof(VirtQueueElement)))) {
        struct virtio_aer_pv_response resp = { 0 };
        struct virtio_aer_pv_request req;
        AerPvFunc *f;

        if (iov_to_buf(elem->out_sg, elem->out_num, 0, &req, sizeof(req)) !=
                sizeof(req) ||
            iov_size(elem->in_sg, elem->in_num) < sizeof(resp)) {
            virtio_error(vdev, "virtio-aer-pv: malformed request");
            virtqueue_detach_element(vq, elem, 0);
            g_free(elem);
            return;
        }
        trace_virtio_aer_pv_request(le16_to_cpu(req.type),
                                    le32_to_cpu(req.seq), req.func.bus,
                                    req.func.devfn, req.arg);
        /* Every response names the request's error */
        resp.seq = req.seq;

        switch (le16_to_cpu(req.type)) {
        case VIRTIO_AER_PV_REQ_RESET:
            if (!virtio_vdev_has_feature(vdev,
                                         VIRTIO_AER_PV_F_RESET_REQUEST)) {
                resp.status = VIRTIO_AER_PV_S_UNSUPPORTED;
                break;
            }
            if (!virtio_aer_pv_request_reset(s, &req, elem, &resp)) {
                continue;
            }
            break;
        case VIRTIO_AER_PV_REQ_PHASE:
            f = virtio_aer_pv_func_by_addr(s, &req.func);
            if (!f || req.arg < VIRTIO_AER_PV_PHASE_DETECTED ||
                req.arg > VIRTIO_AER_PV_PHASE_FAILED) {
                resp.status = f ? VIRTIO_AER_PV_S_ERR :
                                  VIRTIO_AER_PV_S_NOT_MANAGED;
                break;
            }
            /* AerPvPhase lists the wire's phases in their order */
            qapi_event_send_aer_pv_phase(virtio_aer_pv_dev_name(f->dev),
                                         le32_to_cpu(req.seq),
                                         req.arg -
                                         VIRTIO_AER_PV_PHASE_DETECTED);
            virtio_aer_pv_recovery_phase(s, f, le32_to_cpu(req.seq),
                                         req.arg);
            break;
        default:
            resp.status = VIRTIO_AER_PV_S_ERR;
            break;
        }
        virtio_aer_pv_respond(s, elem, &resp);
    }
}

static void virtio_aer_pv_get_config(VirtIODevice *vdev, uint8_t *config)
{
    VirtIOAerPv *s = VIRTIO_AER_PV(vdev);
    struct virtio_aer_pv_config cfg = {
        .reset_timeout_ms = cpu_to_le32(s->reset_timeout_ms),
    };

    memcpy(config, &cfg, sizeof(cfg));
}

static uint64_t virtio_aer_pv_get_features(VirtIODevice *vdev, uint64_t f,
                                           Error **errp)
{
    virtio_add_feature(&f, VIRTIO_AER_PV_F_RESET_REQUEST);
    virtio_add_feature(&f, VIRTIO_AER_PV_F_RESET_KINDS);
    return f;
}

static void virtio_aer_pv_reset(VirtIODevice *vdev)
{
    VirtIOAerPv *s = VIRTIO_AER_PV(vdev);
    AerPvReset *r;
    unsigned int i;

    /*
     * The guest's buffers are gone, and so is any recovery it would
     * report; host resets in flight carry on.
     */
    s->ev_count = 0;
    QTAILQ_FOREACH(r, &s->resets, next) {
        g_slist_free_full(r->elems, g_free);
        r->elems = NULL;
        r->announce = false;
    }
    for (i = 0; i < s->nr_funcs; i++) {
        s->funcs[i].recovering = false;
    }
    virtio_aer_pv_update_blocker(s);
}

uint32_t virtio_aer_pv_next_seq(VirtIOAerPv *s)
{
    if (++s->next_seq == 0) {
        s->next_seq = 1;
    }
    return s->next_seq;
}

/* Through the device's own config access: an assigned one reads the device */
static uint32_t virtio_aer_pv_aer_reg(PCIDevice *dev, uint16_t aer, int reg)
{
    return dev->config_read(dev, aer + reg, 4);
}

void virtio_aer_pv_fill_error(union virtio_aer_pv_event *ev, uint32_t seq,
                              uint8_t severity, uint8_t reset, uint8_t kind,
                              uint32_t status, PCIDevice **devs,
                              unsigned int nr,
                              const struct virtio_aer_pv_aer_regs *regs)
{
    struct virtio_aer_pv_error_event *e = &ev->error;
    PCIDevice *rep = devs[0];
    uint16_t aer = regs ? 0 : rep->exp.aer_cap;
    unsigned int i;

    memset(ev, 0, sizeof(*ev));
    if (regs) {
        e->aer = *regs;
    }
    e->type = cpu_to_le16(VIRTIO_AER_PV_EVT_ERROR);
    e->seq = cpu_to_le32(seq);
    e->severity = severity;
    e->reset = reset;
    e->reset_kind = reset == VIRTIO_AER_PV_RESET_NONE ?
                    VIRTIO_AER_PV_RESET_KIND_NONE : kind;
    e->nr_funcs = nr;
    if (aer) {
        e->aer.uncor_status = cpu_to_le32(
            virtio_aer_pv_aer_reg(rep, aer, PCI_ERR_UNCOR_STATUS) |
            (severity != VIRTIO_AER_PV_SEV_CORRECTABLE ? status : 0));
        e->aer.uncor_mask = cpu_to_le32(
            virtio_aer_pv_aer_reg(rep, aer, PCI_ERR_UNCOR_MASK));
        e->aer.uncor_severity = cpu_to_le32(
            virtio_aer_pv_aer_reg(rep, aer, PCI_ERR_UNCOR_SEVER));
        e->aer.cor_status = cpu_to_le32(
            virtio_aer_pv_aer_reg(rep, aer, PCI_ERR_COR_STATUS) |
            (severity == VIRTIO_AER_PV_SEV_CORRECTABLE ? status : 0));
        e->aer.cor_mask = cpu_to_le32(
            virtio_aer_pv_aer_reg(rep, aer, PCI_ERR_COR_MASK));
        e->aer.cap_control = cpu_to_le32(
            virtio_aer_pv_aer_reg(rep, aer, PCI_ERR_CAP));
        for (i = 0; i < 4; i++) {
            e->aer.header_log[i] = cpu_to_le32(
                virtio_aer_pv_aer_reg(rep, aer, PCI_ERR_HEADER_LOG + 4 * i));
        }
    }
    for (i = 0; i < nr; i++) {
        virtio_aer_pv_func_addr(devs[i], &e->funcs[i]);
    }
    trace_virtio_aer_pv_error(seq, severity, reset, nr);
}

bool virtio_aer_pv_suppresses_aer(VirtIOAerPv *s, PCIDevice *dev, int sev)
{
    if (!virtio_aer_pv_driver_ok(s) || !virtio_aer_pv_func(s, dev, false)) {
        return false;
    }
    s->aer_messages_suppressed++;
    trace_virtio_aer_pv_aer_message_suppressed(virtio_aer_pv_dev_name(dev),
                                               sev);
    return true;
}

/* The host reset the link of @r's functions, or gave up: tell the guest */
static void virtio_aer_pv_host_reset_end(AerPvReset *r, bool ok)
{
    unsigned int i;

    r->fail = !ok;
    r->host_did_reset = true;
    if (r->host_reset_done) {
        for (i = 0; i < r->nr_devs; i++) {
            r->host_reset_done(r->devs[i]);
        }
    }
    virtio_aer_pv_reset_end(r);
}

static void virtio_aer_pv_host_reset_timeout(void *opaque)
{
    AerPvReset *r = opaque;

    warn_report("virtio-aer-pv: %s: the host's reset did not end within "
                "%u ms; telling the guest it failed (seq %u)",
                virtio_aer_pv_dev_name(r->devs[0]), r->s->reset_timeout_ms,
                r->seq);
    virtio_aer_pv_host_reset_end(r, false);
}

/* The host reset of @dev the guest was told is pending, if any */
static AerPvReset *virtio_aer_pv_host_reset_of(VirtIOAerPv *s,
                                               PCIDevice *dev)
{
    AerPvReset *r;
    unsigned int i;

    QTAILQ_FOREACH(r, &s->resets, next) {
        for (i = 0; r->host_wait && i < r->nr_devs; i++) {
            if (r->devs[i] == dev) {
                return r;
            }
        }
    }
    return NULL;
}

bool virtio_aer_pv_ready(Error **errp)
{
    VirtIOAerPv *s = virtio_aer_pv_get(errp);

    if (s && !virtio_aer_pv_live(s)) {
        error_setg(errp, "virtio-aer-pv has no live guest driver");
        return false;
    }
    return s;
}

bool virtio_aer_pv_host_error(PCIDevice **devs, unsigned int nr, bool frozen,
                              const struct virtio_aer_pv_aer_regs *aer,
                              const AerPvHostOps *ops, const char *host_link,
                              Error **errp)
{
    static const struct virtio_aer_pv_aer_regs none;
    VirtIOAerPv *s = virtio_aer_pv_get(errp);
    union virtio_aer_pv_event ev = { 0 };
    uint8_t reset = frozen ? VIRTIO_AER_PV_RESET_PENDING :
                             VIRTIO_AER_PV_RESET_NONE;
    uint8_t kind = frozen ? VIRTIO_AER_PV_RESET_KIND_LINK :
                            VIRTIO_AER_PV_RESET_KIND_NONE;
    uint8_t sev = frozen ? VIRTIO_AER_PV_SEV_FATAL :
                           VIRTIO_AER_PV_SEV_NONFATAL;
    AerPvFunc *funcs[VIRTIO_AER_PV_MAX_FUNCS];
    AerPvReset *r;
    uint32_t seq;
    unsigned int i;

    if (!s) {
        return false;
    }
    if (!virtio_aer_pv_live(s) || !nr) {
        error_setg(errp, "virtio-aer-pv has no live guest driver");
        return false;
    }
    nr = MIN(nr, VIRTIO_AER_PV_MAX_FUNCS);
    /*
     * The host reports a recovery to each function below the link it
     * recovers: the first report named them all.
     */
    if (frozen && virtio_aer_pv_host_reset_of(s, devs[0])) {
        trace_virtio_aer_pv_host_error_joined(virtio_aer_pv_dev_name(devs[0]));
        return true;
    }
    for (i = 0; i < nr; i++) {
        funcs[i] = virtio_aer_pv_func(s, devs[i], true);
        if (!funcs[i]) {
            error_setg(errp, "virtio-aer-pv tracks %u functions already",
                       VIRTIO_AER_PV_QEMU_MAX_FUNCS);
            return false;
        }
    }
    seq = virtio_aer_pv_next_seq(s);
    for (i = 0; i < nr; i++) {
        AerPvFunc *f = funcs[i];

        g_free(f->host_link);
        *f = (AerPvFunc) {
            .dev = devs[i], .seq = seq, .reset = reset, .reset_kind = kind,
            .request_delay_ms = AER_PV_DEFAULT_REQUEST_DELAY_MS,
            .host_resets = f->host_resets, .host_ops = ops,
            .host_link = g_strdup(host_link),
        };
    }
    trace_virtio_aer_pv_host_error(virtio_aer_pv_dev_name(devs[0]), frozen,
                                   nr, seq);
    /* Never read here: the device does not answer during the reset */
    virtio_aer_pv_fill_error(&ev, seq, sev, reset, kind, 0, devs, nr,
                             aer ? aer : &none);
    ev.error.flags = cpu_to_le16(virtio_aer_pv_reset_kinds(s, seq));
    virtio_aer_pv_queue_event(s, &ev);
    for (i = 0; i < nr; i++) {
        virtio_aer_pv_recovery_begin(s, funcs[i]);
    }
    if (!frozen) {
        return true;
    }
    r = virtio_aer_pv_new_reset(s, seq, kind);
    r->announce = true;
    r->host_wait = true;
    r->host_reset_done = ops ? ops->reset_done : NULL;
    for (i = 0; i < nr; i++) {
        virtio_aer_pv_reset_add_dev(r, devs[i]);
    }
    timer_deinit(&r->timer);
    timer_init_ms(&r->timer, QEMU_CLOCK_VIRTUAL,
                  virtio_aer_pv_host_reset_timeout, r);
    timer_mod(&r->timer, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
                         s->reset_timeout_ms);
    return true;
}

bool virtio_aer_pv_host_reset_pending(PCIDevice *dev)
{
    VirtIOAerPv *s = virtio_aer_pv_get(NULL);

    return s && virtio_aer_pv_host_reset_of(s, dev);
}

void virtio_aer_pv_host_reset_done(PCIDevice *dev, bool ok)
{
    VirtIOAerPv *s = virtio_aer_pv_get(NULL);
    AerPvReset *r = s ? virtio_aer_pv_host_reset_of(s, dev) : NULL;

    if (r) {
        virtio_aer_pv_host_reset_end(r, ok);
    }
}

static void virtio_aer_pv_forget_funcs(VirtIOAerPv *s)
{
    while (s->nr_funcs) {
        AerPvFunc *f = &s->funcs[--s->nr_funcs];

        g_clear_pointer(&f->path, g_free);
        g_clear_pointer(&f->host_link, g_free);
        if (f->dev) {
            object_unref(OBJECT(f->dev));
        }
    }
}

/*
 * A function was unplugged: drop it from the functions tracked and from
 * the resets in flight, and with it the reference that kept it alive, so
 * that its unplug completes (DEVICE_DELETED) whatever the guest does.
 */
static void virtio_aer_pv_unrealize_notify(DeviceListener *listener,
                                           DeviceState *qdev)
{
    VirtIOAerPv *s = container_of(listener, VirtIOAerPv, listener);
    Object *obj = object_dynamic_cast(OBJECT(qdev), TYPE_PCI_DEVICE);
    AerPvReset *r;
    unsigned int i;

    if (!obj) {
        return;
    }
    for (i = 0; i < s->nr_funcs; i++) {
        if (OBJECT(s->funcs[i].dev) == obj) {
            object_unref(obj);
            g_free(s->funcs[i].host_link);
            s->funcs[i] = s->funcs[--s->nr_funcs];
            break;
        }
    }
    QTAILQ_FOREACH(r, &s->resets, next) {
        for (i = 0; i < r->nr_devs; i++) {
            if (OBJECT(r->devs[i]) == obj) {
                object_unref(obj);
                memmove(&r->devs[i], &r->devs[i + 1],
                        (r->nr_devs - i - 1) * sizeof(r->devs[0]));
                r->nr_devs--;
                break;
            }
        }
    }
    virtio_aer_pv_update_blocker(s);
}

static void virtio_aer_pv_realize(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtIOAerPv *s = VIRTIO_AER_PV(dev);

    if (virtio_aer_pv_get(errp) != s) {
        return;
    }
    if (s->reset_timeout_ms > VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS) {
        error_setg(errp, "reset-timeout-ms must be at most %u",
                   VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS);
        return;
    }
    QTAILQ_INIT(&s->resets);
    timer_init_ms(&s->recovery_timer, QEMU_CLOCK_VIRTUAL,
                  virtio_aer_pv_recovery_expired, s);
    s->listener.unrealize = virtio_aer_pv_unrealize_notify;
    device_listener_register(&s->listener);
    virtio_init(vdev, VIRTIO_ID_AER_PV, sizeof(struct virtio_aer_pv_config));
    s->eventq = virtio_add_queue(vdev, 64, virtio_aer_pv_handle_event);
    s->reqq = virtio_add_queue(vdev, 64, virtio_aer_pv_handle_request);
}

static void virtio_aer_pv_unrealize(DeviceState *dev)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtIOAerPv *s = VIRTIO_AER_PV(dev);
    AerPvReset *r, *tmp;

    device_listener_unregister(&s->listener);
    QTAILQ_FOREACH_SAFE(r, &s->resets, next, tmp) {
        virtio_aer_pv_free_reset(s, r);
    }
    virtio_aer_pv_forget_funcs(s);
    timer_del(&s->recovery_timer);
    migrate_del_blocker(&s->migration_blocker);
    virtio_delete_queue(s->reqq);
    virtio_delete_queue(s->eventq);
    virtio_cleanup(vdev);
}

/*
 * Migration
 *
 * Between recoveries the device's state is the sequence number, what it
 * knows of each function it manages (named by QOM path, which the
 * destination's command line keeps), its counters and the events the
 * guest has not taken yet.  A recovery in flight is not: the blocker
 * keeps it from migrating, and pre_save catches an error that came once
 * a migration was under way, too late for a blocker.
 */

#define AER_PV_PATH_MAX 1024

static bool virtio_aer_pv_pre_save(void *opaque, Error **errp)
{
    VirtIOAerPv *s = opaque;
    unsigned int i;

    if (virtio_aer_pv_busy(s, errp)) {
        return false;
    }
    for (i = 0; i < s->nr_funcs; i++) {
        AerPvFunc *f = &s->funcs[i];

        g_free(f->path);
        f->path = object_get_canonical_path(OBJECT(f->dev));
        f->path_len = strlen(f->path) + 1;
        if (f->path_len > AER_PV_PATH_MAX) {
            error_setg(errp, "virtio-aer-pv: QOM path of %s too long",
                       virtio_aer_pv_dev_name(f->dev));
            return false;
        }
    }
    return true;
}

static int virtio_aer_pv_post_save(void *opaque)
{
    VirtIOAerPv *s = opaque;
    unsigned int i;

    for (i = 0; i < s->nr_funcs; i++) {
        g_clear_pointer(&s->funcs[i].path, g_free);
    }
    return 0;
}

static int virtio_aer_pv_pre_load(void *opaque)
{
    virtio_aer_pv_forget_funcs(opaque);
    return 0;
}

static bool virtio_aer_pv_post_load(void *opaque, int version_id,
                                    Error **errp)
{
    VirtIOAerPv *s = opaque;
    unsigned int i, j;

    for (i = 0; i < s->ev_count; i++) {
        unsigned int idx = (s->ev_head + i) % VIRTIO_AER_PV_QEMU_MAX_EVENTS;

        if (s->ev_raw_len[idx] > sizeof(s->events[0])) {
            error_setg(errp, "virtio-aer-pv: queued event too long");
            return false;
        }
    }
    for (i = 0; i < s->nr_funcs; i++) {
        AerPvFunc *f = &s->funcs[i];
        Object *obj;

        if (!f->path || !f->path_len || f->path[f->path_len - 1]) {
            error_setg(errp, "virtio-aer-pv: function %u has a bad path", i);
            return false;
        }
        obj = object_resolve_path_type(f->path, TYPE_PCI_DEVICE, NULL);
        if (!obj) {
            error_setg(errp, "virtio-aer-pv: the source's function %s is "
                       "not a PCI device here", f->path);
            return false;
        }
        for (j = 0; j < i; j++) {
            if (OBJECT(s->funcs[j].dev) == obj) {
                error_setg(errp, "virtio-aer-pv: function %s named twice",
                           f->path);
                return false;
            }
        }
        object_ref(obj);
        f->dev = PCI_DEVICE(obj);
        f->recovering = false;
        f->host_ops = NULL;         /* until the next host error says */
        f->host_link = NULL;
        f->request_outcome = AER_PV_REQUEST_OK;
        f->request_delay_ms = AER_PV_DEFAULT_REQUEST_DELAY_MS;
        g_clear_pointer(&f->path, g_free);
    }
    return true;
}

static bool virtio_aer_pv_path_len_ok(void *opaque, int version_id)
{
    AerPvFunc *f = opaque;

    return f->path_len && f->path_len <= AER_PV_PATH_MAX;
}

static const VMStateDescription vmstate_virtio_aer_pv_func = {
    .name = "virtio-aer-pv/func",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(path_len, AerPvFunc),
        VMSTATE_VALIDATE("path_len", virtio_aer_pv_path_len_ok),
        VMSTATE_VBUFFER_ALLOC_UINT32(path, AerPvFunc, 1, NULL, path_len),
        VMSTATE_UINT32(seq, AerPvFunc),
        VMSTATE_UINT8(reset, AerPvFunc),
        VMSTATE_UINT8(reset_kind, AerPvFunc),
        VMSTATE_UINT64(host_resets, AerPvFunc),
        VMSTATE_END_OF_LIST()
    },
};

static bool virtio_aer_pv_nr_funcs_ok(void *opaque, int version_id)
{
    VirtIOAerPv *s = opaque;

    return s->nr_funcs <= VIRTIO_AER_PV_QEMU_MAX_FUNCS;
}

static bool virtio_aer_pv_ring_ok(void *opaque, int version_id)
{
    VirtIOAerPv *s = opaque;

    return s->ev_head < VIRTIO_AER_PV_QEMU_MAX_EVENTS &&
           s->ev_count <= VIRTIO_AER_PV_QEMU_MAX_EVENTS;
}

static const VMStateDescription vmstate_virtio_aer_pv_device = {
    .name = "virtio-aer-pv-device",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_load = virtio_aer_pv_pre_load,
    .post_load_errp = virtio_aer_pv_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(next_seq, VirtIOAerPv),
        VMSTATE_UINT32(nr_funcs, VirtIOAerPv),
        VMSTATE_VALIDATE("nr_funcs", virtio_aer_pv_nr_funcs_ok),
        VMSTATE_STRUCT_VARRAY_UINT32(funcs, VirtIOAerPv, nr_funcs, 1,
                                     vmstate_virtio_aer_pv_func, AerPvFunc),
        VMSTATE_UINT32(ev_head, VirtIOAerPv),
        VMSTATE_UINT32(ev_count, VirtIOAerPv),
        VMSTATE_VALIDATE("event ring", virtio_aer_pv_ring_ok),
        VMSTATE_BUFFER_UNSAFE(events, VirtIOAerPv, 1,
                              sizeof(((VirtIOAerPv *)0)->events)),
        VMSTATE_UINT16_ARRAY(ev_raw_len, VirtIOAerPv,
                             VIRTIO_AER_PV_QEMU_MAX_EVENTS),
        VMSTATE_UINT32_ARRAY(ev_used_len, VirtIOAerPv,
                             VIRTIO_AER_PV_QEMU_MAX_EVENTS),
        VMSTATE_BOOL(hold_events, VirtIOAerPv),
        VMSTATE_UINT64(events_sent, VirtIOAerPv),
        VMSTATE_UINT64(events_dropped, VirtIOAerPv),
        VMSTATE_UINT64(events_coalesced, VirtIOAerPv),
        VMSTATE_UINT64(device_errors, VirtIOAerPv),
        VMSTATE_UINT64(aer_messages_suppressed, VirtIOAerPv),
        VMSTATE_END_OF_LIST()
    },
};

/*
 * pre_save is the outer description's, whose error reaches the
 * migration's status: the virtio core only logs the inner one's.
 */
static const VMStateDescription vmstate_virtio_aer_pv = {
    .name = "virtio-aer-pv",
    .version_id = 1,
    .minimum_version_id = 1,
    .pre_save_errp = virtio_aer_pv_pre_save,
    .post_save = virtio_aer_pv_post_save,
    .fields = (const VMStateField[]) {
        VMSTATE_VIRTIO_DEVICE,
        VMSTATE_END_OF_LIST()
    },
};

static const Property virtio_aer_pv_properties[] = {
    DEFINE_PROP_UINT32("reset-timeout-ms", VirtIOAerPv, reset_timeout_ms,
                       10000),
};

static void virtio_aer_pv_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(klass);

    device_class_set_props(dc, virtio_aer_pv_properties);
    dc->vmsd = &vmstate_virtio_aer_pv;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    vdc->realize = virtio_aer_pv_realize;
    vdc->unrealize = virtio_aer_pv_unrealize;
    vdc->get_config = virtio_aer_pv_get_config;
    vdc->get_features = virtio_aer_pv_get_features;
    vdc->reset = virtio_aer_pv_reset;
    vdc->vmsd = &vmstate_virtio_aer_pv_device;
}

static const TypeInfo virtio_aer_pv_info = {
    .name = TYPE_VIRTIO_AER_PV,
    .parent = TYPE_VIRTIO_DEVICE,
    .instance_size = sizeof(VirtIOAerPv),
    .class_init = virtio_aer_pv_class_init,
};

static void virtio_aer_pv_register_types(void)
{
    type_register_static(&virtio_aer_pv_info);
}

type_init(virtio_aer_pv_register_types)
