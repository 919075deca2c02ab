// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of virtio-aer-pv message validation: every field the host
 * controls, in range and out of it.
 */

#include <kunit/test.h>
#include <linux/module.h>
#include <linux/string.h>

#include "../protocol.h"

static void fill_error(struct virtio_aer_pv_error_event *w, u32 seq, u8 sev,
		       u8 reset, u8 kind, u8 nr)
{
	unsigned int i;

	memset(w, 0, sizeof(*w));
	w->type = cpu_to_le16(VIRTIO_AER_PV_EVT_ERROR);
	w->seq = cpu_to_le32(seq);
	w->severity = sev;
	w->reset = reset;
	w->reset_kind = kind;
	w->nr_funcs = nr;
	for (i = 0; i < VIRTIO_AER_PV_MAX_FUNCS; i++) {
		w->funcs[i].segment = cpu_to_le16(0);
		w->funcs[i].bus = 1;
		w->funcs[i].devfn = i;
	}
}

static void fill_reset(struct virtio_aer_pv_reset_event *w, u32 seq, u8 reset,
		       u8 kind)
{
	memset(w, 0, sizeof(*w));
	w->type = cpu_to_le16(VIRTIO_AER_PV_EVT_RESET);
	w->seq = cpu_to_le32(seq);
	w->reset = reset;
	w->reset_kind = kind;
}

static enum aer_pv_verdict decode_error(struct virtio_aer_pv_error_event *w)
{
	struct aer_pv_event ev;

	return aer_pv_decode_event(w, sizeof(*w), &ev);
}

static void decode_error_valid(struct kunit *test)
{
	struct virtio_aer_pv_error_event w;
	struct aer_pv_event ev;

	fill_error(&w, 0x01020304, VIRTIO_AER_PV_SEV_FATAL,
		   VIRTIO_AER_PV_RESET_PENDING, VIRTIO_AER_PV_RESET_KIND_LINK,
		   2);
	w.funcs[1].segment = cpu_to_le16(0x1234);
	w.funcs[1].bus = 0xab;
	w.funcs[1].devfn = 0x11;
	w.aer.uncor_status = cpu_to_le32(0x00040000);
	w.aer.header_log[3] = cpu_to_le32(0xdeadbeef);

	KUNIT_ASSERT_EQ(test, aer_pv_decode_event(&w, sizeof(w), &ev),
			AER_PV_OK);
	KUNIT_EXPECT_EQ(test, ev.type, VIRTIO_AER_PV_EVT_ERROR);
	KUNIT_EXPECT_EQ(test, ev.seq, 0x01020304u);
	KUNIT_EXPECT_EQ(test, ev.flags, 0);
	KUNIT_EXPECT_EQ(test, ev.severity, VIRTIO_AER_PV_SEV_FATAL);
	KUNIT_EXPECT_EQ(test, ev.reset, VIRTIO_AER_PV_RESET_PENDING);
	KUNIT_EXPECT_EQ(test, ev.reset_kind, VIRTIO_AER_PV_RESET_KIND_LINK);
	KUNIT_EXPECT_EQ(test, ev.nr_funcs, 2);
	KUNIT_EXPECT_EQ(test, ev.funcs[0], AER_PV_FN_ID(0, 1, 0));
	KUNIT_EXPECT_EQ(test, ev.funcs[1], AER_PV_FN_ID(0x1234, 0xab, 0x11));
	KUNIT_EXPECT_EQ(test, ev.aer.uncor_status, 0x00040000u);
	KUNIT_EXPECT_EQ(test, ev.aer.header_log[3], 0xdeadbeefu);
}

static void decode_reset_valid(struct kunit *test)
{
	struct virtio_aer_pv_reset_event w;
	struct aer_pv_event ev;

	fill_reset(&w, 7, VIRTIO_AER_PV_RESET_DONE,
		   VIRTIO_AER_PV_RESET_KIND_FUNCTION);
	KUNIT_ASSERT_EQ(test, aer_pv_decode_event(&w, sizeof(w), &ev),
			AER_PV_OK);
	KUNIT_EXPECT_EQ(test, ev.type, VIRTIO_AER_PV_EVT_RESET);
	KUNIT_EXPECT_EQ(test, ev.seq, 7u);
	KUNIT_EXPECT_EQ(test, ev.reset, VIRTIO_AER_PV_RESET_DONE);
	KUNIT_EXPECT_EQ(test, ev.reset_kind, VIRTIO_AER_PV_RESET_KIND_FUNCTION);
}

static void decode_rejects_short_header(struct kunit *test)
{
	u8 buf[sizeof(struct virtio_aer_pv_reset_event)] = {};
	struct aer_pv_event ev;

	KUNIT_EXPECT_EQ(test, aer_pv_decode_event(NULL, 64, &ev),
			AER_PV_DROP_SHORT);
	KUNIT_EXPECT_EQ(test, aer_pv_decode_event(buf, 0, &ev),
			AER_PV_DROP_SHORT);
	KUNIT_EXPECT_EQ(test, aer_pv_decode_event(buf, sizeof(buf) - 1, &ev),
			AER_PV_DROP_SHORT);
}

static void decode_rejects_short_error(struct kunit *test)
{
	struct virtio_aer_pv_error_event w;
	struct aer_pv_event ev;

	fill_error(&w, 1, VIRTIO_AER_PV_SEV_FATAL, VIRTIO_AER_PV_RESET_NONE,
		   VIRTIO_AER_PV_RESET_KIND_NONE, 1);
	KUNIT_EXPECT_EQ(test, aer_pv_decode_event(&w, sizeof(w) - 1, &ev),
			AER_PV_DROP_SHORT);
	KUNIT_EXPECT_EQ(test,
			aer_pv_decode_event(&w, sizeof(struct virtio_aer_pv_reset_event), &ev),
			AER_PV_DROP_SHORT);
}

static void decode_accepts_longer_buffer(struct kunit *test)
{
	u8 buf[sizeof(struct virtio_aer_pv_error_event) + 16] = {};
	struct aer_pv_event ev;

	fill_error((void *)buf, 1, VIRTIO_AER_PV_SEV_NONFATAL,
		   VIRTIO_AER_PV_RESET_NONE, VIRTIO_AER_PV_RESET_KIND_NONE, 1);
	KUNIT_EXPECT_EQ(test, aer_pv_decode_event(buf, sizeof(buf), &ev),
			AER_PV_OK);
}

/* Found by the fuzzer: a buffer at an odd address was read in place. */
static void decode_accepts_unaligned_buffer(struct kunit *test)
{
	u8 buf[sizeof(struct virtio_aer_pv_error_event) + 1] = {};
	struct virtio_aer_pv_error_event w;
	struct virtio_aer_pv_response r = {
		.status = VIRTIO_AER_PV_S_OK, .seq = cpu_to_le32(9),
		.reset_kind = VIRTIO_AER_PV_RESET_KIND_LINK,
	};
	struct aer_pv_response resp;
	struct aer_pv_event ev;

	fill_error(&w, 0x10203, VIRTIO_AER_PV_SEV_FATAL,
		   VIRTIO_AER_PV_RESET_DONE, VIRTIO_AER_PV_RESET_KIND_LINK, 2);
	memcpy(buf + 1, &w, sizeof(w));
	KUNIT_ASSERT_EQ(test, aer_pv_decode_event(buf + 1, sizeof(w), &ev),
			AER_PV_OK);
	KUNIT_EXPECT_EQ(test, ev.seq, 0x10203u);
	KUNIT_EXPECT_EQ(test, ev.funcs[1], AER_PV_FN_ID(0, 1, 1));

	memcpy(buf + 1, &r, sizeof(r));
	KUNIT_ASSERT_EQ(test, aer_pv_decode_response(VIRTIO_AER_PV_REQ_RESET,
						     buf + 1, sizeof(r), &resp),
			AER_PV_OK);
	KUNIT_EXPECT_EQ(test, resp.seq, 9u);
}

static void decode_rejects_unknown_type(struct kunit *test)
{
	static const u16 types[] = { 0, 3, 0x100, 0xffff };
	struct virtio_aer_pv_error_event w;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		fill_error(&w, 1, VIRTIO_AER_PV_SEV_FATAL,
			   VIRTIO_AER_PV_RESET_NONE,
			   VIRTIO_AER_PV_RESET_KIND_NONE, 1);
		w.type = cpu_to_le16(types[i]);
		KUNIT_EXPECT_EQ(test, decode_error(&w), AER_PV_DROP_TYPE);
	}
}

static void decode_rejects_unknown_flags(struct kunit *test)
{
	struct virtio_aer_pv_error_event w;
	struct virtio_aer_pv_reset_event r;
	struct aer_pv_event ev;

	fill_error(&w, 1, VIRTIO_AER_PV_SEV_FATAL, VIRTIO_AER_PV_RESET_NONE,
		   VIRTIO_AER_PV_RESET_KIND_NONE, 1);
	w.flags = cpu_to_le16(0x8000);
	KUNIT_EXPECT_EQ(test, decode_error(&w), AER_PV_DROP_FLAGS);
	/* Only the reset kinds are defined, for errors only. */
	w.flags = cpu_to_le16(0x0004);
	KUNIT_EXPECT_EQ(test, decode_error(&w), AER_PV_DROP_FLAGS);
	w.flags = cpu_to_le16(VIRTIO_AER_PV_EVF_RESET_LINK |
			      VIRTIO_AER_PV_EVF_RESET_FUNCTION);
	KUNIT_EXPECT_EQ(test, decode_error(&w), AER_PV_OK);

	fill_reset(&r, 1, VIRTIO_AER_PV_RESET_DONE,
		   VIRTIO_AER_PV_RESET_KIND_LINK);
	r.flags = cpu_to_le16(0x0001);
	KUNIT_EXPECT_EQ(test, aer_pv_decode_event(&r, sizeof(r), &ev),
			AER_PV_DROP_FLAGS);
}

static void decode_rejects_seq_zero(struct kunit *test)
{
	struct virtio_aer_pv_error_event w;
	struct virtio_aer_pv_reset_event r;
	struct aer_pv_event ev;

	fill_error(&w, 0, VIRTIO_AER_PV_SEV_FATAL, VIRTIO_AER_PV_RESET_NONE,
		   VIRTIO_AER_PV_RESET_KIND_NONE, 1);
	KUNIT_EXPECT_EQ(test, decode_error(&w), AER_PV_DROP_SEQ);
	fill_reset(&r, 0, VIRTIO_AER_PV_RESET_DONE,
		   VIRTIO_AER_PV_RESET_KIND_LINK);
	KUNIT_EXPECT_EQ(test, aer_pv_decode_event(&r, sizeof(r), &ev),
			AER_PV_DROP_SEQ);
}

static void decode_rejects_bad_severity(struct kunit *test)
{
	static const u8 sevs[] = { VIRTIO_AER_PV_SEV_FATAL + 1, 0x80, 0xff };
	struct virtio_aer_pv_error_event w;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sevs); i++) {
		fill_error(&w, 1, sevs[i], VIRTIO_AER_PV_RESET_NONE,
			   VIRTIO_AER_PV_RESET_KIND_NONE, 1);
		KUNIT_EXPECT_EQ(test, decode_error(&w), AER_PV_DROP_SEVERITY);
	}
}

static void decode_rejects_bad_reset(struct kunit *test)
{
	static const u8 resets[] = { VIRTIO_AER_PV_RESET_FAILED + 1, 0xff };
	struct virtio_aer_pv_error_event w;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(resets); i++) {
		fill_error(&w, 1, VIRTIO_AER_PV_SEV_FATAL, resets[i],
			   VIRTIO_AER_PV_RESET_KIND_LINK, 1);
		KUNIT_EXPECT_EQ(test, decode_error(&w), AER_PV_DROP_RESET);
	}
}

static void decode_rejects_inconsistent_reset_kind(struct kunit *test)
{
	struct virtio_aer_pv_error_event w;

	/* No reset, yet a kind. */
	fill_error(&w, 1, VIRTIO_AER_PV_SEV_FATAL, VIRTIO_AER_PV_RESET_NONE,
		   VIRTIO_AER_PV_RESET_KIND_LINK, 1);
	KUNIT_EXPECT_EQ(test, decode_error(&w), AER_PV_DROP_RESET_KIND);
	/* A reset of no kind. */
	fill_error(&w, 1, VIRTIO_AER_PV_SEV_FATAL, VIRTIO_AER_PV_RESET_DONE,
		   VIRTIO_AER_PV_RESET_KIND_NONE, 1);
	KUNIT_EXPECT_EQ(test, decode_error(&w), AER_PV_DROP_RESET_KIND);
	/* A kind that does not exist. */
	fill_error(&w, 1, VIRTIO_AER_PV_SEV_FATAL, VIRTIO_AER_PV_RESET_DONE,
		   VIRTIO_AER_PV_RESET_KIND_FUNCTION + 1, 1);
	KUNIT_EXPECT_EQ(test, decode_error(&w), AER_PV_DROP_RESET_KIND);
}

static void decode_rejects_correctable_with_reset(struct kunit *test)
{
	struct virtio_aer_pv_error_event w;

	fill_error(&w, 1, VIRTIO_AER_PV_SEV_CORRECTABLE,
		   VIRTIO_AER_PV_RESET_PENDING, VIRTIO_AER_PV_RESET_KIND_LINK,
		   1);
	KUNIT_EXPECT_EQ(test, decode_error(&w), AER_PV_DROP_RESET);
}

static void decode_rejects_bad_nr_funcs(struct kunit *test)
{
	static const u8 nrs[] = { 0, VIRTIO_AER_PV_MAX_FUNCS + 1, 0xff };
	struct virtio_aer_pv_error_event w;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nrs); i++) {
		fill_error(&w, 1, VIRTIO_AER_PV_SEV_FATAL,
			   VIRTIO_AER_PV_RESET_NONE,
			   VIRTIO_AER_PV_RESET_KIND_NONE, nrs[i]);
		KUNIT_EXPECT_EQ(test, decode_error(&w), AER_PV_DROP_NR_FUNCS);
	}
	fill_error(&w, 1, VIRTIO_AER_PV_SEV_FATAL, VIRTIO_AER_PV_RESET_NONE,
		   VIRTIO_AER_PV_RESET_KIND_NONE, VIRTIO_AER_PV_MAX_FUNCS);
	KUNIT_EXPECT_EQ(test, decode_error(&w), AER_PV_OK);
}

static void decode_rejects_duplicate_func(struct kunit *test)
{
	struct virtio_aer_pv_error_event w;

	fill_error(&w, 1, VIRTIO_AER_PV_SEV_FATAL, VIRTIO_AER_PV_RESET_NONE,
		   VIRTIO_AER_PV_RESET_KIND_NONE, 3);
	w.funcs[2] = w.funcs[0];
	KUNIT_EXPECT_EQ(test, decode_error(&w), AER_PV_DROP_FUNC);
}

static void decode_reset_update_must_end_a_reset(struct kunit *test)
{
	struct virtio_aer_pv_reset_event r;
	struct aer_pv_event ev;

	fill_reset(&r, 1, VIRTIO_AER_PV_RESET_PENDING,
		   VIRTIO_AER_PV_RESET_KIND_LINK);
	KUNIT_EXPECT_EQ(test, aer_pv_decode_event(&r, sizeof(r), &ev),
			AER_PV_DROP_RESET);
	fill_reset(&r, 1, VIRTIO_AER_PV_RESET_NONE,
		   VIRTIO_AER_PV_RESET_KIND_NONE);
	KUNIT_EXPECT_EQ(test, aer_pv_decode_event(&r, sizeof(r), &ev),
			AER_PV_DROP_RESET);
	fill_reset(&r, 1, VIRTIO_AER_PV_RESET_FAILED,
		   VIRTIO_AER_PV_RESET_KIND_NONE);
	KUNIT_EXPECT_EQ(test, aer_pv_decode_event(&r, sizeof(r), &ev),
			AER_PV_DROP_RESET_KIND);
}

static void response_reset_valid(struct kunit *test)
{
	struct virtio_aer_pv_response w = {
		.status = VIRTIO_AER_PV_S_OK,
		.reset_kind = VIRTIO_AER_PV_RESET_KIND_FUNCTION,
		.seq = cpu_to_le32(42),
	};
	struct aer_pv_response r;

	KUNIT_ASSERT_EQ(test, aer_pv_decode_response(VIRTIO_AER_PV_REQ_RESET,
						     &w, sizeof(w), &r),
			AER_PV_OK);
	KUNIT_EXPECT_EQ(test, r.seq, 42u);
	KUNIT_EXPECT_EQ(test, r.status, VIRTIO_AER_PV_S_OK);
	KUNIT_EXPECT_EQ(test, r.reset_kind, VIRTIO_AER_PV_RESET_KIND_FUNCTION);
}

static void response_rejects_short_and_bad_status(struct kunit *test)
{
	struct virtio_aer_pv_response w = { .status = VIRTIO_AER_PV_S_OK };
	struct aer_pv_response r;

	KUNIT_EXPECT_EQ(test, aer_pv_decode_response(VIRTIO_AER_PV_REQ_PHASE,
						     &w, sizeof(w) - 1, &r),
			AER_PV_DROP_SHORT);
	KUNIT_EXPECT_EQ(test, aer_pv_decode_response(VIRTIO_AER_PV_REQ_PHASE,
						     NULL, sizeof(w), &r),
			AER_PV_DROP_SHORT);
	w.status = VIRTIO_AER_PV_S_STALE + 1;
	KUNIT_EXPECT_EQ(test, aer_pv_decode_response(VIRTIO_AER_PV_REQ_PHASE,
						     &w, sizeof(w), &r),
			AER_PV_DROP_STATUS);
}

/* A status other than OK carries no reset kind to check, only the seq. */
static void response_not_ok_carries_seq_only(struct kunit *test)
{
	struct virtio_aer_pv_response w = {
		.status = VIRTIO_AER_PV_S_STALE,
		.reset_kind = 0xff,
		.seq = cpu_to_le32(7),
	};
	struct aer_pv_response r;

	KUNIT_EXPECT_EQ(test, aer_pv_decode_response(VIRTIO_AER_PV_REQ_RESET,
						     &w, sizeof(w), &r),
			AER_PV_OK);
	KUNIT_EXPECT_EQ(test, r.status, VIRTIO_AER_PV_S_STALE);
	KUNIT_EXPECT_EQ(test, r.reset_kind, 0);
	KUNIT_EXPECT_EQ(test, r.seq, 7u);
}

/* An answer to a request type the protocol does not have is dropped. */
static void response_to_unknown_request_type(struct kunit *test)
{
	struct virtio_aer_pv_response w = { .status = VIRTIO_AER_PV_S_OK };
	struct aer_pv_response r;

	KUNIT_EXPECT_EQ(test, aer_pv_decode_response(0, &w, sizeof(w), &r),
			AER_PV_DROP_TYPE);
	KUNIT_EXPECT_EQ(test, aer_pv_decode_response(3, &w, sizeof(w), &r),
			AER_PV_DROP_TYPE);
}

static void response_reset_rejects_bad_kind(struct kunit *test)
{
	struct virtio_aer_pv_response w = {
		.status = VIRTIO_AER_PV_S_OK,
		.reset_kind = VIRTIO_AER_PV_RESET_KIND_NONE,
	};
	struct aer_pv_response r;

	KUNIT_EXPECT_EQ(test, aer_pv_decode_response(VIRTIO_AER_PV_REQ_RESET,
						     &w, sizeof(w), &r),
			AER_PV_DROP_RESET_KIND);
	w.reset_kind = VIRTIO_AER_PV_RESET_KIND_LINK;
	KUNIT_EXPECT_EQ(test, aer_pv_decode_response(VIRTIO_AER_PV_REQ_RESET,
						     &w, sizeof(w), &r),
			AER_PV_OK);
	KUNIT_EXPECT_EQ(test, aer_pv_decode_response(0x77, &w, sizeof(w), &r),
			AER_PV_DROP_TYPE);
}

static void encode_request_is_little_endian(struct kunit *test)
{
	struct virtio_aer_pv_request req;
	const u8 *b = (const u8 *)&req;

	memset(&req, 0xaa, sizeof(req));
	aer_pv_encode_request(&req, VIRTIO_AER_PV_REQ_RESET, 0x11223344,
			      AER_PV_FN_ID(0x0102, 0x03, 0x04),
			      VIRTIO_AER_PV_RESET_KIND_LINK);
	KUNIT_EXPECT_EQ(test, b[0], VIRTIO_AER_PV_REQ_RESET);
	KUNIT_EXPECT_EQ(test, b[1], 0);
	KUNIT_EXPECT_EQ(test, b[2], 0);	/* padding cleared */
	KUNIT_EXPECT_EQ(test, b[4], 0x44);
	KUNIT_EXPECT_EQ(test, b[7], 0x11);
	KUNIT_EXPECT_EQ(test, b[8], 0x02);
	KUNIT_EXPECT_EQ(test, b[9], 0x01);
	KUNIT_EXPECT_EQ(test, b[10], 0x03);
	KUNIT_EXPECT_EQ(test, b[11], 0x04);
	KUNIT_EXPECT_EQ(test, b[12], VIRTIO_AER_PV_RESET_KIND_LINK);
	KUNIT_EXPECT_EQ(test, b[15], 0);
}

static void seq_after_wraps(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, aer_pv_seq_after(2, 1));
	KUNIT_EXPECT_FALSE(test, aer_pv_seq_after(1, 1));
	KUNIT_EXPECT_FALSE(test, aer_pv_seq_after(1, 2));
	KUNIT_EXPECT_TRUE(test, aer_pv_seq_after(1, 0xffffffff));
	KUNIT_EXPECT_FALSE(test, aer_pv_seq_after(0xffffffff, 1));
}

static void verdict_names_are_complete(struct kunit *test)
{
	unsigned int i, j;

	for (i = 0; i < AER_PV_NR_VERDICTS; i++) {
		KUNIT_EXPECT_STRNEQ(test, aer_pv_verdict_name(i), "invalid");
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_STRNEQ(test, aer_pv_verdict_name(i),
					    aer_pv_verdict_name(j));
	}
	KUNIT_EXPECT_STREQ(test, aer_pv_verdict_name(AER_PV_NR_VERDICTS),
			   "invalid");
}

static struct kunit_case aer_pv_protocol_cases[] = {
	KUNIT_CASE(decode_error_valid),
	KUNIT_CASE(decode_reset_valid),
	KUNIT_CASE(decode_rejects_short_header),
	KUNIT_CASE(decode_rejects_short_error),
	KUNIT_CASE(decode_accepts_longer_buffer),
	KUNIT_CASE(decode_accepts_unaligned_buffer),
	KUNIT_CASE(decode_rejects_unknown_type),
	KUNIT_CASE(decode_rejects_unknown_flags),
	KUNIT_CASE(decode_rejects_seq_zero),
	KUNIT_CASE(decode_rejects_bad_severity),
	KUNIT_CASE(decode_rejects_bad_reset),
	KUNIT_CASE(decode_rejects_inconsistent_reset_kind),
	KUNIT_CASE(decode_rejects_correctable_with_reset),
	KUNIT_CASE(decode_rejects_bad_nr_funcs),
	KUNIT_CASE(decode_rejects_duplicate_func),
	KUNIT_CASE(decode_reset_update_must_end_a_reset),
	KUNIT_CASE(response_reset_valid),
	KUNIT_CASE(response_rejects_short_and_bad_status),
	KUNIT_CASE(response_not_ok_carries_seq_only),
	KUNIT_CASE(response_to_unknown_request_type),
	KUNIT_CASE(response_reset_rejects_bad_kind),
	KUNIT_CASE(encode_request_is_little_endian),
	KUNIT_CASE(seq_after_wraps),
	KUNIT_CASE(verdict_names_are_complete),
	{}
};

static struct kunit_suite aer_pv_protocol_suite = {
	.name = "aer_pv_protocol",
	.test_cases = aer_pv_protocol_cases,
};

kunit_test_suite(aer_pv_protocol_suite);

MODULE_DESCRIPTION("KUnit tests of virtio-aer-pv message validation");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
