/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces between the files of the aer-pv recovery core. */

#ifndef _AER_PV_H
#define _AER_PV_H

#include <linux/aer_pv.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/sysfs.h>
#include <linux/virtio_aer_pv.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "fsm.h"

struct pci_dev;

/*
 * The glue of one recovery unit of the state machine: the work that runs
 * its recoveries one after the other, and the slot its reset request's
 * answer lands in.  Made with the channel, so that a recovery allocates
 * nothing.
 */
struct aer_pv_unit {
	struct work_struct work;
	struct aer_pv_channel *ch;
	u8 rec;				/* index in ch->core.recs */
	/* Under ch->resp_lock: */
	int tag;			/* of the request in flight, or -1 */
	u32 expect_seq;			/* the seq its answer must echo */
	bool answered;
	unsigned int resp_len;
	struct virtio_aer_pv_response resp;
};

struct aer_pv_channel {
	struct mutex lock;		/* core, closing */
	struct aer_pv_core core;
	bool closing;			/* no new recovery starts */
	struct aer_pv_unit units[AER_PV_MAX_RECS];

	spinlock_t resp_lock;		/* tags, tag_unit, units' answers */
	unsigned long tags;		/* BIT(tag): its buffer is the host's */
	u8 tag_unit[AER_PV_NR_TAGS];

	struct rw_semaphore ops_lock;	/* info.ops usable while ops_live */
	bool ops_live;
	struct aer_pv_channel_info info;

	struct task_struct *logging;	/* logging a host's error now */

	wait_queue_head_t waitq;	/* reset steps wait here */
	atomic_t gen;			/* bumped on every change to wait on */
	atomic_t running;		/* units whose work is queued or runs */
	struct notifier_block nb;
	struct kref ref;
};

extern struct workqueue_struct *aer_pv_wq;

struct aer_pv_channel *aer_pv_get(void);
void aer_pv_put(struct aer_pv_channel *ch);
void aer_pv_wake(struct aer_pv_channel *ch);
u32 aer_pv_id(struct pci_dev *pdev);
struct pci_dev *aer_pv_pdev(u32 id);
unsigned int aer_pv_timeout_ms(const struct aer_pv_channel *ch);
void aer_pv_unit_work(struct work_struct *work);
int aer_pv_native_init(void);

/* A function's state and counters, for sysfs */
struct aer_pv_fn_snapshot {
	u8 state;			/* enum aer_pv_state of its unit */
	u32 seq;
	struct aer_pv_fn_stats stats;
};

int aer_pv_snapshot_fn(struct pci_dev *pdev, struct aer_pv_fn_snapshot *out);

/* A channel's counters */
struct aer_pv_channel_stats {
	u64 verdicts[AER_PV_NR_VERDICTS];
	u32 last_seq;
	u64 untracked;
	size_t mem_bytes;
};

int aer_pv_snapshot_channel(struct aer_pv_channel_stats *out);

#endif /* _AER_PV_H */
