/*
 * virtio-aer-pv: test hooks, and a model of a host for emulated devices
 *
 * Unstable QMP commands (x-aer-pv-*) for testing the device and its guest
 * driver without faulty hardware.  x-aer-pv-inject-error plays the host
 * of an emulated PCIe function (e1000e, igb): it reports the error
 * through virtio-aer-pv's host interface, as vfio-pci does, and models
 * the host's reset the way hardware behaves.  From the start of a
 * modelled reset to its end the function answers as a device in reset
 * does: config and memory reads return all ones, writes are dropped.
 * Each such access is counted, and those after the guest said it waits
 * for the reset (RESET_WAIT) are counted apart, so that a test can prove
 * that the guest left the device alone.
 *
 * The other hooks count the resets that reached a device, feed the
 * guest broken or hostile events, hold events back, break the device,
 * and hold the functions below a port in reset after its next link
 * reset, as a device slow to come back does.  None of this is an
 * interface for management, and the device itself (virtio-aer-pv.c)
 * knows nothing of it.
 *
 * Copyright (c) 2026 aer-pv developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/base64.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-aer-pv.h"
#include "qemu/error-report.h"
#include "qemu/iov.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "system/memory.h"
#include "hw/qdev-core.h"
#include "hw/sysbus.h"
#include "hw/pci/pci_bridge.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pcie_aer.h"
#include "virtio-aer-pv-internal.h"
#include "trace.h"

#define AER_PV_DEFAULT_RESET_DELAY_MS   200
#define AER_PV_DEFAULT_REQUEST_DELAY_MS 50
#define AER_PV_MAX_REPEAT               100000

typedef struct AerPvModel AerPvModel;

/*
 * What answers for a BAR of a function in reset.  A flat view made
 * before the function left reset may still dispatch to it, and holds a
 * reference to its owner for that: so the owner is this object, not
 * the function, and the region goes with the last reference.
 */
#define TYPE_AER_PV_IN_RESET "x-aer-pv-in-reset"
OBJECT_DECLARE_SIMPLE_TYPE(AerPvInReset, AER_PV_IN_RESET)

struct AerPvInReset {
    Object parent_obj;
    MemoryRegion mr;
    AerPvModel *model;          /* NULL once the reset is over */
};

/* The modelled host's view of one emulated function */
struct AerPvModel {
    PCIDevice *dev;
    AerPvRequestReset outcome;  /* of a reset the guest asks for */
    uint32_t request_delay_ms;  /* how long that reset takes */
    unsigned int in_reset;      /* modelled resets it is in */
    PCIConfigReadFunc *config_read;     /* its own, while in reset */
    PCIConfigWriteFunc *config_write;
    AerPvInReset *dead[PCI_NUM_REGIONS];    /* over its BARs, in reset */
    uint64_t reset_requests;    /* resets the guest's requests started */
    uint64_t accesses;          /* by the guest, while in reset */
    uint64_t accesses_after_wait;   /* ... after it reported RESET_WAIT */
};

/* A modelled reset of one or more functions, until its timer ends it */
typedef struct AerPvWindow {
    QEMUTimer timer;
    AerPvModel *models[VIRTIO_AER_PV_MAX_FUNCS];
    unsigned int nr;
    bool ok;
    uint32_t seq;               /* the host's own: tell the channel, or 0 */
    AerPvResetOp *op;           /* one the guest asked for */
    bool aer_message;           /* a host that forwards the error after it */
    AerPvSeverity severity;
    QLIST_ENTRY(AerPvWindow) next;
} AerPvWindow;

/* x-aer-pv-slow-link-reset: a port whose next link reset holds */
typedef struct AerPvSlowLink {
    PCIDevice *port;
    PCIConfigWriteFunc *config_write;   /* the port's own */
    uint32_t hold_ms;
} AerPvSlowLink;

static GHashTable *aer_pv_models;       /* PCIDevice * -> AerPvModel * */
static AerPvSlowLink aer_pv_slow_link;
static QLIST_HEAD(, AerPvWindow) aer_pv_windows =
    QLIST_HEAD_INITIALIZER(aer_pv_windows);
static DeviceListener aer_pv_listener;
static uint64_t aer_pv_aer_suppressed;
static uint64_t aer_pv_device_errors;
static uint64_t aer_pv_errors_injected;     /* delivered over the channel */
static uint64_t aer_pv_storm_skipped;       /* storm ticks QEMU missed */

/* x-aer-pv-hold-events: the guest's event buffers, held back */
static bool aer_pv_holding;
static GSList *aer_pv_held;
static uint16_t aer_pv_held_avail;
static QEMUTimer *aer_pv_release_timer;

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

/* Count a guest access to @m's function while it is in reset */
static void aer_pv_model_access(AerPvModel *m)
{
    VirtIOAerPv *s = virtio_aer_pv_get(NULL);

    m->accesses++;
    if (s && virtio_aer_pv_phase(s, m->dev) >=
             VIRTIO_AER_PV_PHASE_RESET_WAIT) {
        m->accesses_after_wait++;
        trace_virtio_aer_pv_test_access_after_wait(
            virtio_aer_pv_dev_name(m->dev));
    }
}

static AerPvModel *aer_pv_model_of(PCIDevice *dev)
{
    return aer_pv_models ? g_hash_table_lookup(aer_pv_models, dev) : NULL;
}

static uint32_t aer_pv_in_reset_config_read(PCIDevice *dev, uint32_t addr,
                                            int len)
{
    aer_pv_model_access(aer_pv_model_of(dev));
    return ~0u >> (32 - 8 * len);
}

static void aer_pv_in_reset_config_write(PCIDevice *dev, uint32_t addr,
                                         uint32_t val, int len)
{
    aer_pv_model_access(aer_pv_model_of(dev));
}

static uint64_t aer_pv_in_reset_read(void *opaque, hwaddr addr,
                                     unsigned size)
{
    AerPvInReset *r = opaque;

    if (r->model) {
        aer_pv_model_access(r->model);
    }
    return ~0ull >> (64 - 8 * size);
}

static void aer_pv_in_reset_write(void *opaque, hwaddr addr, uint64_t val,
                                  unsigned size)
{
    AerPvInReset *r = opaque;

    if (r->model) {
        aer_pv_model_access(r->model);
    }
}

static const MemoryRegionOps aer_pv_in_reset_ops = {
    .read = aer_pv_in_reset_read,
    .write = aer_pv_in_reset_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = { .min_access_size = 1, .max_access_size = 8 },
    .impl = { .min_access_size = 1, .max_access_size = 8 },
};

/*
 * Reset @dev as a host link or function reset does: every register but
 * the sticky AER status and header log goes back to its default.
 */
static void aer_pv_reset_dev(PCIDevice *dev)
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

/* The function goes into reset: it is reset, then answers nothing */
static void aer_pv_model_enter(AerPvModel *m)
{
    PCIDevice *dev = m->dev;
    int i;

    if (m->in_reset++) {
        return;
    }
    trace_virtio_aer_pv_test_in_reset(virtio_aer_pv_dev_name(dev), true);
    aer_pv_reset_dev(dev);
    m->config_read = dev->config_read;
    m->config_write = dev->config_write;
    dev->config_read = aer_pv_in_reset_config_read;
    dev->config_write = aer_pv_in_reset_config_write;
    /* One flat view rebuild for all BARs, not one each */
    memory_region_transaction_begin();
    for (i = 0; i < PCI_NUM_REGIONS; i++) {
        PCIIORegion *r = &dev->io_regions[i];

        if (r->size && r->memory) {
            AerPvInReset *d = AER_PV_IN_RESET(object_new(TYPE_AER_PV_IN_RESET));

            d->model = m;
            memory_region_init_io(&d->mr, OBJECT(d), &aer_pv_in_reset_ops, d,
                                  "aer-pv-in-reset",
                                  memory_region_size(r->memory));
            memory_region_add_subregion_overlap(r->memory, 0, &d->mr, INT_MAX);
            m->dead[i] = d;
        }
    }
    memory_region_transaction_commit();
}

static void aer_pv_model_leave(AerPvModel *m)
{
    PCIDevice *dev = m->dev;
    int i;

    if (--m->in_reset) {
        return;
    }
    dev->config_read = m->config_read;
    dev->config_write = m->config_write;
    memory_region_transaction_begin();
    for (i = 0; i < PCI_NUM_REGIONS; i++) {
        if (m->dead[i]) {
            memory_region_del_subregion(dev->io_regions[i].memory,
                                        &m->dead[i]->mr);
            m->dead[i]->model = NULL;
            object_unref(OBJECT(m->dead[i]));
            m->dead[i] = NULL;
        }
    }
    memory_region_transaction_commit();
    /* Only now does the function answer again */
    trace_virtio_aer_pv_test_in_reset(virtio_aer_pv_dev_name(dev), false);
}

/* Signal the error on @dev as an emulated AER message, like hardware */
static void aer_pv_emulate_aer(PCIDevice *dev, AerPvSeverity sev,
                               Error **errp);

/* A modelled reset ended: the functions answer again; tell who waits */
static void aer_pv_window_end(void *opaque)
{
    AerPvWindow *w = opaque;
    VirtIOAerPv *s = virtio_aer_pv_get(NULL);
    Error *err = NULL;
    unsigned int i;

    QLIST_REMOVE(w, next);
    timer_del(&w->timer);
    for (i = 0; i < w->nr; i++) {
        aer_pv_model_leave(w->models[i]);
    }
    if (w->aer_message && w->nr) {
        aer_pv_emulate_aer(w->models[0]->dev, w->severity, &err);
        if (err) {
            warn_report_err(err);
        }
    }
    if (w->op) {
        virtio_aer_pv_reset_complete(w->op, w->ok ? 0 : -EIO);
    } else if (w->seq && s) {
        virtio_aer_pv_host_reset_done(s, w->seq, w->ok);
    }
    g_free(w);
}

/*
 * Begin a modelled reset of @models, which ends after @delay_ms; a
 * failed one (!@ok) resets nothing.
 */
static AerPvWindow *aer_pv_window_start(AerPvModel **models, unsigned int nr,
                                        bool ok, uint32_t delay_ms)
{
    AerPvWindow *w = g_new0(AerPvWindow, 1);
    unsigned int i;

    w->ok = ok;
    for (i = 0; ok && i < nr; i++) {
        w->models[w->nr++] = models[i];
        aer_pv_model_enter(models[i]);
    }
    QLIST_INSERT_HEAD(&aer_pv_windows, w, next);
    timer_init_ms(&w->timer, QEMU_CLOCK_VIRTUAL, aer_pv_window_end, w);
    timer_mod(&w->timer, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + delay_ms);
    return w;
}

/* An emulated function was unplugged: its modelled resets end now */
static void aer_pv_slow_link_disarm(void);

static void aer_pv_unrealize_notify(DeviceListener *listener,
                                    DeviceState *qdev)
{
    AerPvModel *m = aer_pv_model_of((PCIDevice *)qdev);
    AerPvWindow *w, *tmp;
    unsigned int i;

    if (aer_pv_slow_link.port == (PCIDevice *)qdev) {
        aer_pv_slow_link_disarm();
    }
    if (!m) {
        return;
    }
    QLIST_FOREACH_SAFE(w, &aer_pv_windows, next, tmp) {
        for (i = 0; i < w->nr; i++) {
            if (w->models[i] == m) {
                aer_pv_model_leave(m);
                w->models[i] = w->models[--w->nr];
                break;
            }
        }
        if (!w->nr && w->op) {
            aer_pv_window_end(w);   /* nothing left to reset */
        }
    }
    g_hash_table_remove(aer_pv_models, m->dev);
    object_unref(OBJECT(m->dev));
    g_free(m);
}

static void aer_pv_models_init(void)
{
    if (!aer_pv_models) {
        aer_pv_models = g_hash_table_new(NULL, NULL);
        aer_pv_listener.unrealize = aer_pv_unrealize_notify;
        device_listener_register(&aer_pv_listener);
    }
}

static AerPvModel *aer_pv_model(PCIDevice *dev)
{
    AerPvModel *m;

    aer_pv_models_init();
    m = aer_pv_model_of(dev);
    if (!m) {
        m = g_new0(AerPvModel, 1);
        m->dev = PCI_DEVICE(object_ref(OBJECT(dev)));
        m->request_delay_ms = AER_PV_DEFAULT_REQUEST_DELAY_MS;
        g_hash_table_insert(aer_pv_models, dev, m);
    }
    return m;
}

/* The modelled host: AerPvHostOps of emulated functions */

static uint16_t aer_pv_model_reset_kinds(PCIDevice *dev)
{
    AerPvModel *m = aer_pv_model_of(dev);
    uint16_t kinds = 0;

    if (!m || m->outcome == AER_PV_REQUEST_RESET_UNSUPPORTED) {
        return 0;
    }
    if (pci_bridge_get_device(pci_get_bus(dev)) && !pci_is_vf(dev)) {
        kinds |= VIRTIO_AER_PV_EVF_RESET_LINK;
    }
    if (pci_is_express(dev) &&
        (pci_get_long(dev->config + dev->exp.exp_cap + PCI_EXP_DEVCAP) &
         PCI_EXP_DEVCAP_FLR)) {
        kinds |= VIRTIO_AER_PV_EVF_RESET_FUNCTION;
    }
    return kinds;
}

/* An emulated function's link is its Root or Downstream Port's */
static char *aer_pv_model_link(PCIDevice *dev)
{
    PCIDevice *port = pci_bridge_get_device(pci_get_bus(dev));

    return port ? object_get_canonical_path(OBJECT(port)) : NULL;
}

static void aer_pv_add_model(PCIBus *bus, PCIDevice *dev, void *opaque)
{
    AerPvWindow *w = opaque;

    if (w->nr < ARRAY_SIZE(w->models)) {
        w->models[w->nr++] = aer_pv_model(dev);
    }
}

/*
 * A reset the guest asked for: of @dev's link, every function below its
 * port and nothing else (never a root bus, never the port itself); or
 * of @dev alone.  It takes the function's request-delay-ms.
 */
static int aer_pv_model_reset(PCIDevice *dev, uint8_t kind,
                              AerPvResetOp *op)
{
    AerPvModel *m = aer_pv_model(dev);
    AerPvWindow scope = { 0 };
    AerPvWindow *w;

    m->reset_requests++;
    if (kind == VIRTIO_AER_PV_RESET_KIND_LINK) {
        if (!pci_bridge_get_device(pci_get_bus(dev))) {
            return -ENOTSUP;
        }
        pci_for_each_device_under_bus(pci_get_bus(dev), aer_pv_add_model,
                                      &scope);
    } else {
        scope.models[scope.nr++] = m;
    }
    w = aer_pv_window_start(scope.models, scope.nr,
                            m->outcome == AER_PV_REQUEST_RESET_OK,
                            m->request_delay_ms);
    w->op = op;
    return 0;
}

static const AerPvHostOps aer_pv_model_ops = {
    .reset_kinds = aer_pv_model_reset_kinds,
    .link = aer_pv_model_link,
    .reset = aer_pv_model_reset,
};

static void aer_pv_slow_link_disarm(void)
{
    AerPvSlowLink *sl = &aer_pv_slow_link;

    sl->port->config_write = sl->config_write;
    object_unref(OBJECT(sl->port));
    sl->port = NULL;
}

/*
 * The port's config writes: once its Secondary Bus Reset is released,
 * the functions below it stay in reset for hold_ms, as those of a device
 * slow to come back do.  Only then is the port's own write hook back.
 */
static void aer_pv_slow_link_write(PCIDevice *port, uint32_t addr,
                                   uint32_t val, int len)
{
    AerPvSlowLink *sl = &aer_pv_slow_link;
    uint16_t before = pci_get_word(port->config + PCI_BRIDGE_CONTROL);
    AerPvWindow scope = { 0 };

    sl->config_write(port, addr, val, len);
    if (!(before & PCI_BRIDGE_CTL_BUS_RESET) ||
        (pci_get_word(port->config + PCI_BRIDGE_CONTROL) &
         PCI_BRIDGE_CTL_BUS_RESET)) {
        return;
    }
    pci_for_each_device_under_bus(pci_bridge_get_sec_bus(PCI_BRIDGE(port)),
                                  aer_pv_add_model, &scope);
    trace_virtio_aer_pv_test_slow_link(virtio_aer_pv_dev_name(port),
                                       scope.nr, sl->hold_ms);
    aer_pv_window_start(scope.models, scope.nr, true, sl->hold_ms);
    aer_pv_slow_link_disarm();
}

void qmp_x_aer_pv_slow_link_reset(const char *id, uint32_t hold_ms,
                                  Error **errp)
{
    PCIDevice *port = virtio_aer_pv_pci_by_id(id, errp);
    AerPvSlowLink *sl = &aer_pv_slow_link;

    if (!port) {
        return;
    }
    if (!object_dynamic_cast(OBJECT(port), TYPE_PCI_BRIDGE)) {
        error_setg(errp, "'%s' is not a bridge", id);
        return;
    }
    if (!hold_ms || hold_ms > VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS) {
        error_setg(errp, "hold-ms must be 1 to %u",
                   VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS);
        return;
    }
    if (sl->port) {
        error_setg(errp, "the next link reset of '%s' holds already",
                   virtio_aer_pv_dev_name(sl->port));
        return;
    }
    /* Its listener disarms the hook if the port goes first */
    aer_pv_models_init();
    sl->port = PCI_DEVICE(object_ref(OBJECT(port)));
    sl->hold_ms = hold_ms;
    sl->config_write = port->config_write;
    port->config_write = aer_pv_slow_link_write;
}

/*
 * The AER status bit an injected error of @sev sets: Receiver Error,
 * Unsupported Request, Malformed TLP (non-fatal and fatal by default).
 */
static uint32_t aer_pv_status_bit(AerPvSeverity sev)
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
 * The AER message is suppressed while the driver is live (DRIVER_OK) and
 * the device manages @dev: then the channel is the only source of the
 * function's errors.  QEMU's own pcie_aer_inject_error is not.
 */
static void aer_pv_emulate_aer(PCIDevice *dev, AerPvSeverity sev,
                               Error **errp)
{
    VirtIOAerPv *s = virtio_aer_pv_get(NULL);
    PCIEAERErr err = {
        .status = aer_pv_status_bit(sev),
        .source_id = pci_requester_id(dev),
        .flags = sev == AER_PV_SEVERITY_CORRECTABLE ?
                 PCIE_AER_ERR_IS_CORRECTABLE : 0,
    };
    int ret;

    if (s && (VIRTIO_DEVICE(s)->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
        virtio_aer_pv_func(s, dev)) {
        aer_pv_aer_suppressed++;
        trace_virtio_aer_pv_test_aer_message(virtio_aer_pv_dev_name(dev),
                                             sev, true);
        return;
    }
    trace_virtio_aer_pv_test_aer_message(virtio_aer_pv_dev_name(dev), sev,
                                         false);
    ret = pcie_aer_inject_error(dev, &err);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "AER message on '%s' failed",
                         virtio_aer_pv_dev_name(dev));
    }
}

/* An AER message sent later, to order it against the channel event */
typedef struct AerPvDeferred {
    QEMUTimer timer;
    PCIDevice *dev;
    AerPvSeverity severity;
} AerPvDeferred;

static void aer_pv_deferred_aer(void *opaque)
{
    AerPvDeferred *d = opaque;
    Error *err = NULL;

    if (qdev_is_realized(DEVICE(d->dev))) {
        aer_pv_emulate_aer(d->dev, d->severity, &err);
    }
    if (err) {
        warn_report_err(err);
    }
    object_unref(OBJECT(d->dev));
    timer_del(&d->timer);
    g_free(d);
}

/*
 * x-aer-pv-hold-events: keep the guest's event buffers from the device,
 * so that its events queue up (and fold, and overflow) as they do when
 * the guest does not take them; give them back on release.
 */
static void aer_pv_hold(VirtIOAerPv *s)
{
    VirtQueueElement *elem;

    aer_pv_holding = true;
    while ((elem = virtqueue_pop(s->eventq, sizeof(VirtQueueElement)))) {
        aer_pv_held = g_slist_prepend(aer_pv_held, elem);
    }
    aer_pv_held_avail = virtio_queue_get_last_avail_idx(VIRTIO_DEVICE(s),
                                                        0);
}

static void aer_pv_release(VirtIOAerPv *s)
{
    bool same = s && virtio_queue_get_last_avail_idx(VIRTIO_DEVICE(s), 0) ==
                     aer_pv_held_avail;
    GSList *l;

    /* Newest first; not into a queue the guest has reset meanwhile */
    for (l = aer_pv_held; l; l = l->next) {
        if (same) {
            virtqueue_unpop(s->eventq, l->data, 0);
        }
        g_free(l->data);
    }
    g_clear_pointer(&aer_pv_held, g_slist_free);
    aer_pv_holding = false;
    if (s) {
        virtio_queue_notify(VIRTIO_DEVICE(s), VIRTIO_AER_PV_VQ_EVENT);
    }
}

static void aer_pv_release_timeout(void *opaque)
{
    aer_pv_release(virtio_aer_pv_get(NULL));
}

/* One error, its delivery and its modelled host reset */
typedef struct AerPvInjection {
    PCIDevice *devs[VIRTIO_AER_PV_MAX_FUNCS];
    unsigned int nr;
    AerPvSeverity severity;
    AerPvHostReset host_reset;
    uint32_t reset_delay_ms;
    bool channel;
    bool aer_message;
    bool aer_message_after_reset;
    int64_t aer_message_delay_ms;       /* < 0: none */
    int64_t channel_delay_ms;           /* < 0: none */
} AerPvInjection;

static AerPvInjectResult *aer_pv_inject(const AerPvInjection *in,
                                        Error **errp)
{
    static const uint8_t wire_sev[AER_PV_SEVERITY__MAX] = {
        [AER_PV_SEVERITY_CORRECTABLE] = VIRTIO_AER_PV_SEV_CORRECTABLE,
        [AER_PV_SEVERITY_NON_FATAL] = VIRTIO_AER_PV_SEV_NONFATAL,
        [AER_PV_SEVERITY_FATAL] = VIRTIO_AER_PV_SEV_FATAL,
    };
    VirtIOAerPv *s = virtio_aer_pv_get(NULL);
    AerPvModel *models[VIRTIO_AER_PV_MAX_FUNCS];
    PCIDevice *rep = in->devs[0];
    uint16_t aer = rep->exp.aer_cap;
    struct virtio_aer_pv_aer_regs regs;
    AerPvInjectResult *res = g_new0(AerPvInjectResult, 1);
    AerPvWindow *w = NULL;
    AerPvError err = {
        .devs = (PCIDevice **)in->devs, .nr = in->nr,
        .severity = wire_sev[in->severity], .aer = &regs,
        .ops = &aer_pv_model_ops,
    };
    unsigned int i;

    trace_virtio_aer_pv_test_inject(virtio_aer_pv_dev_name(rep),
                                    in->severity, in->host_reset,
                                    in->reset_delay_ms);
    for (i = 0; i < in->nr; i++) {
        models[i] = aer_pv_model(in->devs[i]);
    }
    /* The registers as the reporter's config space has them, error added */
    memcpy(&regs, rep->config + aer + PCI_ERR_UNCOR_STATUS, sizeof(regs));
    if (in->severity == AER_PV_SEVERITY_CORRECTABLE) {
        regs.cor_status |= cpu_to_le32(aer_pv_status_bit(in->severity));
    } else {
        regs.uncor_status |= cpu_to_le32(aer_pv_status_bit(in->severity));
    }

    switch (in->host_reset) {
    case AER_PV_HOST_RESET_NONE:
        err.reset = VIRTIO_AER_PV_RESET_NONE;
        break;
    case AER_PV_HOST_RESET_BEFORE:
        for (i = 0; i < in->nr; i++) {
            aer_pv_reset_dev(in->devs[i]);
        }
        err.reset = VIRTIO_AER_PV_RESET_DONE;
        break;
    default:
        /* "never": the host resets, and never says it is over */
        w = aer_pv_window_start(models, in->nr,
                                in->host_reset != AER_PV_HOST_RESET_FAILED,
                                in->reset_delay_ms);
        w->aer_message = in->aer_message_after_reset;
        w->severity = in->severity;
        err.reset = VIRTIO_AER_PV_RESET_PENDING;
        break;
    }

    res->delivered = in->channel && s && virtio_aer_pv_live(s);
    if (res->delivered) {
        if (in->channel_delay_ms > 0) {
            aer_pv_release(s);
            aer_pv_hold(s);
            timer_mod(aer_pv_release_timer,
                      qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
                      in->channel_delay_ms);
        }
        res->seq = virtio_aer_pv_host_error(s, &err, errp);
        if (!res->seq) {
            g_free(res);
            return NULL;
        }
        if (w && in->host_reset != AER_PV_HOST_RESET_NEVER) {
            w->seq = res->seq;
        }
        aer_pv_errors_injected++;
    }

    /* Once the channel manages the function, which suppresses it */
    if (in->aer_message && in->aer_message_delay_ms > 0) {
        AerPvDeferred *d = g_new0(AerPvDeferred, 1);

        d->dev = PCI_DEVICE(object_ref(OBJECT(rep)));
        d->severity = in->severity;
        timer_init_ms(&d->timer, QEMU_CLOCK_VIRTUAL, aer_pv_deferred_aer, d);
        timer_mod(&d->timer, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
                             in->aer_message_delay_ms);
    } else if (in->aer_message && !in->aer_message_after_reset) {
        aer_pv_emulate_aer(rep, in->severity, errp);
        if (*errp) {
            qapi_free_AerPvInjectResult(res);
            return NULL;
        }
    }
    return res;
}

/* The errors still to inject of an x-aer-pv-inject-error with repeat */
typedef struct AerPvStorm {
    QEMUTimer timer;
    AerPvInjection in;          /* holds a reference on in.devs[0] */
    uint32_t left;
    int64_t interval_us;
    int64_t next_us;
} AerPvStorm;

/*
 * On a fixed schedule; ticks that were missed (the main loop was busy)
 * are skipped rather than caught up with, so a storm never takes more of
 * the main loop than its rate says.
 */
static void aer_pv_storm(void *opaque)
{
    AerPvStorm *st = opaque;
    int64_t now = qemu_clock_get_us(QEMU_CLOCK_VIRTUAL);
    Error *err = NULL;

    if (qdev_is_realized(DEVICE(st->in.devs[0]))) {
        qapi_free_AerPvInjectResult(aer_pv_inject(&st->in, &err));
    } else {
        error_setg(&err, "its device is gone");
    }
    st->next_us += st->interval_us;
    while (st->left > 1 && st->next_us <= now) {
        st->next_us += st->interval_us;
        st->left--;
        aer_pv_storm_skipped++;
        trace_virtio_aer_pv_test_storm_skipped(st->left);
    }
    if (err || !--st->left) {
        if (err) {
            error_prepend(&err, "error storm stopped: ");
            warn_report_err(err);
        }
        timer_del(&st->timer);
        object_unref(OBJECT(st->in.devs[0]));
        g_free(st);
        return;
    }
    timer_mod(&st->timer, st->next_us);
}

AerPvInjectResult *qmp_x_aer_pv_inject_error(const char *id,
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
    AerPvInjection in = {
        .severity = severity,
        .host_reset = has_host_reset ? host_reset :
                      severity == AER_PV_SEVERITY_FATAL ?
                      AER_PV_HOST_RESET_BEFORE : AER_PV_HOST_RESET_NONE,
        .reset_delay_ms = has_reset_delay_ms ? reset_delay_ms :
                          AER_PV_DEFAULT_RESET_DELAY_MS,
        .channel = !has_channel || channel,
        .aer_message = has_aer_message && aer_message,
        .aer_message_after_reset = has_aer_message_after_reset &&
                                   aer_message_after_reset,
        .aer_message_delay_ms = has_aer_message_delay_ms ?
                                (int64_t)aer_message_delay_ms : -1,
        .channel_delay_ms = has_channel_delay_ms ?
                            (int64_t)channel_delay_ms : -1,
    };
    uint32_t max = VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS;
    AerPvStorm *st;
    unsigned int i;
    strList *l;

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
    if (in.channel && !virtio_aer_pv_get(errp)) {
        return NULL;
    }
    if (in.aer_message_after_reset &&
        (!in.aer_message || in.host_reset != AER_PV_HOST_RESET_AFTER ||
         has_aer_message_delay_ms)) {
        error_setg(errp, "aer-message-after-reset needs aer-message, "
                   "host-reset 'after' and no aer-message-delay-ms");
        return NULL;
    }
    if (!in.channel && !in.aer_message) {
        error_setg(errp, "nothing to deliver: channel and aer-message are "
                   "both off");
        return NULL;
    }
    if (severity == AER_PV_SEVERITY_CORRECTABLE &&
        in.host_reset != AER_PV_HOST_RESET_NONE) {
        error_setg(errp, "a correctable error needs no host reset");
        return NULL;
    }
    if (in.reset_delay_ms > max ||
        (has_request_delay_ms && request_delay_ms > max) ||
        in.channel_delay_ms > max || in.aer_message_delay_ms > max) {
        error_setg(errp, "delays are at most %u ms", max);
        return NULL;
    }

    in.devs[in.nr] = virtio_aer_pv_pci_by_id(id, errp);
    if (!in.devs[in.nr]) {
        return NULL;
    }
    if (!pci_is_express(in.devs[0]) || !in.devs[0]->exp.aer_cap) {
        error_setg(errp, "'%s' has no AER capability", id);
        return NULL;
    }
    in.nr++;
    for (l = has_functions ? functions : NULL; l; l = l->next) {
        PCIDevice *d = virtio_aer_pv_pci_by_id(l->value, errp);

        if (!d) {
            return NULL;
        }
        for (i = 0; i < in.nr; i++) {
            if (in.devs[i] == d) {
                error_setg(errp, "'%s' named twice", l->value);
                return NULL;
            }
        }
        if (in.nr == VIRTIO_AER_PV_MAX_FUNCS) {
            error_setg(errp, "at most %u functions",
                       VIRTIO_AER_PV_MAX_FUNCS);
            return NULL;
        }
        in.devs[in.nr++] = d;
    }
    for (i = 0; i < in.nr; i++) {
        AerPvModel *m = aer_pv_model(in.devs[i]);

        m->outcome = has_request_reset ? request_reset :
                                         AER_PV_REQUEST_RESET_OK;
        m->request_delay_ms = has_request_delay_ms ? request_delay_ms :
                              AER_PV_DEFAULT_REQUEST_DELAY_MS;
    }
    if (!aer_pv_release_timer) {
        aer_pv_release_timer = timer_new_ms(QEMU_CLOCK_VIRTUAL,
                                            aer_pv_release_timeout, NULL);
    }

    if (has_repeat && repeat > 1) {
        st = g_new0(AerPvStorm, 1);
        st->in = in;
        object_ref(OBJECT(in.devs[0]));
        st->left = repeat - 1;
        st->interval_us = repeat_interval_us;
        st->next_us = qemu_clock_get_us(QEMU_CLOCK_VIRTUAL) + st->interval_us;
        timer_init_us(&st->timer, QEMU_CLOCK_VIRTUAL, aer_pv_storm, st);
        timer_mod(&st->timer, st->next_us);
    }
    return aer_pv_inject(&in, errp);
}

AerPvResetCounts *qmp_x_aer_pv_query_resets(const char *id, Error **errp)
{
    PCIDevice *dev = virtio_aer_pv_pci_by_id(id, errp);
    VirtIOAerPv *s = virtio_aer_pv_get(NULL);
    AerPvResetCounts *c;
    AerPvModel *m;
    PCIDevice *port;
    AerPvFunc *f;

    if (!dev) {
        return NULL;
    }
    port = pci_bridge_get_device(pci_get_bus(dev));
    f = s ? virtio_aer_pv_func(s, dev) : NULL;
    m = aer_pv_model_of(dev);

    c = g_new0(AerPvResetCounts, 1);
    c->link_resets = port ? PCI_BRIDGE(port)->sec_bus_resets : 0;
    c->function_resets = dev->flr_count;
    c->host_resets = f ? f->host_resets : 0;
    c->host_reset_requests = m ? m->reset_requests : 0;
    c->accesses_in_reset = m ? m->accesses : 0;
    c->accesses_after_reset_wait = m ? m->accesses_after_wait : 0;
    c->in_reset = m && m->in_reset;
    return c;
}

/* The device a test hook acts on, which must be live for most of them */
static VirtIOAerPv *aer_pv_test_device(bool live, Error **errp)
{
    VirtIOAerPv *s = virtio_aer_pv_get(errp);

    if (s && live && !virtio_aer_pv_live(s)) {
        error_setg(errp, "virtio-aer-pv has no live guest driver");
        return NULL;
    }
    return s;
}

/*
 * Put @data in the guest's next event buffer as it is, and report
 * @length as used: a broken or hostile host.  Not through the device's
 * queue, which holds only what the device itself makes.
 */
void qmp_x_aer_pv_inject_raw_event(const char *data, bool has_length,
                                   uint32_t length, Error **errp)
{
    VirtIOAerPv *s = aer_pv_test_device(true, errp);
    g_autofree uint8_t *buf = NULL;
    VirtQueueElement *elem;
    size_t len;

    if (!s) {
        return;
    }
    buf = qbase64_decode(data, -1, &len, errp);
    if (!buf) {
        return;
    }
    if (len == 0 || len > sizeof(union virtio_aer_pv_event)) {
        error_setg(errp, "'data' must decode to 1 to %zu bytes, not %zu",
                   sizeof(union virtio_aer_pv_event), len);
        return;
    }
    if (aer_pv_holding || s->ev_count) {
        error_setg(errp, "events are queued or held: a raw event would "
                   "overtake them");
        return;
    }
    elem = virtqueue_pop(s->eventq, sizeof(VirtQueueElement));
    if (!elem) {
        error_setg(errp, "the guest has no event buffer posted");
        return;
    }
    iov_from_buf(elem->in_sg, elem->in_num, 0, buf, len);
    virtqueue_push(s->eventq, elem, has_length ? length : len);
    virtio_notify(VIRTIO_DEVICE(s), s->eventq);
    g_free(elem);
}

void qmp_x_aer_pv_hold_events(bool hold, Error **errp)
{
    VirtIOAerPv *s = aer_pv_test_device(false, errp);

    if (!s) {
        return;
    }
    if (aer_pv_release_timer) {
        timer_del(aer_pv_release_timer);
    }
    aer_pv_release(s);
    if (hold) {
        aer_pv_hold(s);
    }
}

void qmp_x_aer_pv_device_error(Error **errp)
{
    VirtIOAerPv *s = aer_pv_test_device(true, errp);

    if (!s) {
        return;
    }
    aer_pv_device_errors++;
    virtio_error(VIRTIO_DEVICE(s), "virtio-aer-pv: device error injected "
                 "by x-aer-pv-device-error");
}

AerPvStats *qmp_x_aer_pv_query_stats(Error **errp)
{
    VirtIOAerPv *s = aer_pv_test_device(false, errp);
    AerPvStats *st;

    if (!s) {
        return NULL;
    }
    st = g_new0(AerPvStats, 1);
    st->events_queued = s->ev_count;
    st->events_sent = s->events_sent;
    st->events_dropped = s->events_dropped;
    st->events_coalesced = s->events_coalesced;
    st->reports_dropped = s->reports_dropped;
    st->requests_refused = s->requests_refused;
    st->requests_malformed = s->requests_malformed;
    st->device_errors = aer_pv_device_errors;
    st->aer_messages_suppressed = aer_pv_aer_suppressed;
    st->hold_events = aer_pv_holding;
    st->errors_injected = aer_pv_errors_injected;
    st->storm_ticks_skipped = aer_pv_storm_skipped;
    return st;
}

static const TypeInfo aer_pv_in_reset_info = {
    .name = TYPE_AER_PV_IN_RESET,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(AerPvInReset),
};

static void aer_pv_test_register_types(void)
{
    type_register_static(&aer_pv_in_reset_info);
}

type_init(aer_pv_test_register_types)
