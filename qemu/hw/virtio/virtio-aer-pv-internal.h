/*
 * virtio-aer-pv: what the device lends its test hooks
 *
 * virtio-aer-pv-test.c models a host on emulated devices through the
 * device's own event queue, function tracking and reset machinery.
 *
 * Copyright (c) 2026 aer-pv developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_VIRTIO_AER_PV_INTERNAL_H
#define HW_VIRTIO_AER_PV_INTERNAL_H

#include "hw/virtio/virtio-aer-pv.h"

/* How long a reset the guest asks for takes, unless a test says */
#define AER_PV_DEFAULT_REQUEST_DELAY_MS 50

/* Has the driver set DRIVER_OK with its event queue ready? */
bool virtio_aer_pv_live(VirtIOAerPv *s);

/* @dev's qdev id, or its QOM path component */
const char *virtio_aer_pv_dev_name(PCIDevice *dev);

/* The function's state, created (with a reference on @dev) if @create */
AerPvFunc *virtio_aer_pv_func(VirtIOAerPv *s, PCIDevice *dev, bool create);

uint32_t virtio_aer_pv_next_seq(VirtIOAerPv *s);

/*
 * VIRTIO_AER_PV_EVF_RESET_*: the resets the device would do for every
 * function of error @seq if the driver asked, when the driver negotiated
 * VIRTIO_AER_PV_F_RESET_KINDS; else 0.
 */
uint16_t virtio_aer_pv_reset_kinds(VirtIOAerPv *s, uint32_t seq);

/*
 * The guest recovers an error of @f, told over the channel: migration is
 * blocked until it reports the outcome, or its reports stop for longer
 * than any recovery takes.
 */
void virtio_aer_pv_recovery_begin(VirtIOAerPv *s, AerPvFunc *f);

/*
 * Fill @ev with an error event naming @devs (the first is the reporting
 * function), with @aer, or if that is NULL the reporting function's AER
 * registers as its config space reads (an emulated device's), and
 * @status.
 */
void virtio_aer_pv_fill_error(union virtio_aer_pv_event *ev, uint32_t seq,
                              uint8_t severity, uint8_t reset, uint8_t kind,
                              uint32_t status, PCIDevice **devs,
                              unsigned int nr,
                              const struct virtio_aer_pv_aer_regs *aer);

/* Queue @ev for the guest, folding it into a queued one where it can */
void virtio_aer_pv_queue_event(VirtIOAerPv *s,
                               const union virtio_aer_pv_event *ev);

/*
 * Queue @raw_len bytes of @ev as they are, and report @used_len in the
 * used ring: a broken or hostile host, for tests.
 */
void virtio_aer_pv_queue(VirtIOAerPv *s, const union virtio_aer_pv_event *ev,
                         unsigned int raw_len, uint32_t used_len);

/* Deliver what is queued, unless events are held */
void virtio_aer_pv_flush_events(VirtIOAerPv *s);

/*
 * Reset @dev as a host link or function reset does: every register but
 * the sticky AER status and header log goes back to its default.
 */
void virtio_aer_pv_reset_dev(PCIDevice *dev);

/* A modelled host reset of error @seq; its timer ends it */
AerPvReset *virtio_aer_pv_new_reset(VirtIOAerPv *s, uint32_t seq,
                                    uint8_t kind);
void virtio_aer_pv_reset_add_dev(AerPvReset *r, PCIDevice *dev);

/*
 * Must an emulated AER message of severity @sev on @dev be suppressed?
 * It must while the driver is live (DRIVER_OK) and the device manages
 * @dev: then the channel is the only source of the function's errors.
 * Counts and traces the message it suppresses.
 */
bool virtio_aer_pv_suppresses_aer(VirtIOAerPv *s, PCIDevice *dev, int sev);

#endif
