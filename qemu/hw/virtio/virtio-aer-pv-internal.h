/*
 * virtio-aer-pv: what its files share
 *
 * virtio-aer-pv.c is the device, virtio-aer-pv-reset.c its resets.
 * virtio-aer-pv-test.c models a host on emulated devices: it reports
 * errors and resets through the device's public interface, as vfio-pci
 * does, and reads what the guest told the device through the first
 * three below.
 *
 * Copyright (c) 2026 aer-pv developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_VIRTIO_AER_PV_INTERNAL_H
#define HW_VIRTIO_AER_PV_INTERNAL_H

#include "hw/virtio/virtio-aer-pv.h"

/* @dev's qdev id, or its QOM path component */
const char *virtio_aer_pv_dev_name(PCIDevice *dev);

/* The device's state of @dev, if it manages @dev */
AerPvFunc *virtio_aer_pv_func(VirtIOAerPv *s, PCIDevice *dev);

/*
 * The latest phase (VIRTIO_AER_PV_PHASE_*) the guest reported of the
 * recovery of @dev's newest error; 0 if none, or the recovery is over.
 */
uint8_t virtio_aer_pv_phase(VirtIOAerPv *s, PCIDevice *dev);

/* A REQ_RESET the device answers once the error's reset ends */
struct AerPvWaiter {
    VirtQueueElement elem;
    uint32_t seq;
    QSIMPLEQ_ENTRY(AerPvWaiter) next;
};

/* virtio-aer-pv.c */
void virtio_aer_pv_update(VirtIOAerPv *s);
void virtio_aer_pv_queue_event(VirtIOAerPv *s,
                               const union virtio_aer_pv_event *ev);
void virtio_aer_pv_respond(VirtIOAerPv *s, VirtQueueElement *elem,
                           uint32_t seq, uint8_t status, uint8_t kind);

/* virtio-aer-pv-reset.c */
uint16_t virtio_aer_pv_reset_kinds(VirtIOAerPv *s, uint32_t seq);
AerPvResetOp *virtio_aer_pv_new_op(VirtIOAerPv *s, uint32_t seq,
                                   uint8_t kind, bool host);
int virtio_aer_pv_request_reset(VirtIOAerPv *s, AerPvFunc *f, uint32_t seq,
                                uint8_t *kind, AerPvWaiter *w);
void virtio_aer_pv_resets_expire(VirtIOAerPv *s, int64_t now);
void virtio_aer_pv_resets_forget(VirtIOAerPv *s, PCIDevice *dev);
void virtio_aer_pv_resets_cancel(VirtIOAerPv *s);
void virtio_aer_pv_free_waiters(VirtIOAerPv *s);

#endif
