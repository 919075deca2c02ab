// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-aer-pv transport: carries the host's AER events to the aer-pv
 * recovery core (drivers/pci/pcie/aer_pv/) and its requests to the host.
 *
 * The device is not trusted: lengths it reports are clamped here, and
 * every byte is validated by the core before anything acts on it.
 * Buffers the device still holds are never freed before the device is
 * reset, even when the request that owned them gave up waiting.  A device
 * that sets DEVICE_NEEDS_RESET is reset and set up again: recoveries in
 * progress end in perm_failure, later errors are recovered as before.
 */

#include <linux/aer_pv.h>
#include <linux/module.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/virtio.h>
#include <linux/virtio_aer_pv.h>
#include <linux/virtio_config.h>
#include <linux/workqueue.h>

#define VAP_NR_EVENT_BUFS	16
#define VAP_NR_REPORTS		16

/* A request and its response, in one buffer the device writes to */
struct vap_buf {
	struct virtio_aer_pv_request req;
	struct virtio_aer_pv_response resp;
};

struct virtio_aer_pv {
	struct virtio_device *vdev;
	struct virtqueue *eventq;
	struct virtqueue *reqq;
	union virtio_aer_pv_event *events;
	struct workqueue_struct *wq;	/* event_work, reset_work */
	struct work_struct event_work;
	struct work_struct reset_work;
	unsigned int device_resets;	/* DEVICE_NEEDS_RESET handled */
	spinlock_t lock;		/* reqq, reports_busy, ready, ch calls */
	/*
	 * One buffer per request tag of the core, and a few for phase
	 * reports.  Reports may use only the room of the request queue
	 * that requests can never need, so a slow host that sits on its
	 * reports cannot keep a reset request out.
	 */
	struct vap_buf *tags;
	struct vap_buf *reports;
	unsigned long reports_busy;
	unsigned int max_reports;
	unsigned long reports_dropped;
	bool ready;
	struct aer_pv_channel *ch;
};

static int vap_post_event(struct virtio_aer_pv *vi, unsigned int i)
{
	struct scatterlist sg;

	sg_init_one(&sg, &vi->events[i], sizeof(vi->events[i]));
	return virtqueue_add_inbuf(vi->eventq, &sg, 1, &vi->events[i],
				   GFP_KERNEL);
}

static void vap_event_work(struct work_struct *work)
{
	struct virtio_aer_pv *vi = container_of(work, struct virtio_aer_pv,
						event_work);
	union virtio_aer_pv_event *ev;
	unsigned int len;

	while ((ev = virtqueue_get_buf(vi->eventq, &len))) {
		/* Going away: the device is reset next, nothing to repost. */
		if (!READ_ONCE(vi->ready))
			continue;
		/* The device may claim any length: never past our buffer. */
		len = min_t(unsigned int, len, sizeof(*ev));
		aer_pv_channel_event(vi->ch, ev, len);
		if (vap_post_event(vi, ev - vi->events))
			dev_warn_ratelimited(&vi->vdev->dev,
					     "aer-pv: cannot repost event buffer\n");
	}
	virtqueue_kick(vi->eventq);
}

static void vap_event_done(struct virtqueue *vq)
{
	struct virtio_aer_pv *vi = vq->vdev->priv;

	queue_work(vi->wq, &vi->event_work);
}

static void vap_req_done(struct virtqueue *vq)
{
	struct virtio_aer_pv *vi = vq->vdev->priv;
	unsigned long flags;
	struct vap_buf *b;
	unsigned int len;

	spin_lock_irqsave(&vi->lock, flags);
	while ((b = virtqueue_get_buf(vq, &len))) {
		if (b >= vi->reports && b < vi->reports + VAP_NR_REPORTS) {
			__clear_bit(b - vi->reports, &vi->reports_busy);
			continue;
		}
		/* The core checks the tag and every byte of the answer. */
		if (vi->ready)
			aer_pv_channel_response(vi->ch, b - vi->tags, &b->resp,
						min_t(unsigned int, len,
						      sizeof(b->resp)));
	}
	spin_unlock_irqrestore(&vi->lock, flags);
}

/* Queue @b on the request queue; under vi->lock. */
static int vap_queue(struct virtio_aer_pv *vi, struct vap_buf *b)
{
	struct scatterlist out, in, *sgs[2] = { &out, &in };
	int ret;

	lockdep_assert_held(&vi->lock);
	if (!vi->ready)
		return -ENODEV;
	memset(&b->resp, 0, sizeof(b->resp));
	sg_init_one(&out, &b->req, sizeof(b->req));
	sg_init_one(&in, &b->resp, sizeof(b->resp));
	ret = virtqueue_add_sgs(vi->reqq, sgs, 1, 1, b, GFP_ATOMIC);
	if (!ret)
		virtqueue_kick(vi->reqq);
	return ret;
}

static int vap_request(void *priv, const struct virtio_aer_pv_request *req,
		       unsigned int tag)
{
	struct virtio_aer_pv *vi = priv;
	unsigned long flags;
	int ret;

	if (tag >= AER_PV_NR_TAGS)
		return -EINVAL;
	spin_lock_irqsave(&vi->lock, flags);
	vi->tags[tag].req = *req;
	ret = vap_queue(vi, &vi->tags[tag]);
	spin_unlock_irqrestore(&vi->lock, flags);
	return ret;
}

static void vap_report(void *priv, const struct virtio_aer_pv_request *req)
{
	struct virtio_aer_pv *vi = priv;
	unsigned long flags;
	unsigned int i;
	int ret = -ENOSPC;

	spin_lock_irqsave(&vi->lock, flags);
	i = find_first_zero_bit(&vi->reports_busy, vi->max_reports);
	if (i < vi->max_reports) {
		vi->reports[i].req = *req;
		ret = vap_queue(vi, &vi->reports[i]);
		if (!ret)
			__set_bit(i, &vi->reports_busy);
	}
	if (ret)
		vi->reports_dropped++;
	spin_unlock_irqrestore(&vi->lock, flags);
	/* Informational only: a recovery never waits for the host's word. */
	if (ret)
		dev_warn_ratelimited(&vi->vdev->dev,
				     "aer-pv: phase report dropped: %d\n", ret);
}

static const struct aer_pv_transport_ops vap_ops = {
	.request = vap_request,
	.report = vap_report,
};

/* Nothing more goes to the channel, nor to the device. */
static void vap_stop(struct virtio_aer_pv *vi)
{
	spin_lock_irq(&vi->lock);
	vi->ready = false;
	spin_unlock_irq(&vi->lock);
}

static int vap_probe_common(struct virtio_aer_pv *vi)
{
	struct virtio_device *vdev = vi->vdev;
	struct virtqueue *vqs[VIRTIO_AER_PV_NR_VQS];
	struct virtqueue_info vqs_info[VIRTIO_AER_PV_NR_VQS] = {
		[VIRTIO_AER_PV_VQ_EVENT] = { "event", vap_event_done },
		[VIRTIO_AER_PV_VQ_REQUEST] = { "request", vap_req_done },
	};
	struct aer_pv_channel *ch;
	struct aer_pv_channel_info info = {
		.ops = &vap_ops,
		.priv = vi,
		.dev = &vdev->dev,
	};
	unsigned int i, ring;
	int ret;

	virtio_cread_le(vdev, struct virtio_aer_pv_config, reset_timeout_ms,
			&info.reset_timeout_ms);
	info.reset_timeout_ms = min_t(u32, info.reset_timeout_ms,
				      VIRTIO_AER_PV_RESET_TIMEOUT_MAX_MS);
	info.can_request = virtio_has_feature(vdev,
					      VIRTIO_AER_PV_F_RESET_REQUEST);
	info.reset_kinds = virtio_has_feature(vdev,
					      VIRTIO_AER_PV_F_RESET_KINDS);
	/* The core tracks at most VIRTIO_AER_PV_MAX_MANAGED: it clamps. */
	virtio_cread_le_feature(vdev, VIRTIO_AER_PV_F_MAX_FUNCS,
				struct virtio_aer_pv_config, max_funcs,
				&info.max_funcs);

	ret = virtio_find_vqs(vdev, VIRTIO_AER_PV_NR_VQS, vqs, vqs_info, NULL);
	if (ret)
		return ret;
	vi->eventq = vqs[VIRTIO_AER_PV_VQ_EVENT];
	vi->reqq = vqs[VIRTIO_AER_PV_VQ_REQUEST];

	/* Without indirect descriptors, a request takes two of the ring. */
	ring = virtqueue_get_vring_size(vi->reqq) / 2;
	if (ring <= AER_PV_NR_TAGS) {
		dev_err(&vdev->dev, "aer-pv: request queue too small: %u descriptors, need more than %u\n",
			ring * 2, AER_PV_NR_TAGS * 2);
		ret = -ENOSPC;
		goto err_vqs;
	}
	vi->max_reports = min_t(unsigned int, ring - AER_PV_NR_TAGS,
				VAP_NR_REPORTS);
	vi->reports_busy = 0;

	ch = aer_pv_channel_register(&info);
	if (IS_ERR(ch)) {
		ret = PTR_ERR(ch);
		dev_err(&vdev->dev, "aer-pv: cannot register channel: %d\n",
			ret);
		goto err_vqs;
	}
	vi->ch = ch;

	for (i = 0; i < VAP_NR_EVENT_BUFS; i++) {
		ret = vap_post_event(vi, i);
		if (ret)
			goto err_channel;
	}
	/* Ready before DRIVER_OK: the first event must not find it unset. */
	spin_lock_irq(&vi->lock);
	vi->ready = true;
	spin_unlock_irq(&vi->lock);
	virtio_device_ready(vdev);
	virtqueue_kick(vi->eventq);
	return 0;

err_channel:
	aer_pv_channel_unregister(vi->ch);
	vi->ch = NULL;
	virtio_reset_device(vdev);
err_vqs:
	vdev->config->del_vqs(vdev);
	return ret;
}

static void vap_remove_common(struct virtio_aer_pv *vi)
{
	struct virtio_device *vdev = vi->vdev;

	/*
	 * Reset the device first: without DRIVER_OK the host signals its
	 * errors the native way again while the channel winds down, and it
	 * can no longer write to our buffers.  No event or answer reaches
	 * the channel once it is unregistered.
	 */
	vap_stop(vi);
	virtio_reset_device(vdev);
	cancel_work_sync(&vi->event_work);
	aer_pv_channel_unregister(vi->ch);
	vi->ch = NULL;
	vdev->config->del_vqs(vdev);
}

/*
 * The driver's part of device initialisation, which the virtio core does
 * before probe, for a device reset behind the core's back.
 */
static int vap_reinit(struct virtio_device *vdev)
{
	int ret;

	virtio_add_status(vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	virtio_add_status(vdev, VIRTIO_CONFIG_S_DRIVER);
	ret = vdev->config->finalize_features(vdev);
	if (ret)
		return ret;
	virtio_add_status(vdev, VIRTIO_CONFIG_S_FEATURES_OK);
	if (!(vdev->config->get_status(vdev) & VIRTIO_CONFIG_S_FEATURES_OK))
		return -ENODEV;
	return vap_probe_common(vdev->priv);
}

static void vap_reset_work(struct work_struct *work)
{
	struct virtio_aer_pv *vi = container_of(work, struct virtio_aer_pv,
						reset_work);
	struct virtio_device *vdev = vi->vdev;
	int ret;

	if (!(vdev->config->get_status(vdev) & VIRTIO_CONFIG_S_NEEDS_RESET))
		return;
	WRITE_ONCE(vi->device_resets, vi->device_resets + 1);
	dev_warn(&vdev->dev, "aer-pv: device needs reset; recoveries in progress fail\n");
	vap_remove_common(vi);
	ret = vap_reinit(vdev);
	if (ret) {
		/* Nothing is registered: the AER core is upstream again. */
		virtio_add_status(vdev, VIRTIO_CONFIG_S_FAILED);
		dev_err(&vdev->dev, "aer-pv: device did not come back after reset: %d\n",
			ret);
		return;
	}
	dev_info(&vdev->dev, "aer-pv: device reset, channel up again\n");
}

static void vap_config_changed(struct virtio_device *vdev)
{
	struct virtio_aer_pv *vi = vdev->priv;

	if (vdev->config->get_status(vdev) & VIRTIO_CONFIG_S_NEEDS_RESET)
		queue_work(vi->wq, &vi->reset_work);
}

static int vap_probe(struct virtio_device *vdev)
{
	struct virtio_aer_pv *vi;
	int ret;

	if (!vdev->config->get) {
		dev_err(&vdev->dev, "aer-pv: config access disabled\n");
		return -EINVAL;
	}

	vi = kzalloc(sizeof(*vi), GFP_KERNEL);
	if (!vi)
		return -ENOMEM;
	vi->events = kcalloc(VAP_NR_EVENT_BUFS, sizeof(*vi->events),
			     GFP_KERNEL);
	vi->tags = kcalloc(AER_PV_NR_TAGS, sizeof(*vi->tags), GFP_KERNEL);
	vi->reports = kcalloc(VAP_NR_REPORTS, sizeof(*vi->reports),
			      GFP_KERNEL);
	/* A recovery waits for events: they must get through under pressure. */
	vi->wq = alloc_workqueue("virtio_aer_pv", WQ_MEM_RECLAIM, 0);
	if (!vi->events || !vi->tags || !vi->reports || !vi->wq) {
		ret = -ENOMEM;
		goto err_free;
	}
	vi->vdev = vdev;
	vdev->priv = vi;
	spin_lock_init(&vi->lock);
	INIT_WORK(&vi->event_work, vap_event_work);
	INIT_WORK(&vi->reset_work, vap_reset_work);

	ret = vap_probe_common(vi);
	if (ret)
		goto err_free;
	return 0;

err_free:
	if (vi->wq)
		destroy_workqueue(vi->wq);
	kfree(vi->reports);
	kfree(vi->tags);
	kfree(vi->events);
	kfree(vi);
	return ret;
}

static void vap_remove(struct virtio_device *vdev)
{
	struct virtio_aer_pv *vi = vdev->priv;

	cancel_work_sync(&vi->reset_work);
	if (vi->ch)
		vap_remove_common(vi);
	destroy_workqueue(vi->wq);
	kfree(vi->reports);
	kfree(vi->tags);
	kfree(vi->events);
	kfree(vi);
}

static int vap_freeze(struct virtio_device *vdev)
{
	struct virtio_aer_pv *vi = vdev->priv;

	cancel_work_sync(&vi->reset_work);
	if (vi->ch)
		vap_remove_common(vi);
	return 0;
}

static int vap_restore(struct virtio_device *vdev)
{
	return vap_probe_common(vdev->priv);
}

static ssize_t device_resets_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct virtio_aer_pv *vi = dev_to_virtio(dev)->priv;

	return sysfs_emit(buf, "%u\n", READ_ONCE(vi->device_resets));
}
static DEVICE_ATTR_RO(device_resets);

static ssize_t reports_dropped_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	struct virtio_aer_pv *vi = dev_to_virtio(dev)->priv;

	return sysfs_emit(buf, "%lu\n", READ_ONCE(vi->reports_dropped));
}
static DEVICE_ATTR_RO(reports_dropped);

static struct attribute *vap_attrs[] = {
	&dev_attr_device_resets.attr,
	&dev_attr_reports_dropped.attr,
	NULL
};

/* The transport's own counter, beside the channel's aer_pv/ directory */
static const struct attribute_group vap_group = {
	.attrs = vap_attrs,
};

static const struct attribute_group *vap_groups[] = {
	&aer_pv_channel_group,
	&vap_group,
	NULL
};

static const struct virtio_device_id id_table[] = {
	{ VIRTIO_ID_AER_PV, VIRTIO_DEV_ANY_ID },
	{ 0 },
};
MODULE_DEVICE_TABLE(virtio, id_table);

static unsigned int features[] = {
	VIRTIO_AER_PV_F_RESET_REQUEST,
	VIRTIO_AER_PV_F_RESET_KINDS,
	VIRTIO_AER_PV_F_MAX_FUNCS,
};

static struct virtio_driver virtio_aer_pv_driver = {
	.feature_table = features,
	.feature_table_size = ARRAY_SIZE(features),
	.driver.name = KBUILD_MODNAME,
	.driver.dev_groups = vap_groups,
	.id_table = id_table,
	.probe = vap_probe,
	.remove = vap_remove,
	.config_changed = vap_config_changed,
	.freeze = pm_sleep_ptr(vap_freeze),
	.restore = pm_sleep_ptr(vap_restore),
};
module_virtio_driver(virtio_aer_pv_driver);

MODULE_DESCRIPTION("virtio-aer-pv: host-coordinated PCIe AER recovery");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(AER_PV);
