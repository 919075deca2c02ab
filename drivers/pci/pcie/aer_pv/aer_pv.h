/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces between the files of the aer-pv recovery core. */

#ifndef _AER_PV_H
#define _AER_PV_H

#include <linux/sysfs.h>

#include "fsm.h"

struct pci_dev;

extern const struct attribute_group aer_pv_dev_group;

int aer_pv_snapshot_dev(struct pci_dev *pdev, struct aer_pv_dev *out);
int aer_pv_snapshot_channel(u64 *verdicts, u32 *last_seq);

#endif /* _AER_PV_H */
