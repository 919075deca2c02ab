// SPDX-License-Identifier: GPL-2.0
/*
 * aer-pv channel: what a transport registers, and everything that comes
 * in through it.  Events from the host are validated and fed to the
 * state machine, which says which recoveries to start; answers to reset
 * requests are handed to the recovery that waits for them; functions that
 * leave the guest are dropped.
 *
 * Everything a recovery needs is made here, with the channel: the state
 * machine's tables, one work item per recovery unit and one answer slot
 * per request tag.  Nothing is allocated between an error and its end.
 */

#define pr_fmt(fmt) "aer_pv: " fmt
#define dev_fmt(fmt) "AER: aer-pv: " fmt

#include <linux/aer.h>
#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <kunit/visibility.h>

#include "aer_pv.h"

/* Unregister waits this long for running recoveries, beyond the timeout */
#define AER_PV_DRAIN_SLACK_MS	10000

struct workqueue_struct *aer_pv_wq;
EXPORT_SYMBOL_IF_KUNIT(aer_pv_wq);

/*
 * The one channel: the host names functions by their guest address, which
 * is global.  It stays here until its last recovery has ended, even after
 * unregister gave up waiting for that.
 */
static struct aer_pv_channel *aer_pv_chan;
static DEFINE_SPINLOCK(aer_pv_chan_lock);

/**
 * aer_pv_get() - take a reference to the channel, if there is one
 *
 * Return: the channel, or NULL.
 */
struct aer_pv_channel *aer_pv_get(void)
{
	struct aer_pv_channel *ch;
	unsigned long flags;

	spin_lock_irqsave(&aer_pv_chan_lock, flags);
	ch = aer_pv_chan;
	/* Zero: its release is under way, waiting for this lock. */
	if (ch && !kref_get_unless_zero(&ch->ref))
		ch = NULL;
	spin_unlock_irqrestore(&aer_pv_chan_lock, flags);
	return ch;
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_get);

static void aer_pv_free(struct work_struct *work)
{
	struct aer_pv_channel *ch = container_of(work, struct aer_pv_channel,
						 release_work);

	/* A recovery that gave up on an answer may have queued it last. */
	cancel_work_sync(&ch->answer_work);
	put_device(ch->info.dev);
	kfree(ch);
}

/*
 * The last reference may go in atomic context (the native AER path's
 * tracepoint), where put_device() must not run: the freeing is deferred.
 */
static void aer_pv_release(struct kref *ref)
{
	struct aer_pv_channel *ch = container_of(ref, struct aer_pv_channel,
						 ref);
	unsigned long flags;

	spin_lock_irqsave(&aer_pv_chan_lock, flags);
	if (aer_pv_chan == ch)
		aer_pv_chan = NULL;
	spin_unlock_irqrestore(&aer_pv_chan_lock, flags);
	queue_work(aer_pv_wq, &ch->release_work);
}

/**
 * aer_pv_put() - drop a reference taken with aer_pv_get()
 * @ch: the channel
 *
 * May be called in atomic context.
 */
void aer_pv_put(struct aer_pv_channel *ch)
{
	kref_put(&ch->ref, aer_pv_release);
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_put);

/**
 * aer_pv_wake() - every waiting reset step must look again
 * @ch: the channel
 */
void aer_pv_wake(struct aer_pv_channel *ch)
{
	atomic_inc(&ch->gen);
	wake_up_all(&ch->waitq);
}

/**
 * aer_pv_id() - a function's id, as the host names it
 * @pdev: the function
 *
 * Return: AER_PV_FN_ID() of @pdev.
 */
u32 aer_pv_id(struct pci_dev *pdev)
{
	return AER_PV_FN_ID(pci_domain_nr(pdev->bus), pdev->bus->number,
			    pdev->devfn);
}

/**
 * aer_pv_pdev() - the function the host names
 * @id: AER_PV_FN_ID()
 *
 * Return: a reference to the function, or NULL if the guest has none there.
 */
struct pci_dev *aer_pv_pdev(u32 id)
{
	return pci_get_domain_bus_and_slot(AER_PV_FN_SEG(id), AER_PV_FN_BUS(id),
					   AER_PV_FN_DEVFN(id));
}

/*
 * The bridge pcie_do_recovery() walks for @pdev, computed the way it does,
 * or AER_PV_NO_BRIDGE for a function it cannot recover: only a PCI
 * Express endpoint is (an assigned function is one), and one that is not
 * integrated must sit below a bridge, or pcie_do_recovery() would walk a
 * NULL bridge.  A host naming anything else is not followed.
 */
static u32 aer_pv_bridge_of(struct pci_dev *pdev)
{
	struct pci_dev *bridge;

	if (!pci_is_pcie(pdev))
		return AER_PV_NO_BRIDGE;
	switch (pci_pcie_type(pdev)) {
	case PCI_EXP_TYPE_RC_END:
		return aer_pv_id(pdev);
	case PCI_EXP_TYPE_ENDPOINT:
	case PCI_EXP_TYPE_LEG_END:
		bridge = pci_upstream_bridge(pdev);
		return bridge ? aer_pv_id(bridge) : AER_PV_NO_BRIDGE;
	default:
		return AER_PV_NO_BRIDGE;
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

/* Log the error the way the native AER core logs one. */
static void aer_pv_log_error(struct pci_dev *pdev,
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
	unsigned int i;

	/* The wire's header log and the kernel's may differ in length. */
	for (i = 0; i < min(ARRAY_SIZE(regs.header_log.dw),
			    ARRAY_SIZE(ev->aer.header_log)); i++)
		regs.header_log.dw[i] = ev->aer.header_log[i];
	pci_info(pdev, "%s error reported by host (seq %u, host reset %s)\n",
		 ev->severity == VIRTIO_AER_PV_SEV_FATAL ? "Fatal" :
		 ev->severity == VIRTIO_AER_PV_SEV_NONFATAL ? "Non-Fatal" :
		 "Correctable", ev->seq, aer_pv_reset_name(ev->reset));
	pci_print_aer(pdev, aer_sev[ev->severity], &regs);
}

/*
 * Queue the recoveries the state machine started, under the lock that
 * also sets @ch->closing, so that nothing starts once unregister began.
 */
static void aer_pv_start_units(struct aer_pv_channel *ch, u64 start)
{
	DECLARE_BITMAP(bits, AER_PV_MAX_RECS);
	unsigned int r;

	lockdep_assert_held(&ch->lock);
	if (ch->closing)
		return;
	bitmap_from_u64(bits, start);
	for_each_set_bit(r, bits, AER_PV_MAX_RECS) {
		atomic_inc(&ch->running);
		kref_get(&ch->ref);
		if (!queue_work(aer_pv_wq, &ch->units[r].work)) {
			/* Already queued: it runs this recovery too. */
			atomic_dec(&ch->running);
			kref_put(&ch->ref, aer_pv_release);
		}
	}
}

/**
 * aer_pv_channel_event() - an event buffer arrived from the host
 * @ch: the channel
 * @buf: the bytes the device wrote
 * @len: the length the device reported
 *
 * Validates the event, feeds it to the state machine, and starts the
 * recoveries it calls for.  Malformed, stale and duplicate events are
 * counted and dropped.  Must be called in process context, and never
 * once aer_pv_channel_unregister() has been called.
 */
void aer_pv_channel_event(struct aer_pv_channel *ch, const void *buf,
			  size_t len)
{
	u32 bridges[VIRTIO_AER_PV_MAX_FUNCS];
	struct pci_dev *pdevs[VIRTIO_AER_PV_MAX_FUNCS] = {};
	struct aer_pv_input in = {
		.type = AER_PV_IN_EVENT,
		.bridges = bridges,
	};
	struct aer_pv_action act;
	struct aer_pv_event ev;
	enum aer_pv_verdict v;
	unsigned int i;

	v = aer_pv_decode_event(buf, len, &ev);
	if (v == AER_PV_OK && ev.type == VIRTIO_AER_PV_EVT_ERROR) {
		for (i = 0; i < ev.nr_funcs; i++) {
			pdevs[i] = aer_pv_pdev(ev.funcs[i]);
			bridges[i] = pdevs[i] ? aer_pv_bridge_of(pdevs[i]) :
						AER_PV_NO_BRIDGE;
		}
	}

	mutex_lock(&ch->lock);
	if (v == AER_PV_OK) {
		in.ev = &ev;
		aer_pv_step(&ch->core, &in, ktime_get_ns(), &act);
		v = act.verdict;
	} else {
		ch->core.verdicts[v]++;
	}
	if (v == AER_PV_OK && act.type == AER_PV_ACT_START)
		aer_pv_start_units(ch, act.start);
	mutex_unlock(&ch->lock);

	if (v) {
		dev_warn_ratelimited(ch->info.dev,
				     "dropped event (type %u, seq %u): %s\n",
				     ev.type, ev.seq, aer_pv_verdict_name(v));
	} else {
		if (act.untracked)
			dev_warn_ratelimited(ch->info.dev,
					     "host named %u functions beyond the %u it manages (seq %u): their recovery fails\n",
					     act.untracked, ch->core.nr_fns,
					     ev.seq);
		aer_pv_wake(ch);
		/* The first function the guest has is the one the host names */
		for (i = 0; act.log && i < ev.nr_funcs; i++) {
			if (pdevs[i]) {
				WRITE_ONCE(ch->logging, current);
				aer_pv_log_error(pdevs[i], &ev);
				WRITE_ONCE(ch->logging, NULL);
				break;
			}
		}
	}
	for (i = 0; i < ARRAY_SIZE(pdevs); i++)
		pci_dev_put(pdevs[i]);
}
EXPORT_SYMBOL_NS_GPL(aer_pv_channel_event, AER_PV);

/**
 * aer_pv_channel_response() - the host answered a reset request
 * @ch: the channel
 * @tag: the tag the request was queued with
 * @buf: the bytes the device wrote
 * @len: the length the device reported
 *
 * Hands the answer to the recovery that waits for it.  One that nobody
 * waits for any more still settles the reset it was for, for the other
 * recoveries that wait on that reset: the channel's answer work takes it
 * in.  May be called in interrupt context, never once
 * aer_pv_channel_unregister() has been called.
 */
void aer_pv_channel_response(struct aer_pv_channel *ch, unsigned int tag,
			     const void *buf, size_t len)
{
	struct aer_pv_unit *u;
	unsigned long flags;
	bool orphan = false;

	if (tag >= AER_PV_NR_TAGS)
		return;
	spin_lock_irqsave(&ch->resp_lock, flags);
	if (!test_and_clear_bit(tag, &ch->sent)) {
		spin_unlock_irqrestore(&ch->resp_lock, flags);
		return;
	}
	ch->tag[tag].resp_len = min(len, sizeof(ch->tag[tag].resp));
	memcpy(&ch->tag[tag].resp, buf, ch->tag[tag].resp_len);
	u = &ch->units[ch->tag[tag].unit];
	if (u->tag == tag) {
		u->answered = true;
	} else {
		__set_bit(tag, &ch->orphans);
		orphan = true;
	}
	spin_unlock_irqrestore(&ch->resp_lock, flags);
	if (orphan)
		queue_work(aer_pv_wq, &ch->answer_work);
	aer_pv_wake(ch);
}
EXPORT_SYMBOL_NS_GPL(aer_pv_channel_response, AER_PV);

/**
 * aer_pv_take_answer() - check an answer to a reset request
 * @ch: the channel
 * @seq: the seq of the request
 * @wire: the answer, as the device wrote it
 * @len: its length
 * @resp: where to decode it
 *
 * An answer that does not decode, or does not echo the request's seq, is
 * logged and taken as no answer; the caller counts its verdict.
 *
 * Return: AER_PV_OK, or why the answer was dropped.
 */
enum aer_pv_verdict aer_pv_take_answer(struct aer_pv_channel *ch, u32 seq,
				       const struct virtio_aer_pv_response *wire,
				       unsigned int len,
				       struct aer_pv_response *resp)
{
	enum aer_pv_verdict v;

	v = aer_pv_decode_response(VIRTIO_AER_PV_REQ_RESET, wire, len, resp);
	if (v == AER_PV_OK && resp->seq != seq)
		v = AER_PV_DROP_STALE;
	if (v)
		dev_warn_ratelimited(ch->info.dev,
				     "dropped answer to reset request (seq %u): %s\n",
				     seq, aer_pv_verdict_name(v));
	return v;
}

/* Take in the answers to requests whose recoveries gave up on them. */
static void aer_pv_answer_work(struct work_struct *work)
{
	struct aer_pv_channel *ch = container_of(work, struct aer_pv_channel,
						 answer_work);
	struct aer_pv_input in = {
		.type = AER_PV_IN_RESPONSE,
		.rec = AER_PV_NO_REC,
	};
	struct virtio_aer_pv_response wire;
	struct aer_pv_response resp;
	struct aer_pv_action act;
	enum aer_pv_verdict v;
	unsigned int tag, len;

	for (;;) {
		spin_lock_irq(&ch->resp_lock);
		tag = find_first_bit(&ch->orphans, AER_PV_NR_TAGS);
		if (tag < AER_PV_NR_TAGS) {
			wire = ch->tag[tag].resp;
			len = ch->tag[tag].resp_len;
			in.seq = ch->tag[tag].seq;
			__clear_bit(tag, &ch->orphans);
			__clear_bit(tag, &ch->tags);
		}
		spin_unlock_irq(&ch->resp_lock);
		if (tag >= AER_PV_NR_TAGS)
			break;

		v = aer_pv_take_answer(ch, in.seq, &wire, len, &resp);
		in.resp = v ? NULL : &resp;
		mutex_lock(&ch->lock);
		if (v)
			ch->core.verdicts[v]++;
		aer_pv_step(&ch->core, &in, ktime_get_ns(), &act);
		mutex_unlock(&ch->lock);
		aer_pv_wake(ch);
	}
}

static int aer_pv_pci_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct aer_pv_channel *ch = container_of(nb, struct aer_pv_channel, nb);
	struct pci_dev *pdev = to_pci_dev(data);
	struct aer_pv_input in = {
		.type = AER_PV_IN_FN_GONE,
		.fn = aer_pv_id(pdev),
	};
	struct aer_pv_action act;

	if (action != BUS_NOTIFY_DEL_DEVICE)
		return NOTIFY_DONE;
	mutex_lock(&ch->lock);
	aer_pv_step(&ch->core, &in, ktime_get_ns(), &act);
	mutex_unlock(&ch->lock);
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
	unsigned int r;
	int ret;

	if (!info || !info->dev || !info->ops || !info->ops->request ||
	    !info->ops->report)
		return ERR_PTR(-EINVAL);
	if (!aer_pv_wq)
		return ERR_PTR(-ENODEV);

	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return ERR_PTR(-ENOMEM);
	mutex_init(&ch->lock);
	mutex_init(&ch->hold_lock);
	spin_lock_init(&ch->resp_lock);
	INIT_WORK(&ch->answer_work, aer_pv_answer_work);
	INIT_WORK(&ch->release_work, aer_pv_free);
	init_rwsem(&ch->ops_lock);
	init_waitqueue_head(&ch->waitq);
	kref_init(&ch->ref);
	ch->info = *info;
	/* Log lines may outlive the transport: see unregister. */
	get_device(ch->info.dev);
	ch->ops_live = true;
	aer_pv_core_init(&ch->core, info->can_request);
	ch->core.reset_kinds = info->reset_kinds;
	if (info->max_funcs)
		ch->core.nr_fns = min_t(u16, info->max_funcs, AER_PV_MAX_FNS);
	for (r = 0; r < AER_PV_MAX_RECS; r++) {
		ch->units[r].ch = ch;
		ch->units[r].rec = r;
		ch->units[r].tag = -1;
		INIT_WORK(&ch->units[r].work, aer_pv_unit_work);
	}

	ch->nb.notifier_call = aer_pv_pci_notify;
	ret = bus_register_notifier(&pci_bus_type, &ch->nb);
	if (ret)
		goto err_free;

	spin_lock_irq(&aer_pv_chan_lock);
	if (aer_pv_chan) {
		spin_unlock_irq(&aer_pv_chan_lock);
		ret = -EBUSY;
		goto err_nb;
	}
	aer_pv_chan = ch;
	spin_unlock_irq(&aer_pv_chan_lock);

	dev_info(info->dev, "host-coordinated AER recovery enabled (host reset bound %u ms, %u functions%s%s)\n",
		 info->reset_timeout_ms, ch->core.nr_fns,
		 info->can_request ? ", reset requests" : "",
		 info->reset_kinds ? ", reset kinds" : "");
	if (info->max_funcs > AER_PV_MAX_FNS)
		dev_warn(info->dev, "host manages %u functions, aer-pv tracks %u: errors of the others end in perm_failure\n",
			 info->max_funcs, AER_PV_MAX_FNS);
	return ch;

err_nb:
	bus_unregister_notifier(&pci_bus_type, &ch->nb);
err_free:
	put_device(ch->info.dev);
	kfree(ch);
	return ERR_PTR(ret);
}
EXPORT_SYMBOL_NS_GPL(aer_pv_channel_register, AER_PV);

/**
 * aer_pv_channel_unregister() - the transport's channel is going away
 * @ch: the channel
 *
 * Refuses new recoveries, fails the ones waiting for the host (their
 * drivers get perm_failure), stops using the transport, and waits,
 * bounded, for the recoveries still running.  A recovery that outlives
 * the wait keeps the channel, so a new one cannot register until it ends.
 * After this the transport may go; the AER core is upstream again.
 */
void aer_pv_channel_unregister(struct aer_pv_channel *ch)
{
	struct aer_pv_input in = { .type = AER_PV_IN_DOWN };
	struct aer_pv_action act;
	unsigned long bound;

	mutex_lock(&ch->lock);
	ch->closing = true;
	aer_pv_step(&ch->core, &in, ktime_get_ns(), &act);
	mutex_unlock(&ch->lock);

	down_write(&ch->ops_lock);
	ch->ops_live = false;
	up_write(&ch->ops_lock);
	/* No answer comes any more; take in those that came. */
	flush_work(&ch->answer_work);
	aer_pv_wake(ch);

	bus_unregister_notifier(&pci_bus_type, &ch->nb);

	bound = msecs_to_jiffies(aer_pv_timeout_ms(ch) + AER_PV_DRAIN_SLACK_MS);
	if (!wait_event_idle_timeout(ch->waitq, !atomic_read(&ch->running),
				     bound))
		dev_err(ch->info.dev, "%d recoveries still running; channel released when they end\n",
			atomic_read(&ch->running));
	aer_pv_put(ch);
}
EXPORT_SYMBOL_NS_GPL(aer_pv_channel_unregister, AER_PV);

/**
 * aer_pv_snapshot_fn() - copy a function's state and counters, for sysfs
 * @pdev: the function
 * @out: where to copy them
 *
 * Return: 0, or -ENODEV when no channel tracks @pdev.
 */
int aer_pv_snapshot_fn(struct pci_dev *pdev, struct aer_pv_fn_snapshot *out)
{
	struct aer_pv_channel *ch = aer_pv_get();
	struct aer_pv_fn *fn;
	int ret = -ENODEV;

	if (!ch)
		return ret;
	mutex_lock(&ch->lock);
	fn = aer_pv_find_fn(&ch->core, aer_pv_id(pdev));
	if (fn) {
		out->state = ch->core.recs[fn->rec].state;
		out->seq = fn->seq;
		out->stats = fn->stats;
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
	out->untracked = ch->core.untracked;
	out->mem_bytes = sizeof(*ch);
	mutex_unlock(&ch->lock);
	aer_pv_put(ch);
	return 0;
}

static int __init aer_pv_init(void)
{
	/*
	 * Recoveries run here.  WQ_MEM_RECLAIM: a recovery must make
	 * progress when memory is short, as it may be the way out.
	 */
	aer_pv_wq = alloc_workqueue("aer_pv", WQ_UNBOUND | WQ_MEM_RECLAIM, 0);
	if (!aer_pv_wq)
		return -ENOMEM;
	/* Only a log line depends on it: aer-pv works without. */
	if (aer_pv_native_init())
		pr_warn("cannot watch the AER core's messages\n");
	return 0;
}
subsys_initcall(aer_pv_init);
