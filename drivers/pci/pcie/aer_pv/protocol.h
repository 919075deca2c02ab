/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Validation and decoding of virtio-aer-pv messages.  Pure: no device
 * access, no allocation, no locking, so that KUnit and a userspace fuzzer
 * can drive it with arbitrary bytes.
 */

#ifndef _AER_PV_PROTOCOL_H
#define _AER_PV_PROTOCOL_H

#include <linux/types.h>
#include <linux/virtio_aer_pv.h>

/* A function by the guest address the host names it with */
#define AER_PV_FN_ID(seg, bus, devfn) \
	(((u32)(seg) << 16) | ((u32)(bus) << 8) | (u32)(devfn))
#define AER_PV_FN_SEG(id)	((u16)((id) >> 16))
#define AER_PV_FN_BUS(id)	((u8)((id) >> 8))
#define AER_PV_FN_DEVFN(id)	((u8)(id))

/*
 * Why a message was not acted on.  AER_PV_OK is the only verdict that
 * accepts; every other value is counted in its own counter.
 */
enum aer_pv_verdict {
	AER_PV_OK = 0,
	AER_PV_DROP_SHORT,		/* shorter than its type needs */
	AER_PV_DROP_TYPE,		/* unknown message type */
	AER_PV_DROP_FLAGS,		/* unknown flag bits */
	AER_PV_DROP_SEQ,		/* sequence number 0 */
	AER_PV_DROP_SEVERITY,		/* severity out of range */
	AER_PV_DROP_RESET,		/* reset state out of range */
	AER_PV_DROP_RESET_KIND,		/* reset kind inconsistent */
	AER_PV_DROP_NR_FUNCS,		/* no function, or too many */
	AER_PV_DROP_FUNC,		/* a function named twice */
	AER_PV_DROP_STATUS,		/* response status out of range */
	AER_PV_DROP_STALE,		/* older than what was handled */
	AER_PV_DROP_DUPLICATE,		/* already handled */
	AER_PV_DROP_UNKNOWN_SEQ,	/* names no error in progress */
	AER_PV_DROP_TRANSITION,		/* reset state cannot go there */
	AER_PV_DROP_TABLE_FULL,		/* no room to track the function */
	AER_PV_DROP_NO_DEVICE,		/* no such function in the guest */
	AER_PV_NR_VERDICTS
};

/* Snapshot of AER registers, CPU byte order */
struct aer_pv_regs {
	u32 uncor_status;
	u32 uncor_mask;
	u32 uncor_severity;
	u32 cor_status;
	u32 cor_mask;
	u32 cap_control;
	u32 header_log[4];
};

/* A decoded, validated event; fields in CPU byte order */
struct aer_pv_event {
	u16 type;
	u16 flags;
	u32 seq;
	u8 severity;			/* EVT_ERROR */
	u8 reset;
	u8 reset_kind;
	u8 nr_funcs;			/* EVT_ERROR */
	u32 funcs[VIRTIO_AER_PV_MAX_FUNCS];
	struct aer_pv_regs aer;		/* EVT_ERROR */
};

/* A decoded, validated response */
struct aer_pv_response {
	u8 status;
	u8 reset_kind;
	u32 seq;
};

enum aer_pv_verdict aer_pv_decode_event(const void *buf, size_t len,
					struct aer_pv_event *ev);
enum aer_pv_verdict aer_pv_decode_response(u16 req_type, const void *buf,
					   size_t len,
					   struct aer_pv_response *resp);
void aer_pv_encode_request(struct virtio_aer_pv_request *req, u16 type,
			   u32 seq, u32 fn, u8 arg);
const char *aer_pv_verdict_name(enum aer_pv_verdict v);

/* Serial number arithmetic (RFC 1982) so that sequence numbers may wrap */
static inline bool aer_pv_seq_after(u32 a, u32 b)
{
	return (s32)(a - b) > 0;
}

#endif /* _AER_PV_PROTOCOL_H */
