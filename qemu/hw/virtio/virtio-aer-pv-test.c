/*
 * virtio-aer-pv: test hooks
 *
 * Unstable QMP commands (x-aer-pv-*) for testing the device and its guest
 * driver without faulty hardware: inject an AER error into an emulated
 * PCIe device and model the host's side of it (severity, the functions
 * it affects, the timing and outcome of the host's reset, with or
 * without an emulated AER message), count the resets that reached a
 * device, and feed the guest broken or hostile input.  They are not an
 * interface for management; the device itself is virtio-aer-pv.c.
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
#include "qemu/timer.h"
#include "hw/qdev-core.h"
#include "hw/sysbus.h"
#include "hw/pci/pci_bridge.h"
#include "hw/pci/pci_device.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pcie_aer.h"
#include "virtio-aer-pv-internal.h"
#include "trace.h"

#define AER_PV_DEFAULT_RESET_DELAY_MS   200
#define AER_PV_MAX_REPEAT               100000

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
 * suppressed.  QEMU's own pcie_aer_inject_error is not.  @s may be NULL.
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

    if (s && virtio_aer_pv_suppresses_aer(s, dev, sev)) {
        return;
    }
    trace_virtio_aer_pv_aer_message(virtio_aer_pv_dev_name(dev), sev);
    ret = pcie_aer_inject_error(dev, &err);
    if (ret < 0) {
        error_setg_errno(errp, -ret, "AER message on '%s' failed",
                         virtio_aer_pv_dev_name(dev));
    }
}


/* A channel event or an AER message sent later, to order the two */
typedef struct AerPvDeferred {
    QEMUTimer timer;
    PCIDevice *dev;             /* AER message: the device */
    AerPvSeverity severity;
    union virtio_aer_pv_event ev;   /* channel event, if !dev */
} AerPvDeferred;

static void virtio_aer_pv_deferred(void *opaque)
{
    AerPvDeferred *d = opaque;
    VirtIOAerPv *s = virtio_aer_pv_get(NULL);

    if (d->dev) {
        Error *err = NULL;

        if (qdev_is_realized(DEVICE(d->dev))) {
            virtio_aer_pv_emulate_aer(s, d->dev, d->severity, &err);
        }
        if (err) {
            warn_report_err(err);
        }
        object_unref(OBJECT(d->dev));
    } else if (s && virtio_aer_pv_live(s)) {
        virtio_aer_pv_queue_event(s, &d->ev);
    }
    timer_del(&d->timer);
    g_free(d);
}

static void virtio_aer_pv_defer(AerPvDeferred *d, uint32_t delay_ms)
{
    timer_init_ms(&d->timer, QEMU_CLOCK_VIRTUAL, virtio_aer_pv_deferred, d);
    timer_mod(&d->timer, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) + delay_ms);
}


/* A host that forwards an error only once it recovered the device */
static void virtio_aer_pv_test_reset_ended(AerPvReset *r)
{
    Error *err = NULL;

    if (r->nr_devs) {
        virtio_aer_pv_emulate_aer(r->s, r->devs[0], r->severity, &err);
    }
    if (err) {
        warn_report_err(err);
    }
}

/* The errors still to inject of an x-aer-pv-inject-error with @repeat */
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
        qmp_x_aer_pv_inject_error(st->id, st->severity, true, st->host_reset,
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
    VirtIOAerPv *s = virtio_aer_pv_get(NULL);
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

    if (channel && !virtio_aer_pv_get(errp)) {
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
        AerPvDeferred *d = g_new0(AerPvDeferred, 1);

        virtio_aer_pv_fill_error(&d->ev, seq, sev, reset,
                                 VIRTIO_AER_PV_RESET_KIND_LINK,
                                 virtio_aer_pv_status_bit(severity), devs, nr,
                                 NULL);
        if (severity != AER_PV_SEVERITY_CORRECTABLE) {
            d->ev.error.flags = cpu_to_le16(virtio_aer_pv_reset_kinds(s,
                                                                      seq));
        }
        if (has_channel_delay_ms && channel_delay_ms) {
            virtio_aer_pv_defer(d, channel_delay_ms);
        } else {
            virtio_aer_pv_queue_event(s, &d->ev);
            g_free(d);
        }
        for (i = 0; severity != AER_PV_SEVERITY_CORRECTABLE && i < nr; i++) {
            virtio_aer_pv_recovery_begin(s,
                                         virtio_aer_pv_func(s, devs[i], false));
        }
    }
    if (s && (host_reset == AER_PV_HOST_RESET_AFTER ||
              host_reset == AER_PV_HOST_RESET_FAILED)) {
        AerPvReset *r = virtio_aer_pv_new_reset(s, seq,
                                                VIRTIO_AER_PV_RESET_KIND_LINK);

        r->fail = host_reset == AER_PV_HOST_RESET_FAILED;
        r->announce = res->delivered;
        r->ended = aer_message_after_reset ? virtio_aer_pv_test_reset_ended :
                                             NULL;
        r->severity = severity;
        for (i = 0; i < nr; i++) {
            virtio_aer_pv_reset_add_dev(r, devs[i]);
        }
        timer_mod(&r->timer, qemu_clock_get_ms(QEMU_CLOCK_VIRTUAL) +
                             reset_delay_ms);
    }
    return res;
}

AerPvResetCounts *qmp_x_aer_pv_query_resets(const char *id, Error **errp)
{
    PCIDevice *dev = virtio_aer_pv_pci_by_id(id, errp);
    VirtIOAerPv *s = virtio_aer_pv_get(NULL);
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
    VirtIOAerPv *s = virtio_aer_pv_get(errp);

    if (!s) {
        return NULL;
    }
    if (live && !virtio_aer_pv_live(s)) {
        error_setg(errp, "virtio-aer-pv has no live guest driver");
        return NULL;
    }
    return s;
}

void qmp_x_aer_pv_inject_raw_event(const char *data, bool has_length,
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

void qmp_x_aer_pv_hold_events(bool hold, Error **errp)
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

void qmp_x_aer_pv_device_error(Error **errp)
{
    VirtIOAerPv *s = virtio_aer_pv_test_device(true, errp);

    if (!s) {
        return;
    }
    s->device_errors++;
    virtio_error(VIRTIO_DEVICE(s), "virtio-aer-pv: device error injected "
                 "by x-aer-pv-device-error");
}

AerPvStats *qmp_x_aer_pv_query_stats(Error **errp)
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
