/*
 * virtio-aer-pv: host side of paravirtual PCIe AER recovery
 *
 * Tells the guest about AER errors on PCIe functions assigned to it and
 * about the host's reset of them, performs resets the guest asks for, and
 * turns the guest's recovery phase reports into QMP events.  Errors come
 * from vfio-pci's error notifier, or, for testing without faulty hardware,
 * from the aer-pv-inject-error QMP command, which also models the host's
 * reset (its timing and outcome) on an emulated device.
 *
 * Once the driver is live (DRIVER_OK), the channel is the only source of
 * errors of the functions the device manages: it signals no emulated AER
 * message for them then, and counts the ones it suppresses.
 *
 * The wire format is include/standard-headers/linux/virtio_aer_pv.h,
 * generated from the Linux uapi header.
 *
 * Copyright (c) 2026 aer-pv developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/base64.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-aer-pv.h"
#include "qapi/qapi-events-aer-pv.h"
#include "qemu/error-report.h"
#include "qemu/iov.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qom/object.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/sysbus.h"
#include "hw/pci/pci_bridge.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pcie_aer.h"
#include "hw/virtio/virtio-aer-pv.h"
#include "migration/blocker.h"
#include "trace.h"

#define AER_PV_DEFAULT_RESET_DELAY_MS   200
#define AER_PV_DEFAULT_REQUEST_DELAY_MS 50
#define AER_PV_MAX_REPEAT               100000

static VirtIOAerPv *virtio_aer_pv_find(void)
{
    bool ambiguous = false;
    Object *obj = object_resolve_path_type("", TYPE_VIRTIO_AER_PV, &ambiguous);

    return obj ? VIRTIO_AER_PV(obj) : NULL;
}

static bool virtio_aer_pv_live(VirtIOAerPv *s)
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

static const char *virtio_aer_pv_dev_name(PCIDevice *dev)
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

static bool virtio_aer_pv_realized(PCIDevice *dev)
{
    return DEVICE(dev)->realized;
}

static AerPvFunc *virtio_aer_pv_func(VirtIOAerPv *s, PCIDevice *dev,
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

static void virtio_aer_pv_flush_events(VirtIOAerPv *s)
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

/* Queue @ev; @raw_len is 0, or the bytes of a raw event to write */
static void virtio_aer_pv_queue(VirtIOAerPv *s,
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

static void virtio_aer_pv_queue_event(VirtIOAerPv *s,
                                      const union virtio_aer_pv_event *ev)
{
    virtio_aer_pv_queue(s, ev, 0, 0);
}

/* A channel event or an AER message sent later, to order the two */
typedef struct AerPvDeferred {
    QEMUTimer timer;
    VirtIOAerPv *s;
    PCIDevice *dev;             /* AER message: the device */
    AerPvSeverity severity;
    union virtio_aer_pv_event ev;   /* channel event, if !dev */
} AerPvDeferred;

static void virtio_aer_pv_emulate_aer(VirtIOAerPv *s, PCIDevice *dev,
                                      AerPvSeverity sev, Error **errp);

static void virtio_aer_pv_deferred(void *opaque)
{
    AerPvDeferred *d = opaque;

    if (d->dev) {
        Error *err = NULL;

        if (virtio_aer_pv_realized(d->dev)) {
            virtio_aer_pv_emulate_aer(virtio_aer_pv_find(), d->dev,
                                      d->severity, &err);
        }
        if (err) {
            warn_report_err(err);
        }
        object_unref(OBJECT(d->dev));
    } else if (virtio_aer_pv_live(d->s)) {
        virtio_aer_pv_queue_event(d->s, &d->ev);
    }
    timer_del(&d->timer);
    g_free(d);
}

static void virtio_aer_pv_defer(AerPvDeferred *d, uint32_t delay_ms)
{
    timer_init_ms(&d->timer, QEMU_CLOCK_VIRTUAL, virtio_aer_pv_deferred, d);
    timer_mod(&d->timer, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + delay_ms);
}

static void virtio_aer_pv_handle_event(VirtIODevice *vdev, VirtQueue *vq)
{
    virtio_aer_pv_flush_events(VIRTIO_AER_PV(vdev));
}

/*
 * Reset @dev as a host link or function reset does: every register but
 * the sticky AER status and header log goes back to its default.
 */
static void virtio_aer_pv_reset_dev(PCIDevice *dev)
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

static void virtio_aer_pv_reset_add_dev(AerPvReset *r, PCIDevice *dev)
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

static void virtio_aer_pv_reset_end(void *opaque)
{
    AerPvReset *r = opaque;
    VirtIOAerPv *s = r->s;
    uint8_t state = r->fail ? VIRTIO_AER_PV_RESET_FAILED :
                              VIRTIO_AER_PV_RESET_DONE;
    unsigned int i;

    for (i = 0; i < r->nr_devs; i++) {
        AerPvFunc *f = virtio_aer_pv_func(s, r->devs[i], false);

        if (!r->fail && !r->host_did_reset) {
            virtio_aer_pv_reset_dev(r->devs[i]);
        }
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

    if (r->aer_message && r->nr_devs) {
        Error *err = NULL;

        virtio_aer_pv_emulate_aer(s, r->devs[0], r->severity, &err);
        if (err) {
            warn_report_err(err);
        }
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
}

static AerPvReset *virtio_aer_pv_new_reset(VirtIOAerPv *s, uint32_t seq,
                                           uint8_t kind)
{
    AerPvReset *r = g_new0(AerPvReset, 1);

    r->s = s;
    r->seq = seq;
    r->kind = kind;
    timer_init_ms(&r->timer, QEMU_CLOCK_VIRTUAL, virtio_aer_pv_reset_end, r);
    QTAILQ_INSERT_TAIL(&s->resets, r, next);
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
    return f;
}

static void virtio_aer_pv_reset(VirtIODevice *vdev)
{
    VirtIOAerPv *s = VIRTIO_AER_PV(vdev);
    AerPvReset *r;

    /* The guest's buffers are gone; host resets in flight carry on */
    s->ev_count = 0;
    QTAILQ_FOREACH(r, &s->resets, next) {
        g_slist_free_full(r->elems, g_free);
        r->elems = NULL;
        r->announce = false;
    }
}

static uint32_t virtio_aer_pv_next_seq(VirtIOAerPv *s)
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

/* Send an error event naming @devs; the first is the reporting function */
static void virtio_aer_pv_send_error(VirtIOAerPv *s, uint32_t seq,
                                     uint8_t severity, uint8_t reset,
                                     uint8_t kind, uint32_t status,
                                     PCIDevice **devs,
                                     unsigned int nr, uint32_t delay_ms)
{
    union virtio_aer_pv_event ev = { 0 };
    struct virtio_aer_pv_error_event *e = &ev.error;
    PCIDevice *rep = devs[0];
    uint16_t aer = rep->exp.aer_cap;
    unsigned int i;

    /* An assigned function's AER capability is the device's own */
    if (!aer && pci_is_express(rep)) {
        aer = pcie_find_capability(rep, PCI_EXT_CAP_ID_ERR);
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
    if (delay_ms) {
        AerPvDeferred *d = g_new0(AerPvDeferred, 1);

        d->s = s;
        d->ev = ev;
        virtio_aer_pv_defer(d, delay_ms);
        return;
    }
    virtio_aer_pv_queue_event(s, &ev);
}

static PCIDevice *virtio_aer_pv_pci_by_id(const char *id, Error **errp)
{
    Object *obj = object_resolve_path(id, NULL);
    DeviceState *d = obj ? NULL : qdev_find_recursive(sysbus_get_default(), id);

    if (!obj && d) {
        obj = OBJECT(d);
    }
    if (!obj || !object_dynamic_cast(obj, TYPE_PCI_DEVICE)) {
        error_setg(errp, "'%s' is not a PCI device", id);
        return NULL;
    }
    return PCI_DEVICE(obj);
}

static const uint8_t aer_pv_sev[AER_PV_SEVERITY__MAX] = {
    [AER_PV_SEVERITY_CORRECTABLE] = VIRTIO_AER_PV_SEV_CORRECTABLE,
    [AER_PV_SEVERITY_NON_FATAL] = VIRTIO_AER_PV_SEV_NONFATAL,
    [AER_PV_SEVERITY_FATAL] = VIRTIO_AER_PV_SEV_FATAL,
};

/*
 * The AER status bit an injected error of @sev sets: Receiver Error,
 * Unsupported Request, Malformed TLP (non-fatal and fatal by default).
 */
static uint32_t virtio_aer_pv_status_bit(AerPvSeverity sev)
{
    switch (sev) {
    case AER_PV_SEVERITY_CORRECTABLE:
        return PCI_ERR_COR_RCVR;
    case AER_PV_SEVERITY_NON_FATAL:
        return PCI_ERR_UNC_UNSUP;
    default:
        return PCI_ERR_UNC_MALF_TLP;
    }
}

/*
 * Signal the error on @dev as an emulated AER message, like hardware
 * would, unless the driver is live (DRIVER_OK) and the device manages
 * @dev, which it does once it tracks an error of @dev: then the channel
 * is the only source of the function's errors, and the message is
 * suppressed.  QEMU's own pcie_aer_inject_error is not.
 */
static void virtio_aer_pv_emulate_aer(VirtIOAerPv *s, PCIDevice *dev,
                                      AerPvSeverity sev, Error **errp)
{
    PCIEAERErr err = {
        .status = virtio_aer_pv_status_bit(sev),
        .source_id = pci_requester_id(dev),
        .flags = sev == AER_PV_SEVERITY_CORRECTABLE ?
                 PCIE_AER_ERR_IS_CORRECTABLE : 0,
    };
    int ret;

    if (s && virtio_aer_pv_driver_ok(s) && virtio_aer_pv_func(s, dev, false)) {
        s->aer_messages_suppressed++;
        trace_virtio_aer_pv_aer_message_suppressed(
            virtio_aer_pv_dev_name(dev), sev);
        return;
    }
    trace_virtio_aer_pv_aer_message(virtio_aer_pv_dev_name(dev), sev);
    ret = pcie_aer_inject_error(dev, &err);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "AER message on '%s' failed",
                         virtio_aer_pv_dev_name(dev));
    }
}

/* The errors still to inject of an aer-pv-inject-error with @repeat */
typedef struct AerPvStorm {
    QEMUTimer timer;
    char *id;
    AerPvSeverity severity;
    AerPvHostReset host_reset;
    uint32_t reset_delay_ms;
    uint32_t left;
    uint32_t interval_us;
    int64_t next_us;            /* on a fixed schedule: late ticks catch up */
} AerPvStorm;

static void virtio_aer_pv_storm(void *opaque)
{
    AerPvStorm *st = opaque;
    Error *err = NULL;

    qapi_free_AerPvInjectResult(
        qmp_aer_pv_inject_error(st->id, st->severity, true, st->host_reset,
                                true, st->reset_delay_ms, false, NULL,
                                false, false, false, false, false, 0,
                                false, 0, false, 0, false, 0, false, false,
                                false, 0, false, 0, &err));
    if (err || !--st->left) {
        if (err) {
            error_prepend(&err, "error storm stopped: ");
            warn_report_err(err);
        }
        timer_del(&st->timer);
        g_free(st->id);
        g_free(st);
        return;
    }
    st->next_us += st->interval_us;
    timer_mod(&st->timer, st->next_us);
}

AerPvInjectResult *qmp_aer_pv_inject_error(const char *id,
                                           AerPvSeverity severity,
                                           bool has_host_reset,
                                           AerPvHostReset host_reset,
                                           bool has_reset_delay_ms,
                                           uint32_t reset_delay_ms,
                                           bool has_functions,
                                           strList *functions,
                                           bool has_aer_message,
                                           bool aer_message,
                                           bool has_channel, bool channel,
                                           bool has_request_reset,
                                           AerPvRequestReset request_reset,
                                           bool has_request_delay_ms,
                                           uint32_t request_delay_ms,
                                           bool has_channel_delay_ms,
                                           uint32_t channel_delay_ms,
                                           bool has_aer_message_delay_ms,
                                           uint32_t aer_message_delay_ms,
                                           bool has_aer_message_after_reset,
                                           bool aer_message_after_reset,
                                           bool has_repeat, uint32_t repeat,
                                           bool has_repeat_interval_us,
                                           uint32_t repeat_interval_us,
                                           Error **errp)
{
    ERRP_GUARD();
    VirtIOAerPv *s = virtio_aer_pv_find();
    PCIDevice *devs[VIRTIO_AER_PV_MAX_FUNCS];
    AerPvInjectResult *res;
    unsigned int nr = 0, i;
    uint8_t sev = aer_pv_sev[severity], reset;
    uint32_t seq;
    strList *l;

    if (!has_host_reset) {
        host_reset = severity == AER_PV_SEVERITY_FATAL ?
                     AER_PV_HOST_RESET_BEFORE : AER_PV_HOST_RESET_NONE;
    }
    reset_delay_ms = has_reset_delay_ms ? reset_delay_ms :
                                          AER_PV_DEFAULT_RESET_DELAY_MS;
    request_delay_ms = has_request_delay_ms ? request_delay_ms :
                                              AER_PV_DEFAULT_REQUEST_DELAY_MS;
    channel = has_channel ? channel : true;
    aer_message = has_aer_message && aer_message;
    aer_message_after_reset = has_aer_message_after_reset &&
                              aer_message_after_reset;
    trace_virtio_aer_pv_inject(id, severity, host_reset, reset_delay_ms);

    if (has_repeat && (repeat < 1 || repeat > AER_PV_MAX_REPEAT)) {
        error_setg(errp, "repeat must be 1 to %u", AER_PV_MAX_REPEAT);
        return NULL;
    }
    repeat_interval_us = has_repeat_interval_us ? repeat_interval_us : 1000;
    if (repeat_interval_us < 100 || repeat_interval_us > 1000000) {
        error_setg(errp, "repeat-interval-us must be 100 to 1000000");
        return NULL;
    }
    if (has_repeat && repeat > 1 &&
        (has_functions || has_aer_message || has_channel ||
         has_request_reset || has_request_delay_ms || has_channel_delay_ms ||
         has_aer_message_delay_ms || has_aer_message_after_reset)) {
        error_setg(errp, "repeat goes only with id, severity, host-reset "
                   "and reset-delay-ms");
        return NULL;
    }

    if (channel && !s) {
        error_setg(errp, "no virtio-aer-pv device");
        return NULL;
    }
    if (aer_message_after_reset &&
        (!aer_message || host_reset != AER_PV_HOST_RESET_AFTER ||
         has_aer_message_delay_ms || !s)) {
        error_setg(errp, "aer-message-after-reset needs aer-message, "
                   "host-reset 'after', no aer-message-delay-ms and a "
                   "virtio-aer-pv device");
        return NULL;
    }
    if (!channel && !aer_message) {
        error_setg(errp, "nothing to deliver: channel and aer-message are "
                   "both off");
        return NULL;
    }
    if (severity == AER_PV_SEVERITY_CORRECTABLE &&
        host_reset != AER_PV_HOST_RESET_NONE) {
        error_setg(errp, "a correctable error needs no host reset");
        return NULL;
    }
    if (reset_delay_ms > VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS ||
        request_delay_ms > VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS ||
        (has_channel_delay_ms &&
         channel_delay_ms > VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS) ||
        (has_aer_message_delay_ms &&
         aer_message_delay_ms > VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS)) {
        error_setg(errp, "delays are at most %u ms",
                   VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS);
        return NULL;
    }

    devs[nr] = virtio_aer_pv_pci_by_id(id, errp);
    if (!devs[nr]) {
        return NULL;
    }
    if (!pci_is_express(devs[nr]) || !devs[nr]->exp.aer_cap) {
        error_setg(errp, "'%s' has no AER capability", id);
        return NULL;
    }
    nr++;
    for (l = has_functions ? functions : NULL; l; l = l->next) {
        PCIDevice *d = virtio_aer_pv_pci_by_id(l->value, errp);

        if (!d) {
            return NULL;
        }
        for (i = 0; i < nr; i++) {
            if (devs[i] == d) {
                error_setg(errp, "'%s' named twice", l->value);
                return NULL;
            }
        }
        if (nr == VIRTIO_AER_PV_MAX_FUNCS) {
            error_setg(errp, "at most %u functions",
                       VIRTIO_AER_PV_MAX_FUNCS);
            return NULL;
        }
        devs[nr++] = d;
    }

    switch (host_reset) {
    case AER_PV_HOST_RESET_NONE:
        reset = VIRTIO_AER_PV_RESET_NONE;
        break;
    case AER_PV_HOST_RESET_BEFORE:
        reset = VIRTIO_AER_PV_RESET_DONE;
        break;
    default:
        reset = VIRTIO_AER_PV_RESET_PENDING;
        break;
    }

    seq = s ? virtio_aer_pv_next_seq(s) : 0;
    if (s) {
        for (i = 0; i < nr; i++) {
            AerPvFunc *f = virtio_aer_pv_func(s, devs[i], true);

            if (!f) {
                error_setg(errp, "too many functions tracked");
                return NULL;
            }
            /* A correctable error needs no reset: not a current error */
            if (severity == AER_PV_SEVERITY_CORRECTABLE) {
                continue;
            }
            f->seq = seq;
            f->reset = reset;
            f->reset_kind = reset == VIRTIO_AER_PV_RESET_NONE ?
                            VIRTIO_AER_PV_RESET_KIND_NONE :
                            VIRTIO_AER_PV_RESET_KIND_LINK;
            f->request_outcome = has_request_reset ?
                (AerPvRequestOutcome)request_reset : AER_PV_REQUEST_OK;
            f->request_delay_ms = request_delay_ms;
        }
    }

    if (aer_message_after_reset) {
        /* sent by virtio_aer_pv_reset_end() */
    } else if (aer_message && has_aer_message_delay_ms &&
               aer_message_delay_ms) {
        AerPvDeferred *d = g_new0(AerPvDeferred, 1);

        d->dev = devs[0];
        object_ref(OBJECT(d->dev));
        d->severity = severity;
        virtio_aer_pv_defer(d, aer_message_delay_ms);
    } else if (aer_message) {
        virtio_aer_pv_emulate_aer(s, devs[0], severity, errp);
        if (*errp) {
            return NULL;
        }
    }
    if (host_reset == AER_PV_HOST_RESET_BEFORE) {
        for (i = 0; i < nr; i++) {
            virtio_aer_pv_reset_dev(devs[i]);
            if (s) {
                virtio_aer_pv_func(s, devs[i], false)->host_resets++;
            }
        }
    }

    if (has_repeat && repeat > 1) {
        AerPvStorm *st = g_new0(AerPvStorm, 1);

        st->id = g_strdup(id);
        st->severity = severity;
        st->host_reset = host_reset;
        st->reset_delay_ms = reset_delay_ms;
        st->left = repeat - 1;
        st->interval_us = repeat_interval_us;
        st->next_us = qemu_clock_get_us(QEMU_CLOCK_VIRTUAL) +
                      st->interval_us;
        timer_init_us(&st->timer, QEMU_CLOCK_VIRTUAL, virtio_aer_pv_storm, st);
        timer_mod(&st->timer, st->next_us);
    }

    res = g_new0(AerPvInjectResult, 1);
    res->seq = seq;
    res->delivered = channel && virtio_aer_pv_live(s);
    if (res->delivered) {
        virtio_aer_pv_send_error(s, seq, sev, reset,
                                 VIRTIO_AER_PV_RESET_KIND_LINK,
                                 virtio_aer_pv_status_bit(severity), devs, nr,
                                 has_channel_delay_ms ? channel_delay_ms : 0);
    }
    if (s && (host_reset == AER_PV_HOST_RESET_AFTER ||
              host_reset == AER_PV_HOST_RESET_FAILED)) {
        AerPvReset *r = virtio_aer_pv_new_reset(s, seq,
                                                VIRTIO_AER_PV_RESET_KIND_LINK);

        r->fail = host_reset == AER_PV_HOST_RESET_FAILED;
        r->announce = res->delivered;
        r->aer_message = aer_message_after_reset;
        r->severity = severity;
        for (i = 0; i < nr; i++) {
            virtio_aer_pv_reset_add_dev(r, devs[i]);
        }
        timer_mod(&r->timer, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
                             reset_delay_ms);
    }
    return res;
}

AerPvResetCounts *qmp_aer_pv_query_resets(const char *id, Error **errp)
{
    PCIDevice *dev = virtio_aer_pv_pci_by_id(id, errp);
    VirtIOAerPv *s = virtio_aer_pv_find();
    AerPvResetCounts *c;
    PCIDevice *port;
    AerPvFunc *f;

    if (!dev) {
        return NULL;
    }
    port = pci_bridge_get_device(pci_get_bus(dev));
    f = s ? virtio_aer_pv_func(s, dev, false) : NULL;

    c = g_new0(AerPvResetCounts, 1);
    c->link_resets = port ? PCI_BRIDGE(port)->sec_bus_resets : 0;
    c->function_resets = dev->flr_count;
    c->host_resets = f ? f->host_resets : 0;
    return c;
}

/* The device a test hook acts on, which must be live for most of them */
static VirtIOAerPv *virtio_aer_pv_test_device(bool live, Error **errp)
{
    VirtIOAerPv *s = virtio_aer_pv_find();

    if (!s) {
        error_setg(errp, "no virtio-aer-pv device");
        return NULL;
    }
    if (live && !virtio_aer_pv_live(s)) {
        error_setg(errp, "virtio-aer-pv has no live guest driver");
        return NULL;
    }
    return s;
}

void qmp_aer_pv_inject_raw_event(const char *data, bool has_length,
                                 uint32_t length, Error **errp)
{
    VirtIOAerPv *s = virtio_aer_pv_test_device(true, errp);
    union virtio_aer_pv_event ev = { 0 };
    g_autofree uint8_t *buf = NULL;
    size_t len;

    if (!s) {
        return;
    }
    buf = qbase64_decode(data, -1, &len, errp);
    if (!buf) {
        return;
    }
    if (len == 0 || len > sizeof(ev)) {
        error_setg(errp, "'data' must decode to 1 to %zu bytes, not %zu",
                   sizeof(ev), len);
        return;
    }
    memcpy(&ev, buf, len);
    virtio_aer_pv_queue(s, &ev, len, has_length ? length : len);
}

void qmp_aer_pv_hold_events(bool hold, Error **errp)
{
    VirtIOAerPv *s = virtio_aer_pv_test_device(false, errp);

    if (!s) {
        return;
    }
    s->hold_events = hold;
    if (!hold) {
        virtio_aer_pv_flush_events(s);
    }
}

void qmp_aer_pv_device_error(Error **errp)
{
    VirtIOAerPv *s = virtio_aer_pv_test_device(true, errp);

    if (!s) {
        return;
    }
    s->device_errors++;
    virtio_error(VIRTIO_DEVICE(s), "virtio-aer-pv: device error injected "
                 "by aer-pv-device-error");
}

AerPvStats *qmp_aer_pv_query_stats(Error **errp)
{
    VirtIOAerPv *s = virtio_aer_pv_test_device(false, errp);
    AerPvStats *st;

    if (!s) {
        return NULL;
    }
    st = g_new0(AerPvStats, 1);
    st->events_queued = s->ev_count;
    st->events_sent = s->events_sent;
    st->events_dropped = s->events_dropped;
    st->events_coalesced = s->events_coalesced;
    st->device_errors = s->device_errors;
    st->aer_messages_suppressed = s->aer_messages_suppressed;
    st->hold_events = s->hold_events;
    return st;
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

bool virtio_aer_pv_host_error(PCIDevice **devs, unsigned int nr, bool frozen,
                              void (*host_reset_done)(PCIDevice *dev))
{
    VirtIOAerPv *s = virtio_aer_pv_find();
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

    if (!s || !virtio_aer_pv_live(s) || !nr) {
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
            return false;
        }
    }
    seq = virtio_aer_pv_next_seq(s);
    for (i = 0; i < nr; i++) {
        AerPvFunc *f = funcs[i];

        *f = (AerPvFunc) {
            .dev = devs[i], .seq = seq, .reset = reset, .reset_kind = kind,
            .request_delay_ms = AER_PV_DEFAULT_REQUEST_DELAY_MS,
            .host_resets = f->host_resets,
        };
    }
    trace_virtio_aer_pv_host_error(virtio_aer_pv_dev_name(devs[0]), frozen,
                                   nr, seq);
    virtio_aer_pv_send_error(s, seq, sev, reset, kind, 0, devs, nr, 0);
    if (!frozen) {
        return true;
    }
    r = virtio_aer_pv_new_reset(s, seq, kind);
    r->announce = true;
    r->host_wait = true;
    r->host_reset_done = host_reset_done;
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
    VirtIOAerPv *s = virtio_aer_pv_find();

    return s && virtio_aer_pv_host_reset_of(s, dev);
}

void virtio_aer_pv_host_reset_done(PCIDevice *dev, bool ok)
{
    VirtIOAerPv *s = virtio_aer_pv_find();
    AerPvReset *r = s ? virtio_aer_pv_host_reset_of(s, dev) : NULL;

    if (r) {
        virtio_aer_pv_host_reset_end(r, ok);
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
}

static void virtio_aer_pv_realize(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtIOAerPv *s = VIRTIO_AER_PV(dev);

    if (virtio_aer_pv_find() != s) {
        error_setg(errp, "only one virtio-aer-pv device is supported");
        return;
    }
    if (s->reset_timeout_ms > VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS) {
        error_setg(errp, "reset-timeout-ms must be at most %u",
                   VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS);
        return;
    }
    error_setg(&s->migration_blocker,
               "virtio-aer-pv does not support migration: the host's error "
               "and reset state of assigned devices cannot be moved");
    if (migrate_add_blocker(&s->migration_blocker, errp) < 0) {
        return;
    }

    QTAILQ_INIT(&s->resets);
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
    while (s->nr_funcs) {
        object_unref(OBJECT(s->funcs[--s->nr_funcs].dev));
    }
    virtio_delete_queue(s->reqq);
    virtio_delete_queue(s->eventq);
    virtio_cleanup(vdev);
    migrate_del_blocker(&s->migration_blocker);
}

static const Property virtio_aer_pv_properties[] = {
    DEFINE_PROP_UINT32("reset-timeout-ms", VirtIOAerPv, reset_timeout_ms,
                       10000),
};

static void virtio_aer_pv_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioDeviceClass *vdc = VIRTIO_DEVICE_CLASS(klass);

    device_class_set_props(dc, virtio_aer_pv_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    vdc->realize = virtio_aer_pv_realize;
    vdc->unrealize = virtio_aer_pv_unrealize;
    vdc->get_config = virtio_aer_pv_get_config;
    vdc->get_features = virtio_aer_pv_get_features;
    vdc->reset = virtio_aer_pv_reset;
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
