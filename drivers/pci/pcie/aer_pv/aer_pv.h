/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces between the files of the aer-pv recovery core. */

#ifndef _AER_PV_H
#define _AER_PV_H

#include <linux/sysfs.h>

#include "fsm.h"

struct pci_dev;

extern const struct attribute_group aer_pv_dev_group;

int aer_pv_snapshot_dev(struct pci_dev *pdev, struct aer_pv_dev *out);
/*
 * A channel's counters.  Memory is what the core holds: the channel and
 * its recovery runs; the bound is what its design allows (AER_PV_MAX_RUNS).
 */
struct aer_pv_channel_stats {
	u64 verdicts[AER_PV_NR_VERDICTS];
	u32 last_seq;
	size_t mem_bytes;
	size_t mem_peak_bytes;
	size_t mem_bound_bytes;
};

int aer_pv_snapshot_channel(struct aer_pv_channel_stats *out);

#endif /* _AER_PV_H */
