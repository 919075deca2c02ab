// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests of the aer-pv recovery state machine.  Each case drives the
 * machine with wire-format messages from a pretend host and with the calls
 * the guest's recovery makes, and checks what the guest would do.  Time is
 * injected: no case sleeps.
 */

#include <kunit/test.h>
#include <linux/module.h>
#include <linux/string.h>

#include "../fsm.h"

#define TIMEOUT_NS	(1000ULL * 1000 * 1000)
#define FN_A		AER_PV_FN_ID(0, 1, 0)
#define FN_B		AER_PV_FN_ID(0, 1, 1)
#define FN_C		AER_PV_FN_ID(0, 2, 0)

#define SEV_COR		VIRTIO_AER_PV_SEV_CORRECTABLE
#define SEV_NF		VIRTIO_AER_PV_SEV_NONFATAL
#define SEV_F		VIRTIO_AER_PV_SEV_FATAL
#define R_NONE		VIRTIO_AER_PV_RESET_NONE
#define R_PENDING	VIRTIO_AER_PV_RESET_PENDING
#define R_DONE		VIRTIO_AER_PV_RESET_DONE
#define R_FAILED	VIRTIO_AER_PV_RESET_FAILED
#define K_LINK		VIRTIO_AER_PV_RESET_KIND_LINK

struct fsm_ctx {
	struct aer_pv_core core;
	struct aer_pv_actions act;
	struct aer_pv_event ev;
	u32 missing;		/* a function fn_exists() denies */
};

static bool fake_fn_exists(u32 id, void *ctx)
{
	struct fsm_ctx *c = ctx;

	return id != c->missing;
}

static int fsm_init(struct kunit *test)
{
	struct fsm_ctx *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	if (!c)
		return -ENOMEM;
	aer_pv_core_init(&c->core, TIMEOUT_NS, true);
	c->missing = AER_PV_FN_ID(0xffff, 0xff, 0xff);
	c->core.fn_exists = fake_fn_exists;
	c->core.ctx = c;
	test->priv = c;
	return 0;
}

static enum aer_pv_verdict host_error_n(struct fsm_ctx *c, u32 seq, u8 sev,
					u8 reset, u16 flags, unsigned int nr,
					const u32 *fns)
{
	struct virtio_aer_pv_error_event w = {};
	unsigned int i;

	w.type = cpu_to_le16(VIRTIO_AER_PV_EVT_ERROR);
	w.flags = cpu_to_le16(flags);
	w.seq = cpu_to_le32(seq);
	w.severity = sev;
	w.reset = reset;
	w.reset_kind = reset == R_NONE ? VIRTIO_AER_PV_RESET_KIND_NONE : K_LINK;
	w.nr_funcs = nr;
	for (i = 0; i < nr; i++) {
		w.funcs[i].segment = cpu_to_le16(AER_PV_FN_SEG(fns[i]));
		w.funcs[i].bus = AER_PV_FN_BUS(fns[i]);
		w.funcs[i].devfn = AER_PV_FN_DEVFN(fns[i]);
	}
	return aer_pv_receive(&c->core, &w, sizeof(w), &c->ev, &c->act);
}

static enum aer_pv_verdict host_error(struct fsm_ctx *c, u32 seq, u8 sev,
				      u8 reset, u32 fn)
{
	return host_error_n(c, seq, sev, reset, 0, 1, &fn);
}

static enum aer_pv_verdict host_reset(struct fsm_ctx *c, u32 seq, u8 reset)
{
	struct virtio_aer_pv_reset_event w = {};

	w.type = cpu_to_le16(VIRTIO_AER_PV_EVT_RESET);
	w.seq = cpu_to_le32(seq);
	w.reset = reset;
	w.reset_kind = K_LINK;
	return aer_pv_receive(&c->core, &w, sizeof(w), &c->ev, &c->act);
}

static struct aer_pv_dev *dev_of(struct kunit *test, u32 id)
{
	struct fsm_ctx *c = test->priv;
	struct aer_pv_dev *d = aer_pv_find(&c->core, id);

	KUNIT_ASSERT_NOT_NULL(test, d);
	return d;
}

static void done(struct fsm_ctx *c, u32 id, bool ok)
{
	aer_pv_recovery_done(&c->core, id, ok, &c->act);
}

/* Contract 1: the host reset before telling the guest. */
static void fatal_host_reset_done_before_notification(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	KUNIT_ASSERT_EQ(test, host_error(c, 1, SEV_F, R_DONE, FN_A), AER_PV_OK);
	KUNIT_ASSERT_EQ(test, c->act.nr_start, 1u);
	KUNIT_EXPECT_EQ(test, c->act.start[0], FN_A);
	KUNIT_EXPECT_EQ(test, c->act.severity, SEV_F);
	KUNIT_EXPECT_TRUE(test, c->act.log);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->state, AER_PV_DETECTED);

	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_PROCEED);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->state, AER_PV_RESUMING);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.resets_avoided, 1ull);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.reset_requests, 0ull);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.host_resets, 1ull);

	done(c, FN_A, true);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->state, AER_PV_IDLE);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.recovered, 1ull);
	KUNIT_EXPECT_EQ(test, c->act.nr_start, 0u);
}

/* Contract 1: the guest reaches its reset step while the host resets. */
static void fatal_host_reset_done_after_reset_step(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	KUNIT_ASSERT_EQ(test, host_error(c, 1, SEV_F, R_PENDING, FN_A),
			AER_PV_OK);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 100),
			AER_PV_WAIT);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->state, AER_PV_WAIT_HOST);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->deadline, 100 + TIMEOUT_NS);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_A, 200),
			AER_PV_WAIT);

	KUNIT_EXPECT_EQ(test, host_reset(c, 1, R_DONE), AER_PV_OK);
	KUNIT_EXPECT_TRUE(test, c->act.wake);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_A, 300),
			AER_PV_PROCEED);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->state, AER_PV_RESUMING);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.host_resets, 1ull);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.resets_avoided, 1ull);
}

/* The reset ends between the notification and the guest's reset step. */
static void fatal_host_reset_done_before_reset_step(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_PENDING, FN_A);
	KUNIT_EXPECT_EQ(test, host_reset(c, 1, R_DONE), AER_PV_OK);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_PROCEED);
}

/* Contract 6: a host that never reports "reset done". */
static void fatal_host_reset_never_done_times_out(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_PENDING, FN_A);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_WAIT);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_A, TIMEOUT_NS - 1),
			AER_PV_WAIT);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_A, TIMEOUT_NS),
			AER_PV_FAIL);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.timeouts, 1ull);
	/* A late "done" changes nothing once the wait has failed. */
	host_reset(c, 1, R_DONE);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_A, TIMEOUT_NS),
			AER_PV_FAIL);
	done(c, FN_A, false);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->state, AER_PV_IDLE);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.failed, 1ull);
}

static void fatal_host_reset_failed_up_front(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_FAILED, FN_A);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_FAIL);
}

static void fatal_host_reset_fails_during_wait(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_PENDING, FN_A);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_WAIT);
	KUNIT_EXPECT_EQ(test, host_reset(c, 1, R_FAILED), AER_PV_OK);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_A, 1),
			AER_PV_FAIL);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.host_resets, 0ull);
}

/* Contract 2: the host did not reset; the guest asks, once. */
static void host_no_reset_guest_requests_it(struct kunit *test)
{
	struct aer_pv_response ok = {
		.status = VIRTIO_AER_PV_S_OK, .reset_kind = K_LINK,
	};
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_NONE, FN_A);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_REQUEST);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->state, AER_PV_WAIT_REQ);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.reset_requests, 1ull);
	/* Asking again while the request is out sends no second one. */
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_A, 1),
			AER_PV_WAIT);
	KUNIT_EXPECT_EQ(test, aer_pv_request_done(&c->core, FN_A, &ok),
			AER_PV_PROCEED);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->state, AER_PV_RESUMING);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->reset, R_DONE);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.host_resets, 1ull);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.reset_requests, 1ull);
}

static void request_sent_once_for_all_functions(struct kunit *test)
{
	static const u32 fns[] = { FN_A, FN_C };
	struct aer_pv_response ok = {
		.status = VIRTIO_AER_PV_S_OK, .reset_kind = K_LINK,
	};
	struct fsm_ctx *c = test->priv;

	host_error_n(c, 1, SEV_F, R_NONE, 0, 2, fns);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_REQUEST);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_C, 0),
			AER_PV_WAIT);
	KUNIT_EXPECT_EQ(test, aer_pv_request_done(&c->core, FN_A, &ok),
			AER_PV_PROCEED);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_C, 1),
			AER_PV_PROCEED);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.reset_requests +
			dev_of(test, FN_C)->stats.reset_requests, 1ull);
}

static void request_unsupported_falls_back_to_native(struct kunit *test)
{
	struct aer_pv_response no = { .status = VIRTIO_AER_PV_S_UNSUPPORTED };
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_NONE, FN_A);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_REQUEST);
	KUNIT_EXPECT_EQ(test, aer_pv_request_done(&c->core, FN_A, &no),
			AER_PV_FALLBACK);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.native_resets, 1ull);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->state, AER_PV_RESUMING);
}

static void request_fallback_reaches_other_waiters(struct kunit *test)
{
	static const u32 fns[] = { FN_A, FN_C };
	struct aer_pv_response no = { .status = VIRTIO_AER_PV_S_UNSUPPORTED };
	struct fsm_ctx *c = test->priv;

	host_error_n(c, 1, SEV_F, R_NONE, 0, 2, fns);
	aer_pv_reset_step(&c->core, FN_A, 0);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_C, 0),
			AER_PV_WAIT);
	aer_pv_request_done(&c->core, FN_A, &no);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_C, 1),
			AER_PV_FALLBACK);
}

static void request_failed_is_perm_failure(struct kunit *test)
{
	struct aer_pv_response bad = { .status = VIRTIO_AER_PV_S_FAILED };
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_NONE, FN_A);
	aer_pv_reset_step(&c->core, FN_A, 0);
	KUNIT_EXPECT_EQ(test, aer_pv_request_done(&c->core, FN_A, &bad),
			AER_PV_FAIL);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->reset, R_FAILED);
}

static void request_without_answer_is_perm_failure(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_NONE, FN_A);
	aer_pv_reset_step(&c->core, FN_A, 0);
	KUNIT_EXPECT_EQ(test, aer_pv_request_done(&c->core, FN_A, NULL),
			AER_PV_FAIL);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.timeouts, 1ull);
}

static void host_without_reset_request_falls_back(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	aer_pv_core_init(&c->core, TIMEOUT_NS, false);
	host_error(c, 1, SEV_F, R_NONE, FN_A);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_FALLBACK);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.reset_requests, 0ull);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.native_resets, 1ull);
}

/* Contract 3: non-fatal, no reset: error_detected, mmio_enabled, resume. */
static void nonfatal_recovers_without_reset(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	KUNIT_ASSERT_EQ(test, host_error(c, 1, SEV_NF, R_NONE, FN_A),
			AER_PV_OK);
	KUNIT_ASSERT_EQ(test, c->act.nr_start, 1u);
	KUNIT_EXPECT_EQ(test, c->act.severity, SEV_NF);
	done(c, FN_A, true);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.recovered, 1ull);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.reset_requests, 0ull);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.errors[SEV_NF], 1ull);
}

/* Contract 2: a driver escalates a non-fatal error with NEED_RESET. */
static void nonfatal_need_reset_requests_reset(struct kunit *test)
{
	struct aer_pv_response ok = {
		.status = VIRTIO_AER_PV_S_OK, .reset_kind = K_LINK,
	};
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_NF, R_NONE, FN_A);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_REQUEST);
	KUNIT_EXPECT_EQ(test, aer_pv_request_done(&c->core, FN_A, &ok),
			AER_PV_PROCEED);
}

/* Contract 3: correctable errors are counted and logged, not recovered. */
static void correctable_is_logged_not_recovered(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	KUNIT_EXPECT_EQ(test, host_error(c, 1, SEV_COR, R_NONE, FN_A),
			AER_PV_OK);
	KUNIT_EXPECT_EQ(test, c->act.nr_start, 0u);
	KUNIT_EXPECT_TRUE(test, c->act.log);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->state, AER_PV_IDLE);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.errors[SEV_COR], 1ull);
}

static void correctable_with_aer_message_left_to_native(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;
	u32 fn = FN_A;

	KUNIT_EXPECT_EQ(test, host_error_n(c, 1, SEV_COR, R_NONE,
					   VIRTIO_AER_PV_EVT_F_AER_MSG, 1,
					   &fn),
			AER_PV_OK);
	KUNIT_EXPECT_FALSE(test, c->act.log);
	KUNIT_EXPECT_EQ(test, c->act.nr_start, 0u);
}

static void correctable_during_recovery_keeps_recovery(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_PENDING, FN_A);
	KUNIT_EXPECT_EQ(test, host_error(c, 2, SEV_COR, R_NONE, FN_A),
			AER_PV_OK);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->seq, 1u);
	KUNIT_EXPECT_FALSE(test, dev_of(test, FN_A)->flags & AER_PV_DF_PENDING);
	KUNIT_EXPECT_EQ(test, host_reset(c, 1, R_DONE), AER_PV_OK);
}

/* Contract 4: the channel event first, then the emulated AER message. */
static void aer_message_after_event_is_claimed(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 5, SEV_F, R_DONE, FN_A);
	KUNIT_EXPECT_EQ(test, aer_pv_on_aer(&c->core, FN_A), AER_PV_AER_CLAIM);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.aer_matched, 1ull);
	/* Only one recovery: the machine never asked for a second start. */
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.errors[SEV_F], 1ull);
}

/* Contract 4: the emulated AER message first, then the channel event. */
static void aer_message_first_then_event_matched(struct kunit *test)
{
	struct aer_pv_response q = {
		.status = VIRTIO_AER_PV_S_OK, .seq = 5, .severity = SEV_F,
		.reset = R_PENDING, .reset_kind = K_LINK,
	};
	struct fsm_ctx *c = test->priv;

	KUNIT_EXPECT_EQ(test, aer_pv_on_aer(&c->core, FN_A), AER_PV_AER_QUERY);
	KUNIT_EXPECT_EQ(test, aer_pv_on_query(&c->core, FN_A, SEV_F, &q),
			AER_PV_AER_JOIN);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->state, AER_PV_DETECTED);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_WAIT);

	KUNIT_EXPECT_EQ(test, host_error(c, 5, SEV_F, R_PENDING, FN_A),
			AER_PV_OK);
	KUNIT_EXPECT_EQ(test, c->act.nr_start, 0u);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.aer_matched, 1ull);
	KUNIT_EXPECT_EQ(test, host_reset(c, 5, R_DONE), AER_PV_OK);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_A, 1),
			AER_PV_PROCEED);
	/* The same event again is now a duplicate. */
	KUNIT_EXPECT_EQ(test, host_error(c, 5, SEV_F, R_PENDING, FN_A),
			AER_PV_DROP_DUPLICATE);
}

static void aer_first_event_after_recovery_matched(struct kunit *test)
{
	struct aer_pv_response q = {
		.status = VIRTIO_AER_PV_S_OK, .seq = 3, .severity = SEV_F,
		.reset = R_DONE, .reset_kind = K_LINK,
	};
	struct fsm_ctx *c = test->priv;

	KUNIT_EXPECT_EQ(test, aer_pv_on_query(&c->core, FN_A, SEV_F, &q),
			AER_PV_AER_JOIN);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_PROCEED);
	done(c, FN_A, true);
	KUNIT_EXPECT_EQ(test, host_error(c, 3, SEV_F, R_DONE, FN_A), AER_PV_OK);
	KUNIT_EXPECT_EQ(test, c->act.nr_start, 0u);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.recovered, 1ull);
}

static void aer_message_late_after_recovery_claimed(struct kunit *test)
{
	struct aer_pv_response q = {
		.status = VIRTIO_AER_PV_S_OK, .seq = 4, .severity = SEV_F,
		.reset = R_DONE, .reset_kind = K_LINK,
	};
	struct fsm_ctx *c = test->priv;

	host_error(c, 4, SEV_F, R_DONE, FN_A);
	aer_pv_reset_step(&c->core, FN_A, 0);
	done(c, FN_A, true);
	KUNIT_EXPECT_EQ(test, aer_pv_on_aer(&c->core, FN_A), AER_PV_AER_QUERY);
	KUNIT_EXPECT_EQ(test, aer_pv_on_query(&c->core, FN_A, SEV_F, &q),
			AER_PV_AER_CLAIM);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->state, AER_PV_IDLE);
}

static void aer_query_severity_takes_the_worse(struct kunit *test)
{
	struct aer_pv_response q = {
		.status = VIRTIO_AER_PV_S_OK, .seq = 2, .severity = SEV_F,
		.reset = R_PENDING, .reset_kind = K_LINK,
	};
	struct fsm_ctx *c = test->priv;

	KUNIT_EXPECT_EQ(test, aer_pv_on_query(&c->core, FN_A, SEV_NF, &q),
			AER_PV_AER_JOIN);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->severity, SEV_F);
}

/* Contract 7: a function the host does not manage takes the native path. */
static void aer_message_not_managed_is_native(struct kunit *test)
{
	struct aer_pv_response nm = { .status = VIRTIO_AER_PV_S_NOT_MANAGED };
	struct aer_pv_response none = { .status = VIRTIO_AER_PV_S_OK };
	struct fsm_ctx *c = test->priv;

	KUNIT_EXPECT_EQ(test, aer_pv_on_query(&c->core, FN_A, SEV_F, &nm),
			AER_PV_AER_NATIVE);
	KUNIT_EXPECT_EQ(test, aer_pv_on_query(&c->core, FN_A, SEV_F, NULL),
			AER_PV_AER_NATIVE);
	KUNIT_EXPECT_EQ(test, aer_pv_on_query(&c->core, FN_A, SEV_F, &none),
			AER_PV_AER_NATIVE);
	KUNIT_EXPECT_NULL(test, aer_pv_find(&c->core, FN_A));
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_NATIVE);
}

static void aer_message_without_channel_is_native(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	aer_pv_channel_down(&c->core);
	KUNIT_EXPECT_EQ(test, aer_pv_on_aer(&c->core, FN_A), AER_PV_AER_NATIVE);
}

/*
 * Found by the fuzzer: the host says error 7's reset is done, then names
 * a further function for error 7 with its reset still in flight.  That
 * function must not resume with the others.
 */
static void inconsistent_host_never_resumes_during_reset(struct kunit *test)
{
	struct aer_pv_response q = {
		.status = VIRTIO_AER_PV_S_OK, .seq = 7, .severity = SEV_F,
		.reset = R_PENDING, .reset_kind = K_LINK,
	};
	struct fsm_ctx *c = test->priv;

	KUNIT_ASSERT_EQ(test, aer_pv_on_query(&c->core, FN_A, SEV_F, &q),
			AER_PV_AER_JOIN);
	KUNIT_EXPECT_EQ(test, host_reset(c, 7, R_DONE), AER_PV_OK);
	KUNIT_EXPECT_EQ(test, host_error(c, 7, SEV_F, R_PENDING, FN_B),
			AER_PV_OK);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_PROCEED);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_B)->state, AER_PV_DETECTED);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_B, 0),
			AER_PV_WAIT);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_B, TIMEOUT_NS),
			AER_PV_FAIL);
}

/* Contract 9: duplicate, stale and reordered sequence numbers. */
static void duplicate_event_dropped(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_PENDING, FN_A);
	KUNIT_EXPECT_EQ(test, host_error(c, 1, SEV_F, R_PENDING, FN_A),
			AER_PV_DROP_DUPLICATE);
	KUNIT_EXPECT_EQ(test, c->act.nr_start, 0u);
	KUNIT_EXPECT_EQ(test, c->core.verdicts[AER_PV_DROP_DUPLICATE], 1ull);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.errors[SEV_F], 1ull);
}

static void stale_event_dropped(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 5, SEV_F, R_DONE, FN_A);
	done(c, FN_A, true);
	KUNIT_EXPECT_EQ(test, host_error(c, 3, SEV_F, R_DONE, FN_A),
			AER_PV_DROP_STALE);
	KUNIT_EXPECT_EQ(test, c->act.nr_start, 0u);
	KUNIT_EXPECT_EQ(test, c->core.verdicts[AER_PV_DROP_STALE], 1ull);
}

static void reordered_event_of_other_function_dropped(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 5, SEV_F, R_DONE, FN_A);
	KUNIT_EXPECT_EQ(test, host_error(c, 4, SEV_F, R_DONE, FN_B),
			AER_PV_DROP_STALE);
	KUNIT_EXPECT_NULL(test, aer_pv_find(&c->core, FN_B));
}

static void seq_wraparound_accepted(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 0xffffffff, SEV_NF, R_NONE, FN_A);
	done(c, FN_A, true);
	KUNIT_EXPECT_EQ(test, host_error(c, 1, SEV_NF, R_NONE, FN_A),
			AER_PV_OK);
	KUNIT_EXPECT_EQ(test, c->act.nr_start, 1u);
	KUNIT_EXPECT_EQ(test, c->core.last_seq, 1u);
}

/* A second error during recovery waits its turn and is never lost. */
static void second_error_during_recovery_runs_after(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_NF, R_NONE, FN_A);
	KUNIT_EXPECT_EQ(test, host_error(c, 2, SEV_F, R_DONE, FN_A), AER_PV_OK);
	KUNIT_EXPECT_EQ(test, c->act.nr_start, 0u);
	KUNIT_EXPECT_TRUE(test, dev_of(test, FN_A)->flags & AER_PV_DF_PENDING);
	done(c, FN_A, true);
	KUNIT_ASSERT_EQ(test, c->act.nr_start, 1u);
	KUNIT_EXPECT_EQ(test, c->act.seq, 2u);
	KUNIT_EXPECT_EQ(test, c->act.severity, SEV_F);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->state, AER_PV_DETECTED);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_PROCEED);
	done(c, FN_A, true);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.recovered, 2ull);
}

static void storm_is_coalesced_into_one_pending(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;
	unsigned int i;

	host_error(c, 1, SEV_F, R_PENDING, FN_A);
	for (i = 2; i <= 1000; i++)
		KUNIT_ASSERT_EQ(test, host_error(c, i, i == 500 ? SEV_F : SEV_NF,
						 R_NONE, FN_A),
				AER_PV_OK);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.coalesced, 998ull);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->pending_seq, 1000u);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->pending_severity, SEV_F);
	host_reset(c, 1, R_DONE);
	aer_pv_reset_step(&c->core, FN_A, 0);
	done(c, FN_A, true);
	KUNIT_EXPECT_EQ(test, c->act.nr_start, 1u);
	done(c, FN_A, true);
	KUNIT_EXPECT_EQ(test, c->act.nr_start, 0u);
}

static void pending_error_keeps_its_reset_state(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_NF, R_NONE, FN_A);
	host_error(c, 2, SEV_F, R_PENDING, FN_A);
	host_error(c, 3, SEV_NF, R_NONE, FN_A);
	/* The reset of error 2 ends while error 1 still recovers. */
	KUNIT_EXPECT_EQ(test, host_reset(c, 2, R_DONE), AER_PV_OK);
	done(c, FN_A, true);
	KUNIT_ASSERT_EQ(test, c->act.nr_start, 1u);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_PROCEED);
}

/*
 * An older error that arrives after a newer one is already pending (the
 * AER message's query overtook the channel) does not replace it: the
 * guest recovers the newest error next, keeping the older one's severity.
 * Found by the model (tests/model, pending-goes-backwards).
 */
static void pending_never_goes_backwards(struct kunit *test)
{
	struct aer_pv_response q = {
		.status = VIRTIO_AER_PV_S_OK, .seq = 3, .severity = SEV_NF,
		.reset = R_DONE, .reset_kind = K_LINK,
	};
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_NF, R_NONE, FN_A);
	KUNIT_EXPECT_EQ(test, aer_pv_on_query(&c->core, FN_A, SEV_NF, &q),
			AER_PV_AER_CLAIM);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->pending_seq, 3u);
	KUNIT_EXPECT_EQ(test, host_error(c, 2, SEV_F, R_NONE, FN_A), AER_PV_OK);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->pending_seq, 3u);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->pending_severity, SEV_F);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->pending_reset, R_DONE);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->pending_reset_seq, 3u);
	/* Error 3's own event is then a duplicate, not a second recovery. */
	KUNIT_EXPECT_EQ(test, host_error(c, 3, SEV_NF, R_DONE, FN_A),
			AER_PV_DROP_DUPLICATE);
	done(c, FN_A, true);
	KUNIT_ASSERT_EQ(test, c->act.nr_start, 1u);
	KUNIT_EXPECT_EQ(test, c->act.seq, 3u);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_PROCEED);
}

/*
 * A non-fatal error that the host resets the function for recovers with a
 * frozen channel, so that no driver gets mmio_enabled or resume without
 * passing the reset step, where the guest waits for the host.  Found by
 * the model (nonfatal-host-reset).
 */
static void nonfatal_with_host_reset_is_frozen(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_NF, R_PENDING, FN_A);
	KUNIT_ASSERT_EQ(test, c->act.nr_start, 1u);
	KUNIT_EXPECT_TRUE(test, c->act.frozen);
	host_error(c, 2, SEV_NF, R_NONE, FN_B);
	KUNIT_ASSERT_EQ(test, c->act.nr_start, 1u);
	KUNIT_EXPECT_FALSE(test, c->act.frozen);
	host_error(c, 3, SEV_F, R_NONE, FN_C);
	KUNIT_EXPECT_TRUE(test, c->act.frozen);

	/* The same for the error that waited behind a recovery. */
	host_error(c, 4, SEV_NF, R_DONE, FN_B);
	done(c, FN_B, true);
	KUNIT_ASSERT_EQ(test, c->act.nr_start, 1u);
	KUNIT_EXPECT_TRUE(test, c->act.frozen);
}

/*
 * A non-fatal AER message whose query joins a fatal host error, or one
 * with a host reset, recovers that error: fatal severity, frozen.  Found
 * by the model (aer-message-severity).
 */
static void aer_join_recovers_the_hosts_error(struct kunit *test)
{
	struct aer_pv_response q = {
		.status = VIRTIO_AER_PV_S_OK, .seq = 2, .severity = SEV_NF,
		.reset = R_PENDING, .reset_kind = K_LINK,
	};
	struct fsm_ctx *c = test->priv;

	KUNIT_EXPECT_EQ(test, aer_pv_on_query(&c->core, FN_A, SEV_NF, &q),
			AER_PV_AER_JOIN);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->severity, SEV_NF);
	KUNIT_EXPECT_TRUE(test, aer_pv_frozen(dev_of(test, FN_A)));
	q.seq = 3;
	q.severity = SEV_F;
	q.reset = R_NONE;
	q.reset_kind = VIRTIO_AER_PV_RESET_KIND_NONE;
	KUNIT_EXPECT_EQ(test, aer_pv_on_query(&c->core, FN_B, SEV_NF, &q),
			AER_PV_AER_JOIN);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_B)->severity, SEV_F);
	KUNIT_EXPECT_TRUE(test, aer_pv_frozen(dev_of(test, FN_B)));
}

/*
 * One error names two functions; one of them is still recovering an
 * older error, so it holds the new one as pending.  The reset the other
 * requests for the new error reaches both: the pending function does not
 * ask for it again when its turn comes.  Found by the model
 * (pending-misses-group-reset).
 */
static void pending_function_learns_requested_reset(struct kunit *test)
{
	static const u32 both[] = { FN_A, FN_B };
	struct aer_pv_response ok = {
		.status = VIRTIO_AER_PV_S_OK, .reset_kind = K_LINK,
	};
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_DONE, FN_A);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_PROCEED);
	host_error_n(c, 2, SEV_F, R_NONE, 0, 2, both);
	KUNIT_ASSERT_EQ(test, c->act.nr_start, 1u);
	KUNIT_EXPECT_EQ(test, c->act.start[0], FN_B);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_B, 0),
			AER_PV_REQUEST);
	KUNIT_EXPECT_EQ(test, aer_pv_request_done(&c->core, FN_B, &ok),
			AER_PV_PROCEED);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->pending_reset, R_DONE);
	done(c, FN_B, true);
	done(c, FN_A, true);
	KUNIT_ASSERT_EQ(test, c->act.nr_start, 1u);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_PROCEED);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.reset_requests, 0ull);
	done(c, FN_A, true);

	/* A failed request fails the pending function's recovery too. */
	host_error(c, 3, SEV_F, R_DONE, FN_A);
	aer_pv_reset_step(&c->core, FN_A, 0);
	host_error_n(c, 4, SEV_F, R_NONE, 0, 2, both);
	aer_pv_reset_step(&c->core, FN_B, 0);
	ok.status = VIRTIO_AER_PV_S_FAILED;
	KUNIT_EXPECT_EQ(test, aer_pv_request_done(&c->core, FN_B, &ok),
			AER_PV_FAIL);
	done(c, FN_B, false);
	done(c, FN_A, true);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_FAIL);
}

/*
 * Errors without a host reset folded into a pending one: the reset the
 * guest then asks for names the newest of them, the one the host still
 * resets for (an older one is answered STALE).  Found by the model
 * (stale-reset-request).
 */
static void pending_request_names_newest_error(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_DONE, FN_A);
	host_error(c, 2, SEV_NF, R_NONE, FN_A);
	host_error(c, 3, SEV_NF, R_NONE, FN_A);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->pending_reset_seq, 3u);
	/* A reset in flight for an older error is still the one to wait on. */
	host_error(c, 4, SEV_F, R_PENDING, FN_A);
	host_error(c, 5, SEV_NF, R_NONE, FN_A);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->pending_reset_seq, 4u);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->pending_seq, 5u);
	aer_pv_reset_step(&c->core, FN_A, 0);
	done(c, FN_A, true);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->reset_seq, 4u);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_WAIT);
}

static void reset_update_unknown_seq_dropped(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_PENDING, FN_A);
	KUNIT_EXPECT_EQ(test, host_reset(c, 9, R_DONE),
			AER_PV_DROP_UNKNOWN_SEQ);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->reset, R_PENDING);
	KUNIT_EXPECT_FALSE(test, c->act.wake);
}

static void reset_update_duplicate_dropped(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_PENDING, FN_A);
	KUNIT_EXPECT_EQ(test, host_reset(c, 1, R_DONE), AER_PV_OK);
	KUNIT_EXPECT_EQ(test, host_reset(c, 1, R_DONE), AER_PV_DROP_DUPLICATE);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.host_resets, 1ull);
}

static void reset_update_cannot_go_backwards(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_PENDING, FN_A);
	host_reset(c, 1, R_DONE);
	KUNIT_EXPECT_EQ(test, host_reset(c, 1, R_FAILED),
			AER_PV_DROP_TRANSITION);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->reset, R_DONE);

	/* "Will not reset" cannot turn into "reset done" by an update. */
	host_error(c, 2, SEV_F, R_NONE, FN_B);
	KUNIT_EXPECT_EQ(test, host_reset(c, 2, R_DONE),
			AER_PV_DROP_TRANSITION);
}

/* Contract 5: every function of one host reset, one reset for all. */
static void multi_function_one_reset_for_all(struct kunit *test)
{
	static const u32 fns[] = { FN_A, FN_B };
	struct fsm_ctx *c = test->priv;

	KUNIT_ASSERT_EQ(test, host_error_n(c, 1, SEV_F, R_PENDING, 0, 2, fns),
			AER_PV_OK);
	KUNIT_ASSERT_EQ(test, c->act.nr_start, 2u);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_WAIT);
	/* One reset step moved both functions to the wait. */
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_B)->state, AER_PV_WAIT_HOST);
	host_reset(c, 1, R_DONE);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_A, 1),
			AER_PV_PROCEED);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_B)->state, AER_PV_RESUMING);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_A)->stats.host_resets, 1ull);
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_B)->stats.host_resets, 1ull);
}

/* The seed's "configuration restraint": guest buses differ from host's. */
static void non_mirrored_topology_waits_for_same_reset(struct kunit *test)
{
	static const u32 fns[] = { FN_A, FN_C };
	struct fsm_ctx *c = test->priv;

	host_error_n(c, 1, SEV_F, R_PENDING, 0, 2, fns);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_WAIT);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_C, 5),
			AER_PV_WAIT);
	/* The second bridge's step does not restart the clock. */
	KUNIT_EXPECT_EQ(test, dev_of(test, FN_C)->deadline, TIMEOUT_NS);
	host_reset(c, 1, R_DONE);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_C, 6),
			AER_PV_PROCEED);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_A, 6),
			AER_PV_PROCEED);
}

static void timeout_fails_every_function_of_the_reset(struct kunit *test)
{
	static const u32 fns[] = { FN_A, FN_C };
	struct fsm_ctx *c = test->priv;

	host_error_n(c, 1, SEV_F, R_PENDING, 0, 2, fns);
	aer_pv_reset_step(&c->core, FN_A, 0);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_A, TIMEOUT_NS),
			AER_PV_FAIL);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_C, 1),
			AER_PV_FAIL);
}

/* Contract 6: the device removed during recovery. */
static void device_removed_during_wait_fails(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_PENDING, FN_A);
	aer_pv_reset_step(&c->core, FN_A, 0);
	aer_pv_dev_removed(&c->core, FN_A);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_A, 1),
			AER_PV_FAIL);
	done(c, FN_A, false);
	KUNIT_EXPECT_NULL(test, aer_pv_find(&c->core, FN_A));
	KUNIT_EXPECT_EQ(test, c->act.nr_start, 0u);
}

static void device_removed_while_idle_frees_entry(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_COR, R_NONE, FN_A);
	KUNIT_EXPECT_NOT_NULL(test, aer_pv_find(&c->core, FN_A));
	aer_pv_dev_removed(&c->core, FN_A);
	KUNIT_EXPECT_NULL(test, aer_pv_find(&c->core, FN_A));
	aer_pv_dev_removed(&c->core, FN_A);	/* twice is harmless */
}

/* Contract 6: the channel going away mid-recovery. */
static void channel_down_mid_recovery_fails(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_PENDING, FN_A);
	host_error(c, 2, SEV_F, R_PENDING, FN_A);
	aer_pv_reset_step(&c->core, FN_A, 0);
	aer_pv_channel_down(&c->core);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_A, 1),
			AER_PV_FAIL);
	done(c, FN_A, false);
	/* Nothing restarts on a dead channel, and nothing new is taken. */
	KUNIT_EXPECT_EQ(test, c->act.nr_start, 0u);
	KUNIT_EXPECT_NE(test, host_error(c, 3, SEV_F, R_DONE, FN_A), AER_PV_OK);
}

static void channel_down_before_reset_step_fails(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	host_error(c, 1, SEV_F, R_DONE, FN_A);
	aer_pv_channel_down(&c->core);
	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_FAIL);
}

static void table_full_drops_and_counts(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;
	unsigned int i;

	for (i = 0; i < AER_PV_MAX_DEVS; i++)
		KUNIT_ASSERT_EQ(test, host_error(c, i + 1, SEV_F, R_PENDING,
						 AER_PV_FN_ID(1, i, 0)),
				AER_PV_OK);
	KUNIT_EXPECT_EQ(test, host_error(c, 100, SEV_F, R_PENDING, FN_A),
			AER_PV_DROP_TABLE_FULL);
	KUNIT_EXPECT_EQ(test, c->core.verdicts[AER_PV_DROP_TABLE_FULL], 1ull);
}

static void function_unknown_to_guest_dropped(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;

	KUNIT_EXPECT_EQ(test, host_error(c, 1, SEV_F, R_DONE, c->missing),
			AER_PV_DROP_NO_DEVICE);
	KUNIT_EXPECT_NULL(test, aer_pv_find(&c->core, c->missing));
}

static void mixed_known_and_unknown_functions(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;
	u32 fns[] = { c->missing, FN_A };

	KUNIT_EXPECT_EQ(test, host_error_n(c, 1, SEV_F, R_DONE, 0, 2, fns),
			AER_PV_OK);
	KUNIT_EXPECT_EQ(test, c->act.nr_start, 1u);
	KUNIT_EXPECT_EQ(test, c->act.start[0], FN_A);
}

/* Contract 9: malformed bytes are dropped and counted, never acted on. */
static void malformed_message_counted_not_acted_on(struct kunit *test)
{
	struct fsm_ctx *c = test->priv;
	u8 junk[sizeof(union virtio_aer_pv_event)];

	memset(junk, 0xff, sizeof(junk));
	KUNIT_EXPECT_EQ(test, aer_pv_receive(&c->core, junk, sizeof(junk),
					     &c->ev, &c->act),
			AER_PV_DROP_TYPE);
	KUNIT_EXPECT_EQ(test, aer_pv_receive(&c->core, junk, 3, &c->ev,
					     &c->act),
			AER_PV_DROP_SHORT);
	KUNIT_EXPECT_EQ(test, c->core.verdicts[AER_PV_DROP_TYPE], 1ull);
	KUNIT_EXPECT_EQ(test, c->core.verdicts[AER_PV_DROP_SHORT], 1ull);
	KUNIT_EXPECT_EQ(test, c->core.last_seq, 0u);
	KUNIT_EXPECT_EQ(test, c->act.nr_start, 0u);
}

static void calls_for_unknown_functions_are_harmless(struct kunit *test)
{
	struct aer_pv_response ok = { .status = VIRTIO_AER_PV_S_OK };
	struct fsm_ctx *c = test->priv;

	KUNIT_EXPECT_EQ(test, aer_pv_reset_step(&c->core, FN_A, 0),
			AER_PV_NATIVE);
	KUNIT_EXPECT_EQ(test, aer_pv_wait_check(&c->core, FN_A, 0),
			AER_PV_FAIL);
	KUNIT_EXPECT_EQ(test, aer_pv_request_done(&c->core, FN_A, &ok),
			AER_PV_FAIL);
	done(c, FN_A, true);
	KUNIT_EXPECT_EQ(test, c->act.nr_start, 0u);
	KUNIT_EXPECT_NULL(test, aer_pv_find(&c->core, FN_A));
}

static void state_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, aer_pv_state_name(AER_PV_IDLE), "idle");
	KUNIT_EXPECT_STREQ(test, aer_pv_state_name(AER_PV_WAIT_HOST),
			   "wait_host");
	KUNIT_EXPECT_STREQ(test, aer_pv_state_name(AER_PV_NR_STATES),
			   "invalid");
}

static struct kunit_case aer_pv_fsm_cases[] = {
	KUNIT_CASE(fatal_host_reset_done_before_notification),
	KUNIT_CASE(fatal_host_reset_done_after_reset_step),
	KUNIT_CASE(fatal_host_reset_done_before_reset_step),
	KUNIT_CASE(fatal_host_reset_never_done_times_out),
	KUNIT_CASE(fatal_host_reset_failed_up_front),
	KUNIT_CASE(fatal_host_reset_fails_during_wait),
	KUNIT_CASE(host_no_reset_guest_requests_it),
	KUNIT_CASE(request_sent_once_for_all_functions),
	KUNIT_CASE(request_unsupported_falls_back_to_native),
	KUNIT_CASE(request_fallback_reaches_other_waiters),
	KUNIT_CASE(request_failed_is_perm_failure),
	KUNIT_CASE(request_without_answer_is_perm_failure),
	KUNIT_CASE(host_without_reset_request_falls_back),
	KUNIT_CASE(nonfatal_recovers_without_reset),
	KUNIT_CASE(nonfatal_need_reset_requests_reset),
	KUNIT_CASE(correctable_is_logged_not_recovered),
	KUNIT_CASE(correctable_with_aer_message_left_to_native),
	KUNIT_CASE(correctable_during_recovery_keeps_recovery),
	KUNIT_CASE(aer_message_after_event_is_claimed),
	KUNIT_CASE(aer_message_first_then_event_matched),
	KUNIT_CASE(aer_first_event_after_recovery_matched),
	KUNIT_CASE(aer_message_late_after_recovery_claimed),
	KUNIT_CASE(aer_query_severity_takes_the_worse),
	KUNIT_CASE(aer_message_not_managed_is_native),
	KUNIT_CASE(aer_message_without_channel_is_native),
	KUNIT_CASE(inconsistent_host_never_resumes_during_reset),
	KUNIT_CASE(duplicate_event_dropped),
	KUNIT_CASE(stale_event_dropped),
	KUNIT_CASE(reordered_event_of_other_function_dropped),
	KUNIT_CASE(seq_wraparound_accepted),
	KUNIT_CASE(second_error_during_recovery_runs_after),
	KUNIT_CASE(storm_is_coalesced_into_one_pending),
	KUNIT_CASE(pending_error_keeps_its_reset_state),
	KUNIT_CASE(pending_never_goes_backwards),
	KUNIT_CASE(nonfatal_with_host_reset_is_frozen),
	KUNIT_CASE(aer_join_recovers_the_hosts_error),
	KUNIT_CASE(pending_function_learns_requested_reset),
	KUNIT_CASE(pending_request_names_newest_error),
	KUNIT_CASE(reset_update_unknown_seq_dropped),
	KUNIT_CASE(reset_update_duplicate_dropped),
	KUNIT_CASE(reset_update_cannot_go_backwards),
	KUNIT_CASE(multi_function_one_reset_for_all),
	KUNIT_CASE(non_mirrored_topology_waits_for_same_reset),
	KUNIT_CASE(timeout_fails_every_function_of_the_reset),
	KUNIT_CASE(device_removed_during_wait_fails),
	KUNIT_CASE(device_removed_while_idle_frees_entry),
	KUNIT_CASE(channel_down_mid_recovery_fails),
	KUNIT_CASE(channel_down_before_reset_step_fails),
	KUNIT_CASE(table_full_drops_and_counts),
	KUNIT_CASE(function_unknown_to_guest_dropped),
	KUNIT_CASE(mixed_known_and_unknown_functions),
	KUNIT_CASE(malformed_message_counted_not_acted_on),
	KUNIT_CASE(calls_for_unknown_functions_are_harmless),
	KUNIT_CASE(state_names),
	{}
};

static struct kunit_suite aer_pv_fsm_suite = {
	.name = "aer_pv_fsm",
	.init = fsm_init,
	.test_cases = aer_pv_fsm_cases,
};

kunit_test_suite(aer_pv_fsm_suite);

MODULE_DESCRIPTION("KUnit tests of the aer-pv recovery state machine");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
