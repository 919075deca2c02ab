/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The aer-pv recovery state machine: which recovery to run, when the guest
 * may skip its reset, how long it waits, and what a message from the host
 * means for each function.  Pure: it touches no device, takes no lock,
 * allocates nothing and reads no clock, so KUnit can drive every
 * transition.  The caller (recovery.c) serialises calls and supplies time.
 */

#ifndef _AER_PV_FSM_H
#define _AER_PV_FSM_H

#include <linux/types.h>

#include "protocol.h"

/*
 * Functions tracked per channel.  The table is the whole memory of the
 * state machine: a storm of errors is coalesced into one pending error per
 * function, so memory does not grow with the error rate.
 */
#define AER_PV_MAX_DEVS		32

enum aer_pv_state {
	AER_PV_IDLE,		/* no recovery in progress */
	AER_PV_DETECTED,	/* error_detected being delivered */
	AER_PV_WAIT_HOST,	/* at the reset step, the host's reset in flight */
	AER_PV_WAIT_REQ,	/* at the reset step, waiting for a requested reset */
	AER_PV_RESUMING,	/* reset done or not needed: slot_reset, resume */
	AER_PV_NR_STATES
};

/* What the reset step of a recovery must do */
enum aer_pv_decision {
	AER_PV_NATIVE,		/* not ours: the native reset, as upstream */
	AER_PV_PROCEED,		/* the host has reset: skip the guest's reset */
	AER_PV_WAIT,		/* wait, bounded, and ask again */
	AER_PV_REQUEST,		/* ask the host for the reset, then ask again */
	AER_PV_FALLBACK,	/* the host cannot reset: do the native reset */
	AER_PV_FAIL,		/* give up: perm_failure */
};

/* What to do with an AER message the guest's own AER core received */
enum aer_pv_aer_verdict {
	AER_PV_AER_NATIVE,	/* not a host-managed error: upstream path */
	AER_PV_AER_CLAIM,	/* already recovered or recovering: absorb */
	AER_PV_AER_QUERY,	/* ask the host which error this is */
	AER_PV_AER_JOIN,	/* a new host error: recover it here, once */
};

/* Function flags */
#define AER_PV_DF_EVENT		BIT(0)	/* channel event seen for seq */
#define AER_PV_DF_AER		BIT(1)	/* emulated AER message seen for seq */
#define AER_PV_DF_PENDING	BIT(2)	/* a newer error waits for its turn */
#define AER_PV_DF_LOST		BIT(3)	/* channel gone or function removed */
#define AER_PV_DF_GONE		BIT(4)	/* function removed: free when idle */
#define AER_PV_DF_TIMEDOUT	BIT(5)	/* host reset timed out */
#define AER_PV_DF_REQUESTED	BIT(6)	/* reset requested for reset_seq */
#define AER_PV_DF_FALLBACK	BIT(7)	/* host cannot reset: native reset */

struct aer_pv_dev_stats {
	u64 errors[VIRTIO_AER_PV_SEV_FATAL + 1];	/* by severity */
	u64 recovered;
	u64 failed;
	u64 host_resets;	/* host resets that completed for this function */
	u64 resets_avoided;	/* guest resets skipped because the host reset */
	u64 reset_requests;	/* resets the guest asked the host for */
	u64 native_resets;	/* native resets done as a fallback */
	u64 timeouts;		/* waits for the host that ran out */
	u64 coalesced;		/* errors folded into a pending one */
	u64 aer_matched;	/* emulated AER messages matched to a host error */
};

struct aer_pv_dev {
	u32 id;			/* AER_PV_FN_ID() */
	bool used;
	u8 state;		/* enum aer_pv_state */
	u8 severity;		/* VIRTIO_AER_PV_SEV_* of seq */
	u8 reset;		/* VIRTIO_AER_PV_RESET_* of seq */
	u8 reset_kind;
	u8 flags;		/* AER_PV_DF_* */
	u8 pending_severity;
	u8 pending_reset;
	u8 pending_reset_kind;
	u32 seq;		/* error being recovered, or the last one */
	u32 reset_seq;		/* error whose host reset @reset describes */
	u32 pending_seq;
	u32 pending_reset_seq;
	u64 deadline;		/* ns; end of the current wait */
	struct aer_pv_dev_stats stats;
};

struct aer_pv_core {
	struct aer_pv_dev devs[AER_PV_MAX_DEVS];
	u32 last_seq;		/* newest error accepted, 0 for none */
	bool up;		/* the channel is present */
	bool can_request;	/* the host performs requested resets */
	u64 reset_timeout_ns;	/* bound on any wait for the host */
	u64 verdicts[AER_PV_NR_VERDICTS];
	/*
	 * Optional: whether the guest has a function at @id.  Functions it
	 * does not have are dropped before they take a slot in @devs, so a
	 * host naming bogus functions cannot crowd out real ones.
	 */
	bool (*fn_exists)(u32 id, void *ctx);
	void *ctx;
};

/* Recoveries an input asks the caller to start */
struct aer_pv_actions {
	unsigned int nr_start;
	u32 start[VIRTIO_AER_PV_MAX_FUNCS];
	u32 seq;		/* of the recoveries to start */
	u8 severity;		/* of the recoveries to start */
	bool frozen;		/* start them as pci_channel_io_frozen */
	bool log;		/* log and count the error the native way */
	bool wake;		/* waiters must ask again */
};

void aer_pv_core_init(struct aer_pv_core *core, u64 reset_timeout_ns,
		      bool can_request);
struct aer_pv_dev *aer_pv_find(struct aer_pv_core *core, u32 id);
enum aer_pv_verdict aer_pv_receive(struct aer_pv_core *core, const void *buf,
				   size_t len, struct aer_pv_event *ev,
				   struct aer_pv_actions *act);
enum aer_pv_verdict aer_pv_on_event(struct aer_pv_core *core,
				    const struct aer_pv_event *ev,
				    struct aer_pv_actions *act);
enum aer_pv_aer_verdict aer_pv_on_aer(struct aer_pv_core *core, u32 id);
enum aer_pv_aer_verdict aer_pv_on_query(struct aer_pv_core *core, u32 id,
					u8 severity,
					const struct aer_pv_response *resp);
enum aer_pv_decision aer_pv_reset_step(struct aer_pv_core *core, u32 id,
				       u64 now);
enum aer_pv_decision aer_pv_wait_check(struct aer_pv_core *core, u32 id,
				       u64 now);
enum aer_pv_decision aer_pv_request_done(struct aer_pv_core *core, u32 id,
					 const struct aer_pv_response *resp);
void aer_pv_recovery_done(struct aer_pv_core *core, u32 id, bool recovered,
			  struct aer_pv_actions *act);
void aer_pv_channel_down(struct aer_pv_core *core);
void aer_pv_dev_removed(struct aer_pv_core *core, u32 id);
const char *aer_pv_state_name(enum aer_pv_state state);

static inline bool aer_pv_busy(const struct aer_pv_dev *d)
{
	return d->state != AER_PV_IDLE;
}

/*
 * A recovery runs with a frozen channel for a fatal error, and for any
 * error the host resets the function for: the device loses its state
 * either way, so every driver must go through the reset step, which is
 * where aer-pv waits for the host's reset to end.
 */
static inline bool aer_pv_frozen(const struct aer_pv_dev *d)
{
	return d->severity == VIRTIO_AER_PV_SEV_FATAL ||
	       d->reset != VIRTIO_AER_PV_RESET_NONE;
}

#endif /* _AER_PV_FSM_H */
