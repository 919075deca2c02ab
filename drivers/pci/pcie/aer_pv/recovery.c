// SPDX-License-Identifier: GPL-2.0
/*
 * aer-pv recovery: runs the PCI error recovery sequence of the AER core
 * (pcie_do_recovery()) for errors the host reports, with a reset step that
 * follows the host instead of resetting the link a second time.
 *
 * All decisions are made by the state machine in fsm.c; this file only
 * turns them into PCI calls, waits and messages.  Every wait is bounded by
 * the reset timeout, and every path out of a wait ends the recovery the
 * native way: resume, or perm_failure.
 */

#define pr_fmt(fmt) "aer_pv: " fmt
#define dev_fmt(fmt) "AER: aer-pv: " fmt

#include <linux/aer.h>
#include <linux/aer_pv.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/refcount.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "../../pci.h"
#include "aer_pv.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

#define AER_PV_TIMEOUT_MIN_MS		100
#define AER_PV_QUERY_TIMEOUT_MS		1000

static unsigned int reset_timeout_ms = 10000;

static int aer_pv_set_timeout(const char *val, const struct kernel_param *kp)
{
	unsigned int ms;
	int ret;

	ret = kstrtouint(val, 0, &ms);
	if (ret)
		return ret;
	if (ms < AER_PV_TIMEOUT_MIN_MS ||
	    ms > VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS) {
		pr_err("reset_timeout_ms must be %u..%u, not %u\n",
		       AER_PV_TIMEOUT_MIN_MS,
		       VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS, ms);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = ms;
	return 0;
}

static const struct kernel_param_ops aer_pv_timeout_ops = {
	.set = aer_pv_set_timeout,
	.get = param_get_uint,
};
module_param_cb(reset_timeout_ms, &aer_pv_timeout_ops, &reset_timeout_ms,
		0644);
MODULE_PARM_DESC(reset_timeout_ms,
		 "Longest wait for the host's reset, in ms (100..300000, default 10000; the host's own bound, if lower, wins)");

/*
 * The most runs alive at once: one per function in recovery on the list,
 * plus one finishing off the list in each context that runs them (the
 * workqueue's AER_PV_MAX_DEVS workers and the AER interrupt thread).
 * With the channel itself it bounds the core's memory.
 */
#define AER_PV_MAX_RUNS		(2 * AER_PV_MAX_DEVS + 1)

/* One pcie_do_recovery() under one bridge, for the functions listed. */
struct aer_pv_run {
	struct list_head node;
	struct work_struct work;
	struct aer_pv_channel *ch;
	struct pci_dev *pdev;		/* representative function */
	struct pci_dev *bridge;
	u32 seq;
	u8 severity;
	bool frozen;			/* pci_channel_io_frozen */
	unsigned int nr;
	u32 ids[VIRTIO_AER_PV_MAX_FUNCS];
};

struct aer_pv_channel {
	struct mutex lock;		/* protects core, runs, sysfs_devs */
	struct aer_pv_core core;
	struct list_head runs;
	unsigned int nr_runs;		/* allocated, on the list or not */
	unsigned int peak_runs;
	struct pci_dev *sysfs_devs[AER_PV_MAX_DEVS];

	wait_queue_head_t waitq;
	atomic_t gen;			/* bumped on every change to wait on */

	struct aer_pv_channel_info info;
	unsigned int timeout_ms;	/* effective bound on waits */
	struct workqueue_struct *wq;
	struct notifier_block nb;
	refcount_t users;
	struct completion released;
};

static struct aer_pv_channel *aer_pv_chan;
static DEFINE_SPINLOCK(aer_pv_chan_lock);

static struct aer_pv_channel *aer_pv_get(void)
{
	struct aer_pv_channel *ch;

	spin_lock(&aer_pv_chan_lock);
	ch = aer_pv_chan;
	if (ch)
		refcount_inc(&ch->users);
	spin_unlock(&aer_pv_chan_lock);
	return ch;
}

static void aer_pv_put(struct aer_pv_channel *ch)
{
	if (refcount_dec_and_test(&ch->users))
		complete(&ch->released);
}

static void aer_pv_wake(struct aer_pv_channel *ch)
{
	atomic_inc(&ch->gen);
	wake_up_all(&ch->waitq);
}

static u32 aer_pv_id(struct pci_dev *pdev)
{
	return AER_PV_FN_ID(pci_domain_nr(pdev->bus), pdev->bus->number,
			    pdev->devfn);
}

static struct pci_dev *aer_pv_pdev(u32 id)
{
	return pci_get_domain_bus_and_slot(AER_PV_FN_SEG(id), AER_PV_FN_BUS(id),
					   AER_PV_FN_DEVFN(id));
}

static bool aer_pv_fn_exists(u32 id, void *ctx)
{
	struct pci_dev *pdev = aer_pv_pdev(id);

	pci_dev_put(pdev);
	return pdev;
}

/* The device pcie_do_recovery() walks from, computed the way it does. */
static struct pci_dev *aer_pv_recovery_bridge(struct pci_dev *pdev)
{
	int type = pci_pcie_type(pdev);

	if (type == PCI_EXP_TYPE_ROOT_PORT || type == PCI_EXP_TYPE_DOWNSTREAM ||
	    type == PCI_EXP_TYPE_RC_EC || type == PCI_EXP_TYPE_RC_END)
		return pdev;
	return pci_upstream_bridge(pdev) ?: pdev;
}

static u64 aer_pv_now(void)
{
	return ktime_get_ns();
}

static void aer_pv_report(struct aer_pv_channel *ch, u32 seq, u32 id, u8 phase)
{
	struct virtio_aer_pv_request req;

	aer_pv_encode_request(&req, VIRTIO_AER_PV_REQ_PHASE, seq, id, phase);
	ch->info.ops->report(ch->info.priv, &req);
}

/* Send a request and validate the answer; false if there is none to trust. */
static bool aer_pv_request(struct aer_pv_channel *ch, u16 type, u32 seq,
			   u32 id, u8 arg, unsigned int timeout_ms,
			   struct aer_pv_response *resp)
{
	struct virtio_aer_pv_response wire;
	struct virtio_aer_pv_request req;
	enum aer_pv_verdict v;
	int ret;

	aer_pv_encode_request(&req, type, seq, id, arg);
	ret = ch->info.ops->request(ch->info.priv, &req, &wire, timeout_ms);
	if (ret) {
		dev_warn_ratelimited(ch->info.dev,
				     "request %u (seq %u) got no response: %d\n",
				     type, seq, ret);
		return false;
	}
	v = aer_pv_decode_response(type, &wire, sizeof(wire), resp);
	if (v) {
		mutex_lock(&ch->lock);
		ch->core.verdicts[v]++;
		mutex_unlock(&ch->lock);
		dev_warn_ratelimited(ch->info.dev,
				     "dropped malformed response to request %u: %s\n",
				     type, aer_pv_verdict_name(v));
		return false;
	}
	return true;
}

static void aer_pv_sysfs_add(struct aer_pv_channel *ch, struct pci_dev *pdev)
{
	unsigned int i, free = AER_PV_MAX_DEVS;

	lockdep_assert_held(&ch->lock);
	for (i = 0; i < AER_PV_MAX_DEVS; i++) {
		if (ch->sysfs_devs[i] == pdev)
			return;
		if (!ch->sysfs_devs[i] && free == AER_PV_MAX_DEVS)
			free = i;
	}
	if (free == AER_PV_MAX_DEVS)
		return;
	if (sysfs_create_group(&pdev->dev.kobj, &aer_pv_dev_group))
		return;
	ch->sysfs_devs[free] = pci_dev_get(pdev);
}

/*
 * Take @pdev (or, for NULL, every device) off the sysfs list under the
 * lock; the caller removes the groups after dropping it, because a sysfs
 * read in progress takes the same lock and removal waits for it.
 */
static unsigned int aer_pv_sysfs_take(struct aer_pv_channel *ch,
				      struct pci_dev *pdev,
				      struct pci_dev **out)
{
	unsigned int i, n = 0;

	lockdep_assert_held(&ch->lock);
	for (i = 0; i < AER_PV_MAX_DEVS; i++) {
		struct pci_dev *d = ch->sysfs_devs[i];

		if (!d || (pdev && d != pdev))
			continue;
		out[n++] = d;
		ch->sysfs_devs[i] = NULL;
	}
	return n;
}

static void aer_pv_sysfs_remove(struct pci_dev **devs, unsigned int n)
{
	while (n--) {
		sysfs_remove_group(&devs[n]->dev.kobj, &aer_pv_dev_group);
		pci_dev_put(devs[n]);
	}
}

static const char *aer_pv_reset_name(u8 reset)
{
	switch (reset) {
	case VIRTIO_AER_PV_RESET_NONE:
		return "none";
	case VIRTIO_AER_PV_RESET_PENDING:
		return "in progress";
	case VIRTIO_AER_PV_RESET_DONE:
		return "done";
	default:
		return "failed";
	}
}

/* A bridge that aer-pv currently recovers, and one of its busy functions. */
struct aer_pv_find_ctx {
	struct aer_pv_channel *ch;
	struct pci_dev *pdev;
	u32 id;
};

/*
 * Under one bridge, a function may still be finishing the recovery of an
 * older error (resuming) while another reaches the reset step of a newer
 * one: the reset step belongs to a function that has not passed it yet.
 */
static int aer_pv_find_busy_cb(struct pci_dev *pdev, void *data)
{
	struct aer_pv_find_ctx *ctx = data;
	struct aer_pv_dev *d = aer_pv_find(&ctx->ch->core, aer_pv_id(pdev));

	if (!d || !aer_pv_busy(d))
		return 0;
	if (!ctx->pdev || d->state != AER_PV_RESUMING) {
		ctx->pdev = pdev;
		ctx->id = d->id;
	}
	return d->state != AER_PV_RESUMING;
}

static bool aer_pv_find_busy(struct aer_pv_channel *ch, struct pci_dev *bridge,
			     struct aer_pv_find_ctx *ctx)
{
	ctx->ch = ch;
	ctx->pdev = NULL;
	mutex_lock(&ch->lock);
	if (bridge->subordinate)
		pci_walk_bus(bridge->subordinate, aer_pv_find_busy_cb, ctx);
	else
		aer_pv_find_busy_cb(bridge, ctx);
	mutex_unlock(&ch->lock);
	return ctx->pdev;
}

/* The native reset, for when the host cannot do it. */
static pci_ers_result_t aer_pv_native_reset(struct pci_dev *bridge)
{
	int rc;

	if (bridge->subordinate) {
		rc = pci_bus_error_reset(bridge);
		pci_info(bridge, "host cannot reset, link has been reset (%d)\n",
			 rc);
	} else {
		rc = pcie_reset_flr(bridge, PCI_RESET_DO_RESET);
		pci_info(bridge, "host cannot reset, function reset (%d)\n", rc);
	}
	return rc ? PCI_ERS_RESULT_DISCONNECT : PCI_ERS_RESULT_RECOVERED;
}

static void aer_pv_log_failure(struct aer_pv_channel *ch,
			       struct pci_dev *bridge,
			       const struct aer_pv_dev *d)
{
	if (d->flags & AER_PV_DF_TIMEDOUT)
		pci_err(bridge, "host reset did not complete within %u ms (seq %u)\n",
			ch->timeout_ms, d->seq);
	else if (d->flags & AER_PV_DF_LOST)
		pci_err(bridge, "channel or device gone during recovery (seq %u)\n",
			d->seq);
	else
		pci_err(bridge, "host reset failed (seq %u)\n", d->seq);
}

/*
 * Copy @id's entry as the decision just taken under the same lock saw it:
 * what the step does next (the error a reset request names) must be what
 * the decision was made for, not what a concurrent event made of it since.
 */
static void aer_pv_snap(struct aer_pv_channel *ch, u32 id,
			struct aer_pv_dev *snap)
{
	struct aer_pv_dev *d = aer_pv_find(&ch->core, id);

	lockdep_assert_held(&ch->lock);
	if (d)
		*snap = *d;
}

/*
 * The reset step of a recovery that aer-pv owns: loop on the state
 * machine's decision until it is final.  Every wait ends by the deadline
 * the state machine set.
 */
static pci_ers_result_t aer_pv_reset_step_wait(struct aer_pv_channel *ch,
					       struct pci_dev *bridge,
					       struct pci_dev *pdev, u32 id,
					       enum aer_pv_decision dec,
					       struct aer_pv_dev *snap_in)
{
	struct aer_pv_dev snap = *snap_in;
	struct aer_pv_response resp;
	bool reported = false, ok;
	u64 now;
	u8 kind;
	int gen;

	for (;;) {
		switch (dec) {
		case AER_PV_PROCEED:
			pci_info(bridge, "link reset skipped: host reset %s (seq %u)\n",
				 snap.reset == VIRTIO_AER_PV_RESET_DONE ?
				 "done" : "not needed", snap.seq);
			return PCI_ERS_RESULT_RECOVERED;
		case AER_PV_FALLBACK:
			return aer_pv_native_reset(bridge);
		case AER_PV_FAIL:
			aer_pv_log_failure(ch, bridge, &snap);
			return PCI_ERS_RESULT_DISCONNECT;
		case AER_PV_NATIVE:
			return aer_pv_native_reset(bridge);
		case AER_PV_REQUEST:
			kind = pdev->is_virtfn ? VIRTIO_AER_PV_RESET_KIND_FUNCTION :
						 VIRTIO_AER_PV_RESET_KIND_LINK;
			pci_info(bridge, "requesting %s reset from host (seq %u)\n",
				 kind == VIRTIO_AER_PV_RESET_KIND_LINK ?
				 "link" : "function", snap.reset_seq);
			aer_pv_report(ch, snap.reset_seq, id,
				      VIRTIO_AER_PV_PHASE_RESET_WAIT);
			ok = aer_pv_request(ch, VIRTIO_AER_PV_REQ_RESET,
					    snap.reset_seq, id, kind,
					    ch->timeout_ms, &resp);
			mutex_lock(&ch->lock);
			dec = aer_pv_request_done(&ch->core, id,
						  ok ? &resp : NULL);
			aer_pv_snap(ch, id, &snap);
			mutex_unlock(&ch->lock);
			aer_pv_wake(ch);
			continue;
		case AER_PV_WAIT:
			if (!reported) {
				pci_info(bridge, "waiting for host reset (seq %u, %s)\n",
					 snap.seq, aer_pv_reset_name(snap.reset));
				aer_pv_report(ch, snap.seq, id,
					      VIRTIO_AER_PV_PHASE_RESET_WAIT);
				reported = true;
			}
			gen = atomic_read(&ch->gen);
			mutex_lock(&ch->lock);
			now = aer_pv_now();
			dec = aer_pv_wait_check(&ch->core, id, now);
			aer_pv_snap(ch, id, &snap);
			mutex_unlock(&ch->lock);
			if (dec != AER_PV_WAIT)
				continue;
			wait_event_timeout(ch->waitq, atomic_read(&ch->gen) != gen,
					   nsecs_to_jiffies(snap.deadline > now ?
							    snap.deadline - now : 0) + 1);
			mutex_lock(&ch->lock);
			dec = aer_pv_wait_check(&ch->core, id, aer_pv_now());
			aer_pv_snap(ch, id, &snap);
			mutex_unlock(&ch->lock);
			continue;
		}
	}
}

/**
 * aer_pv_reset_link() - reset step for a bridge, if the host owns it
 * @bridge: the Root Port, Downstream Port, RCEC or RCiEP being recovered
 * @result: the outcome of the reset step, when this returns true
 *
 * Called from the AER core's reset callback.  When a function under
 * @bridge is in a recovery the host coordinates, this does what the host's
 * reset state calls for (skip, wait, request, or fall back) instead of
 * the native link reset.
 *
 * Return: true if aer-pv handled the reset step, false for the native one.
 */
bool aer_pv_reset_link(struct pci_dev *bridge, pci_ers_result_t *result)
{
	struct aer_pv_find_ctx ctx;
	struct aer_pv_channel *ch;
	enum aer_pv_decision dec;
	struct aer_pv_dev snap = {};
	struct pci_dev *pdev;

	ch = aer_pv_get();
	if (!ch)
		return false;
	if (!aer_pv_find_busy(ch, bridge, &ctx)) {
		aer_pv_put(ch);
		return false;
	}
	pdev = pci_dev_get(ctx.pdev);
	mutex_lock(&ch->lock);
	dec = aer_pv_reset_step(&ch->core, ctx.id, aer_pv_now());
	aer_pv_snap(ch, ctx.id, &snap);
	mutex_unlock(&ch->lock);
	if (dec == AER_PV_NATIVE) {
		pci_dev_put(pdev);
		aer_pv_put(ch);
		return false;
	}
	*result = aer_pv_reset_step_wait(ch, bridge, pdev, ctx.id, dec, &snap);
	pci_dev_put(pdev);
	aer_pv_put(ch);
	return true;
}

/**
 * aer_pv_reset_nonfatal() - reset for a non-fatal error a driver escalated
 * @bridge: the bridge being recovered
 *
 * Called by pcie_do_recovery() when a driver answers a non-fatal error
 * with PCI_ERS_RESULT_NEED_RESET.  For a host-managed function the host is
 * asked for the reset; otherwise nothing is done, as upstream.
 *
 * Return: PCI_ERS_RESULT_RECOVERED to go on with slot_reset, anything
 * else to fail the recovery.
 */
pci_ers_result_t aer_pv_reset_nonfatal(struct pci_dev *bridge)
{
	pci_ers_result_t result;

	if (aer_pv_reset_link(bridge, &result))
		return result;
	return PCI_ERS_RESULT_RECOVERED;
}

static pci_ers_result_t aer_pv_reset_subordinates(struct pci_dev *bridge)
{
	pci_ers_result_t result;

	if (aer_pv_reset_link(bridge, &result))
		return result;
	return aer_pv_native_reset(bridge);
}

static void aer_pv_start_runs(struct aer_pv_channel *ch,
			      const struct aer_pv_actions *act);

static void aer_pv_recover(struct aer_pv_run *run)
{
	struct aer_pv_channel *ch = run->ch;
	struct aer_pv_actions act;
	pci_ers_result_t status;
	unsigned int i, nr;
	u32 ids[VIRTIO_AER_PV_MAX_FUNCS];
	bool ok;

	pci_info(run->pdev, "%s error recovery in step with the host (seq %u%s)\n",
		 run->severity == VIRTIO_AER_PV_SEV_FATAL ? "fatal" : "non-fatal",
		 run->seq, run->severity != VIRTIO_AER_PV_SEV_FATAL &&
		 run->frozen ? ", host resets: frozen" : "");
	aer_pv_report(ch, run->seq, aer_pv_id(run->pdev),
		      VIRTIO_AER_PV_PHASE_DETECTED);

	status = pcie_do_recovery(run->pdev,
				  run->frozen ? pci_channel_io_frozen :
						pci_channel_io_normal,
				  aer_pv_reset_subordinates);
	ok = status == PCI_ERS_RESULT_RECOVERED;

	mutex_lock(&ch->lock);
	list_del(&run->node);
	nr = run->nr;
	memcpy(ids, run->ids, sizeof(ids));
	mutex_unlock(&ch->lock);

	for (i = 0; i < nr; i++) {
		aer_pv_report(ch, run->seq, ids[i],
			      ok ? VIRTIO_AER_PV_PHASE_RECOVERED :
				   VIRTIO_AER_PV_PHASE_FAILED);
		mutex_lock(&ch->lock);
		aer_pv_recovery_done(&ch->core, ids[i], ok, &act);
		mutex_unlock(&ch->lock);
		if (act.nr_start)
			aer_pv_start_runs(ch, &act);
	}
	aer_pv_wake(ch);
}

static void aer_pv_run_free(struct aer_pv_run *run)
{
	struct aer_pv_channel *ch = run->ch;

	pci_dev_put(run->pdev);
	kfree(run);
	mutex_lock(&ch->lock);
	ch->nr_runs--;
	mutex_unlock(&ch->lock);
}

static void aer_pv_run_work(struct work_struct *work)
{
	struct aer_pv_run *run = container_of(work, struct aer_pv_run, work);
	struct aer_pv_channel *ch = run->ch;

	aer_pv_recover(run);
	aer_pv_run_free(run);
	aer_pv_put(ch);
}

/*
 * Add @id to the run already recovering its bridge, or make a new run.
 * pcie_do_recovery() walks everything under a bridge, so one run per
 * bridge covers every function of an error there.
 */
static struct aer_pv_run *aer_pv_add_to_run(struct aer_pv_channel *ch,
					    struct pci_dev *pdev, u32 id,
					    u32 seq, u8 severity, bool frozen)
{
	struct pci_dev *bridge = aer_pv_recovery_bridge(pdev);
	struct aer_pv_run *run;

	lockdep_assert_held(&ch->lock);
	list_for_each_entry(run, &ch->runs, node) {
		if (run->bridge != bridge || run->nr >= ARRAY_SIZE(run->ids))
			continue;
		run->ids[run->nr++] = id;
		return NULL;
	}
	if (ch->nr_runs >= AER_PV_MAX_RUNS)
		return ERR_PTR(-ENOSPC);
	run = kzalloc(sizeof(*run), GFP_KERNEL);
	if (!run)
		return ERR_PTR(-ENOMEM);
	ch->nr_runs++;
	ch->peak_runs = max(ch->peak_runs, ch->nr_runs);
	run->ch = ch;
	run->pdev = pci_dev_get(pdev);
	run->bridge = bridge;
	run->seq = seq;
	run->severity = severity;
	run->frozen = frozen;
	run->ids[run->nr++] = id;
	INIT_WORK(&run->work, aer_pv_run_work);
	list_add_tail(&run->node, &ch->runs);
	return run;
}

static void aer_pv_start_runs(struct aer_pv_channel *ch,
			      const struct aer_pv_actions *act)
{
	struct aer_pv_run *runs[VIRTIO_AER_PV_MAX_FUNCS], *run;
	struct aer_pv_actions none;
	unsigned int i, n = 0;
	struct pci_dev *pdev;

	for (i = 0; i < act->nr_start; i++) {
		pdev = aer_pv_pdev(act->start[i]);
		mutex_lock(&ch->lock);
		if (!pdev) {
			/* Gone since the event was taken in. */
			aer_pv_dev_removed(&ch->core, act->start[i]);
			aer_pv_recovery_done(&ch->core, act->start[i], false,
					     &none);
			mutex_unlock(&ch->lock);
			continue;
		}
		aer_pv_sysfs_add(ch, pdev);
		run = aer_pv_add_to_run(ch, pdev, act->start[i], act->seq,
					act->severity, act->frozen);
		if (IS_ERR(run)) {
			pci_err(pdev, "cannot start recovery (seq %u): %pe\n",
				act->seq, run);
			aer_pv_recovery_done(&ch->core, act->start[i], false,
					     &none);
		} else if (run) {
			runs[n++] = run;
		}
		mutex_unlock(&ch->lock);
		pci_dev_put(pdev);
	}
	for (i = 0; i < n; i++) {
		refcount_inc(&ch->users);
		queue_work(ch->wq, &runs[i]->work);
	}
}

/* Show the counters of every function an accepted error named. */
static void aer_pv_sysfs_add_event(struct aer_pv_channel *ch,
				   const struct aer_pv_event *ev)
{
	struct pci_dev *pdev;
	unsigned int i;

	for (i = 0; i < ev->nr_funcs; i++) {
		pdev = aer_pv_pdev(ev->funcs[i]);
		if (!pdev)
			continue;
		mutex_lock(&ch->lock);
		if (aer_pv_find(&ch->core, ev->funcs[i]))
			aer_pv_sysfs_add(ch, pdev);
		mutex_unlock(&ch->lock);
		pci_dev_put(pdev);
	}
}

/* Log and count an error the native way when only the channel carried it. */
static void aer_pv_log_error(struct aer_pv_channel *ch,
			     const struct aer_pv_event *ev)
{
	static const int aer_sev[] = {
		[VIRTIO_AER_PV_SEV_CORRECTABLE] = AER_CORRECTABLE,
		[VIRTIO_AER_PV_SEV_NONFATAL] = AER_NONFATAL,
		[VIRTIO_AER_PV_SEV_FATAL] = AER_FATAL,
	};
	struct aer_capability_regs regs = {
		.uncor_status = ev->aer.uncor_status,
		.uncor_mask = ev->aer.uncor_mask,
		.uncor_severity = ev->aer.uncor_severity,
		.cor_status = ev->aer.cor_status,
		.cor_mask = ev->aer.cor_mask,
		.cap_control = ev->aer.cap_control,
	};
	struct pci_dev *pdev = aer_pv_pdev(ev->funcs[0]);
	unsigned int i;

	if (!pdev)
		return;
	for (i = 0; i < ARRAY_SIZE(regs.header_log.dw); i++)
		regs.header_log.dw[i] = ev->aer.header_log[i];
	pci_info(pdev, "%s error reported by host (seq %u, host reset %s)\n",
		 ev->severity == VIRTIO_AER_PV_SEV_FATAL ? "Fatal" :
		 ev->severity == VIRTIO_AER_PV_SEV_NONFATAL ? "Non-Fatal" :
		 "Correctable", ev->seq, aer_pv_reset_name(ev->reset));
	pci_print_aer(pdev, aer_sev[ev->severity], &regs);
	pci_dev_put(pdev);
}

/**
 * aer_pv_channel_event() - an event buffer arrived from the host
 * @ch: the channel
 * @buf: the bytes the device wrote
 * @len: the length the device reported
 *
 * Validates the event, updates the state machine, and starts whatever
 * recoveries it calls for.  Malformed, stale and duplicate events are
 * counted and dropped.  Must be called in process context, and never
 * once aer_pv_channel_unregister() has been called.
 */
void aer_pv_channel_event(struct aer_pv_channel *ch, const void *buf,
			  size_t len)
{
	struct aer_pv_actions act;
	struct aer_pv_event ev;
	enum aer_pv_verdict v;

	mutex_lock(&ch->lock);
	v = aer_pv_receive(&ch->core, buf, len, &ev, &act);
	mutex_unlock(&ch->lock);

	if (v) {
		dev_warn_ratelimited(ch->info.dev,
				     "dropped event (type %u, seq %u): %s\n",
				     ev.type, ev.seq, aer_pv_verdict_name(v));
		return;
	}
	if (act.wake)
		aer_pv_wake(ch);
	if (ev.type == VIRTIO_AER_PV_EVT_ERROR)
		aer_pv_sysfs_add_event(ch, &ev);
	if (act.log)
		aer_pv_log_error(ch, &ev);
	if (act.nr_start)
		aer_pv_start_runs(ch, &act);
}
EXPORT_SYMBOL_GPL(aer_pv_channel_event);

/**
 * aer_pv_handle_error() - the AER core received an uncorrectable error
 * @dev: the function the AER message names
 * @aer_severity: AER_NONFATAL or AER_FATAL
 *
 * Matches the message with the host's error: an error already recovered
 * or recovering is absorbed, a new error of a host-managed function is
 * recovered here, in step with the host.
 *
 * Return: true if aer-pv handled the error; false for the native path.
 */
bool aer_pv_handle_error(struct pci_dev *dev, int aer_severity)
{
	struct aer_pv_response resp = {};
	enum aer_pv_aer_verdict v;
	struct aer_pv_channel *ch;
	struct aer_pv_run *run;
	struct aer_pv_dev *d;
	u32 id = aer_pv_id(dev);
	bool ok;
	u8 sev;

	if (aer_severity != AER_FATAL && aer_severity != AER_NONFATAL)
		return false;
	ch = aer_pv_get();
	if (!ch)
		return false;
	sev = aer_severity == AER_FATAL ? VIRTIO_AER_PV_SEV_FATAL :
					  VIRTIO_AER_PV_SEV_NONFATAL;

	mutex_lock(&ch->lock);
	v = aer_pv_on_aer(&ch->core, id);
	mutex_unlock(&ch->lock);
	if (v == AER_PV_AER_QUERY) {
		ok = aer_pv_request(ch, VIRTIO_AER_PV_REQ_QUERY, 0, id, 0,
				    AER_PV_QUERY_TIMEOUT_MS, &resp);
		mutex_lock(&ch->lock);
		v = aer_pv_on_query(&ch->core, id, sev, ok ? &resp : NULL);
		mutex_unlock(&ch->lock);
	}

	switch (v) {
	case AER_PV_AER_CLAIM:
		pci_info(dev, "error matched to host-coordinated recovery, not recovering twice\n");
		break;
	case AER_PV_AER_JOIN:
		mutex_lock(&ch->lock);
		aer_pv_sysfs_add(ch, dev);
		/*
		 * Recover the host's error as the state machine joined it (its
		 * severity may be above the AER message's), not the message.
		 */
		d = aer_pv_find(&ch->core, id);
		run = d ? aer_pv_add_to_run(ch, dev, id, resp.seq, d->severity,
					    aer_pv_frozen(d)) :
			  ERR_PTR(-ENODEV);
		if (IS_ERR(run)) {
			struct aer_pv_actions none;

			pci_err(dev, "cannot start recovery (seq %u): %pe\n",
				resp.seq, run);
			aer_pv_recovery_done(&ch->core, id, false, &none);
		}
		mutex_unlock(&ch->lock);
		/* NULL: a recovery under way on the same bridge covers it. */
		if (IS_ERR_OR_NULL(run))
			break;
		aer_pv_recover(run);
		aer_pv_run_free(run);
		break;
	default:
		aer_pv_put(ch);
		return false;
	}
	aer_pv_put(ch);
	return true;
}

static int aer_pv_pci_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct aer_pv_channel *ch = container_of(nb, struct aer_pv_channel, nb);
	struct pci_dev *pdev = to_pci_dev(data);

	struct pci_dev *devs[AER_PV_MAX_DEVS];
	unsigned int n;

	if (action != BUS_NOTIFY_DEL_DEVICE)
		return NOTIFY_DONE;
	mutex_lock(&ch->lock);
	aer_pv_dev_removed(&ch->core, aer_pv_id(pdev));
	n = aer_pv_sysfs_take(ch, pdev, devs);
	mutex_unlock(&ch->lock);
	aer_pv_sysfs_remove(devs, n);
	aer_pv_wake(ch);
	return NOTIFY_OK;
}

/**
 * aer_pv_channel_register() - a transport found a host channel
 * @info: the transport's description of the channel
 *
 * Only one channel may exist: the host names functions by their guest
 * address, which is global.
 *
 * Return: the channel, or an ERR_PTR().
 */
struct aer_pv_channel *aer_pv_channel_register(const struct aer_pv_channel_info *info)
{
	struct aer_pv_channel *ch;
	u32 timeout_ms = reset_timeout_ms;
	int ret;

	if (!info || !info->dev || !info->ops || !info->ops->request ||
	    !info->ops->report)
		return ERR_PTR(-EINVAL);

	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return ERR_PTR(-ENOMEM);
	mutex_init(&ch->lock);
	INIT_LIST_HEAD(&ch->runs);
	init_waitqueue_head(&ch->waitq);
	refcount_set(&ch->users, 1);
	init_completion(&ch->released);
	ch->info = *info;

	/* The host's bound wins when it is the lower one, within limits. */
	if (info->reset_timeout_ms)
		timeout_ms = clamp_t(u32, info->reset_timeout_ms,
				     AER_PV_TIMEOUT_MIN_MS, timeout_ms);
	ch->timeout_ms = timeout_ms;
	aer_pv_core_init(&ch->core, (u64)timeout_ms * NSEC_PER_MSEC,
			 info->can_request);
	ch->core.fn_exists = aer_pv_fn_exists;

	ch->wq = alloc_workqueue("aer_pv", WQ_UNBOUND, AER_PV_MAX_DEVS);
	if (!ch->wq) {
		ret = -ENOMEM;
		goto err_free;
	}
	ch->nb.notifier_call = aer_pv_pci_notify;
	ret = bus_register_notifier(&pci_bus_type, &ch->nb);
	if (ret)
		goto err_wq;

	spin_lock(&aer_pv_chan_lock);
	if (aer_pv_chan) {
		spin_unlock(&aer_pv_chan_lock);
		ret = -EBUSY;
		goto err_nb;
	}
	aer_pv_chan = ch;
	spin_unlock(&aer_pv_chan_lock);

	dev_info(info->dev, "host-coordinated AER recovery enabled (reset timeout %u ms%s)\n",
		 timeout_ms, info->can_request ? ", reset requests" : "");
	return ch;

err_nb:
	bus_unregister_notifier(&pci_bus_type, &ch->nb);
err_wq:
	destroy_workqueue(ch->wq);
err_free:
	kfree(ch);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_GPL(aer_pv_channel_register);

/**
 * aer_pv_channel_unregister() - the transport's channel is going away
 * @ch: the channel
 *
 * Every recovery in progress ends with perm_failure at its next step;
 * returns once none is left.  After this the AER core is upstream again.
 */
void aer_pv_channel_unregister(struct aer_pv_channel *ch)
{
	struct pci_dev *devs[AER_PV_MAX_DEVS];
	unsigned int n;

	mutex_lock(&ch->lock);
	aer_pv_channel_down(&ch->core);
	mutex_unlock(&ch->lock);
	aer_pv_wake(ch);

	spin_lock(&aer_pv_chan_lock);
	aer_pv_chan = NULL;
	spin_unlock(&aer_pv_chan_lock);

	bus_unregister_notifier(&pci_bus_type, &ch->nb);
	drain_workqueue(ch->wq);
	aer_pv_put(ch);
	wait_for_completion(&ch->released);
	destroy_workqueue(ch->wq);

	mutex_lock(&ch->lock);
	n = aer_pv_sysfs_take(ch, NULL, devs);
	mutex_unlock(&ch->lock);
	aer_pv_sysfs_remove(devs, n);
	kfree(ch);
}
EXPORT_SYMBOL_GPL(aer_pv_channel_unregister);

/**
 * aer_pv_snapshot_dev() - copy a function's state, for sysfs
 * @pdev: the function
 * @out: where to copy it
 *
 * Return: 0, or -ENODEV when no channel tracks @pdev.
 */
int aer_pv_snapshot_dev(struct pci_dev *pdev, struct aer_pv_dev *out)
{
	struct aer_pv_channel *ch = aer_pv_get();
	struct aer_pv_dev *d;
	int ret = -ENODEV;

	if (!ch)
		return ret;
	mutex_lock(&ch->lock);
	d = aer_pv_find(&ch->core, aer_pv_id(pdev));
	if (d) {
		*out = *d;
		ret = 0;
	}
	mutex_unlock(&ch->lock);
	aer_pv_put(ch);
	return ret;
}

/**
 * aer_pv_snapshot_channel() - copy the channel's counters
 * @out: where to copy them
 *
 * Return: 0, or -ENODEV without a channel.
 */
int aer_pv_snapshot_channel(struct aer_pv_channel_stats *out)
{
	struct aer_pv_channel *ch = aer_pv_get();

	if (!ch)
		return -ENODEV;
	mutex_lock(&ch->lock);
	memcpy(out->verdicts, ch->core.verdicts, sizeof(out->verdicts));
	out->last_seq = ch->core.last_seq;
	out->mem_bytes = sizeof(*ch) + ch->nr_runs * sizeof(struct aer_pv_run);
	out->mem_peak_bytes = sizeof(*ch) +
			      ch->peak_runs * sizeof(struct aer_pv_run);
	out->mem_bound_bytes = sizeof(*ch) +
			       AER_PV_MAX_RUNS * sizeof(struct aer_pv_run);
	mutex_unlock(&ch->lock);
	aer_pv_put(ch);
	return 0;
}
