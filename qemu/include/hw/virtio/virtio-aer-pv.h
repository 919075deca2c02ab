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

typedef struct AerPvResetOp AerPvResetOp;

/*
 * How the host of a function serves virtio-aer-pv: vfio-pci for an
 * assigned function; for tests, a model of a host (virtio-aer-pv-test.c).
 * The device holds neither.
 */
typedef struct AerPvHostOps {
    /*
     * The resets the host can do of @dev if the guest asks, as
     * VIRTIO_AER_PV_EVF_RESET_* flags: exactly that kind, or none.
     */
    uint16_t (*reset_kinds)(PCIDevice *dev);
    /*
     * What a link reset of @dev reaches, as a name: the functions of an
     * error with the same name are reset by one link reset.  NULL if @dev
     * has no link the host can reset.  The caller frees it.
     */
    char *(*link)(PCIDevice *dev);
    /*
     * Start a reset of @kind of @dev (LINK: of its whole link).  It ends
     * with virtio_aer_pv_reset_complete(@op, ...), from the main loop and
     * never from within this call.  Returns a negative errno, and will
     * not complete @op, if it cannot start.
     */
    int (*reset)(PCIDevice *dev, uint8_t kind, AerPvResetOp *op);
    /*
     * The host's own reset of @dev ended: bring the device model in step
     * with the device, before the guest learns of it.
     */
    void (*reset_done)(PCIDevice *dev);
} AerPvHostOps;

/* An error the host reports */
typedef struct AerPvError {
    PCIDevice **devs;           /* the functions it covers; [0] reported it */
    unsigned int nr;
    uint8_t severity;           /* VIRTIO_AER_PV_SEV_* */
    /*
     * VIRTIO_AER_PV_RESET_NONE, _DONE (the host reset before it told), or
     * _PENDING: the host resets now, and virtio_aer_pv_host_reset_done()
     * tells its end.
     */
    uint8_t reset;
    /* The reporting function's AER registers, or NULL if it did not answer */
    const struct virtio_aer_pv_aer_regs *aer;
    const AerPvHostOps *ops;    /* of every function in @devs */
} AerPvError;

/* The newest error of one function, as the host knows it */
typedef struct AerPvFunc {
    PCIDevice *dev;             /* holds a reference until it is unplugged */
    const AerPvHostOps *ops;    /* its host's, for its newest error */
    char *link;                 /* AerPvHostOps.link's */
    uint32_t seq;               /* its newest uncorrectable error */
    uint8_t phase;              /* the latest the guest reported of seq */
    uint8_t reset;              /* VIRTIO_AER_PV_RESET_* of seq */
    uint8_t reset_kind;
    bool recovering;            /* until the guest reports seq's outcome */
    int64_t recovery_deadline;  /* migration is allowed again */
    uint64_t host_resets;
} AerPvFunc;

/*
 * A reset of error seq's functions in flight: the host's own, which the
 * guest waits for, or one the guest asked for, in its hosts' hands.
 */
struct AerPvResetOp {
    VirtIOAerPv *s;             /* NULL once the device is gone */
    uint32_t seq;
    uint8_t kind;
    bool host;                  /* the host's own */
    bool failed;
    unsigned int pending;       /* requested: hosts' resets not completed */
    int64_t deadline;           /* host: it fails then */
    unsigned int nr;
    PCIDevice *devs[VIRTIO_AER_PV_MAX_FUNCS];   /* reached; until unplugged */
    QLIST_ENTRY(AerPvResetOp) next;
};

typedef struct AerPvWaiter AerPvWaiter;

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
    uint32_t ev_head;
    uint32_t ev_count;

    QLIST_HEAD(, AerPvResetOp) resets;      /* in flight */
    QSIMPLEQ_HEAD(, AerPvWaiter) waiters;   /* REQ_RESETs not answered */
    QEMUTimer timer;            /* the earliest of the functions' deadlines */
    DeviceListener listener;    /* forgets functions that are unplugged */
    Error *migration_blocker;   /* while a recovery is in flight */

    /* counters */
    uint64_t events_sent;
    uint64_t events_dropped;
    uint64_t events_coalesced;
    uint64_t reports_dropped;   /* stale, unknown or out of order */
    uint64_t requests_refused;  /* for an error not current */
    uint64_t requests_malformed;
};

/**
 * virtio_aer_pv_get: the VM's virtio-aer-pv device
 * @errp: set if there is none
 *
 * Returns: the device, or NULL with @errp set.  There is at most one.
 */
VirtIOAerPv *virtio_aer_pv_get(Error **errp);

/**
 * virtio_aer_pv_live: can the guest recover an error now?
 * @s: the device
 *
 * Returns: whether the guest driver set DRIVER_OK with its event queue.
 */
bool virtio_aer_pv_live(VirtIOAerPv *s);

/**
 * virtio_aer_pv_host_error: the host began recovering functions
 * @s: the device
 * @err: the error
 * @errp: why the guest cannot recover it, on failure
 *
 * Tells the guest, which recovers in step with the host.  The caller must
 * not also signal the error as an emulated AER message: while the driver
 * is live, the channel is the only source of the errors of the functions
 * it manages.
 *
 * Returns: the error's seq, or 0 if the guest cannot recover it (no live
 * driver, no function left, too many functions); the caller must then
 * contain the error itself.
 */
uint32_t virtio_aer_pv_host_error(VirtIOAerPv *s, const AerPvError *err,
                                  Error **errp);

/**
 * virtio_aer_pv_host_reset_pending: the error whose host reset of @dev
 * the guest waits for
 * @s: the device
 * @dev: a function
 *
 * Returns: its seq, or 0 if none.
 */
uint32_t virtio_aer_pv_host_reset_pending(VirtIOAerPv *s, PCIDevice *dev);

/**
 * virtio_aer_pv_host_reset_done: the host's reset for error @seq ended
 * @s: the device
 * @seq: what virtio_aer_pv_host_error() returned for the error
 * @ok: the functions answer again; false: the host gave them up
 *
 * Ends the wait of every function of the error.  Nothing happens if no
 * host reset for @seq is pending.
 */
void virtio_aer_pv_host_reset_done(VirtIOAerPv *s, uint32_t seq, bool ok);

/**
 * virtio_aer_pv_reset_complete: a host's part of a requested reset ended
 * @op: what AerPvHostOps.reset was given
 * @ret: 0, or a negative errno
 *
 * Call from the main loop, once for each reset started.
 */
void virtio_aer_pv_reset_complete(AerPvResetOp *op, int ret);

#endif
