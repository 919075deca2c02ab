/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/*
 * virtio-aer-pv: paravirtual PCIe AER recovery for assigned devices.
 *
 * The device (the host) tells the driver (the guest) about PCIe errors on
 * functions it assigned to the guest and about the reset it performs for
 * them; the driver reports its recovery phases back and may ask for a
 * reset the host did not do.  Documentation/virtio-aer-pv-spec.rst
 * specifies every field.
 */

#ifndef _UAPI_LINUX_VIRTIO_AER_PV_H
#define _UAPI_LINUX_VIRTIO_AER_PV_H

#include <linux/types.h>

/*
 * Provisional device ID, not yet reserved with the virtio TC.  It must stay
 * below 64 so that the modern virtio-pci ID (0x1040 + ID) is valid, and it
 * avoids both the IDs of the virtio specification and the non-standard ones
 * that other VMMs count down from 63.
 */
#define VIRTIO_ID_AER_PV			57

/*
 * Feature bits.  The protocol has no version field: every extension
 * beyond this header is a feature bit, negotiated the virtio way.
 */
#define VIRTIO_AER_PV_F_RESET_REQUEST		0	/* REQ_RESET supported */
#define VIRTIO_AER_PV_F_RESET_KINDS		1	/* errors say what resets */
#define VIRTIO_AER_PV_F_MAX_FUNCS		2	/* config has max_funcs */

/* Virtqueues */
#define VIRTIO_AER_PV_VQ_EVENT			0
#define VIRTIO_AER_PV_VQ_REQUEST		1
#define VIRTIO_AER_PV_NR_VQS			2

/* Limits */
#define VIRTIO_AER_PV_MAX_FUNCS			16	/* in one event */
#define VIRTIO_AER_PV_MAX_MANAGED		32	/* max_funcs at most */
#define VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS	300000

/* Event types, device to driver on the event queue */
#define VIRTIO_AER_PV_EVT_ERROR			0x0001
#define VIRTIO_AER_PV_EVT_RESET			0x0002

/* Request types, driver to device on the request queue */
#define VIRTIO_AER_PV_REQ_RESET			0x0001
#define VIRTIO_AER_PV_REQ_PHASE			0x0002

/* Response status */
#define VIRTIO_AER_PV_S_OK			0x00
#define VIRTIO_AER_PV_S_ERR			0x01	/* malformed request */
#define VIRTIO_AER_PV_S_UNSUPPORTED		0x02	/* cannot do this */
#define VIRTIO_AER_PV_S_NOT_MANAGED		0x03	/* function not ours */
#define VIRTIO_AER_PV_S_FAILED			0x04	/* reset attempted, failed */
#define VIRTIO_AER_PV_S_STALE			0x05	/* seq not current */

/* Error severity */
#define VIRTIO_AER_PV_SEV_CORRECTABLE		0x00
#define VIRTIO_AER_PV_SEV_NONFATAL		0x01
#define VIRTIO_AER_PV_SEV_FATAL			0x02

/* Host reset state */
#define VIRTIO_AER_PV_RESET_NONE		0x00	/* not reset, will not */
#define VIRTIO_AER_PV_RESET_PENDING		0x01	/* EVT_RESET follows */
#define VIRTIO_AER_PV_RESET_DONE		0x02
#define VIRTIO_AER_PV_RESET_FAILED		0x03

/* Reset kinds: a link reset and a function level reset are not the same */
#define VIRTIO_AER_PV_RESET_KIND_NONE		0x00
#define VIRTIO_AER_PV_RESET_KIND_LINK		0x01	/* secondary bus reset */
#define VIRTIO_AER_PV_RESET_KIND_FUNCTION	0x02	/* FLR */

/* Recovery phases reported by the driver */
#define VIRTIO_AER_PV_PHASE_DETECTED		0x01	/* error_detected sent */
#define VIRTIO_AER_PV_PHASE_RESET_WAIT		0x02	/* at the reset step */
#define VIRTIO_AER_PV_PHASE_RECOVERED		0x03	/* resume sent */
#define VIRTIO_AER_PV_PHASE_FAILED		0x04	/* perm_failure sent */

struct virtio_aer_pv_config {
	__le32 reset_timeout_ms;
	/* With VIRTIO_AER_PV_F_MAX_FUNCS: the functions events may name */
	__le16 max_funcs;
	__u8 padding[2];
};

/* A function, by the address the driver sees it at */
struct virtio_aer_pv_func {
	__le16 segment;
	__u8 bus;
	__u8 devfn;
};

/* Snapshot of the reporting function's AER capability */
struct virtio_aer_pv_aer_regs {
	__le32 uncor_status;
	__le32 uncor_mask;
	__le32 uncor_severity;
	__le32 cor_status;
	__le32 cor_mask;
	__le32 cap_control;
	__le32 header_log[4];
};

/*
 * Error event flags, with VIRTIO_AER_PV_F_RESET_KINDS: the kinds of reset
 * the device does, if asked, for every function the error names
 */
#define VIRTIO_AER_PV_EVF_RESET_LINK		(1 << 0)
#define VIRTIO_AER_PV_EVF_RESET_FUNCTION	(1 << 1)

/* VIRTIO_AER_PV_EVT_ERROR */
struct virtio_aer_pv_error_event {
	__le16 type;
	__le16 flags;	/* VIRTIO_AER_PV_EVF_*, or 0 */
	__le32 seq;
	__u8 severity;
	__u8 reset;
	__u8 reset_kind;
	__u8 nr_funcs;
	struct virtio_aer_pv_aer_regs aer;
	struct virtio_aer_pv_func funcs[VIRTIO_AER_PV_MAX_FUNCS];
};

/* VIRTIO_AER_PV_EVT_RESET */
struct virtio_aer_pv_reset_event {
	__le16 type;
	__le16 flags;
	__le32 seq;
	__u8 reset;
	__u8 reset_kind;
	__u8 padding[2];
};

/* The driver posts event buffers of this size */
union virtio_aer_pv_event {
	struct virtio_aer_pv_error_event error;
	struct virtio_aer_pv_reset_event reset;
};

struct virtio_aer_pv_request {
	__le16 type;
	__u8 padding[2];
	__le32 seq;
	struct virtio_aer_pv_func func;
	__u8 arg;	/* REQ_RESET: reset kind; REQ_PHASE: phase */
	__u8 padding1[3];
};

struct virtio_aer_pv_response {
	__u8 status;
	__u8 reset_kind;	/* REQ_RESET with S_OK: the reset done */
	__u8 padding[2];
	__le32 seq;		/* the request's seq */
};

#endif /* _UAPI_LINUX_VIRTIO_AER_PV_H */
