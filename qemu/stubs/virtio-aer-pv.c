/*
 * virtio-aer-pv stubs for builds without the device
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-aer-pv.h"
#include "hw/virtio/virtio-aer-pv.h"

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
    error_setg(errp, "virtio-aer-pv is not compiled into this QEMU");
    return NULL;
}

AerPvResetCounts *qmp_x_aer_pv_query_resets(const char *id, Error **errp)
{
    error_setg(errp, "virtio-aer-pv is not compiled into this QEMU");
    return NULL;
}

VirtIOAerPv *virtio_aer_pv_get(Error **errp)
{
    error_setg(errp, "virtio-aer-pv is not compiled into this QEMU");
    return NULL;
}

bool virtio_aer_pv_live(VirtIOAerPv *s)
{
    return false;
}

uint32_t virtio_aer_pv_host_error(VirtIOAerPv *s, const AerPvError *err,
                                  Error **errp)
{
    error_setg(errp, "virtio-aer-pv is not compiled into this QEMU");
    return 0;
}

uint32_t virtio_aer_pv_host_reset_pending(VirtIOAerPv *s, PCIDevice *dev)
{
    return 0;
}

void virtio_aer_pv_host_reset_done(VirtIOAerPv *s, uint32_t seq, bool ok)
{
}

void virtio_aer_pv_reset_complete(AerPvResetOp *op, int ret)
{
}

void qmp_x_aer_pv_inject_raw_event(const char *data, bool has_length,
                                   uint32_t length, Error **errp)
{
    error_setg(errp, "virtio-aer-pv is not compiled into this QEMU");
}

void qmp_x_aer_pv_slow_link_reset(const char *id, uint32_t hold_ms,
                                  Error **errp)
{
    error_setg(errp, "virtio-aer-pv is not compiled into this QEMU");
}

void qmp_x_aer_pv_hold_events(bool hold, Error **errp)
{
    error_setg(errp, "virtio-aer-pv is not compiled into this QEMU");
}

void qmp_x_aer_pv_device_error(Error **errp)
{
    error_setg(errp, "virtio-aer-pv is not compiled into this QEMU");
}

AerPvStats *qmp_x_aer_pv_query_stats(Error **errp)
{
    error_setg(errp, "virtio-aer-pv is not compiled into this QEMU");
    return NULL;
}
