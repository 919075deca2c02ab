/* SPDX-License-Identifier: GPL-2.0 */
/*
 * aer-pv: paravirtual AER recovery for PCIe devices assigned to a guest.
 *
 * The recovery core (drivers/pci/pcie/aer_pv/) offers two interfaces: one
 * for the transport that carries the host's messages (virtio-aer-pv), and
 * hooks for the PCIe AER core.  Without CONFIG_PCIE_AER_PV the hooks are
 * no-ops that leave the AER core exactly as upstream.
 */

#ifndef _LINUX_AER_PV_H
#define _LINUX_AER_PV_H

#include <linux/pci.h>
#include <linux/types.h>

struct aer_pv_channel;
struct attribute_group;
struct virtio_aer_pv_request;
struct virtio_aer_pv_response;

/**
 * struct aer_pv_transport_ops - what the recovery core needs from a transport
 * @request: send @req and wait at most @timeout_ms for the host's response,
 *	which is copied, unvalidated, to @resp.  Returns 0 or a negative errno;
 *	may sleep.
 * @report: send @req without waiting for the response.  Used for phase
 *	reports, which must never delay a recovery.  May sleep.
 */
struct aer_pv_transport_ops {
	int (*request)(void *priv, const struct virtio_aer_pv_request *req,
		       struct virtio_aer_pv_response *resp,
		       unsigned int timeout_ms);
	void (*report)(void *priv, const struct virtio_aer_pv_request *req);
};

/**
 * struct aer_pv_channel_info - a transport's description of its channel
 * @ops: the transport's operations
 * @priv: passed back to @ops
 * @dev: the transport's device, for log messages
 * @reset_timeout_ms: the host's bound on its resets, 0 if it gave none
 * @can_request: the host performs resets the guest requests
 */
struct aer_pv_channel_info {
	const struct aer_pv_transport_ops *ops;
	void *priv;
	struct device *dev;
	u32 reset_timeout_ms;
	bool can_request;
};

#ifdef CONFIG_PCIE_AER_PV

struct aer_pv_channel *aer_pv_channel_register(const struct aer_pv_channel_info *info);
void aer_pv_channel_unregister(struct aer_pv_channel *ch);
void aer_pv_channel_event(struct aer_pv_channel *ch, const void *buf,
			  size_t len);
extern const struct attribute_group aer_pv_channel_group;

bool aer_pv_handle_error(struct pci_dev *dev, int aer_severity);
bool aer_pv_reset_link(struct pci_dev *bridge, pci_ers_result_t *result);
pci_ers_result_t aer_pv_reset_nonfatal(struct pci_dev *bridge);

#else

static inline bool aer_pv_handle_error(struct pci_dev *dev, int aer_severity)
{
	return false;
}

static inline bool aer_pv_reset_link(struct pci_dev *bridge,
				     pci_ers_result_t *result)
{
	return false;
}

/* Upstream does no platform reset before slot_reset of a non-fatal error */
static inline pci_ers_result_t aer_pv_reset_nonfatal(struct pci_dev *bridge)
{
	return PCI_ERS_RESULT_RECOVERED;
}

#endif /* CONFIG_PCIE_AER_PV */

#endif /* _LINUX_AER_PV_H */
