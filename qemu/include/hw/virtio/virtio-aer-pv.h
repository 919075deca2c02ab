/*
 * virtio-aer-pv: host side of paravirtual PCIe AER recovery
 *
 * Copyright (c) 2026 aer-pv developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef QEMU_VIRTIO_AER_PV_H
#define QEMU_VIRTIO_AER_PV_H

#include "hw/virtio/virtio.h"
#include "hw/pci/pci.h"
#include "qemu/queue.h"
#include "standard-headers/linux/virtio_aer_pv.h"

#define TYPE_VIRTIO_AER_PV "virtio-aer-pv-device"
OBJECT_DECLARE_SIMPLE_TYPE(VirtIOAerPv, VIRTIO_AER_PV)

/* Functions the device tracks, and events it holds for the guest */
#define VIRTIO_AER_PV_QEMU_MAX_FUNCS    32
#define VIRTIO_AER_PV_QEMU_MAX_EVENTS   64

/* What the modelled host does when the guest asks for a reset */
typedef enum AerPvRequestOutcome {
    AER_PV_REQUEST_OK,
    AER_PV_REQUEST_FAILED,
    AER_PV_REQUEST_UNSUPPORTED,
} AerPvRequestOutcome;

/* How the host side of assigned functions serves virtio-aer-pv */
typedef struct AerPvHostOps {
    /*
     * The host's own reset of @dev ended: bring the device model in step
     * with the device, before the guest learns of it.
     */
    void (*reset_done)(PCIDevice *dev);
    /*
     * The guest asked for a link reset: reset @dev's host link once,
     * which resets every assigned function below it.  Returns 0, or a
     * negative errno.
     */
    int (*link_reset)(PCIDevice *dev);
} AerPvHostOps;

/* The newest error of one function, as the host knows it */
typedef struct AerPvFunc {
    PCIDevice *dev;             /* holds a reference until it is unplugged */
    uint32_t seq;
    uint8_t reset;
    uint8_t reset_kind;
    bool recovering;            /* until the guest reports seq's outcome */
    AerPvRequestOutcome request_outcome;
    uint32_t request_delay_ms;
    uint64_t host_resets;
    const AerPvHostOps *host_ops;   /* an assigned function's */
    char *host_link;            /* its host bridge, if it has a link */
    char *path;                 /* migration: @dev's QOM path */
    uint32_t path_len;
} AerPvFunc;

/* A host reset in flight, or a guest request waiting for one */
typedef struct AerPvReset AerPvReset;
struct AerPvReset {
    VirtIOAerPv *s;
    QEMUTimer timer;
    uint32_t seq;
    bool fail;
    bool requested;             /* by the guest, for every function of seq */
    bool announce;              /* send EVT_RESET when it ends */
    void (*ended)(AerPvReset *r);   /* a test hook's, as it ends */
    int severity;               /* the test hook's AerPvSeverity */
    uint8_t kind;
    bool host_did_reset;        /* the host reset: reset nothing here */
    bool host_wait;             /* waits for the host's reset to end */
    void (*host_reset_done)(PCIDevice *dev);    /* then call this per dev */
    PCIDevice *devs[VIRTIO_AER_PV_MAX_FUNCS];   /* as AerPvFunc.dev */
    unsigned int nr_devs;
    GSList *elems;              /* the REQ_RESETs to answer when it ends */
    QTAILQ_ENTRY(AerPvReset) next;
};

struct VirtIOAerPv {
    VirtIODevice parent_obj;

    VirtQueue *eventq;
    VirtQueue *reqq;

    /* properties */
    uint32_t reset_timeout_ms;

    uint32_t next_seq;
    AerPvFunc funcs[VIRTIO_AER_PV_QEMU_MAX_FUNCS];
    uint32_t nr_funcs;

    union virtio_aer_pv_event events[VIRTIO_AER_PV_QEMU_MAX_EVENTS];
    /* x-aer-pv-inject-raw-event: bytes to write and length to report */
    uint16_t ev_raw_len[VIRTIO_AER_PV_QEMU_MAX_EVENTS];
    uint32_t ev_used_len[VIRTIO_AER_PV_QEMU_MAX_EVENTS];
    uint32_t ev_head;
    uint32_t ev_count;
    bool hold_events;           /* x-aer-pv-hold-events: do not deliver */
    uint64_t events_sent;
    uint64_t events_dropped;
    uint64_t events_coalesced;
    uint64_t device_errors;
    uint64_t aer_messages_suppressed;   /* while the driver is live */

    QTAILQ_HEAD(, AerPvReset) resets;
    DeviceListener listener;    /* forgets functions that are unplugged */
    /* Set while the guest recovers an error: see virtio_aer_pv_busy() */
    Error *migration_blocker;
    QEMUTimer recovery_timer;   /* bounds a guest that reports no end */
};

/**
 * virtio_aer_pv_host_error: the host began recovering assigned functions
 * @devs: the functions its recovery covers; the first reported the error
 * @nr: how many
 * @frozen: the host resets their link next; its end is reported with
 *          virtio_aer_pv_host_reset_done().  Otherwise it resets nothing.
 * @aer: the AER registers of @devs[0], read by the caller, or NULL if it
 *       has none or did not answer.  The device reads nothing itself: an
 *       assigned function's config space does not answer while the host
 *       resets its link.
 * @ops: how the host side resets @devs and follows the host's resets
 * @host_link: the host bridge whose link @devs are below, or NULL if
 *             they have none; a link reset the guest asks for is done
 *             once per host link
 * @errp: why the guest cannot recover the error, on failure
 *
 * Tells the guest, which recovers in step with the host.  A frozen error
 * of a function whose host reset is already pending joins that recovery.
 * The caller must not also signal the error as an emulated AER message:
 * while the driver is live, the channel is the only source of errors of
 * the functions it manages.
 *
 * Returns: false if there is no virtio-aer-pv device, more than one, or
 * no live driver for it; the caller must then contain the error itself.
 */
bool virtio_aer_pv_host_error(PCIDevice **devs, unsigned int nr, bool frozen,
                              const struct virtio_aer_pv_aer_regs *aer,
                              const AerPvHostOps *ops, const char *host_link,
                              Error **errp);

/**
 * virtio_aer_pv_ready: can the guest recover an error now?
 * @errp: why not, on failure
 *
 * Returns: true if the VM has one virtio-aer-pv device, and its guest
 * driver is live.
 */
bool virtio_aer_pv_ready(Error **errp);

/**
 * virtio_aer_pv_get: the VM's virtio-aer-pv device
 * @errp: set if there is none, or more than one
 *
 * Returns: the device, or NULL with @errp set.
 */
VirtIOAerPv *virtio_aer_pv_get(Error **errp);

/**
 * virtio_aer_pv_host_reset_pending: does the guest wait for a host reset
 * of @dev?
 * @dev: an assigned function
 */
bool virtio_aer_pv_host_reset_pending(PCIDevice *dev);

/**
 * virtio_aer_pv_host_reset_done: the host's reset of @dev ended
 * @dev: an assigned function
 * @ok: the device answers again; false: the host gave it up
 *
 * Ends the wait of every function the host's recovery covered.  Nothing
 * happens if no host reset of @dev is pending.
 */
void virtio_aer_pv_host_reset_done(PCIDevice *dev, bool ok);

#endif
