// SPDX-License-Identifier: GPL-2.0
/*
 * aer-pv recovery state machine.
 *
 * A host error names functions.  Each function belongs to the recovery
 * unit of the bridge that pcie_do_recovery() walks for it, and an error
 * starts one recovery per unit it touches.  Every error that is not
 * correctable gets a host reset object, shared by all those units: when
 * the host reports the end of its reset, every unit waiting on it sees it
 * at once.
 *
 * A unit's recovery goes DETECTED -> (WAIT_HOST | WAIT_REQ)* -> RESUMING
 * -> IDLE.  At the reset step it waits for every host reset in flight
 * that its errors, running or pending, depend on; then it goes on if the
 * newest settled reset was done, fails if that reset failed, and asks the
 * host for a reset (of the kind the bridge needs, for the newest error)
 * if none was done.  Errors that arrive once the unit has started fold
 * into the one recovery pending behind it, which starts when the running
 * one ends; a reset done for them before that start is not done again.
 *
 * Two rules keep every unit out of a reset another one started.  A
 * recovery runs frozen, and so reaches the reset step, when its error is
 * shared with another unit or a reset was asked for it.  A request the
 * host got stays in flight until it is answered, even once the unit that
 * sent it has given up on it; its answer then still settles the reset
 * for every other unit.
 *
 * A reset covers a unit only if it is of a kind that resets what the unit
 * needs reset: a link reset covers a function reset, never the reverse.
 *
 * Every function an error names gets an outcome.  One the function table
 * has no room for (the host names more than it said it manages) is not
 * tracked, but the recovery of its unit still runs and fails at its reset
 * step, so its driver hears error_detected and then perm_failure.
 */

#include <linux/bitops.h>
#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/stddef.h>
#include <linux/string.h>

#include <kunit/visibility.h>

#include "fsm.h"
#include "trace.h"

/*
 * The sets are bitmaps: BIT(function index) in a u32, BIT_ULL(unit or
 * reset index) in a u64, and a unit index in a u8 beside AER_PV_NO_REC.
 * Smaller tables (tests/model/) are sound; the function table never
 * holds more than the host may declare.
 */
static_assert(AER_PV_MAX_FNS <= 32);
static_assert(AER_PV_MAX_FNS <= VIRTIO_AER_PV_MAX_MANAGED);
static_assert(AER_PV_MAX_RECS <= 64 && AER_PV_MAX_RECS < AER_PV_NO_REC);
static_assert(AER_PV_MAX_RESETS <= 64);

static const char * const aer_pv_state_names[AER_PV_NR_STATES] = {
	[AER_PV_IDLE]		= "idle",
	[AER_PV_DETECTED]	= "detected",
	[AER_PV_WAIT_HOST]	= "wait_host",
	[AER_PV_WAIT_REQ]	= "wait_request",
	[AER_PV_RESUMING]	= "resuming",
};

static const char * const aer_pv_why_names[AER_PV_NR_WHYS] = {
	[AER_PV_WHY_NONE]		= "none",
	[AER_PV_WHY_RESET_FAILED]	= "host reset failed",
	[AER_PV_WHY_TIMEOUT]		= "host reset did not complete in time",
	[AER_PV_WHY_NO_RESPONSE]	= "reset request not answered",
	[AER_PV_WHY_LOST]		= "channel or device gone",
	[AER_PV_WHY_NO_ROOM]		= "too many errors to track",
	[AER_PV_WHY_NOT_SENT]		= "reset request could not be sent",
	[AER_PV_WHY_UNTRACKED]		= "host named more functions than it manages",
};

/**
 * aer_pv_state_name() - name of a state, as sysfs and the logs show it
 * @state: the state
 *
 * Return: a static string; "invalid" for a value out of range.
 */
const char *aer_pv_state_name(enum aer_pv_state state)
{
	if ((unsigned int)state >= AER_PV_NR_STATES)
		return "invalid";
	return aer_pv_state_names[state];
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_state_name);

/**
 * aer_pv_why_name() - why a recovery failed, for the log
 * @why: the reason
 *
 * Return: a static string; "invalid" for a value out of range.
 */
const char *aer_pv_why_name(enum aer_pv_why why)
{
	if ((unsigned int)why >= AER_PV_NR_WHYS)
		return "invalid";
	return aer_pv_why_names[why];
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_why_name);

/**
 * aer_pv_core_init() - start a state machine for a new channel
 * @core: the state machine
 * @can_request: whether the host performs resets the guest asks for
 */
void aer_pv_core_init(struct aer_pv_core *core, bool can_request)
{
	memset(core, 0, sizeof(*core));
	core->nr_fns = AER_PV_MAX_FNS;
	core->can_request = can_request;
	core->up = true;
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_core_init);

/**
 * aer_pv_find_fn() - the entry of a function
 * @core: the state machine
 * @id: the function, as AER_PV_FN_ID()
 *
 * Return: the entry, or NULL if the function is not tracked.
 */
struct aer_pv_fn *aer_pv_find_fn(struct aer_pv_core *core, u32 id)
{
	unsigned int i;

	for (i = 0; i < core->nr_fns; i++)
		if (core->fns[i].used && core->fns[i].id == id)
			return &core->fns[i];
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_find_fn);

static bool aer_pv_rec_free(const struct aer_pv_rec *rec)
{
	return !rec->fns && rec->state == AER_PV_IDLE;
}

/* Whether @e holds an error to recover */
static bool aer_pv_err_live(const struct aer_pv_err *e)
{
	return e->seq && (e->fns || e->untracked);
}

/**
 * aer_pv_find_rec() - the recovery unit of a bridge
 * @core: the state machine
 * @bridge: the bridge, as AER_PV_FN_ID()
 *
 * Return: the unit's index, or AER_PV_NO_REC if aer-pv has none there.
 */
u8 aer_pv_find_rec(const struct aer_pv_core *core, u32 bridge)
{
	unsigned int i;

	for (i = 0; i < AER_PV_MAX_RECS; i++)
		if (!aer_pv_rec_free(&core->recs[i]) &&
		    core->recs[i].bridge == bridge)
			return i;
	return AER_PV_NO_REC;
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_find_rec);

/**
 * aer_pv_first_fn() - the first function of a set, to name it
 * @core: the state machine
 * @fns: BIT(function index) set
 *
 * Return: its AER_PV_FN_ID(), or AER_PV_NO_BRIDGE for an empty set.
 */
u32 aer_pv_first_fn(const struct aer_pv_core *core, u32 fns)
{
	if (!fns)
		return AER_PV_NO_BRIDGE;
	return core->fns[__ffs(fns)].id;
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_first_fn);

static void aer_pv_set_state(struct aer_pv_rec *rec, enum aer_pv_state state)
{
	if (rec->state == state)
		return;
	trace_aer_pv_state(rec->bridge, rec->cur.seq, rec->state, state);
	rec->state = state;
}

/* Each function index @i of the BIT(index) set @set */
#define aer_pv_for_each_fn(i, set) \
	for (unsigned long __m = (set); __m && ((i) = __ffs(__m), 1); \
	     __m &= __m - 1)

/* Count the counter at offset @off of struct aer_pv_fn_stats, for @set */
static void aer_pv_count(struct aer_pv_core *core, u32 set, size_t off)
{
	unsigned int i;

	aer_pv_for_each_fn(i, set)
		(*(u64 *)((u8 *)&core->fns[i].stats + off))++;
}

#define AER_PV_STAT(core, set, counter) \
	aer_pv_count(core, set, offsetof(struct aer_pv_fn_stats, counter))

static u64 aer_pv_rec_resets(const struct aer_pv_rec *rec)
{
	return rec->cur.resets | rec->next.resets;
}

/* Free every reset that no recovery depends on any more. */
static void aer_pv_gc_resets(struct aer_pv_core *core)
{
	u64 used = 0;
	unsigned int i;

	for (i = 0; i < AER_PV_MAX_RECS; i++)
		used |= aer_pv_rec_resets(&core->recs[i]);
	for (i = 0; i < AER_PV_MAX_RESETS; i++)
		if (!(used & BIT_ULL(i)))
			memset(&core->resets[i], 0, sizeof(core->resets[i]));
}

static int aer_pv_find_reset(const struct aer_pv_core *core, u32 seq)
{
	unsigned int i;

	for (i = 0; i < AER_PV_MAX_RESETS; i++)
		if (seq && core->resets[i].seq == seq)
			return i;
	return -1;
}

/* The error event flag that offers a reset of @kind */
static u8 aer_pv_kind_flag(u8 kind)
{
	switch (kind) {
	case VIRTIO_AER_PV_RESET_KIND_LINK:
		return VIRTIO_AER_PV_EVF_RESET_LINK;
	case VIRTIO_AER_PV_RESET_KIND_FUNCTION:
		return VIRTIO_AER_PV_EVF_RESET_FUNCTION;
	default:
		return 0;
	}
}

/*
 * The kinds of reset that cover a unit that needs a @kind reset: a link
 * reset resets every function below the link, a function reset only the
 * function.
 */
static u8 aer_pv_covering(u8 kind)
{
	if (kind == VIRTIO_AER_PV_RESET_KIND_FUNCTION)
		return VIRTIO_AER_PV_EVF_RESET_LINK |
		       VIRTIO_AER_PV_EVF_RESET_FUNCTION;
	return VIRTIO_AER_PV_EVF_RESET_LINK;
}

/*
 * The kind of reset that covers every unit an error names: an RCiEP is its
 * own bridge and needs a function reset, a function below a bridge a link
 * reset, which also covers an RCiEP of the same host link.  A reset that
 * covered one unit and not another would let the first resume while the
 * second asks the host for the reset that reaches both.
 */
static u8 aer_pv_need(const struct aer_pv_event *ev, const u32 *bridges)
{
	unsigned int i;

	for (i = 0; i < ev->nr_funcs && i < ARRAY_SIZE(ev->funcs); i++)
		if (bridges[i] != AER_PV_NO_BRIDGE &&
		    bridges[i] != ev->funcs[i])
			return VIRTIO_AER_PV_RESET_KIND_LINK;
	return VIRTIO_AER_PV_RESET_KIND_FUNCTION;
}

/* Whether the host may still be asked for a @kind reset for @r */
static bool aer_pv_may_request(const struct aer_pv_core *core,
			       const struct aer_pv_reset *r, u8 kind)
{
	return core->can_request && !r->native &&
	       (r->kinds & aer_pv_kind_flag(kind)) &&
	       !(r->refused & aer_pv_kind_flag(kind));
}

/*
 * The reset to ask for, or to be covered by: the unit's own kind, or the
 * kind @r's units need together while the host may still be asked for
 * it.  Once it may not, no reset of the host's will reach this unit's
 * functions after it resumes (the others reset natively, below their own
 * bridges), and what the unit needs is only its own kind.
 */
static u8 aer_pv_kind_for(const struct aer_pv_core *core,
			  const struct aer_pv_rec *rec,
			  const struct aer_pv_reset *r)
{
	if (rec->kind == VIRTIO_AER_PV_RESET_KIND_LINK ||
	    (r->need == VIRTIO_AER_PV_RESET_KIND_LINK &&
	     aer_pv_may_request(core, r, VIRTIO_AER_PV_RESET_KIND_LINK)))
		return VIRTIO_AER_PV_RESET_KIND_LINK;
	return rec->kind;
}

static int aer_pv_new_reset(struct aer_pv_core *core,
			    const struct aer_pv_event *ev, u32 fns)
{
	unsigned int i;

	for (i = 0; i < AER_PV_MAX_RESETS; i++) {
		struct aer_pv_reset *r = &core->resets[i];

		if (r->seq)
			continue;
		r->seq = ev->seq;
		r->state = ev->reset;
		r->kind = ev->reset_kind;
		r->done = ev->reset == VIRTIO_AER_PV_RESET_DONE ?
			  aer_pv_kind_flag(ev->reset_kind) : 0;
		r->refused = 0;
		/* A host that does not say may do any: it answers UNSUPPORTED. */
		r->kinds = core->reset_kinds ? ev->flags :
			   VIRTIO_AER_PV_EVF_RESET_LINK |
			   VIRTIO_AER_PV_EVF_RESET_FUNCTION;
		r->req = AER_PV_REQ_NONE;
		r->host = ev->reset != VIRTIO_AER_PV_RESET_NONE;
		r->fns = fns;
		return i;
	}
	return -1;
}

static bool aer_pv_in_flight(const struct aer_pv_reset *r)
{
	return r->state == VIRTIO_AER_PV_RESET_PENDING ||
	       r->req == AER_PV_REQ_SENT;
}

static bool aer_pv_settled(const struct aer_pv_reset *r)
{
	return r->state == VIRTIO_AER_PV_RESET_DONE ||
	       r->state == VIRTIO_AER_PV_RESET_FAILED;
}

/* The newest reset of @set, or of its settled ones: -1 for none. */
static int aer_pv_newest(const struct aer_pv_core *core, u64 set,
			 bool settled)
{
	int best = -1;
	unsigned int i;

	for (i = 0; i < AER_PV_MAX_RESETS; i++) {
		const struct aer_pv_reset *r = &core->resets[i];

		if (!(set & BIT_ULL(i)) || (settled && !aer_pv_settled(r)))
			continue;
		if (best < 0 || aer_pv_seq_after(r->seq, core->resets[best].seq))
			best = i;
	}
	return best;
}

/*
 * Keep what a reset step can still need: the resets in flight (it waits
 * for all of them), the newest settled one (its outcome decides), and the
 * newest of all (a request names it).  This bounds a storm.
 */
static void aer_pv_prune(struct aer_pv_core *core, struct aer_pv_err *e)
{
	int newest = aer_pv_newest(core, e->resets, false);
	int settled = aer_pv_newest(core, e->resets, true);
	unsigned int i;

	for (i = 0; i < AER_PV_MAX_RESETS; i++) {
		if (!(e->resets & BIT_ULL(i)) || i == newest || i == settled ||
		    aer_pv_in_flight(&core->resets[i]))
			continue;
		e->resets &= ~BIT_ULL(i);
	}
}

/*
 * A recovery whose device the host reset, or may have, runs frozen: its
 * drivers must not take the normal path past a reset they did not see.
 * So does one whose error other units share: one of them may ask for the
 * link reset that error gets, so every one of them goes to the reset
 * step, where they share the request.
 */
static bool aer_pv_err_frozen(const struct aer_pv_core *core,
			      const struct aer_pv_err *e)
{
	unsigned int i;

	if (e->severity == VIRTIO_AER_PV_SEV_FATAL || e->no_room ||
	    e->untracked)
		return true;
	for (i = 0; i < AER_PV_MAX_RESETS; i++) {
		const struct aer_pv_reset *r = &core->resets[i];

		if (!(e->resets & BIT_ULL(i)))
			continue;
		if (r->host || r->shared || r->req == AER_PV_REQ_SENT ||
		    r->req == AER_PV_REQ_ANSWERED)
			return true;
	}
	return false;
}

static void aer_pv_fold(struct aer_pv_core *core, struct aer_pv_err *e,
			const struct aer_pv_event *ev, u32 fns, u32 untracked,
			int reset)
{
	if (!e->seq || aer_pv_seq_after(ev->seq, e->seq))
		e->seq = ev->seq;
	e->severity = max(e->severity, ev->severity);
	e->fns |= fns;
	if (untracked != AER_PV_NO_BRIDGE) {
		e->untracked = true;
		e->untracked_fn = untracked;
	}
	if (reset < 0)
		e->no_room = true;
	else
		e->resets |= BIT_ULL(reset);
	aer_pv_prune(core, e);
}

/*
 * Make room in a full function table: forget a function whose unit is
 * idle, and that the event being taken in does not name (@keep).  Its
 * counters go with it; a function in a recovery stays.
 */
static int aer_pv_evict_fn(struct aer_pv_core *core, u32 keep)
{
	unsigned int i, r;

	for (i = 0; i < core->nr_fns; i++) {
		struct aer_pv_rec *rec = &core->recs[core->fns[i].rec];

		if (!core->fns[i].used || rec->state != AER_PV_IDLE ||
		    (keep & BIT(i)))
			continue;
		rec->fns &= ~BIT(i);
		for (r = 0; r < AER_PV_MAX_RESETS; r++)
			core->resets[r].fns &= ~BIT(i);
		memset(&core->fns[i], 0, sizeof(core->fns[i]));
		return i;
	}
	return -1;
}

/*
 * The unit of @bridge, made if need be, but never in a slot that the event
 * being taken in already uses (@keep: BIT_ULL(unit index)).
 */
static int aer_pv_take_rec(struct aer_pv_core *core, u32 bridge, u64 keep)
{
	u8 found = aer_pv_find_rec(core, bridge);
	unsigned int r;

	if (found != AER_PV_NO_REC)
		return found;
	/* One the event made, with no function of its own yet */
	for (r = 0; r < AER_PV_MAX_RECS; r++)
		if ((keep & BIT_ULL(r)) && core->recs[r].bridge == bridge)
			return r;
	for (r = 0; r < AER_PV_MAX_RECS; r++) {
		if (!aer_pv_rec_free(&core->recs[r]) || (keep & BIT_ULL(r)))
			continue;
		memset(&core->recs[r], 0, sizeof(core->recs[r]));
		core->recs[r].bridge = bridge;
		return r;
	}
	return -1;
}

/* The entry of function @id, made if need be: -1 when the table is full */
static int aer_pv_take_fn(struct aer_pv_core *core, u32 id, int r, u32 keep)
{
	struct aer_pv_fn *fn = aer_pv_find_fn(core, id);
	int i;

	if (fn)
		return fn - core->fns;
	for (i = 0; i < core->nr_fns; i++)
		if (!core->fns[i].used)
			break;
	if (i == core->nr_fns)
		i = aer_pv_evict_fn(core, keep);
	if (i < 0)
		return -1;
	fn = &core->fns[i];
	memset(fn, 0, sizeof(*fn));
	fn->used = true;
	fn->id = id;
	fn->rec = r;
	core->recs[r].fns |= BIT(i);
	return i;
}

static void aer_pv_start(struct aer_pv_core *core, unsigned int r,
			 struct aer_pv_action *act)
{
	struct aer_pv_rec *rec = &core->recs[r];

	rec->frozen = aer_pv_err_frozen(core, &rec->cur);
	rec->failed = false;
	rec->why = AER_PV_WHY_NONE;
	rec->deadline = 0;
	rec->req_seq = 0;
	aer_pv_set_state(rec, AER_PV_DETECTED);
	act->type = AER_PV_ACT_START;
	act->start |= BIT_ULL(r);
}

static enum aer_pv_verdict aer_pv_on_error(struct aer_pv_core *core,
					   const struct aer_pv_event *ev,
					   const u32 *bridges,
					   struct aer_pv_action *act)
{
	enum aer_pv_verdict why = AER_PV_DROP_NO_DEVICE;
	u32 by_rec[AER_PV_MAX_RECS] = {};
	u32 untracked[AER_PV_MAX_RECS];
	unsigned int i, r;
	u64 recs = 0;
	u32 all = 0;
	int idx, reset, u;

	if (ev->flags && !core->reset_kinds)
		return AER_PV_DROP_FLAGS;
	if (core->last_seq && !aer_pv_seq_after(ev->seq, core->last_seq))
		return ev->seq == core->last_seq ? AER_PV_DROP_DUPLICATE :
						   AER_PV_DROP_STALE;

	memset(untracked, 0xff, sizeof(untracked));
	for (i = 0; i < ev->nr_funcs && i < ARRAY_SIZE(ev->funcs); i++) {
		if (!bridges || bridges[i] == AER_PV_NO_BRIDGE)
			continue;
		u = aer_pv_take_rec(core, bridges[i], recs);
		if (u < 0) {
			why = AER_PV_DROP_TABLE_FULL;
			continue;
		}
		recs |= BIT_ULL(u);
		idx = aer_pv_take_fn(core, ev->funcs[i], u, all);
		if (idx < 0) {
			/* Not tracked, but its unit recovers it: to fail. */
			untracked[u] = ev->funcs[i];
			act->untracked++;
			continue;
		}
		by_rec[u] |= BIT(idx);
		all |= BIT(idx);
	}
	if (!recs)
		return why;

	core->last_seq = ev->seq;
	core->untracked += act->untracked;
	act->seq = ev->seq;
	act->log = true;
	aer_pv_for_each_fn(i, all) {
		core->fns[i].seq = ev->seq;
		core->fns[i].stats.errors[ev->severity]++;
	}
	if (ev->severity == VIRTIO_AER_PV_SEV_CORRECTABLE)
		return AER_PV_OK;

	/* No room for the reset: the recoveries it touches must fail. */
	reset = aer_pv_new_reset(core, ev, all);
	if (reset >= 0) {
		core->resets[reset].shared = hweight64(recs) > 1;
		core->resets[reset].need = aer_pv_need(ev, bridges);
	}
	if (ev->reset == VIRTIO_AER_PV_RESET_DONE)
		AER_PV_STAT(core, all, host_resets);

	for (r = 0; r < AER_PV_MAX_RECS; r++) {
		struct aer_pv_rec *rec = &core->recs[r];

		if (!(recs & BIT_ULL(r)))
			continue;
		if (rec->state == AER_PV_IDLE) {
			memset(&rec->cur, 0, sizeof(rec->cur));
			aer_pv_fold(core, &rec->cur, ev, by_rec[r],
				    untracked[r], reset);
			aer_pv_start(core, r, act);
			continue;
		}
		if (rec->next.seq)
			AER_PV_STAT(core, by_rec[r], coalesced);
		aer_pv_fold(core, &rec->next, ev, by_rec[r], untracked[r],
			    reset);
	}
	aer_pv_gc_resets(core);
	return AER_PV_OK;
}

static enum aer_pv_verdict aer_pv_on_reset(struct aer_pv_core *core,
					   const struct aer_pv_event *ev)
{
	int i = aer_pv_find_reset(core, ev->seq);
	struct aer_pv_reset *r;

	if (i < 0)
		return AER_PV_DROP_UNKNOWN_SEQ;
	r = &core->resets[i];
	if (r->state == ev->reset)
		return AER_PV_DROP_DUPLICATE;
	if (r->state != VIRTIO_AER_PV_RESET_PENDING)
		return AER_PV_DROP_TRANSITION;
	r->state = ev->reset;
	r->kind = ev->reset_kind;
	if (r->state == VIRTIO_AER_PV_RESET_DONE) {
		r->done |= aer_pv_kind_flag(r->kind);
		AER_PV_STAT(core, r->fns, host_resets);
	}
	return AER_PV_OK;
}

static void aer_pv_on_event(struct aer_pv_core *core,
			    const struct aer_pv_input *in,
			    struct aer_pv_action *act)
{
	const struct aer_pv_event *ev = in->ev;
	enum aer_pv_verdict v;

	if (!core->up)
		v = AER_PV_DROP_UNKNOWN_SEQ;
	else if (ev->type == VIRTIO_AER_PV_EVT_ERROR)
		v = aer_pv_on_error(core, ev, in->bridges, act);
	else if (ev->type == VIRTIO_AER_PV_EVT_RESET)
		v = aer_pv_on_reset(core, ev);
	else
		v = AER_PV_DROP_TYPE;
	act->verdict = v;
	core->verdicts[v]++;
	trace_aer_pv_message(ev->type, ev->seq, v);
}

static void aer_pv_fail(struct aer_pv_core *core, struct aer_pv_rec *rec,
			enum aer_pv_why why, struct aer_pv_action *act)
{
	/*
	 * A request the host got may still be under way, however long ago
	 * the guest stopped waiting: it stays in flight until its answer,
	 * and whoever depends on it waits for it to its own deadline rather
	 * than touch the device meanwhile.
	 */
	rec->req_seq = 0;
	rec->failed = true;
	if (!rec->why) {
		rec->why = why;
		if (why == AER_PV_WHY_TIMEOUT)
			AER_PV_STAT(core, rec->cur.fns, timeouts);
	}
	aer_pv_set_state(rec, AER_PV_RESUMING);
	act->type = AER_PV_ACT_FAIL;
	act->why = rec->why;
}

/*
 * Whether a reset done for error @seq covers the unit's running errors: a
 * reset covers the errors the host reported before it, never a newer one.
 */
static bool aer_pv_covers(const struct aer_pv_core *core,
			  const struct aer_pv_rec *rec, u32 seq)
{
	int cur = aer_pv_newest(core, rec->cur.resets, false);

	return cur < 0 || !aer_pv_seq_after(core->resets[cur].seq, seq);
}

/*
 * The reset step's decision, for every function of the unit at once: on
 * reaching it, and after every wake-up, answer and request.
 */
static void aer_pv_decide(struct aer_pv_core *core, struct aer_pv_rec *rec,
			  u64 now, struct aer_pv_action *act)
{
	u64 set = aer_pv_rec_resets(rec);
	bool in_flight = false, requested = false;
	struct aer_pv_reset *t;
	unsigned int i;
	u32 fns;
	u8 kind;
	int n;

	act->seq = rec->cur.seq;
	if (rec->why)
		return aer_pv_fail(core, rec, rec->why, act);
	if (rec->cur.untracked)
		return aer_pv_fail(core, rec, AER_PV_WHY_UNTRACKED, act);
	if (!core->up || !rec->cur.fns)
		return aer_pv_fail(core, rec, AER_PV_WHY_LOST, act);
	if (rec->cur.no_room || rec->next.no_room)
		return aer_pv_fail(core, rec, AER_PV_WHY_NO_ROOM, act);

	for (i = 0; i < AER_PV_MAX_RESETS; i++) {
		if (!(set & BIT_ULL(i)) || !aer_pv_in_flight(&core->resets[i]))
			continue;
		in_flight = true;
		requested |= core->resets[i].req == AER_PV_REQ_SENT;
	}
	n = aer_pv_newest(core, set, false);
	if (n < 0)
		return aer_pv_fail(core, rec, AER_PV_WHY_NO_ROOM, act);
	t = &core->resets[n];

	/* A STALE answer: the newer error is on its way, wait for it too. */
	if (in_flight || t->req == AER_PV_REQ_STALE) {
		if (now >= rec->deadline)
			return aer_pv_fail(core, rec, AER_PV_WHY_TIMEOUT, act);
		aer_pv_set_state(rec, requested ? AER_PV_WAIT_REQ :
						  AER_PV_WAIT_HOST);
		act->type = AER_PV_ACT_WAIT;
		act->until = rec->deadline;
		return;
	}

	/*
	 * The newest settled reset decides, if it covers the running errors
	 * and is of a kind that covers the unit; one of another kind does
	 * not, and the unit asks for its own below.
	 */
	n = aer_pv_newest(core, set, true);
	if (n >= 0 && aer_pv_covers(core, rec, core->resets[n].seq)) {
		const struct aer_pv_reset *s = &core->resets[n];

		if (s->state == VIRTIO_AER_PV_RESET_FAILED)
			return aer_pv_fail(core, rec, AER_PV_WHY_RESET_FAILED,
					   act);
		if (s->done & aer_pv_covering(aer_pv_kind_for(core, rec, s))) {
			if (s->host)
				AER_PV_STAT(core, rec->cur.fns, resets_avoided);
			aer_pv_set_state(rec, AER_PV_RESUMING);
			act->type = AER_PV_ACT_RESUME;
			act->seq = s->seq;
			act->kind = s->done & VIRTIO_AER_PV_EVF_RESET_LINK ?
				    VIRTIO_AER_PV_RESET_KIND_LINK : s->kind;
			return;
		}
	}

	/* This unit's own native reset already covered them. */
	if (rec->native_seq && aer_pv_covers(core, rec, rec->native_seq)) {
		aer_pv_set_state(rec, AER_PV_RESUMING);
		act->type = AER_PV_ACT_RESUME;
		act->seq = rec->native_seq;
		act->kind = rec->kind;
		return;
	}

	/*
	 * No reset of its kind was done: ask for one, for the newest error.
	 * Once a unit has reset natively for it, no unit asks the host: the
	 * host's reset would reach the functions of that unit during its
	 * recovery.
	 */
	kind = aer_pv_kind_for(core, rec, t);
	if (!aer_pv_may_request(core, t, kind)) {
		AER_PV_STAT(core, rec->cur.fns, native_resets);
		t->native = true;
		rec->native_seq = t->seq;
		aer_pv_set_state(rec, AER_PV_RESUMING);
		act->type = AER_PV_ACT_NATIVE;
		act->seq = t->seq;
		act->kind = rec->kind;
		return;
	}
	if (now >= rec->deadline)
		return aer_pv_fail(core, rec, AER_PV_WHY_TIMEOUT, act);
	/*
	 * Name a function of that error, in this unit if it can be: the
	 * host answers STALE for one whose newest error is another.
	 */
	fns = t->fns & rec->fns ?: t->fns;
	if (!fns)
		return aer_pv_fail(core, rec, AER_PV_WHY_LOST, act);
	t->req = AER_PV_REQ_SENT;
	t->req_kind = kind;
	t->req_fn = aer_pv_first_fn(core, fns);
	rec->req_seq = t->seq;
	AER_PV_STAT(core, rec->cur.fns, reset_requests);
	aer_pv_set_state(rec, AER_PV_WAIT_REQ);
	act->type = AER_PV_ACT_REQUEST;
	act->seq = t->seq;
	act->kind = kind;
	act->fn = t->req_fn;
	act->until = rec->deadline;
}

static bool aer_pv_at_reset_step(const struct aer_pv_rec *rec)
{
	return rec->state == AER_PV_WAIT_HOST || rec->state == AER_PV_WAIT_REQ;
}

/* The host's answer to the request for reset @t settles it for all. */
static void aer_pv_answer(struct aer_pv_core *core, struct aer_pv_reset *t,
			  const struct aer_pv_response *resp)
{
	struct aer_pv_fn *named;

	t->req = AER_PV_REQ_ANSWERED;
	if (!resp) {
		/* Whoever else waits on it must not wait for it forever. */
		t->state = VIRTIO_AER_PV_RESET_FAILED;
		return;
	}
	switch (resp->status) {
	case VIRTIO_AER_PV_S_OK:
		/* Another kind than the one asked for is no answer to it. */
		if (resp->reset_kind != t->req_kind) {
			t->state = VIRTIO_AER_PV_RESET_FAILED;
			break;
		}
		t->state = VIRTIO_AER_PV_RESET_DONE;
		t->kind = resp->reset_kind;
		t->done |= aer_pv_kind_flag(t->kind);
		AER_PV_STAT(core, t->fns, host_resets);
		break;
	case VIRTIO_AER_PV_S_UNSUPPORTED:
	case VIRTIO_AER_PV_S_NOT_MANAGED:
		t->req = AER_PV_REQ_UNSUPPORTED;
		t->refused |= aer_pv_kind_flag(t->req_kind);
		break;
	case VIRTIO_AER_PV_S_STALE:
		/*
		 * The named function has a newer error; the error's other
		 * functions may not.  Ask again naming one of those, or,
		 * when none is left, wait for the newer error.
		 */
		named = aer_pv_find_fn(core, t->req_fn);
		if (named)
			t->fns &= ~BIT(named - core->fns);
		t->req = t->fns ? AER_PV_REQ_NONE : AER_PV_REQ_STALE;
		break;
	default:
		t->state = VIRTIO_AER_PV_RESET_FAILED;
		break;
	}
}

/*
 * An answer to the request for reset @in->seq.  It settles that reset
 * whether or not the unit that asked (@rec, or NULL) still waits for it:
 * other units may wait on the same reset.
 */
static void aer_pv_on_response(struct aer_pv_core *core,
			       struct aer_pv_rec *rec,
			       const struct aer_pv_input *in, u64 now,
			       struct aer_pv_action *act)
{
	int i = aer_pv_find_reset(core, in->seq);
	struct aer_pv_reset *t = NULL;
	bool waits;

	if (i >= 0 && core->resets[i].req == AER_PV_REQ_SENT)
		t = &core->resets[i];
	waits = rec && aer_pv_at_reset_step(rec) && in->seq &&
		rec->req_seq == in->seq;
	if (!t) {
		if (!waits)
			return;
		rec->req_seq = 0;
		return aer_pv_decide(core, rec, now, act);
	}
	if (in->unsent) {
		/* Only a request that never left is open again. */
		t->req = AER_PV_REQ_NONE;
		if (waits)
			aer_pv_fail(core, rec, AER_PV_WHY_NOT_SENT, act);
		return;
	}
	aer_pv_answer(core, t, in->resp);
	if (!waits)
		return;
	rec->req_seq = 0;
	if (!in->resp)
		return aer_pv_fail(core, rec, AER_PV_WHY_NO_RESPONSE, act);
	aer_pv_decide(core, rec, now, act);
}

static void aer_pv_on_done(struct aer_pv_core *core, unsigned int r,
			   bool recovered, struct aer_pv_action *act)
{
	struct aer_pv_rec *rec = &core->recs[r];

	/*
	 * pcie_do_recovery() returns what its drivers voted even when the
	 * reset step failed after them, and then sent them perm_failure.
	 */
	act->recovered = recovered && !rec->failed;
	if (act->recovered)
		AER_PV_STAT(core, rec->cur.fns, recovered);
	else
		AER_PV_STAT(core, rec->cur.fns, failed);
	aer_pv_set_state(rec, AER_PV_IDLE);
	rec->cur = rec->next;
	memset(&rec->next, 0, sizeof(rec->next));
	/*
	 * Even with the channel gone: its drivers must hear of the error,
	 * and its reset step fails at once.
	 */
	if (aer_pv_err_live(&rec->cur))
		aer_pv_start(core, r, act);
	else
		memset(&rec->cur, 0, sizeof(rec->cur));
	aer_pv_gc_resets(core);
}

static void aer_pv_on_fn_gone(struct aer_pv_core *core, u32 id)
{
	struct aer_pv_fn *fn = aer_pv_find_fn(core, id);
	struct aer_pv_rec *rec;
	unsigned int i;
	u32 bit;

	if (!fn)
		return;
	rec = &core->recs[fn->rec];
	bit = BIT(fn - core->fns);
	rec->fns &= ~bit;
	rec->cur.fns &= ~bit;
	rec->next.fns &= ~bit;
	for (i = 0; i < AER_PV_MAX_RESETS; i++)
		core->resets[i].fns &= ~bit;
	if (rec->state != AER_PV_IDLE && !aer_pv_err_live(&rec->cur) &&
	    !rec->why)
		rec->why = AER_PV_WHY_LOST;
	if (!aer_pv_err_live(&rec->next))
		memset(&rec->next, 0, sizeof(rec->next));
	memset(fn, 0, sizeof(*fn));
	aer_pv_gc_resets(core);
}

static void aer_pv_on_down(struct aer_pv_core *core)
{
	unsigned int r;

	core->up = false;
	for (r = 0; r < AER_PV_MAX_RECS; r++) {
		struct aer_pv_rec *rec = &core->recs[r];

		if (rec->state != AER_PV_IDLE && !rec->why)
			rec->why = AER_PV_WHY_LOST;
	}
}

/**
 * aer_pv_step() - feed the state machine one input
 * @core: the state machine
 * @in: the input
 * @now: the current time, ns
 * @act: filled in with what the caller must do next
 *
 * IN_EVENT returns START (with the units whose recovery must run) or
 * NONE, and the event's verdict.  IN_RESET_STEP, IN_WAKE and IN_RESPONSE
 * return RESUME, WAIT, REQUEST, NATIVE or FAIL for the unit @in->rec;
 * after WAIT or REQUEST the caller waits, bounded by @act->until, and
 * feeds IN_WAKE or IN_RESPONSE.  An answer to a request whose unit gave
 * up on it is fed with @in->rec AER_PV_NO_REC, returns NONE, and every
 * waiting unit must then be woken.  IN_DONE returns the outcome to report
 * in @act->recovered, and START when an error that waited behind the
 * recovery must now run.  A reset step of a unit that runs no recovery
 * fails: aer-pv never resets what it does not recover.
 */
void aer_pv_step(struct aer_pv_core *core, const struct aer_pv_input *in,
		 u64 now, struct aer_pv_action *act)
{
	struct aer_pv_rec *rec = NULL;

	memset(act, 0, sizeof(*act));
	if (in->rec < AER_PV_MAX_RECS &&
	    core->recs[in->rec].state != AER_PV_IDLE)
		rec = &core->recs[in->rec];

	switch (in->type) {
	case AER_PV_IN_EVENT:
		aer_pv_on_event(core, in, act);
		break;
	case AER_PV_IN_RESET_STEP:
		/* Never a reset nobody asked for: fail instead. */
		if (!rec) {
			act->type = AER_PV_ACT_FAIL;
			act->why = AER_PV_WHY_LOST;
			return;
		}
		if (rec->state != AER_PV_DETECTED)
			return aer_pv_fail(core, rec, AER_PV_WHY_LOST, act);
		rec->kind = in->kind;
		rec->deadline = now + in->timeout_ns;
		aer_pv_decide(core, rec, now, act);
		break;
	case AER_PV_IN_WAKE:
		if (rec && aer_pv_at_reset_step(rec))
			aer_pv_decide(core, rec, now, act);
		break;
	case AER_PV_IN_RESPONSE:
		aer_pv_on_response(core, rec, in, now, act);
		break;
	case AER_PV_IN_DONE:
		if (rec)
			aer_pv_on_done(core, in->rec, in->recovered, act);
		break;
	case AER_PV_IN_FN_GONE:
		aer_pv_on_fn_gone(core, in->fn);
		break;
	case AER_PV_IN_DOWN:
		aer_pv_on_down(core);
		break;
	}
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_step);
