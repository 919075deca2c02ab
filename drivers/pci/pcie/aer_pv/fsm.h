/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The aer-pv recovery state machine.  Pure: it touches no device, takes no
 * lock, allocates nothing and reads no clock, so that KUnit and a fuzzer
 * can drive every transition.  The caller serialises calls and supplies
 * the time.
 *
 * Three kinds of object, all in fixed tables inside struct aer_pv_core:
 *
 *  - a function the host named (struct aer_pv_fn): its counters and the
 *    recovery unit it belongs to;
 *  - a recovery unit (struct aer_pv_rec): the bridge that
 *    pcie_do_recovery() walks for its functions.  At most one recovery
 *    runs per unit; errors that arrive meanwhile fold into one pending
 *    recovery behind it (@next), never into the running one (@cur);
 *  - a host reset (struct aer_pv_reset): one per host error, shared by
 *    every unit whose functions it covers.  The host reports its state
 *    once and every unit sees it.
 *
 * One entry point, aer_pv_step(), takes an input and the time and returns
 * one action.
 */

#ifndef _AER_PV_FSM_H
#define _AER_PV_FSM_H

#include <linux/bits.h>
#include <linux/limits.h>
#include <linux/types.h>

#include "protocol.h"

/*
 * Table sizes, the whole memory of the state machine.  The function table
 * holds as many functions as the host says it manages (struct
 * aer_pv_core's @nr_fns), at most AER_PV_MAX_FNS.  A recovery unit needs
 * no entry of its own for a function the host names beyond that, so there
 * are units for all of them plus one event's worth of such functions.  A
 * storm of errors folds into one pending recovery per unit, so memory does
 * not grow with the error rate.  A unit keeps at most the host resets
 * still in flight plus two settled ones (see aer_pv_fold());
 * AER_PV_MAX_RESETS bounds the resets in flight at once, one per host
 * link.
 */
/* Overridable only so that tests/model/ can search small tables */
#ifndef AER_PV_MAX_FNS
#define AER_PV_MAX_FNS		VIRTIO_AER_PV_MAX_MANAGED
#endif
#ifndef AER_PV_MAX_RECS
#define AER_PV_MAX_RECS		(AER_PV_MAX_FNS + VIRTIO_AER_PV_MAX_FUNCS)
#endif
#ifndef AER_PV_MAX_RESETS
#define AER_PV_MAX_RESETS	64
#endif

/* Not a unit: aer_pv_step() returns it for a bridge aer-pv does not own */
#define AER_PV_NO_REC		0xff

/* The state of a recovery unit */
enum aer_pv_state {
	AER_PV_IDLE,		/* no recovery */
	AER_PV_DETECTED,	/* started: error_detected, mmio_enabled */
	AER_PV_WAIT_HOST,	/* at the reset step, a host reset in flight */
	AER_PV_WAIT_REQ,	/* at the reset step, a requested reset in flight */
	AER_PV_RESUMING,	/* past the reset step: slot_reset, resume */
	AER_PV_NR_STATES
};

/* The guest's request for a host reset */
enum aer_pv_req {
	AER_PV_REQ_NONE,	/* not asked */
	AER_PV_REQ_SENT,	/* asked, no answer yet */
	AER_PV_REQ_ANSWERED,	/* answered; the reset state says how */
	AER_PV_REQ_UNSUPPORTED,	/* the host cannot do that kind (@refused) */
	AER_PV_REQ_STALE,	/* the host has a newer error: follow it */
};

/* Why a recovery failed */
enum aer_pv_why {
	AER_PV_WHY_NONE,
	AER_PV_WHY_RESET_FAILED,	/* the host's reset failed */
	AER_PV_WHY_TIMEOUT,		/* no end to the wait in time */
	AER_PV_WHY_NO_RESPONSE,		/* a reset request was not answered */
	AER_PV_WHY_LOST,		/* channel or functions gone */
	AER_PV_WHY_NO_ROOM,		/* a table was full: nothing to wait on */
	AER_PV_WHY_NOT_SENT,		/* a reset request could not be queued */
	AER_PV_WHY_UNTRACKED,		/* the host named more than it declared */
	AER_PV_NR_WHYS
};

/* A host reset; its slot is free while @seq is 0 */
struct aer_pv_reset {
	u32 seq;		/* the host error it is for */
	u8 state;		/* VIRTIO_AER_PV_RESET_* */
	u8 kind;		/* VIRTIO_AER_PV_RESET_KIND_*: the newest done */
	u8 done;		/* VIRTIO_AER_PV_EVF_RESET_*: the kinds done */
	u8 req;			/* enum aer_pv_req */
	u8 req_kind;		/* the kind asked for */
	u8 refused;		/* VIRTIO_AER_PV_EVF_RESET_*: the host cannot */
	bool host;		/* the host reset on its own, not on request */
	bool shared;		/* it names functions of more than one unit */
	bool native;		/* a unit reset natively for it: no request */
	u8 kinds;		/* VIRTIO_AER_PV_EVF_RESET_*: the host can do */
	u8 need;		/* the kind that covers all its units */
	u32 fns;		/* BIT(function index): the functions it names */
	u32 req_fn;		/* the function the request names */
};

/* One or more errors folded into one recovery of a unit */
struct aer_pv_err {
	u32 seq;		/* newest error folded in; 0: none */
	u8 severity;		/* highest severity folded in */
	bool no_room;		/* a reset could not be tracked: fail */
	bool untracked;		/* a function beyond the table: fail */
	u32 untracked_fn;	/* AER_PV_FN_ID() of one, to recover it by */
	u32 fns;		/* BIT(function index) */
	u64 resets;		/* BIT(reset index): resets it depends on */
};

/* A recovery unit; free while @fns is 0 */
struct aer_pv_rec {
	u32 bridge;		/* AER_PV_FN_ID() of the bridge */
	u8 state;		/* enum aer_pv_state */
	bool frozen;		/* @cur runs with pci_channel_io_frozen */
	bool failed;		/* its reset step failed: so did @cur */
	u8 why;			/* enum aer_pv_why, once it failed */
	u8 kind;		/* the reset its bridge needs */
	u32 req_seq;		/* the reset it asked for, 0: none */
	u32 native_seq;		/* newest error it reset natively, 0: none */
	u32 fns;		/* BIT(function index) of its functions */
	u64 deadline;		/* ns; end of the wait at the reset step */
	struct aer_pv_err cur;	/* the recovery running */
	struct aer_pv_err next;	/* the one pending behind it */
};

struct aer_pv_fn_stats {
	u64 errors[VIRTIO_AER_PV_SEV_FATAL + 1];	/* by severity */
	u64 recovered;
	u64 failed;
	u64 host_resets;	/* host resets that completed for it */
	u64 resets_avoided;	/* guest resets skipped: the host reset */
	u64 reset_requests;	/* resets the guest asked the host for */
	u64 native_resets;	/* native resets: the host could not */
	u64 timeouts;		/* waits for the host that ran out */
	u64 coalesced;		/* errors folded into a pending recovery */
};

/* A function the host named; free while !@used */
struct aer_pv_fn {
	u32 id;			/* AER_PV_FN_ID() */
	u32 seq;		/* newest error that named it */
	bool used;
	u8 rec;			/* index of its unit */
	struct aer_pv_fn_stats stats;
};

struct aer_pv_core {
	struct aer_pv_fn fns[AER_PV_MAX_FNS];
	struct aer_pv_rec recs[AER_PV_MAX_RECS];
	struct aer_pv_reset resets[AER_PV_MAX_RESETS];
	u32 last_seq;		/* newest error accepted, 0 for none */
	u8 nr_fns;		/* size of @fns: what the host manages */
	u64 untracked;		/* functions named beyond @nr_fns */
	bool up;		/* the channel is present */
	bool can_request;	/* the host performs requested resets */
	bool reset_kinds;	/* errors say which resets the host can do */
	u64 verdicts[AER_PV_NR_VERDICTS];
};

enum aer_pv_input_type {
	AER_PV_IN_EVENT,	/* @ev arrived; @bridges[i] for ev->funcs[i] */
	AER_PV_IN_RESET_STEP,	/* @rec reached its reset step */
	AER_PV_IN_WAKE,		/* @rec's wait ended: woken or timed out */
	AER_PV_IN_RESPONSE,	/* request @seq answered: @resp, or NULL */
	AER_PV_IN_DONE,		/* @rec's recovery ended: @recovered */
	AER_PV_IN_FN_GONE,	/* function @fn left the guest */
	AER_PV_IN_DOWN,		/* the channel is going away */
};

/* A bridge id for a function the guest does not have */
#define AER_PV_NO_BRIDGE	U32_MAX

struct aer_pv_input {
	enum aer_pv_input_type type;
	u8 rec;				/* IN_RESET_STEP .. IN_DONE; for
					 * IN_RESPONSE, AER_PV_NO_REC once the
					 * unit that asked gave up on it
					 */
	u32 fn;				/* IN_FN_GONE */
	u32 seq;			/* IN_RESPONSE: the request's */
	const struct aer_pv_event *ev;	/* IN_EVENT */
	const u32 *bridges;		/* IN_EVENT */
	const struct aer_pv_response *resp;	/* IN_RESPONSE */
	bool unsent;			/* IN_RESPONSE: the request never left */
	bool recovered;			/* IN_DONE: pcie_do_recovery() did */
	u8 kind;			/* IN_RESET_STEP: reset the bridge needs */
	u64 timeout_ns;			/* IN_RESET_STEP: bound on the wait */
};

enum aer_pv_act_type {
	AER_PV_ACT_NONE,	/* nothing to do */
	AER_PV_ACT_START,	/* run the recoveries of the units in @start */
	AER_PV_ACT_RESUME,	/* go on: the host reset, skip the guest's */
	AER_PV_ACT_WAIT,	/* wait until @until, then IN_WAKE */
	AER_PV_ACT_REQUEST,	/* ask for a @kind reset of @seq at @fn */
	AER_PV_ACT_NATIVE,	/* the host cannot reset: the native reset */
	AER_PV_ACT_FAIL,	/* perm_failure, because of @why */
};

struct aer_pv_action {
	enum aer_pv_act_type type;
	u32 seq;		/* the error it is for */
	u32 fn;			/* ACT_REQUEST: the function to name */
	u8 kind;		/* ACT_REQUEST, ACT_RESUME: the reset kind */
	u8 why;			/* ACT_FAIL: enum aer_pv_why */
	u64 until;		/* ACT_WAIT */
	u64 start;		/* ACT_START: BIT_ULL(unit index) */
	enum aer_pv_verdict verdict;	/* IN_EVENT: why it was dropped */
	bool log;		/* IN_EVENT: log the error the native way */
	u8 untracked;		/* IN_EVENT: functions beyond the table */
	bool recovered;		/* IN_DONE: the outcome to report */
};

void aer_pv_core_init(struct aer_pv_core *core, bool can_request);
void aer_pv_step(struct aer_pv_core *core, const struct aer_pv_input *in,
		 u64 now, struct aer_pv_action *act);
struct aer_pv_fn *aer_pv_find_fn(struct aer_pv_core *core, u32 id);
u8 aer_pv_find_rec(const struct aer_pv_core *core, u32 bridge);
u32 aer_pv_first_fn(const struct aer_pv_core *core, u32 fns);
const char *aer_pv_state_name(enum aer_pv_state state);
const char *aer_pv_why_name(enum aer_pv_why why);

#endif /* _AER_PV_FSM_H */
