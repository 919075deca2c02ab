// SPDX-License-Identifier: GPL-2.0
/*
 * aer-pv counters in sysfs.
 *
 * Per function, in /sys/bus/pci/devices/<BDF>/aer_pv/, beside the native
 * aer_dev_* statistics; per channel, on the transport's device.  One value
 * per file.  Documentation/aer-pv-user-guide.rst lists them.
 *
 * The per-function group is one of the PCI device's static groups, like
 * aer_stats_attr_group: it exists from the device's creation, so nothing
 * is made when an error arrives, and it reads zero for a function no
 * channel tracks.
 */

#include <linux/aer_pv.h>
#include <linux/device.h>
#include <linux/export.h>
#include <linux/pci.h>
#include <linux/sysfs.h>

#include "../../pci.h"
#include "aer_pv.h"

#define AER_PV_DEV_ATTR(_name, _field)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct aer_pv_fn_snapshot d;					\
									\
	if (aer_pv_snapshot_fn(to_pci_dev(dev), &d))			\
		return sysfs_emit(buf, "0\n");				\
	return sysfs_emit(buf, "%llu\n", (unsigned long long)(_field));	\
}									\
static DEVICE_ATTR_RO(_name)

AER_PV_DEV_ATTR(errors_correctable,
		d.stats.errors[VIRTIO_AER_PV_SEV_CORRECTABLE]);
AER_PV_DEV_ATTR(errors_nonfatal, d.stats.errors[VIRTIO_AER_PV_SEV_NONFATAL]);
AER_PV_DEV_ATTR(errors_fatal, d.stats.errors[VIRTIO_AER_PV_SEV_FATAL]);
AER_PV_DEV_ATTR(recovered, d.stats.recovered);
AER_PV_DEV_ATTR(failed, d.stats.failed);
AER_PV_DEV_ATTR(host_resets, d.stats.host_resets);
AER_PV_DEV_ATTR(resets_avoided, d.stats.resets_avoided);
AER_PV_DEV_ATTR(reset_requests, d.stats.reset_requests);
AER_PV_DEV_ATTR(native_resets, d.stats.native_resets);
AER_PV_DEV_ATTR(timeouts, d.stats.timeouts);
AER_PV_DEV_ATTR(coalesced, d.stats.coalesced);
AER_PV_DEV_ATTR(seq, d.seq);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct aer_pv_fn_snapshot d;

	if (aer_pv_snapshot_fn(to_pci_dev(dev), &d))
		return sysfs_emit(buf, "%s\n", aer_pv_state_name(AER_PV_IDLE));
	return sysfs_emit(buf, "%s\n", aer_pv_state_name(d.state));
}
static DEVICE_ATTR_RO(state);

static struct attribute *aer_pv_dev_attrs[] = {
	&dev_attr_state.attr,
	&dev_attr_seq.attr,
	&dev_attr_errors_correctable.attr,
	&dev_attr_errors_nonfatal.attr,
	&dev_attr_errors_fatal.attr,
	&dev_attr_recovered.attr,
	&dev_attr_failed.attr,
	&dev_attr_host_resets.attr,
	&dev_attr_resets_avoided.attr,
	&dev_attr_reset_requests.attr,
	&dev_attr_native_resets.attr,
	&dev_attr_timeouts.attr,
	&dev_attr_coalesced.attr,
	NULL
};

/* Only functions the host can name: endpoints, which are what it assigns */
static umode_t aer_pv_dev_attrs_are_visible(struct kobject *kobj,
					    struct attribute *a, int n)
{
	struct pci_dev *pdev = to_pci_dev(kobj_to_dev(kobj));

	switch (pci_pcie_type(pdev)) {
	case PCI_EXP_TYPE_ENDPOINT:
	case PCI_EXP_TYPE_LEG_END:
	case PCI_EXP_TYPE_RC_END:
		return pci_is_pcie(pdev) ? a->mode : 0;
	default:
		return 0;
	}
}

const struct attribute_group aer_pv_dev_attr_group = {
	.name = "aer_pv",
	.attrs = aer_pv_dev_attrs,
	.is_visible = aer_pv_dev_attrs_are_visible,
};

/*
 * Channel counters: "messages" lists every verdict with its count, one
 * "name count" pair per line, like /proc/interrupts lists sources; a
 * single file keeps the set consistent with one read.
 */
static ssize_t messages_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct aer_pv_channel_stats st;
	unsigned int i;
	ssize_t len = 0;

	if (aer_pv_snapshot_channel(&st))
		return -ENODEV;
	for (i = 0; i < AER_PV_NR_VERDICTS; i++)
		len += sysfs_emit_at(buf, len, "%s %llu\n",
				     aer_pv_verdict_name(i),
				     (unsigned long long)st.verdicts[i]);
	return len;
}
static DEVICE_ATTR_RO(messages);

#define AER_PV_CHANNEL_ATTR(_name, _fmt, _field)			\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct aer_pv_channel_stats st;					\
									\
	if (aer_pv_snapshot_channel(&st))				\
		return -ENODEV;						\
	return sysfs_emit(buf, _fmt "\n", st._field);			\
}									\
static DEVICE_ATTR_RO(_name)

AER_PV_CHANNEL_ATTR(last_seq, "%u", last_seq);
AER_PV_CHANNEL_ATTR(mem_bytes, "%zu", mem_bytes);
AER_PV_CHANNEL_ATTR(untracked_functions, "%llu", untracked);

static struct attribute *aer_pv_channel_attrs[] = {
	&dev_attr_messages.attr,
	&dev_attr_last_seq.attr,
	&dev_attr_mem_bytes.attr,
	&dev_attr_untracked_functions.attr,
	NULL
};

const struct attribute_group aer_pv_channel_group = {
	.name = "aer_pv",
	.attrs = aer_pv_channel_attrs,
};
EXPORT_SYMBOL_NS_GPL(aer_pv_channel_group, AER_PV);
