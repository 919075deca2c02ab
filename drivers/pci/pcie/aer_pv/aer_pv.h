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
	bool reset_failed;		/* its reset step failed this recovery */
	/* Under ch->resp_lock: */
	int tag;			/* of the request it waits for, or -1 */
	bool answered;			/* the answer is in that tag */
};

/*
 * A reset request under a tag: from when it is queued until its answer
 * has been taken in, by the unit that waits for it or, when that unit
 * gave up on it, by the channel's answer work.
 */
struct aer_pv_tag {
	u32 seq;			/* the request's */
	u8 unit;			/* index of the unit that sent it */
	unsigned int resp_len;		/* its answer, once it came */
	struct virtio_aer_pv_response resp;
};

/* A Root Port whose AER interrupt recoveries keep masked */
struct aer_pv_hold {
	struct pci_dev *root;		/* NULL: slot free */
	unsigned int users;		/* units recovering below it */
	u32 cmd;			/* its AER interrupt enables before */
};

struct aer_pv_channel {
	struct mutex lock;		/* core, closing */
	struct aer_pv_core core;
	bool closing;			/* no new recovery starts */
	struct aer_pv_unit units[AER_PV_MAX_RECS];

	spinlock_t resp_lock;		/* tags, sent, orphans, tag, answers */
	unsigned long tags;		/* BIT(tag): taken */
	unsigned long sent;		/* BIT(tag): its buffer is the host's */
	unsigned long orphans;		/* BIT(tag): answer for nobody, yet */
	struct aer_pv_tag tag[AER_PV_NR_TAGS];
	struct work_struct answer_work;	/* takes in the orphans' answers */

	struct mutex hold_lock;		/* holds */
	struct aer_pv_hold holds[AER_PV_MAX_RECS];

	struct rw_semaphore ops_lock;	/* info.ops usable while ops_live */
	bool ops_live;
	struct aer_pv_channel_info info;

	struct task_struct *logging;	/* logging a host's error now */

	wait_queue_head_t waitq;	/* reset steps wait here */
	atomic_t gen;			/* bumped on every change to wait on */
	atomic_t running;		/* units whose work is queued or runs */
	struct notifier_block nb;
	struct kref ref;
	struct work_struct release_work;	/* frees it, in process context */
};

extern struct workqueue_struct *aer_pv_wq;

struct aer_pv_channel *aer_pv_get(void);
void aer_pv_put(struct aer_pv_channel *ch);
void aer_pv_wake(struct aer_pv_channel *ch);
u32 aer_pv_id(struct pci_dev *pdev);
struct pci_dev *aer_pv_pdev(u32 id);
unsigned int aer_pv_timeout_ms(const struct aer_pv_channel *ch);
enum aer_pv_verdict aer_pv_take_answer(struct aer_pv_channel *ch, u32 seq,
				       const struct virtio_aer_pv_response *wire,
				       unsigned int len,
				       struct aer_pv_response *resp);
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
