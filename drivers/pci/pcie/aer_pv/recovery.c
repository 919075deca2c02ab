// SPDX-License-Identifier: GPL-2.0
/*
 * aer-pv recovery: the recoveries of one unit (one bridge), one after the
 * other.  Each is the AER core's own pcie_do_recovery(), whose reset step
 * follows the host: it goes on at once when the host has reset, waits
 * while the host resets, asks the host for the reset it did not do, and
 * resets natively only when the host cannot.  The state machine decides;
 * this file turns its answers into PCI calls, waits and messages.
 *
 * Every wait is bounded by the reset timeout and sleeps in TASK_IDLE: a
 * long host reset is not a hung task.  Every way out of a wait ends the
 * recovery the native way, with resume or perm_failure.
 *
 * While a unit recovers, the native AER path keeps off its Root Port: the
 * Port's AER interrupt is masked, a native recovery already under way
 * there ends first, and what the Port logged meanwhile is cleared at the
 * end, as aer_root_reset() does around its reset.  So the drivers below
 * it never see the callbacks of two recoveries interleaved.
 */

#define pr_fmt(fmt) "aer_pv: " fmt
#define dev_fmt(fmt) "AER: aer-pv: " fmt

#include <linux/aer.h>
#include <linux/bitops.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/timekeeping.h>

#include <kunit/visibility.h>

#include "../../pci.h"
#include "../portdrv.h"
#include "aer_pv.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

#define AER_PV_TIMEOUT_MIN_MS		100

/* The AER interrupts a Root Port or RCEC signals, as aer.c enables them */
#define AER_PV_ROOT_INTR	(PCI_ERR_ROOT_CMD_COR_EN |		\
				 PCI_ERR_ROOT_CMD_NONFATAL_EN |		\
				 PCI_ERR_ROOT_CMD_FATAL_EN)

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
	WRITE_ONCE(*(unsigned int *)kp->arg, ms);
	return 0;
}

static const struct kernel_param_ops aer_pv_timeout_ops = {
	.set = aer_pv_set_timeout,
	.get = param_get_uint,
};
module_param_cb(reset_timeout_ms, &aer_pv_timeout_ops, &reset_timeout_ms,
		0644);
MODULE_PARM_DESC(reset_timeout_ms,
		 "Longest wait for the host's reset, in ms (100..300000, default 10000; the host's own bound, if lower, wins; read at each reset step)");

/**
 * aer_pv_timeout_ms() - the bound on a reset step's wait, now
 * @ch: the channel
 *
 * The host's bound, when it gives one, is never raised: the guest must not
 * wait longer than the host says its reset takes.
 *
 * Return: reset_timeout_ms, or the host's bound if that is lower.
 */
unsigned int aer_pv_timeout_ms(const struct aer_pv_channel *ch)
{
	unsigned int ms = READ_ONCE(reset_timeout_ms);

	if (ch->info.reset_timeout_ms)
		ms = min(ms, ch->info.reset_timeout_ms);
	return ms;
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_timeout_ms);

/* Tell the host a recovery phase, without waiting. */
static void aer_pv_report(struct aer_pv_channel *ch, u32 seq, u32 id, u8 phase)
{
	struct virtio_aer_pv_request req;

	aer_pv_encode_request(&req, VIRTIO_AER_PV_REQ_PHASE, seq, id, phase);
	down_read(&ch->ops_lock);
	if (ch->ops_live)
		ch->info.ops->report(ch->info.priv, &req);
	up_read(&ch->ops_lock);
}

/* A unit's running recovery, as the state machine had it when it began */
struct aer_pv_job {
	u32 seq;
	u8 severity;
	bool frozen;
	unsigned int nr;
	u32 ids[AER_PV_MAX_FNS + 1];	/* and one the table had no room for */
};

static void aer_pv_job(struct aer_pv_channel *ch, unsigned int r,
		       struct aer_pv_job *job)
{
	const struct aer_pv_rec *rec = &ch->core.recs[r];
	unsigned long fns = rec->cur.fns;
	unsigned int i;

	lockdep_assert_held(&ch->lock);
	job->seq = rec->cur.seq;
	job->severity = rec->cur.severity;
	job->frozen = rec->frozen;
	job->nr = 0;
	for_each_set_bit(i, &fns, AER_PV_MAX_FNS)
		job->ids[job->nr++] = ch->core.fns[i].id;
	if (rec->cur.untracked)
		job->ids[job->nr++] = rec->cur.untracked_fn;
}

static void aer_pv_report_job(struct aer_pv_channel *ch,
			      const struct aer_pv_job *job, u8 phase)
{
	unsigned int i;

	for (i = 0; i < job->nr; i++)
		aer_pv_report(ch, job->seq, job->ids[i], phase);
}

/* The AER core's reset of a bridge, for when the host cannot reset. */
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

static const char *aer_pv_kind_name(u8 kind)
{
	return kind == VIRTIO_AER_PV_RESET_KIND_FUNCTION ? "function" : "link";
}

static void aer_pv_log_failure(struct aer_pv_channel *ch,
			       struct pci_dev *bridge,
			       const struct aer_pv_action *act)
{
	switch (act->why) {
	case AER_PV_WHY_TIMEOUT:
		pci_err(bridge, "host reset did not complete within %u ms (seq %u)\n",
			aer_pv_timeout_ms(ch), act->seq);
		break;
	case AER_PV_WHY_LOST:
		pci_err(bridge, "channel or device gone during recovery (seq %u)\n",
			act->seq);
		break;
	default:
		pci_err(bridge, "%s (seq %u)\n", aer_pv_why_name(act->why),
			act->seq);
		break;
	}
}

/* Queue a reset request under a free tag; its answer lands in @u. */
static int aer_pv_send(struct aer_pv_channel *ch, struct aer_pv_unit *u,
		       const struct aer_pv_action *act)
{
	struct virtio_aer_pv_request req;
	unsigned int tag;
	int ret;

	spin_lock_irq(&ch->resp_lock);
	tag = find_first_zero_bit(&ch->tags, AER_PV_NR_TAGS);
	if (tag < AER_PV_NR_TAGS) {
		__set_bit(tag, &ch->tags);
		__set_bit(tag, &ch->sent);
		ch->tag[tag].unit = u->rec;
		ch->tag[tag].seq = act->seq;
		u->tag = tag;
		u->answered = false;
	}
	spin_unlock_irq(&ch->resp_lock);
	if (tag >= AER_PV_NR_TAGS) {
		/* Every tag waits for an answer the host never gave. */
		dev_warn_ratelimited(ch->info.dev,
				     "no reset request tag free: the host left %u requests unanswered\n",
				     AER_PV_NR_TAGS);
		return -EBUSY;
	}

	aer_pv_encode_request(&req, VIRTIO_AER_PV_REQ_RESET, act->seq, act->fn,
			      act->kind);
	down_read(&ch->ops_lock);
	ret = ch->ops_live ? ch->info.ops->request(ch->info.priv, &req, tag) :
			     -ENODEV;
	up_read(&ch->ops_lock);
	if (ret) {
		spin_lock_irq(&ch->resp_lock);
		__clear_bit(tag, &ch->sent);
		__clear_bit(tag, &ch->tags);
		u->tag = -1;
		spin_unlock_irq(&ch->resp_lock);
	}
	return ret;
}

/*
 * Stop waiting for an answer.  The tag stays taken until its answer has
 * been taken in: the channel's answer work takes in one that came and was
 * not taken, or that comes later, and settles the reset it was for.
 */
static void aer_pv_detach(struct aer_pv_channel *ch, struct aer_pv_unit *u)
{
	bool orphan = false;

	spin_lock_irq(&ch->resp_lock);
	if (u->tag >= 0 && u->answered) {
		__set_bit(u->tag, &ch->orphans);
		orphan = true;
	}
	u->tag = -1;
	u->answered = false;
	spin_unlock_irq(&ch->resp_lock);
	if (orphan)
		queue_work(aer_pv_wq, &ch->answer_work);
}

/*
 * Wait, bounded by @until, for a change or the answer to @u's request,
 * and say which input it was.  An answer that does not decode, or does
 * not echo the request's seq, is counted and taken as no answer.
 */
static void aer_pv_wait(struct aer_pv_channel *ch, struct aer_pv_unit *u,
			int gen, u64 until, struct aer_pv_input *in,
			struct aer_pv_response *resp,
			enum aer_pv_verdict *bad)
{
	struct virtio_aer_pv_response wire;
	u64 now = ktime_get_ns();
	unsigned int len = 0;
	bool answered;
	u32 seq = 0;

	if (until > now)
		wait_event_idle_timeout(ch->waitq,
					atomic_read(&ch->gen) != gen ||
					READ_ONCE(u->answered),
					nsecs_to_jiffies(until - now) + 1);

	spin_lock_irq(&ch->resp_lock);
	answered = u->answered;
	if (answered) {
		wire = ch->tag[u->tag].resp;
		len = ch->tag[u->tag].resp_len;
		seq = ch->tag[u->tag].seq;
		__clear_bit(u->tag, &ch->tags);
		u->tag = -1;
		u->answered = false;
	}
	spin_unlock_irq(&ch->resp_lock);

	*bad = AER_PV_OK;
	in->type = AER_PV_IN_WAKE;
	in->unsent = false;
	if (!answered)
		return;
	in->type = AER_PV_IN_RESPONSE;
	in->seq = seq;
	*bad = aer_pv_take_answer(ch, seq, &wire, len, resp);
	in->resp = *bad ? NULL : resp;
}

static void aer_pv_report_wait(struct aer_pv_channel *ch, unsigned int r)
{
	struct aer_pv_job job;

	mutex_lock(&ch->lock);
	aer_pv_job(ch, r, &job);
	mutex_unlock(&ch->lock);
	aer_pv_report_job(ch, &job, VIRTIO_AER_PV_PHASE_RESET_WAIT);
}

/*
 * The reset step of a unit's recovery: feed the state machine until it
 * gives a final answer.  Each wait ends by the deadline it set.
 */
static pci_ers_result_t aer_pv_reset_step(struct aer_pv_channel *ch,
					  struct pci_dev *bridge)
{
	struct aer_pv_input in = {
		.type = AER_PV_IN_RESET_STEP,
		.kind = bridge->subordinate ? VIRTIO_AER_PV_RESET_KIND_LINK :
					      VIRTIO_AER_PV_RESET_KIND_FUNCTION,
		.timeout_ns = (u64)aer_pv_timeout_ms(ch) * NSEC_PER_MSEC,
	};
	struct aer_pv_response resp;
	enum aer_pv_verdict bad = AER_PV_OK;
	struct aer_pv_action act;
	struct aer_pv_unit *u;
	bool reported = false;
	pci_ers_result_t ret;
	int gen;

	/*
	 * gen is read under the lock of each decision: a change made after
	 * it, and its wake-up, then cannot be missed by the wait that
	 * follows.
	 */
	mutex_lock(&ch->lock);
	in.rec = aer_pv_find_rec(&ch->core, aer_pv_id(bridge));
	aer_pv_step(&ch->core, &in, ktime_get_ns(), &act);
	gen = atomic_read(&ch->gen);
	mutex_unlock(&ch->lock);
	if (in.rec == AER_PV_NO_REC) {
		/* Its functions left while pcie_do_recovery() walked them. */
		aer_pv_log_failure(ch, bridge, &act);
		return PCI_ERS_RESULT_DISCONNECT;
	}
	u = &ch->units[in.rec];

	for (;;) {
		switch (act.type) {
		case AER_PV_ACT_RESUME:
			aer_pv_detach(ch, u);
			pci_info(bridge, "link reset skipped: host reset done (seq %u, %s reset)\n",
				 act.seq, aer_pv_kind_name(act.kind));
			return PCI_ERS_RESULT_RECOVERED;
		case AER_PV_ACT_NATIVE:
			aer_pv_detach(ch, u);
			ret = aer_pv_native_reset(bridge);
			u->reset_failed = ret != PCI_ERS_RESULT_RECOVERED;
			return ret;
		case AER_PV_ACT_REQUEST:
			pci_info(bridge, "requesting %s reset from host (seq %u)\n",
				 aer_pv_kind_name(act.kind), act.seq);
			if (!reported)
				aer_pv_report_wait(ch, in.rec);
			reported = true;
			if (aer_pv_send(ch, u, &act)) {
				in.type = AER_PV_IN_RESPONSE;
				in.seq = act.seq;
				in.resp = NULL;
				in.unsent = true;
				break;
			}
			aer_pv_wait(ch, u, gen, act.until, &in, &resp, &bad);
			break;
		case AER_PV_ACT_WAIT:
			if (!reported) {
				pci_info(bridge, "waiting for host reset (seq %u)\n",
					 act.seq);
				aer_pv_report_wait(ch, in.rec);
				reported = true;
			}
			aer_pv_wait(ch, u, gen, act.until, &in, &resp, &bad);
			break;
		case AER_PV_ACT_FAIL:
		default:
			aer_pv_detach(ch, u);
			aer_pv_log_failure(ch, bridge, &act);
			u->reset_failed = true;
			return PCI_ERS_RESULT_DISCONNECT;
		}
		mutex_lock(&ch->lock);
		if (bad)
			ch->core.verdicts[bad]++;
		aer_pv_step(&ch->core, &in, ktime_get_ns(), &act);
		gen = atomic_read(&ch->gen);
		mutex_unlock(&ch->lock);
	}
}

static pci_ers_result_t aer_pv_reset_subordinates(struct pci_dev *bridge)
{
	struct aer_pv_channel *ch = aer_pv_get();
	pci_ers_result_t ret;

	/* Only our own recoveries come here, and each holds the channel. */
	if (WARN_ON_ONCE(!ch))
		return PCI_ERS_RESULT_DISCONNECT;
	ret = aer_pv_reset_step(ch, bridge);
	aer_pv_put(ch);
	return ret;
}

/*
 * The port whose AER interrupt the native path recovers errors below
 * @pdev from: its Root Port, or an RCiEP's RCEC.  NULL where the native
 * AER driver does not run there.
 */
static struct pci_dev *aer_pv_aer_root(struct pci_dev *pdev)
{
	struct pci_host_bridge *host = pci_find_host_bridge(pdev->bus);
	struct pci_dev *root;

	if (!host->native_aer && !pcie_ports_native)
		return NULL;
	if (pci_pcie_type(pdev) == PCI_EXP_TYPE_RC_END)
		root = pdev->rcec;
	else
		root = pcie_find_root_port(pdev);
	if (!root || !root->aer_cap ||
	    !pcie_port_find_device(root, PCIE_PORT_SERVICE_AER))
		return NULL;
	return root;
}

static void aer_pv_root_mask(struct pci_dev *root)
{
	u32 cmd;

	pci_read_config_dword(root, root->aer_cap + PCI_ERR_ROOT_COMMAND, &cmd);
	pci_write_config_dword(root, root->aer_cap + PCI_ERR_ROOT_COMMAND,
			       cmd & ~AER_PV_ROOT_INTR);
}

/*
 * Keep the native AER path off @pdev's Root Port for a recovery: mask the
 * Port's AER interrupt (once for all the units below it) and let a native
 * recovery under way there end.  Returns the Port, for aer_pv_unhold().
 */
static struct pci_dev *aer_pv_hold(struct aer_pv_channel *ch,
				   struct pci_dev *pdev)
{
	struct pci_dev *root = aer_pv_aer_root(pdev);
	struct aer_pv_hold *h = NULL;
	struct device *aer;
	unsigned int i;
	u32 cmd;

	if (!root)
		return NULL;
	mutex_lock(&ch->hold_lock);
	for (i = 0; i < ARRAY_SIZE(ch->holds); i++) {
		if (ch->holds[i].root == root) {
			h = &ch->holds[i];
			break;
		}
		if (!h && !ch->holds[i].root)
			h = &ch->holds[i];
	}
	/* One slot per unit: never full. */
	if (WARN_ON_ONCE(!h)) {
		mutex_unlock(&ch->hold_lock);
		return NULL;
	}
	if (!h->users++) {
		h->root = pci_dev_get(root);
		pci_read_config_dword(root, root->aer_cap + PCI_ERR_ROOT_COMMAND,
				      &cmd);
		h->cmd = cmd & AER_PV_ROOT_INTR;
		aer_pv_root_mask(root);
	}
	mutex_unlock(&ch->hold_lock);

	/*
	 * A native recovery under way there may unmask the interrupt again
	 * in aer_root_reset(): mask once more after it, and let a report it
	 * let through end too.
	 */
	aer = pcie_port_find_device(root, PCIE_PORT_SERVICE_AER);
	if (aer)
		synchronize_irq(to_pcie_device(aer)->irq);
	aer_pv_root_mask(root);
	if (aer)
		synchronize_irq(to_pcie_device(aer)->irq);
	return root;
}

/*
 * The end of aer_pv_hold(): the last unit below the Port clears what the
 * Port logged meanwhile, which the recovery just handled, and unmasks.
 */
static void aer_pv_unhold(struct aer_pv_channel *ch, struct pci_dev *root)
{
	unsigned int i;
	u32 cmd, status;

	if (!root)
		return;
	mutex_lock(&ch->hold_lock);
	for (i = 0; i < ARRAY_SIZE(ch->holds); i++) {
		struct aer_pv_hold *h = &ch->holds[i];

		if (h->root != root || --h->users)
			continue;
		pci_read_config_dword(root, root->aer_cap + PCI_ERR_ROOT_STATUS,
				      &status);
		if (status & (PCI_ERR_ROOT_COR_RCV | PCI_ERR_ROOT_UNCOR_RCV))
			pci_info(root, "AER message during recovery in step with the host: cleared (%#010x)\n",
				 status);
		pci_write_config_dword(root, root->aer_cap + PCI_ERR_ROOT_STATUS,
				       status);
		pci_read_config_dword(root, root->aer_cap + PCI_ERR_ROOT_COMMAND,
				      &cmd);
		pci_write_config_dword(root,
				       root->aer_cap + PCI_ERR_ROOT_COMMAND,
				       cmd | h->cmd);
		pci_dev_put(h->root);
		h->root = NULL;
	}
	mutex_unlock(&ch->hold_lock);
}

static bool aer_pv_recover(struct aer_pv_channel *ch, struct aer_pv_unit *u,
			   const struct aer_pv_job *job)
{
	struct pci_dev *pdev = NULL, *root;
	pci_ers_result_t status;
	unsigned int i;

	for (i = 0; i < job->nr && !pdev; i++)
		pdev = aer_pv_pdev(job->ids[i]);
	if (!pdev) {
		/* Removed since: its drivers are gone with it. */
		dev_info(ch->info.dev, "recovery of seq %u has no function left\n",
			 job->seq);
		return false;
	}

	root = aer_pv_hold(ch, pdev);
	pci_info(pdev, "%s error recovery in step with the host (seq %u%s)\n",
		 job->severity == VIRTIO_AER_PV_SEV_FATAL ? "fatal" :
		 "non-fatal", job->seq,
		 job->severity != VIRTIO_AER_PV_SEV_FATAL && job->frozen ?
		 ", host resets: frozen" : "");
	aer_pv_report_job(ch, job, VIRTIO_AER_PV_PHASE_DETECTED);
	u->reset_failed = false;
	status = pcie_do_recovery(pdev, job->frozen ? pci_channel_io_frozen :
						      pci_channel_io_normal,
				  aer_pv_reset_subordinates);
	aer_pv_unhold(ch, root);
	pci_dev_put(pdev);
	/*
	 * pcie_do_recovery() returns its drivers' vote even when the reset
	 * step failed after it, and then sent them perm_failure.
	 */
	return status == PCI_ERS_RESULT_RECOVERED && !u->reset_failed;
}

/**
 * aer_pv_unit_work() - run a unit's recoveries until none is pending
 * @work: the unit's work
 *
 * Holds a reference to the channel, taken when the work was queued.
 */
void aer_pv_unit_work(struct work_struct *work)
{
	struct aer_pv_unit *u = container_of(work, struct aer_pv_unit, work);
	struct aer_pv_channel *ch = u->ch;
	struct aer_pv_input in = { .type = AER_PV_IN_DONE, .rec = u->rec };
	struct aer_pv_action act;
	struct aer_pv_job job;

	do {
		mutex_lock(&ch->lock);
		aer_pv_job(ch, u->rec, &job);
		mutex_unlock(&ch->lock);

		in.recovered = aer_pv_recover(ch, u, &job);

		mutex_lock(&ch->lock);
		aer_pv_step(&ch->core, &in, ktime_get_ns(), &act);
		mutex_unlock(&ch->lock);
		aer_pv_report_job(ch, &job, act.recovered ?
				  VIRTIO_AER_PV_PHASE_RECOVERED :
				  VIRTIO_AER_PV_PHASE_FAILED);
	} while (act.type == AER_PV_ACT_START);

	atomic_dec(&ch->running);
	aer_pv_wake(ch);
	aer_pv_put(ch);
}
