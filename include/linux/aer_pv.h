/* SPDX-License-Identifier: GPL-2.0 */
/*
 * aer-pv: paravirtual AER recovery for PCIe devices assigned to a guest.
 *
 * The recovery core (drivers/pci/pcie/aer_pv/) runs the PCI error recovery
 * of the functions a host channel names, in step with the host.  This is
 * its interface to the transport that carries the channel
 * (drivers/virtio/virtio_aer_pv.c).  The AER core itself is not changed:
 * without a channel, and for a function the host does not manage, AER
 * recovery is exactly as upstream.
 */

#ifndef _LINUX_AER_PV_H
#define _LINUX_AER_PV_H

#include <linux/types.h>

struct aer_pv_channel;
struct attribute_group;
struct device;
struct virtio_aer_pv_request;

/*
 * Reset requests the core has in flight at most: each holds a tag from
 * 0 to AER_PV_NR_TAGS - 1 until its response arrives, or for good if it
 * never does.  A transport keeps one request buffer per tag.
 */
#define AER_PV_NR_TAGS		16

/**
 * struct aer_pv_transport_ops - what the recovery core needs from a transport
 * @request: queue @req under @tag, without waiting.  The response comes
 *	through aer_pv_channel_response() with the same tag.  Returns 0 or
 *	a negative errno (then no response comes).  Called in process
 *	context, may not sleep.
 * @report: queue a phase report, without waiting and without a response
 *	to deliver.  A transport may drop it (and count it) when its queue
 *	is short of room: a report must never take the room a request needs.
 *	Called in process context, may not sleep.
 */
struct aer_pv_transport_ops {
	int (*request)(void *priv, const struct virtio_aer_pv_request *req,
		       unsigned int tag);
	void (*report)(void *priv, const struct virtio_aer_pv_request *req);
};

/**
 * struct aer_pv_channel_info - a transport's description of its channel
 * @ops: the transport's operations
 * @priv: passed back to @ops
 * @dev: the transport's device, for log messages
 * @reset_timeout_ms: the host's bound on its resets, 0 if it gave none
 * @can_request: the host performs resets the guest requests
 * @reset_kinds: the host's error events say which resets it can do
 * @max_funcs: the functions the host manages at most, 0 if it did not
 *	say; the core tracks that many, up to VIRTIO_AER_PV_MAX_MANAGED
 */
struct aer_pv_channel_info {
	const struct aer_pv_transport_ops *ops;
	void *priv;
	struct device *dev;
	u32 reset_timeout_ms;
	bool can_request;
	bool reset_kinds;
	u16 max_funcs;
};

struct aer_pv_channel *aer_pv_channel_register(const struct aer_pv_channel_info *info);
void aer_pv_channel_unregister(struct aer_pv_channel *ch);
void aer_pv_channel_event(struct aer_pv_channel *ch, const void *buf,
			  size_t len);
void aer_pv_channel_response(struct aer_pv_channel *ch, unsigned int tag,
			     const void *buf, size_t len);
extern const struct attribute_group aer_pv_channel_group;

#endif /* _LINUX_AER_PV_H */
