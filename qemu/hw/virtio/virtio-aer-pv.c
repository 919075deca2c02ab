/*
 * virtio-aer-pv: host side of paravirtual PCIe AER recovery
 *
 * Tells the guest about AER errors on PCIe functions and about the host's
 * reset of them, has the functions' host (AerPvHostOps: vfio-pci for an
 * assigned function) do the resets the guest asks for (the resets are
 * virtio-aer-pv-reset.c), and turns the guest's recovery phase reports
 * into QMP events.  The guest is not trusted: what it can make the device
 * do is bounded by the host's errors, and what it gets wrong is counted
 * and traced, never logged by default.  The device migrates between
 * recoveries; a migration blocker is held from an error until the guest
 * reports the outcome of every recovery, or its deadline passes.
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
#include "qemu/log.h"
#include "qemu/timer.h"
#include "hw/qdev-core.h"
#include "hw/qdev-properties.h"
#include "hw/pci/pci_device.h"
#include "hw/virtio/virtio-aer-pv.h"
#include "migration/blocker.h"
#include "migration/vmstate.h"
#include "virtio-aer-pv-internal.h"
#include "trace.h"

/* A recovery's outcome is due reset-timeout-ms and this after its error */
#define AER_PV_RECOVERY_MARGIN_MS   30000

/* At most one per VM; vfio-pci and the test hooks find it here */
static VirtIOAerPv *virtio_aer_pv_dev;

VirtIOAerPv *virtio_aer_pv_get(Error **errp)
{
    if (!virtio_aer_pv_dev) {
        error_setg(errp, "no virtio-aer-pv device");
    }
    return virtio_aer_pv_dev;
}

bool virtio_aer_pv_live(VirtIOAerPv *s)
{
    return (VIRTIO_DEVICE(s)->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
           virtio_queue_ready(s->eventq);
}

const char *virtio_aer_pv_dev_name(PCIDevice *dev)
{
    DeviceState *d = DEVICE(dev);

    return d->id ? d->id : object_get_canonical_path_component(OBJECT(d));
}

AerPvFunc *virtio_aer_pv_func(VirtIOAerPv *s, PCIDevice *dev)
{
    unsigned int i;

    for (i = 0; i < s->nr_funcs; i++) {
        if (s->funcs[i].dev == dev) {
            return &s->funcs[i];
        }
    }
    return NULL;
}

uint8_t virtio_aer_pv_phase(VirtIOAerPv *s, PCIDevice *dev)
{
    AerPvFunc *f = virtio_aer_pv_func(s, dev);

    return f && f->recovering ? f->phase : 0;
}

static void virtio_aer_pv_forget_funcs(VirtIOAerPv *s)
{
    unsigned int i;

    for (i = 0; i < s->nr_funcs; i++) {
        object_unref(OBJECT(s->funcs[i].dev));
        g_free(s->funcs[i].link);
    }
    memset(s->funcs, 0, sizeof(s->funcs));
    s->nr_funcs = 0;
}

/* The function the guest names: an address it sees, segment 0 */
static AerPvFunc *virtio_aer_pv_func_by_addr(VirtIOAerPv *s,
                                             const struct virtio_aer_pv_func *a)
{
    unsigned int i;

    for (i = 0; le16_to_cpu(a->segment) == 0 && i < s->nr_funcs; i++) {
        PCIDevice *dev = s->funcs[i].dev;

        if (pci_dev_bus_num(dev) == a->bus && dev->devfn == a->devfn) {
            return &s->funcs[i];
        }
    }
    return NULL;
}

/* A recovery in flight: a guest that did not report its end, or a reset */
static bool virtio_aer_pv_busy(VirtIOAerPv *s, Error **errp)
{
    unsigned int i;

    for (i = 0; i < s->nr_funcs; i++) {
        if (s->funcs[i].recovering) {
            error_setg(errp, "virtio-aer-pv: the guest is recovering %s "
                       "from a PCIe error (seq %u); migrate once its "
                       "recovery is over",
                       virtio_aer_pv_dev_name(s->funcs[i].dev),
                       s->funcs[i].seq);
            return true;
        }
    }
    if (!QLIST_EMPTY(&s->resets)) {
        error_setg(errp, "virtio-aer-pv: a reset for error seq %u is in "
                   "flight; migrate once it is over",
                   QLIST_FIRST(&s->resets)->seq);
    }
    return !QLIST_EMPTY(&s->resets);
}

/* Bring the deadline timer and the migration blocker in step */
void virtio_aer_pv_update(VirtIOAerPv *s)
{
    int64_t next = INT64_MAX;
    Error *err = NULL;
    AerPvResetOp *op;
    unsigned int i;

    QLIST_FOREACH(op, &s->resets, next) {
        next = op->host ? MIN(next, op->deadline) : next;
    }
    for (i = 0; i < s->nr_funcs; i++) {
        if (s->funcs[i].recovering) {
            next = MIN(next, s->funcs[i].recovery_deadline);
        }
    }
    if (next == INT64_MAX) {
        timer_del(&s->timer);
    } else {
        timer_mod(&s->timer, next);
    }

    if (s->migration_blocker && !virtio_aer_pv_busy(s, NULL)) {
        migrate_del_blocker(&s->migration_blocker);
        trace_virtio_aer_pv_migration_blocker(false);
    } else if (!s->migration_blocker &&
               virtio_aer_pv_busy(s, &s->migration_blocker)) {
        /* One under way already fails in pre_save instead: see there */
        if (migrate_add_blocker_internal(&s->migration_blocker, &err) < 0) {
            trace_virtio_aer_pv_migration_blocker_refused(
                error_get_pretty(err));
            error_free(err);
            return;
        }
        trace_virtio_aer_pv_migration_blocker(true);
    }
}

static void virtio_aer_pv_flush_events(VirtIOAerPv *s)
{
    VirtQueueElement *elem;
    bool notify = false;

    while (s->ev_count &&
           (elem = virtqueue_pop(s->eventq, sizeof(VirtQueueElement)))) {
        union virtio_aer_pv_event *ev = &s->events[s->ev_head];
        uint16_t type = le16_to_cpu(ev->error.type);
        size_t n = iov_from_buf(elem->in_sg, elem->in_num, 0, ev,
                                type == VIRTIO_AER_PV_EVT_ERROR ?
                                sizeof(ev->error) : sizeof(ev->reset));

        virtqueue_push(s->eventq, elem, n);
        g_free(elem);
        s->events_sent++;
        trace_virtio_aer_pv_event_sent(type, le32_to_cpu(ev->error.seq), n);
        s->ev_head = (s->ev_head + 1) % VIRTIO_AER_PV_QEMU_MAX_EVENTS;
        s->ev_count--;
        notify = true;
    }
    if (notify) {
        virtio_notify(VIRTIO_DEVICE(s), s->eventq);
    }
}

/*
 * Fold @ev into an event still queued, as the guest folds errors into a
 * pending one: a reset outcome goes into its error if that is still
 * queued, and when the queue is full a newer error replaces the newest
 * queued one for the same functions, keeping the worse severity.  The
 * newest, so that the guest still gets errors in increasing seq order.
 */
static bool virtio_aer_pv_fold_event(VirtIOAerPv *s,
                                     const union virtio_aer_pv_event *ev)
{
    bool full = s->ev_count == VIRTIO_AER_PV_QEMU_MAX_EVENTS;
    uint16_t type = le16_to_cpu(ev->error.type);
    unsigned int i;

    for (i = s->ev_count; i-- > 0;) {
        struct virtio_aer_pv_error_event *q =
            &s->events[(s->ev_head + i) % VIRTIO_AER_PV_QEMU_MAX_EVENTS].error;

        if (le16_to_cpu(q->type) != VIRTIO_AER_PV_EVT_ERROR) {
            continue;
        }
        if (type == VIRTIO_AER_PV_EVT_RESET && q->seq == ev->reset.seq &&
            q->reset == VIRTIO_AER_PV_RESET_PENDING) {
            q->reset = ev->reset.reset;
            q->reset_kind = ev->reset.reset_kind;
            return true;
        }
        if (type == VIRTIO_AER_PV_EVT_ERROR && full &&
            q->nr_funcs == ev->error.nr_funcs &&
            !memcmp(q->funcs, ev->error.funcs,
                    q->nr_funcs * sizeof(q->funcs[0]))) {
            uint8_t sev = MAX(q->severity, ev->error.severity);

            *q = ev->error;
            q->severity = sev;
            return true;
        }
    }
    return false;
}

void virtio_aer_pv_queue_event(VirtIOAerPv *s,
                                      const union virtio_aer_pv_event *ev)
{
    if (virtio_aer_pv_fold_event(s, ev)) {
        s->events_coalesced++;
        trace_virtio_aer_pv_event_folded(le16_to_cpu(ev->error.type),
                                         le32_to_cpu(ev->error.seq));
    } else if (s->ev_count == VIRTIO_AER_PV_QEMU_MAX_EVENTS) {
        /* Bounded: the guest's wait for a lost event ends by its timeout */
        s->events_dropped++;
        trace_virtio_aer_pv_event_dropped(le32_to_cpu(ev->error.seq));
        return;
    } else {
        s->events[(s->ev_head + s->ev_count++) %
                  VIRTIO_AER_PV_QEMU_MAX_EVENTS] = *ev;
    }
    virtio_aer_pv_flush_events(s);
}

static void virtio_aer_pv_handle_event(VirtIODevice *vdev, VirtQueue *vq)
{
    virtio_aer_pv_flush_events(VIRTIO_AER_PV(vdev));
}

void virtio_aer_pv_respond(VirtIOAerPv *s, VirtQueueElement *elem,
                                  uint32_t seq, uint8_t status, uint8_t kind)
{
    struct virtio_aer_pv_response resp = {
        .status = status,
        .reset_kind = status == VIRTIO_AER_PV_S_OK ? kind : 0,
        .seq = cpu_to_le32(seq),
    };

    trace_virtio_aer_pv_response(seq, status, resp.reset_kind);
    virtqueue_push(s->reqq, elem, iov_from_buf(elem->in_sg, elem->in_num, 0,
                                               &resp, sizeof(resp)));
    virtio_notify(VIRTIO_DEVICE(s), s->reqq);
    g_free(elem);
}

/* A deadline passed: a host reset that never ended, a silent guest */
static void virtio_aer_pv_expire(void *opaque)
{
    VirtIOAerPv *s = opaque;
    int64_t now = qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL);
    unsigned int i;

    virtio_aer_pv_resets_expire(s, now);
    for (i = 0; i < s->nr_funcs; i++) {
        AerPvFunc *f = &s->funcs[i];

        if (f->recovering && f->recovery_deadline <= now) {
            warn_report("virtio-aer-pv: %s: the guest reported no outcome "
                        "of its recovery of error seq %u within %u ms; "
                        "allowing migration again",
                        virtio_aer_pv_dev_name(f->dev), f->seq,
                        s->reset_timeout_ms + AER_PV_RECOVERY_MARGIN_MS);
            f->recovering = false;
        }
    }
    virtio_aer_pv_update(s);
}

/*
 * REQ_PHASE: an AER_PV_PHASE event only when a function's current error
 * moves to a later phase, so a guest cannot make more events than the
 * host made errors.  A recovery may cover a newer error of @f, never an
 * older one; a seq never issued is a lie.
 */
static int virtio_aer_pv_report(VirtIOAerPv *s, AerPvFunc *f, uint32_t seq,
                                uint8_t phase)
{
    if (phase < VIRTIO_AER_PV_PHASE_DETECTED ||
        phase > VIRTIO_AER_PV_PHASE_FAILED) {
        return VIRTIO_AER_PV_S_ERR;
    }
    if (!f->recovering || (int32_t)(seq - f->seq) < 0 ||
        (int32_t)(s->next_seq - seq) < 0 || phase <= f->phase) {
        s->reports_dropped++;
        trace_virtio_aer_pv_report_dropped(virtio_aer_pv_dev_name(f->dev),
                                           seq, phase, f->seq, f->phase);
        return VIRTIO_AER_PV_S_STALE;
    }
    f->phase = phase;
    /* AerPvPhase lists the wire's phases in their order */
    qapi_event_send_aer_pv_phase(virtio_aer_pv_dev_name(f->dev), seq,
                                 phase - VIRTIO_AER_PV_PHASE_DETECTED);
    if (phase >= VIRTIO_AER_PV_PHASE_RECOVERED) {
        f->recovering = false;
        virtio_aer_pv_update(s);
    }
    return VIRTIO_AER_PV_S_OK;
}

static void virtio_aer_pv_handle_request(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOAerPv *s = VIRTIO_AER_PV(vdev);
    struct virtio_aer_pv_request req;
    AerPvWaiter *w;

    while ((w = virtqueue_pop(vq, sizeof(AerPvWaiter)))) {
        VirtQueueElement *elem = &w->elem;
        uint32_t seq = 0;
        uint8_t kind = 0;
        int status = VIRTIO_AER_PV_S_ERR;
        AerPvFunc *f;

        if (iov_to_buf(elem->out_sg, elem->out_num, 0, &req, sizeof(req)) !=
                sizeof(req) ||
            iov_size(elem->in_sg, elem->in_num) <
                sizeof(struct virtio_aer_pv_response)) {
            /* Consumed unanswered: nothing the guest sends stops the device */
            s->requests_malformed++;
            qemu_log_mask(LOG_GUEST_ERROR,
                          "virtio-aer-pv: malformed request\n");
            virtqueue_push(vq, elem, 0);
            virtio_notify(vdev, vq);
            g_free(w);
            continue;
        }
        seq = le32_to_cpu(req.seq);
        kind = req.arg;
        trace_virtio_aer_pv_request(le16_to_cpu(req.type), seq, req.func.bus,
                                    req.func.devfn, req.arg);
        f = virtio_aer_pv_func_by_addr(s, &req.func);
        if (le16_to_cpu(req.type) == VIRTIO_AER_PV_REQ_RESET) {
            status = !virtio_vdev_has_feature(vdev,
                                              VIRTIO_AER_PV_F_RESET_REQUEST) ?
                     VIRTIO_AER_PV_S_UNSUPPORTED :
                     !f ? VIRTIO_AER_PV_S_NOT_MANAGED :
                     virtio_aer_pv_request_reset(s, f, seq, &kind, w);
        } else if (le16_to_cpu(req.type) == VIRTIO_AER_PV_REQ_PHASE) {
            status = f ? virtio_aer_pv_report(s, f, seq, req.arg) :
                         VIRTIO_AER_PV_S_NOT_MANAGED;
        }
        if (status >= 0) {
            virtio_aer_pv_respond(s, elem, seq, status, kind);
        }
    }
}

uint32_t virtio_aer_pv_host_error(VirtIOAerPv *s, const AerPvError *err,
                                  Error **errp)
{
    union virtio_aer_pv_event ev = { .error = {
        .type = cpu_to_le16(VIRTIO_AER_PV_EVT_ERROR),
        .severity = err->severity,
    } };
    struct virtio_aer_pv_error_event *e = &ev.error;
    bool uncor = err->severity != VIRTIO_AER_PV_SEV_CORRECTABLE;
    int64_t now = qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL);
    AerPvFunc *funcs[VIRTIO_AER_PV_MAX_FUNCS], *f;
    unsigned int nr = 0, i;

    if (!virtio_aer_pv_live(s)) {
        error_setg(errp, "virtio-aer-pv has no live guest driver");
        return 0;
    }
    /* A function unplugged since the host reported it has no driver */
    for (i = 0; i < err->nr && nr < VIRTIO_AER_PV_MAX_FUNCS; i++) {
        if (!qdev_is_realized(DEVICE(err->devs[i]))) {
            continue;
        }
        f = virtio_aer_pv_func(s, err->devs[i]);
        if (!f && s->nr_funcs == VIRTIO_AER_PV_QEMU_MAX_FUNCS) {
            error_setg(errp, "virtio-aer-pv tracks %u functions already",
                       VIRTIO_AER_PV_QEMU_MAX_FUNCS);
            return 0;
        } else if (!f) {
            f = &s->funcs[s->nr_funcs++];
            f->dev = PCI_DEVICE(object_ref(OBJECT(err->devs[i])));
        }
        funcs[nr++] = f;
        e->funcs[e->nr_funcs].bus = pci_dev_bus_num(f->dev);
        e->funcs[e->nr_funcs++].devfn = f->dev->devfn;
    }
    if (!nr) {
        error_setg(errp, "virtio-aer-pv: no function of the error is left");
        return 0;
    }
    if (++s->next_seq == 0) {
        s->next_seq = 1;        /* 0 is no error */
    }
    e->seq = cpu_to_le32(s->next_seq);
    if (uncor) {
        e->reset = err->reset;
        e->reset_kind = err->reset == VIRTIO_AER_PV_RESET_NONE ?
                        VIRTIO_AER_PV_RESET_KIND_NONE :
                        VIRTIO_AER_PV_RESET_KIND_LINK;
    }
    for (i = 0; i < nr && uncor; i++) {
        f = funcs[i];
        g_free(f->link);
        f->ops = err->ops;
        f->link = err->ops && err->ops->link ? err->ops->link(f->dev) : NULL;
        f->seq = s->next_seq;
        f->phase = 0;
        f->reset = e->reset;
        f->reset_kind = e->reset_kind;
        f->recovering = true;
        f->recovery_deadline = now + s->reset_timeout_ms +
                               AER_PV_RECOVERY_MARGIN_MS;
        f->host_resets += e->reset == VIRTIO_AER_PV_RESET_DONE;
    }
    if (uncor && virtio_vdev_has_feature(VIRTIO_DEVICE(s),
                                         VIRTIO_AER_PV_F_RESET_KINDS)) {
        e->flags = cpu_to_le16(virtio_aer_pv_reset_kinds(s, s->next_seq));
    }
    if (err->aer) {
        e->aer = *err->aer;
    }
    trace_virtio_aer_pv_host_error(virtio_aer_pv_dev_name(funcs[0]->dev),
                                   s->next_seq, e->severity, e->reset, nr);
    if (e->reset == VIRTIO_AER_PV_RESET_PENDING) {
        virtio_aer_pv_new_op(s, s->next_seq, VIRTIO_AER_PV_RESET_KIND_LINK,
                             true);
    }
    virtio_aer_pv_queue_event(s, &ev);
    virtio_aer_pv_update(s);
    return s->next_seq;
}

/* The device names no more functions than it tracks */
QEMU_BUILD_BUG_ON(VIRTIO_AER_PV_QEMU_MAX_FUNCS > VIRTIO_AER_PV_MAX_MANAGED);

static void virtio_aer_pv_get_config(VirtIODevice *vdev, uint8_t *config)
{
    struct virtio_aer_pv_config cfg = {
        .reset_timeout_ms = cpu_to_le32(VIRTIO_AER_PV(vdev)->reset_timeout_ms),
        .max_funcs = cpu_to_le16(VIRTIO_AER_PV_QEMU_MAX_FUNCS),
    };

    memcpy(config, &cfg, sizeof(cfg));
}

static uint64_t virtio_aer_pv_get_features(VirtIODevice *vdev, uint64_t f,
                                           Error **errp)
{
    virtio_add_feature(&f, VIRTIO_AER_PV_F_RESET_REQUEST);
    virtio_add_feature(&f, VIRTIO_AER_PV_F_RESET_KINDS);
    virtio_add_feature(&f, VIRTIO_AER_PV_F_MAX_FUNCS);
    return f;
}

static void virtio_aer_pv_reset(VirtIODevice *vdev)
{
    VirtIOAerPv *s = VIRTIO_AER_PV(vdev);
    unsigned int i;

    /*
     * The guest's buffers are gone, and so is any recovery it would
     * report; the hosts' resets in flight carry on.
     */
    virtio_aer_pv_free_waiters(s);
    s->ev_count = 0;
    for (i = 0; i < s->nr_funcs; i++) {
        s->funcs[i].recovering = false;
    }
    virtio_aer_pv_update(s);
}

/*
 * A function was unplugged: forget it, and with it the reference that
 * kept it alive, so that its unplug completes whatever the guest does.
 * Its host completes the resets it runs of it as always.
 */
static void virtio_aer_pv_unrealize_notify(DeviceListener *listener,
                                           DeviceState *qdev)
{
    VirtIOAerPv *s = container_of(listener, VirtIOAerPv, listener);
    AerPvFunc *f = virtio_aer_pv_func(s, (PCIDevice *)qdev);

    virtio_aer_pv_resets_forget(s, (PCIDevice *)qdev);
    if (f) {
        object_unref(OBJECT(f->dev));
        g_free(f->link);
        *f = s->funcs[--s->nr_funcs];
        memset(&s->funcs[s->nr_funcs], 0, sizeof(*f));
        virtio_aer_pv_update(s);
    }
}

static void virtio_aer_pv_realize(DeviceState *dev, Error **errp)
{
    VirtIODevice *vdev = VIRTIO_DEVICE(dev);
    VirtIOAerPv *s = VIRTIO_AER_PV(dev);

    if (virtio_aer_pv_dev) {
        error_setg(errp, "a VM has one virtio-aer-pv device at most");
        return;
    }
    if (s->reset_timeout_ms > VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS) {
        error_setg(errp, "reset-timeout-ms must be at most %u",
                   VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS);
        return;
    }
    QLIST_INIT(&s->resets);
    QSIMPLEQ_INIT(&s->waiters);
    timer_init_ms(&s->timer, QEMU_CLOCK_VIRTUAL, virtio_aer_pv_expire, s);
    s->listener.unrealize = virtio_aer_pv_unrealize_notify;
    device_listener_register(&s->listener);
    virtio_init(vdev, VIRTIO_ID_AER_PV, sizeof(struct virtio_aer_pv_config));
    s->eventq = virtio_add_queue(vdev, 64, virtio_aer_pv_handle_event);
    s->reqq = virtio_add_queue(vdev, 64, virtio_aer_pv_handle_request);
    virtio_aer_pv_dev = s;
}

static void virtio_aer_pv_unrealize(DeviceState *dev)
{
    VirtIOAerPv *s = VIRTIO_AER_PV(dev);

    virtio_aer_pv_dev = NULL;
    device_listener_unregister(&s->listener);
    virtio_aer_pv_resets_cancel(s);
    virtio_aer_pv_forget_funcs(s);
    timer_del(&s->timer);
    migrate_del_blocker(&s->migration_blocker);
    virtio_delete_queue(s->reqq);
    virtio_delete_queue(s->eventq);
    virtio_cleanup(VIRTIO_DEVICE(dev));
}

/*
 * Migration: between recoveries, the sequence number, the counters and
 * the events the guest has not taken; the next error names its functions,
 * and their host, afresh.  pre_save refuses a recovery in flight that
 * came once a migration was under way, too late for the blocker.
 */

static bool virtio_aer_pv_pre_save(void *opaque, Error **errp)
{
    return !virtio_aer_pv_busy(opaque, errp);
}

static int virtio_aer_pv_pre_load(void *opaque)
{
    virtio_aer_pv_forget_funcs(opaque);
    return 0;
}

/* Is @ev an event this device could have queued, before @next_seq? */
static bool virtio_aer_pv_event_ok(const union virtio_aer_pv_event *ev,
                                   uint32_t next_seq)
{
    const struct virtio_aer_pv_error_event *e = &ev->error;
    uint32_t seq = le32_to_cpu(e->seq);

    if (!seq || (int32_t)(next_seq - seq) < 0) {
        return false;
    }
    switch (le16_to_cpu(e->type)) {
    case VIRTIO_AER_PV_EVT_ERROR:
        return e->severity <= VIRTIO_AER_PV_SEV_FATAL &&
               e->reset <= VIRTIO_AER_PV_RESET_FAILED &&
               e->reset_kind <= VIRTIO_AER_PV_RESET_KIND_FUNCTION &&
               e->nr_funcs >= 1 && e->nr_funcs <= VIRTIO_AER_PV_MAX_FUNCS;
    case VIRTIO_AER_PV_EVT_RESET:
        return ev->reset.reset >= VIRTIO_AER_PV_RESET_DONE &&
               ev->reset.reset <= VIRTIO_AER_PV_RESET_FAILED &&
               ev->reset.reset_kind <= VIRTIO_AER_PV_RESET_KIND_FUNCTION;
    }
    return false;
}

static bool virtio_aer_pv_post_load(void *opaque, int version_id,
                                    Error **errp)
{
    VirtIOAerPv *s = opaque;
    unsigned int i;

    if (s->ev_head >= VIRTIO_AER_PV_QEMU_MAX_EVENTS ||
        s->ev_count > VIRTIO_AER_PV_QEMU_MAX_EVENTS) {
        error_setg(errp, "virtio-aer-pv: event ring head %u count %u out "
                   "of range", s->ev_head, s->ev_count);
        s->ev_head = s->ev_count = 0;
        return false;
    }
    for (i = 0; i < s->ev_count; i++) {
        if (!virtio_aer_pv_event_ok(
                &s->events[(s->ev_head + i) % VIRTIO_AER_PV_QEMU_MAX_EVENTS],
                s->next_seq)) {
            error_setg(errp, "virtio-aer-pv: queued event %u is malformed", i);
            s->ev_count = 0;
            return false;
        }
    }
    return true;
}

static const VMStateDescription vmstate_virtio_aer_pv_device = {
    .name = "virtio-aer-pv-device",
    .version_id = 2,
    .minimum_version_id = 2,
    .pre_load = virtio_aer_pv_pre_load,
    .post_load_errp = virtio_aer_pv_post_load,
    .fields = (const VMStateField[]) {
        VMSTATE_UINT32(next_seq, VirtIOAerPv),
        VMSTATE_UINT32(ev_head, VirtIOAerPv),
        VMSTATE_UINT32(ev_count, VirtIOAerPv),
        VMSTATE_BUFFER_UNSAFE(events, VirtIOAerPv, 2,
                              sizeof(((VirtIOAerPv *)0)->events)),
        VMSTATE_UINT64(events_sent, VirtIOAerPv),
        VMSTATE_UINT64(events_dropped, VirtIOAerPv),
        VMSTATE_UINT64(events_coalesced, VirtIOAerPv),
        VMSTATE_UINT64(reports_dropped, VirtIOAerPv),
        VMSTATE_UINT64(requests_refused, VirtIOAerPv),
        VMSTATE_UINT64(requests_malformed, VirtIOAerPv),
        VMSTATE_END_OF_LIST()
    },
};

/*
 * pre_save is the outer description's, whose error reaches the
 * migration's status: the virtio core only logs the inner one's.
 */
static const VMStateDescription vmstate_virtio_aer_pv = {
    .name = "virtio-aer-pv",
    .version_id = 2,
    .minimum_version_id = 2,
    .pre_save_errp = virtio_aer_pv_pre_save,
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
