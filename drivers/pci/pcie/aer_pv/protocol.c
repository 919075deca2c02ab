// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-aer-pv message validation.
 *
 * Every byte here comes from the host, which the guest does not trust: a
 * buggy or malicious device can send any length, type or value.  Nothing
 * is acted on until it has been checked field by field and copied into a
 * CPU-order structure; the state machine only ever sees the copy.
 */

#include <linux/build_bug.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/byteorder.h>
#include <kunit/visibility.h>

#include "protocol.h"

/* The wire layout is ABI: catch any change to it at build time. */
static_assert(sizeof(struct virtio_aer_pv_config) == 8);
static_assert(sizeof(struct virtio_aer_pv_func) == 4);
static_assert(sizeof(struct virtio_aer_pv_aer_regs) == 40);
static_assert(sizeof(struct virtio_aer_pv_error_event) ==
	      52 + 4 * VIRTIO_AER_PV_MAX_FUNCS);
static_assert(sizeof(struct virtio_aer_pv_reset_event) == 12);
static_assert(sizeof(struct virtio_aer_pv_request) == 16);
static_assert(sizeof(struct virtio_aer_pv_response) == 8);
static_assert(offsetof(struct virtio_aer_pv_error_event, type) ==
	      offsetof(struct virtio_aer_pv_reset_event, type));
static_assert(offsetof(struct virtio_aer_pv_error_event, seq) ==
	      offsetof(struct virtio_aer_pv_reset_event, seq));

static const char * const aer_pv_verdict_names[AER_PV_NR_VERDICTS] = {
	[AER_PV_OK]			= "ok",
	[AER_PV_DROP_SHORT]		= "short",
	[AER_PV_DROP_TYPE]		= "type",
	[AER_PV_DROP_FLAGS]		= "flags",
	[AER_PV_DROP_SEQ]		= "seq",
	[AER_PV_DROP_SEVERITY]		= "severity",
	[AER_PV_DROP_RESET]		= "reset",
	[AER_PV_DROP_RESET_KIND]	= "reset_kind",
	[AER_PV_DROP_NR_FUNCS]		= "nr_funcs",
	[AER_PV_DROP_FUNC]		= "func",
	[AER_PV_DROP_STATUS]		= "status",
	[AER_PV_DROP_STALE]		= "stale",
	[AER_PV_DROP_DUPLICATE]		= "duplicate",
	[AER_PV_DROP_UNKNOWN_SEQ]	= "unknown_seq",
	[AER_PV_DROP_TRANSITION]	= "transition",
	[AER_PV_DROP_TABLE_FULL]	= "table_full",
	[AER_PV_DROP_NO_DEVICE]		= "no_device",
};

/**
 * aer_pv_verdict_name() - short name of a verdict, for logs and sysfs
 * @v: the verdict
 *
 * Return: a static string; "invalid" for a value out of range.
 */
const char *aer_pv_verdict_name(enum aer_pv_verdict v)
{
	if ((unsigned int)v >= AER_PV_NR_VERDICTS)
		return "invalid";
	return aer_pv_verdict_names[v];
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_verdict_name);

/* A reset kind must be given exactly when the host did or will reset. */
static enum aer_pv_verdict aer_pv_check_reset(u8 reset, u8 kind)
{
	if (reset > VIRTIO_AER_PV_RESET_FAILED)
		return AER_PV_DROP_RESET;
	if (reset == VIRTIO_AER_PV_RESET_NONE)
		return kind == VIRTIO_AER_PV_RESET_KIND_NONE ?
			AER_PV_OK : AER_PV_DROP_RESET_KIND;
	if (kind != VIRTIO_AER_PV_RESET_KIND_LINK &&
	    kind != VIRTIO_AER_PV_RESET_KIND_FUNCTION)
		return AER_PV_DROP_RESET_KIND;
	return AER_PV_OK;
}

static enum aer_pv_verdict
aer_pv_decode_error(const struct virtio_aer_pv_error_event *w,
		    struct aer_pv_event *ev)
{
	enum aer_pv_verdict v;
	unsigned int i, j;

	/* Whether the driver negotiated them is the state machine's call. */
	if (ev->flags & ~(VIRTIO_AER_PV_EVF_RESET_LINK |
			  VIRTIO_AER_PV_EVF_RESET_FUNCTION))
		return AER_PV_DROP_FLAGS;
	if (w->severity > VIRTIO_AER_PV_SEV_FATAL)
		return AER_PV_DROP_SEVERITY;
	v = aer_pv_check_reset(w->reset, w->reset_kind);
	if (v)
		return v;
	/* A correctable error needs no reset, so none can be in flight. */
	if (w->severity == VIRTIO_AER_PV_SEV_CORRECTABLE &&
	    w->reset != VIRTIO_AER_PV_RESET_NONE)
		return AER_PV_DROP_RESET;
	if (w->nr_funcs == 0 || w->nr_funcs > VIRTIO_AER_PV_MAX_FUNCS)
		return AER_PV_DROP_NR_FUNCS;

	ev->severity = w->severity;
	ev->reset = w->reset;
	ev->reset_kind = w->reset_kind;
	ev->nr_funcs = w->nr_funcs;
	for (i = 0; i < ev->nr_funcs; i++) {
		ev->funcs[i] = AER_PV_FN_ID(le16_to_cpu(w->funcs[i].segment),
					    w->funcs[i].bus,
					    w->funcs[i].devfn);
		for (j = 0; j < i; j++)
			if (ev->funcs[j] == ev->funcs[i])
				return AER_PV_DROP_FUNC;
	}

	ev->aer.uncor_status = le32_to_cpu(w->aer.uncor_status);
	ev->aer.uncor_mask = le32_to_cpu(w->aer.uncor_mask);
	ev->aer.uncor_severity = le32_to_cpu(w->aer.uncor_severity);
	ev->aer.cor_status = le32_to_cpu(w->aer.cor_status);
	ev->aer.cor_mask = le32_to_cpu(w->aer.cor_mask);
	ev->aer.cap_control = le32_to_cpu(w->aer.cap_control);
	for (i = 0; i < ARRAY_SIZE(ev->aer.header_log); i++)
		ev->aer.header_log[i] = le32_to_cpu(w->aer.header_log[i]);
	return AER_PV_OK;
}

static enum aer_pv_verdict
aer_pv_decode_reset(const struct virtio_aer_pv_reset_event *w,
		    struct aer_pv_event *ev)
{
	enum aer_pv_verdict v;

	if (ev->flags)
		return AER_PV_DROP_FLAGS;
	/* An update only ever reports the end of a reset. */
	if (w->reset != VIRTIO_AER_PV_RESET_DONE &&
	    w->reset != VIRTIO_AER_PV_RESET_FAILED)
		return AER_PV_DROP_RESET;
	v = aer_pv_check_reset(w->reset, w->reset_kind);
	if (v)
		return v;
	ev->reset = w->reset;
	ev->reset_kind = w->reset_kind;
	return AER_PV_OK;
}

/**
 * aer_pv_decode_event() - validate an event from the host and decode it
 * @buf: the bytes the device wrote
 * @len: how many bytes the device says it wrote
 * @ev: where to put the decoded event; undefined unless AER_PV_OK
 *
 * The length is checked against the type before any field beyond the
 * common header is read, so @buf may be shorter than the largest event,
 * and it may sit at any address: the bytes are copied before use.
 *
 * Return: AER_PV_OK, or the reason the event must be dropped.
 */
enum aer_pv_verdict aer_pv_decode_event(const void *buf, size_t len,
					struct aer_pv_event *ev)
{
	union virtio_aer_pv_event w;

	memset(ev, 0, sizeof(*ev));
	if (!buf || len < sizeof(w.reset))
		return AER_PV_DROP_SHORT;
	memset(&w, 0, sizeof(w));
	memcpy(&w, buf, min(len, sizeof(w)));

	ev->type = le16_to_cpu(w.reset.type);
	ev->flags = le16_to_cpu(w.reset.flags);
	ev->seq = le32_to_cpu(w.reset.seq);

	switch (ev->type) {
	case VIRTIO_AER_PV_EVT_ERROR:
		if (len < sizeof(w.error))
			return AER_PV_DROP_SHORT;
		if (!ev->seq)
			return AER_PV_DROP_SEQ;
		return aer_pv_decode_error(&w.error, ev);
	case VIRTIO_AER_PV_EVT_RESET:
		if (!ev->seq)
			return AER_PV_DROP_SEQ;
		return aer_pv_decode_reset(&w.reset, ev);
	default:
		return AER_PV_DROP_TYPE;
	}
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_decode_event);

/**
 * aer_pv_decode_response() - validate the host's response to a request
 * @req_type: the VIRTIO_AER_PV_REQ_* the response answers
 * @buf: the bytes the device wrote
 * @len: how many bytes the device says it wrote
 * @resp: where to put the decoded response; undefined unless AER_PV_OK
 *
 * Return: AER_PV_OK, or the reason the response cannot be trusted, in
 * which case the caller treats the request as failed.
 */
enum aer_pv_verdict aer_pv_decode_response(u16 req_type, const void *buf,
					   size_t len,
					   struct aer_pv_response *resp)
{
	struct virtio_aer_pv_response copy, *w = &copy;

	memset(resp, 0, sizeof(*resp));
	if (!buf || len < sizeof(*w))
		return AER_PV_DROP_SHORT;
	/* Any address: copy before reading fields. */
	memcpy(w, buf, sizeof(*w));
	if (w->status > VIRTIO_AER_PV_S_STALE)
		return AER_PV_DROP_STATUS;
	resp->status = w->status;

	resp->seq = le32_to_cpu(w->seq);

	switch (req_type) {
	case VIRTIO_AER_PV_REQ_RESET:
		if (resp->status != VIRTIO_AER_PV_S_OK)
			return AER_PV_OK;
		if (w->reset_kind != VIRTIO_AER_PV_RESET_KIND_LINK &&
		    w->reset_kind != VIRTIO_AER_PV_RESET_KIND_FUNCTION)
			return AER_PV_DROP_RESET_KIND;
		resp->reset_kind = w->reset_kind;
		return AER_PV_OK;
	case VIRTIO_AER_PV_REQ_PHASE:
		return AER_PV_OK;
	default:
		return AER_PV_DROP_TYPE;
	}
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_decode_response);

/**
 * aer_pv_encode_request() - fill in a request for the host
 * @req: the request to fill in
 * @type: VIRTIO_AER_PV_REQ_*
 * @seq: the error the request is about, 0 for none
 * @fn: the function, as AER_PV_FN_ID()
 * @arg: reset kind for REQ_RESET, phase for REQ_PHASE, else 0
 */
void aer_pv_encode_request(struct virtio_aer_pv_request *req, u16 type,
			   u32 seq, u32 fn, u8 arg)
{
	memset(req, 0, sizeof(*req));
	req->type = cpu_to_le16(type);
	req->seq = cpu_to_le32(seq);
	req->func.segment = cpu_to_le16(AER_PV_FN_SEG(fn));
	req->func.bus = AER_PV_FN_BUS(fn);
	req->func.devfn = AER_PV_FN_DEVFN(fn);
	req->arg = arg;
}
EXPORT_SYMBOL_IF_KUNIT(aer_pv_encode_request);
