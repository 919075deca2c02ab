// SPDX-License-Identifier: GPL-2.0
/*
 * aer-pv recovery state machine.
 *
 * One entry per function the host named.  An error moves a function from
 * IDLE to DETECTED; the guest's recovery then reaches its reset step,
 * where the host's reset state decides whether it proceeds at once (the
 * host already reset), waits (the host is resetting), asks the host for a
 * reset (the host did not reset), or falls back to the native reset; and
 * the recovery's end returns the function to IDLE.
 *
 * An error reaches the guest by the channel, by an emulated AER message,
 * or both, in either order.  Both carry the host's sequence number (the
 * AER message through a query), so the second one to arrive finds the
 * entry the first one opened and no second recovery starts.
 *
 * A function's host reset is shared with every function of the same error
 * (a link reset resets them all), so reset state changes apply to every
 * busy function with the same reset_seq, wherever it sits in the guest.
 */

#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include <kunit/visibility.h>

#include "fsm.h"
#include "trace.h"

static const char * const aer_pv_state_names[AER_PV_NR_STATES] = {
	[AER_PV_IDLE]		= "idle",
	[AER_PV_DETECTED]	= "detected",
	[AER_PV_WAIT_HOST]	= "wait_host",
	[AER_PV_WAIT_REQ]	= "wait_request",
	[AER_PV_RESUMING]	= "resuming",
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
 * aer_pv_core_init() - start a state machine for a new channel
 * @core: the state machine
 * @reset_timeout_ns: bound on every wait for the host
 * @can_request: whether the host performs resets the guest asks for
 */
void aer_pv_core_init(struct aer_pv_core *core, u64 reset_timeout_ns,
		      bool can_request)
{
	memset(core, 0, sizeof(*core));
	core->reset_timeout_ns = reset_timeout_ns;
	core->can_request = can_request;
	core->up = true;
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_core_init);

/**
 * aer_pv_find() - the entry of a function
 * @core: the state machine
 * @id: the function, as AER_PV_FN_ID()
 *
 * Return: the entry, or NULL if the function is not tracked.
 */
struct aer_pv_dev *aer_pv_find(struct aer_pv_core *core, u32 id)
{
	unsigned int i;

	for (i = 0; i < AER_PV_MAX_DEVS; i++)
		if (core->devs[i].used && core->devs[i].id == id)
			return &core->devs[i];
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_find);

static struct aer_pv_dev *aer_pv_alloc(struct aer_pv_core *core, u32 id)
{
	unsigned int i;

	for (i = 0; i < AER_PV_MAX_DEVS; i++) {
		struct aer_pv_dev *d = &core->devs[i];

		if (!d->used) {
			memset(d, 0, sizeof(*d));
			d->used = true;
			d->id = id;
			return d;
		}
	}
	return NULL;
}

static void aer_pv_set_state(struct aer_pv_dev *d, enum aer_pv_state state)
{
	if (d->state == state)
		return;
	trace_aer_pv_state(d->id, d->seq, d->state, state);
	d->state = state;
}

static void aer_pv_start(struct aer_pv_dev *d, u32 seq, u8 severity,
			 u8 reset, u8 reset_kind, u8 flags)
{
	d->seq = seq;
	d->reset_seq = seq;
	d->severity = severity;
	d->reset = reset;
	d->reset_kind = reset_kind;
	d->flags = flags;
	d->deadline = 0;
	d->stats.errors[severity]++;
	if (reset == VIRTIO_AER_PV_RESET_DONE)
		d->stats.host_resets++;
	aer_pv_set_state(d, AER_PV_DETECTED);
}

static void aer_pv_add_start(struct aer_pv_actions *act,
			     const struct aer_pv_dev *d)
{
	if (act->nr_start >= ARRAY_SIZE(act->start))
		return;
	act->start[act->nr_start++] = d->id;
	act->seq = d->seq;
	act->severity = d->severity;
	act->frozen = aer_pv_frozen(d);
}

/*
 * A reset state only ever moves forward: a late "pending" must not undo a
 * "done" that arrived first.
 */
static void aer_pv_merge_reset(u8 *reset, u8 *kind, u8 new, u8 new_kind)
{
	if (*reset == VIRTIO_AER_PV_RESET_DONE ||
	    *reset == VIRTIO_AER_PV_RESET_FAILED)
		return;
	if (new == VIRTIO_AER_PV_RESET_NONE &&
	    *reset == VIRTIO_AER_PV_RESET_PENDING)
		return;
	*reset = new;
	*kind = new_kind;
}

/*
 * Fold an error into the one pending behind the current recovery.  The
 * pending error is the newest: an older one that arrives late (an AER
 * message's query may overtake the channel) only adds its severity, and
 * its reset when the newer error has none.
 */
static void aer_pv_coalesce(struct aer_pv_dev *d, u32 seq, u8 severity,
			    u8 reset, u8 reset_kind)
{
	if (d->flags & AER_PV_DF_PENDING) {
		bool newer = aer_pv_seq_after(seq, d->pending_seq);

		d->stats.coalesced++;
		d->pending_severity = max(d->pending_severity, severity);
		/* The latest reset in flight is the one to wait for. */
		if (reset != VIRTIO_AER_PV_RESET_NONE &&
		    (newer || d->pending_reset == VIRTIO_AER_PV_RESET_NONE)) {
			d->pending_reset = reset;
			d->pending_reset_kind = reset_kind;
			d->pending_reset_seq = seq;
		} else if (newer &&
			   d->pending_reset == VIRTIO_AER_PV_RESET_NONE) {
			/*
			 * No host reset to wait for: a reset the guest asks
			 * for is for the newest error, the only one the host
			 * still performs a reset for.
			 */
			d->pending_reset_seq = seq;
		}
		if (newer)
			d->pending_seq = seq;
	} else {
		d->flags |= AER_PV_DF_PENDING;
		d->pending_severity = severity;
		d->pending_reset = reset;
		d->pending_reset_kind = reset_kind;
		d->pending_reset_seq = seq;
		d->pending_seq = seq;
	}
	d->stats.errors[severity]++;
}

static enum aer_pv_verdict aer_pv_error_one(struct aer_pv_core *core,
					    const struct aer_pv_event *ev,
					    u32 id, struct aer_pv_actions *act)
{
	struct aer_pv_dev *d = aer_pv_find(core, id);

	if (d && d->seq == ev->seq && (d->flags & AER_PV_DF_AER) &&
	    !(d->flags & AER_PV_DF_EVENT)) {
		/* The AER message came first and opened this error. */
		d->flags |= AER_PV_DF_EVENT;
		d->stats.aer_matched++;
		/*
		 * Past its reset step the recovery acted on what the host
		 * said then; a contradicting late word cannot be undone.
		 */
		if (d->state != AER_PV_RESUMING)
			aer_pv_merge_reset(&d->reset, &d->reset_kind, ev->reset,
					   ev->reset_kind);
		act->wake = true;
		return AER_PV_OK;
	}
	if (d && (d->seq == ev->seq ||
		  ((d->flags & AER_PV_DF_PENDING) && d->pending_seq == ev->seq)))
		return AER_PV_DROP_DUPLICATE;
	if (d && d->seq && !aer_pv_seq_after(ev->seq, d->seq))
		return AER_PV_DROP_STALE;
	if (core->last_seq && !aer_pv_seq_after(ev->seq, core->last_seq))
		return AER_PV_DROP_STALE;
	if (!d && core->fn_exists && !core->fn_exists(id, core->ctx))
		return AER_PV_DROP_NO_DEVICE;
	if (!d)
		d = aer_pv_alloc(core, id);
	if (!d)
		return AER_PV_DROP_TABLE_FULL;

	if (ev->severity == VIRTIO_AER_PV_SEV_CORRECTABLE) {
		/*
		 * No recovery.  When the host also sent the AER message, the
		 * native AER core logs and counts it; otherwise we do.
		 */
		d->stats.errors[VIRTIO_AER_PV_SEV_CORRECTABLE]++;
		if (!(ev->flags & VIRTIO_AER_PV_EVT_F_AER_MSG))
			act->log = true;
		return AER_PV_OK;
	}

	if (aer_pv_busy(d)) {
		aer_pv_coalesce(d, ev->seq, ev->severity, ev->reset,
				ev->reset_kind);
		return AER_PV_OK;
	}

	aer_pv_start(d, ev->seq, ev->severity, ev->reset, ev->reset_kind,
		     AER_PV_DF_EVENT);
	aer_pv_add_start(act, d);
	if (!(ev->flags & VIRTIO_AER_PV_EVT_F_AER_MSG))
		act->log = true;
	return AER_PV_OK;
}

static enum aer_pv_verdict aer_pv_on_error(struct aer_pv_core *core,
					   const struct aer_pv_event *ev,
					   struct aer_pv_actions *act)
{
	enum aer_pv_verdict first = AER_PV_OK, v;
	bool accepted = false;
	unsigned int i;

	for (i = 0; i < ev->nr_funcs && i < ARRAY_SIZE(ev->funcs); i++) {
		v = aer_pv_error_one(core, ev, ev->funcs[i], act);
		if (v == AER_PV_OK)
			accepted = true;
		else if (first == AER_PV_OK)
			first = v;
	}
	if (!accepted)
		return first;
	if (!core->last_seq || aer_pv_seq_after(ev->seq, core->last_seq))
		core->last_seq = ev->seq;
	return AER_PV_OK;
}

/* Apply a reset update to one reset state; the verdict says how it went. */
static enum aer_pv_verdict aer_pv_update_reset(u8 *reset, u8 *kind,
					       const struct aer_pv_event *ev)
{
	if (*reset == ev->reset)
		return AER_PV_DROP_DUPLICATE;
	if (*reset != VIRTIO_AER_PV_RESET_PENDING)
		return AER_PV_DROP_TRANSITION;
	*reset = ev->reset;
	*kind = ev->reset_kind;
	return AER_PV_OK;
}

static enum aer_pv_verdict aer_pv_on_reset(struct aer_pv_core *core,
					   const struct aer_pv_event *ev,
					   struct aer_pv_actions *act)
{
	enum aer_pv_verdict result = AER_PV_DROP_UNKNOWN_SEQ, v;
	unsigned int i;

	for (i = 0; i < AER_PV_MAX_DEVS; i++) {
		struct aer_pv_dev *d = &core->devs[i];

		if (!d->used)
			continue;
		if (aer_pv_busy(d) && d->reset_seq == ev->seq) {
			v = aer_pv_update_reset(&d->reset, &d->reset_kind, ev);
			if (v == AER_PV_OK &&
			    ev->reset == VIRTIO_AER_PV_RESET_DONE)
				d->stats.host_resets++;
		} else if ((d->flags & AER_PV_DF_PENDING) &&
			   d->pending_reset_seq == ev->seq) {
			v = aer_pv_update_reset(&d->pending_reset,
						&d->pending_reset_kind, ev);
		} else {
			continue;
		}
		/* Accepted anywhere wins; otherwise say why not. */
		if (v == AER_PV_OK)
			result = AER_PV_OK;
		else if (result == AER_PV_DROP_UNKNOWN_SEQ)
			result = v;
	}
	if (result == AER_PV_OK)
		act->wake = true;
	return result;
}

/**
 * aer_pv_on_event() - act on a decoded event from the host
 * @core: the state machine
 * @ev: the event, as aer_pv_decode_event() returned it
 * @act: filled in with what the caller must do; zero it first
 *
 * Return: AER_PV_OK when the event changed something, else why not.
 */
enum aer_pv_verdict aer_pv_on_event(struct aer_pv_core *core,
				    const struct aer_pv_event *ev,
				    struct aer_pv_actions *act)
{
	if (!core->up)
		return AER_PV_DROP_UNKNOWN_SEQ;
	switch (ev->type) {
	case VIRTIO_AER_PV_EVT_ERROR:
		return aer_pv_on_error(core, ev, act);
	case VIRTIO_AER_PV_EVT_RESET:
		return aer_pv_on_reset(core, ev, act);
	default:
		return AER_PV_DROP_TYPE;
	}
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_on_event);

/**
 * aer_pv_receive() - validate, decode and act on bytes the host sent
 * @core: the state machine
 * @buf: the event buffer
 * @len: the length the device reported
 * @ev: filled in with the decoded event (its type and seq even if dropped)
 * @act: filled in with what the caller must do
 *
 * Every message is counted under its verdict, accepted or not.
 *
 * Return: AER_PV_OK, or why the message was dropped.
 */
enum aer_pv_verdict aer_pv_receive(struct aer_pv_core *core, const void *buf,
				   size_t len, struct aer_pv_event *ev,
				   struct aer_pv_actions *act)
{
	enum aer_pv_verdict v;

	memset(act, 0, sizeof(*act));
	v = aer_pv_decode_event(buf, len, ev);
	if (v == AER_PV_OK)
		v = aer_pv_on_event(core, ev, act);
	core->verdicts[v]++;
	trace_aer_pv_message(ev->type, ev->seq, v);
	return v;
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_receive);

/**
 * aer_pv_on_aer() - the guest's AER core received an uncorrectable error
 * @core: the state machine
 * @id: the function that the AER message names
 *
 * Return: CLAIM when the error belongs to a recovery already under way,
 * QUERY when only the host can tell, NATIVE without a channel.
 */
enum aer_pv_aer_verdict aer_pv_on_aer(struct aer_pv_core *core, u32 id)
{
	struct aer_pv_dev *d;

	if (!core->up)
		return AER_PV_AER_NATIVE;
	d = aer_pv_find(core, id);
	if (d && aer_pv_busy(d)) {
		if (!(d->flags & AER_PV_DF_AER)) {
			d->flags |= AER_PV_DF_AER;
			d->stats.aer_matched++;
		}
		return AER_PV_AER_CLAIM;
	}
	return AER_PV_AER_QUERY;
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_on_aer);

/**
 * aer_pv_on_query() - the host answered which error an AER message is
 * @core: the state machine
 * @id: the function
 * @severity: VIRTIO_AER_PV_SEV_* of the AER message
 * @resp: the host's answer, or NULL if none came in time
 *
 * Return: NATIVE when the host does not manage the function or knows no
 * error on it; CLAIM when the error is one already handled; JOIN when it
 * is a new error, which the caller now recovers (with the host's reset).
 */
enum aer_pv_aer_verdict aer_pv_on_query(struct aer_pv_core *core, u32 id,
					u8 severity,
					const struct aer_pv_response *resp)
{
	struct aer_pv_dev *d;

	if (!core->up || !resp || resp->status != VIRTIO_AER_PV_S_OK ||
	    !resp->seq)
		return AER_PV_AER_NATIVE;

	d = aer_pv_find(core, id);
	if (d && (d->seq == resp->seq ||
		  ((d->flags & AER_PV_DF_PENDING) &&
		   d->pending_seq == resp->seq))) {
		/* The channel event came first: this is its echo. */
		if (!(d->flags & AER_PV_DF_AER)) {
			d->flags |= AER_PV_DF_AER;
			d->stats.aer_matched++;
		}
		return AER_PV_AER_CLAIM;
	}
	if ((d && d->seq && !aer_pv_seq_after(resp->seq, d->seq)) ||
	    (core->last_seq && !aer_pv_seq_after(resp->seq, core->last_seq))) {
		/* Older than what was handled: never a second recovery. */
		core->verdicts[AER_PV_DROP_STALE]++;
		return AER_PV_AER_CLAIM;
	}
	if (!d)
		d = aer_pv_alloc(core, id);
	if (!d) {
		core->verdicts[AER_PV_DROP_TABLE_FULL]++;
		return AER_PV_AER_NATIVE;
	}
	severity = max(severity, resp->severity);
	if (aer_pv_busy(d)) {
		/* Raced with a channel event of an older error. */
		aer_pv_coalesce(d, resp->seq, severity, resp->reset,
				resp->reset_kind);
		d->flags |= AER_PV_DF_AER;
		return AER_PV_AER_CLAIM;
	}
	aer_pv_start(d, resp->seq, severity, resp->reset, resp->reset_kind,
		     AER_PV_DF_AER);
	return AER_PV_AER_JOIN;
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_on_query);

/*
 * Is @g in a recovery that waits on the same host reset, in the same
 * state, as the function a group operation started from?  A host may
 * report one error inconsistently; a function whose record disagrees is
 * left to its own wait rather than carried along.
 */
static bool aer_pv_reset_peer(const struct aer_pv_dev *g, u32 reset_seq,
			      u8 reset)
{
	return g->used && aer_pv_busy(g) && g->reset_seq == reset_seq &&
	       g->reset == reset;
}

/* Move every busy function sharing @d's host reset from @from to @to. */
static void aer_pv_group_state(struct aer_pv_core *core,
			       const struct aer_pv_dev *d, unsigned int from,
			       enum aer_pv_state to)
{
	u32 reset_seq = d->reset_seq;
	u8 reset = d->reset;
	unsigned int i;

	for (i = 0; i < AER_PV_MAX_DEVS; i++) {
		struct aer_pv_dev *g = &core->devs[i];

		if (!aer_pv_reset_peer(g, reset_seq, reset) ||
		    !(BIT(g->state) & from))
			continue;
		/*
		 * A peer whose own record still has the reset in flight stays
		 * put: a host may report one error inconsistently, and the
		 * guest must not touch a device it believes is being reset.
		 */
		if (to == AER_PV_RESUMING && g->reset != VIRTIO_AER_PV_RESET_DONE &&
		    !(g->flags & AER_PV_DF_FALLBACK))
			continue;
		if (to == AER_PV_RESUMING && g->state == AER_PV_WAIT_HOST)
			g->stats.resets_avoided++;
		if (to == AER_PV_RESUMING && g->state == AER_PV_DETECTED &&
		    g->reset == VIRTIO_AER_PV_RESET_DONE)
			g->stats.resets_avoided++;
		aer_pv_set_state(g, to);
	}
}

/*
 * A function that holds @reset_seq's error as its pending one, behind the
 * recovery of an older error, learns how a reset requested for that error
 * ended, so that it does not ask for it again when its turn comes.
 */
static void aer_pv_pending_mark(struct aer_pv_dev *g, u32 reset_seq,
				int reset, u8 reset_kind)
{
	if (reset < 0 || !g->used || !(g->flags & AER_PV_DF_PENDING) ||
	    g->pending_reset_seq != reset_seq ||
	    g->pending_reset != VIRTIO_AER_PV_RESET_NONE)
		return;
	g->pending_reset = reset;
	g->pending_reset_kind = reset_kind;
}

/* Set flags, and optionally a reset state, on @d's whole reset group. */
static void aer_pv_group_mark(struct aer_pv_core *core,
			      const struct aer_pv_dev *d, u8 flags, int reset,
			      u8 reset_kind, u64 deadline)
{
	u32 reset_seq = d->reset_seq;
	u8 old = d->reset;
	unsigned int i;

	for (i = 0; i < AER_PV_MAX_DEVS; i++) {
		struct aer_pv_dev *g = &core->devs[i];

		aer_pv_pending_mark(g, reset_seq, reset, reset_kind);
		if (!aer_pv_reset_peer(g, reset_seq, old))
			continue;
		g->flags |= flags;
		if (reset >= 0) {
			g->reset = reset;
			g->reset_kind = reset_kind;
		}
		if (deadline)
			g->deadline = deadline;
	}
}

#define AER_PV_BEFORE_RESUME \
	(BIT(AER_PV_DETECTED) | BIT(AER_PV_WAIT_HOST) | BIT(AER_PV_WAIT_REQ))

/* The reset is done: every function waiting on it resumes. */
static enum aer_pv_decision aer_pv_resume_group(struct aer_pv_core *core,
						struct aer_pv_dev *d)
{
	aer_pv_group_state(core, d, AER_PV_BEFORE_RESUME, AER_PV_RESUMING);
	return AER_PV_PROCEED;
}

/* The host cannot reset: every function waiting resumes after a native one. */
static enum aer_pv_decision aer_pv_fall_back(struct aer_pv_core *core,
					     struct aer_pv_dev *d)
{
	d->stats.native_resets++;
	aer_pv_group_mark(core, d, AER_PV_DF_FALLBACK, -1, 0, 0);
	aer_pv_group_state(core, d, AER_PV_BEFORE_RESUME, AER_PV_RESUMING);
	return AER_PV_FALLBACK;
}

/*
 * The common decision of the reset step and of every wake-up after it,
 * from the host's reset state.
 */
static enum aer_pv_decision aer_pv_decide(struct aer_pv_core *core,
					  struct aer_pv_dev *d, u64 now)
{
	if (d->flags & (AER_PV_DF_LOST | AER_PV_DF_TIMEDOUT))
		return AER_PV_FAIL;

	switch (d->reset) {
	case VIRTIO_AER_PV_RESET_DONE:
		return aer_pv_resume_group(core, d);
	case VIRTIO_AER_PV_RESET_FAILED:
		return AER_PV_FAIL;
	case VIRTIO_AER_PV_RESET_PENDING:
		if (d->state == AER_PV_DETECTED) {
			aer_pv_group_mark(core, d, 0, -1, 0,
					  now + core->reset_timeout_ns);
			aer_pv_group_state(core, d, BIT(AER_PV_DETECTED),
					   AER_PV_WAIT_HOST);
		}
		break;
	default:	/* VIRTIO_AER_PV_RESET_NONE: the host did not reset */
		if (d->flags & AER_PV_DF_FALLBACK) {
			aer_pv_group_state(core, d, AER_PV_BEFORE_RESUME,
					   AER_PV_RESUMING);
			return AER_PV_FALLBACK;
		}
		if (d->flags & AER_PV_DF_REQUESTED)
			break;
		if (!core->can_request)
			return aer_pv_fall_back(core, d);
		d->stats.reset_requests++;
		aer_pv_group_mark(core, d, AER_PV_DF_REQUESTED, -1, 0,
				  now + core->reset_timeout_ns);
		aer_pv_group_state(core, d, BIT(AER_PV_DETECTED),
				   AER_PV_WAIT_REQ);
		return AER_PV_REQUEST;
	}

	if (now >= d->deadline) {
		aer_pv_group_mark(core, d, AER_PV_DF_TIMEDOUT, -1, 0, 0);
		d->stats.timeouts++;
		return AER_PV_FAIL;
	}
	return AER_PV_WAIT;
}

/**
 * aer_pv_reset_step() - a recovery reached its reset step
 * @core: the state machine
 * @id: a function under the bridge being recovered
 * @now: the current time, ns
 *
 * Return: NATIVE if the function is not under recovery here; otherwise
 * what the reset step must do.  After WAIT or REQUEST the caller waits,
 * bounded, and asks again with aer_pv_wait_check().
 */
enum aer_pv_decision aer_pv_reset_step(struct aer_pv_core *core, u32 id,
				       u64 now)
{
	struct aer_pv_dev *d = aer_pv_find(core, id);

	if (!d || !aer_pv_busy(d))
		return AER_PV_NATIVE;
	return aer_pv_decide(core, d, now);
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_reset_step);

/**
 * aer_pv_wait_check() - ask again after a wait or a wake-up
 * @core: the state machine
 * @id: the function passed to aer_pv_reset_step()
 * @now: the current time, ns
 *
 * Return: WAIT while the host's reset is in flight and time remains;
 * FAIL once the function is gone, the channel is gone, the reset failed
 * or the wait ran out.
 */
enum aer_pv_decision aer_pv_wait_check(struct aer_pv_core *core, u32 id,
				       u64 now)
{
	struct aer_pv_dev *d = aer_pv_find(core, id);
	enum aer_pv_decision dec;

	if (!d || !aer_pv_busy(d))
		return AER_PV_FAIL;
	dec = aer_pv_decide(core, d, now);
	/* Only the first caller may send the request. */
	return dec == AER_PV_REQUEST ? AER_PV_WAIT : dec;
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_wait_check);

/**
 * aer_pv_request_done() - the host answered a reset request
 * @core: the state machine
 * @id: the function the reset was requested for
 * @resp: the answer, or NULL if none came in time
 *
 * Return: PROCEED when the host reset the device, FALLBACK when it cannot
 * (the caller does the native reset), FAIL otherwise.
 */
enum aer_pv_decision aer_pv_request_done(struct aer_pv_core *core, u32 id,
					 const struct aer_pv_response *resp)
{
	struct aer_pv_dev *d = aer_pv_find(core, id);

	if (!d || !aer_pv_busy(d) || (d->flags & AER_PV_DF_LOST))
		return AER_PV_FAIL;

	/*
	 * The host announced a reset of its own while the request was out:
	 * follow that reset, whatever the request's answer, so that the
	 * guest never resets natively while the host resets.
	 */
	switch (d->reset) {
	case VIRTIO_AER_PV_RESET_DONE:
		return aer_pv_resume_group(core, d);
	case VIRTIO_AER_PV_RESET_FAILED:
		return AER_PV_FAIL;
	case VIRTIO_AER_PV_RESET_PENDING:
		return AER_PV_WAIT;
	}

	if (!resp) {
		d->stats.timeouts++;
		aer_pv_group_mark(core, d, 0, VIRTIO_AER_PV_RESET_FAILED, 0, 0);
		return AER_PV_FAIL;
	}
	switch (resp->status) {
	case VIRTIO_AER_PV_S_OK:
		d->stats.host_resets++;
		aer_pv_group_mark(core, d, 0, VIRTIO_AER_PV_RESET_DONE,
				  resp->reset_kind, 0);
		return aer_pv_resume_group(core, d);
	case VIRTIO_AER_PV_S_UNSUPPORTED:
	case VIRTIO_AER_PV_S_NOT_MANAGED:
		return aer_pv_fall_back(core, d);
	default:
		aer_pv_group_mark(core, d, 0, VIRTIO_AER_PV_RESET_FAILED, 0, 0);
		return AER_PV_FAIL;
	}
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_request_done);

/**
 * aer_pv_recovery_done() - a recovery of a function ended
 * @core: the state machine
 * @id: the function
 * @recovered: true if it ended in resume, false for perm_failure
 * @act: filled in with a recovery to start for an error that waited
 */
void aer_pv_recovery_done(struct aer_pv_core *core, u32 id, bool recovered,
			  struct aer_pv_actions *act)
{
	struct aer_pv_dev *d = aer_pv_find(core, id);

	memset(act, 0, sizeof(*act));
	if (!d || !aer_pv_busy(d))
		return;

	if (recovered)
		d->stats.recovered++;
	else
		d->stats.failed++;
	aer_pv_set_state(d, AER_PV_IDLE);

	if (d->flags & AER_PV_DF_GONE) {
		memset(d, 0, sizeof(*d));
		return;
	}
	if ((d->flags & AER_PV_DF_PENDING) && core->up) {
		/* The error that waited now gets its own recovery. */
		d->seq = d->pending_seq;
		d->reset_seq = d->pending_reset_seq;
		d->severity = d->pending_severity;
		d->reset = d->pending_reset;
		d->reset_kind = d->pending_reset_kind;
		d->flags = AER_PV_DF_EVENT;
		d->deadline = 0;
		aer_pv_set_state(d, AER_PV_DETECTED);
		aer_pv_add_start(act, d);
		return;
	}
	d->flags &= AER_PV_DF_EVENT | AER_PV_DF_AER;
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_recovery_done);

/**
 * aer_pv_channel_down() - the channel is going away
 * @core: the state machine
 *
 * Every recovery in progress fails at its next step; nothing new starts.
 * The caller wakes every waiter.
 */
void aer_pv_channel_down(struct aer_pv_core *core)
{
	unsigned int i;

	core->up = false;
	for (i = 0; i < AER_PV_MAX_DEVS; i++) {
		struct aer_pv_dev *d = &core->devs[i];

		if (!d->used)
			continue;
		d->flags &= ~AER_PV_DF_PENDING;
		if (aer_pv_busy(d))
			d->flags |= AER_PV_DF_LOST;
	}
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_channel_down);

/**
 * aer_pv_dev_removed() - a function left the guest
 * @core: the state machine
 * @id: the function
 *
 * A recovery in progress fails at its next step and the entry is freed
 * when it ends; an idle entry is freed at once.
 */
void aer_pv_dev_removed(struct aer_pv_core *core, u32 id)
{
	struct aer_pv_dev *d = aer_pv_find(core, id);

	if (!d)
		return;
	if (aer_pv_busy(d)) {
		d->flags |= AER_PV_DF_LOST | AER_PV_DF_GONE;
		d->flags &= ~AER_PV_DF_PENDING;
	} else {
		memset(d, 0, sizeof(*d));
	}
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_dev_removed);
