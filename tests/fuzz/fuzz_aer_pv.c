// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the guest's message validation and recovery state
 * machine (drivers/pci/pcie/aer_pv/protocol.c and fsm.c, built unchanged)
 * driven by a hostile host and by the glue's legal inputs in any order.
 * The input is a script: each step is one opcode byte and its operands, so
 * the fuzzer reaches every state, not only the decoder.  Invariants are
 * checked after every step; a violation aborts.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsm.h"

/*
 * The guest's topology: functions 0 and 1 of one device under one Root
 * Port, a function under a second port, and an RCiEP that is its own
 * bridge.  Any other function the host names does not exist here.
 */
#define NR_IDS 4

static const u32 ids[NR_IDS] = {
	AER_PV_FN_ID(0, 1, 0), AER_PV_FN_ID(0, 1, 1),
	AER_PV_FN_ID(0, 2, 0), AER_PV_FN_ID(1, 0, 8),
};

static const u32 bridges_of[NR_IDS] = {
	AER_PV_FN_ID(0, 0, 8), AER_PV_FN_ID(0, 0, 8),
	AER_PV_FN_ID(0, 0, 16), AER_PV_FN_ID(1, 0, 8),
};

static void fail(const char *what, unsigned int r)
{
	fprintf(stderr, "invariant broken: %s (unit %u)\n", what, r);
	abort();
}

static bool in_flight(const struct aer_pv_core *core, u64 set)
{
	unsigned int i;

	for (i = 0; i < AER_PV_MAX_RESETS; i++)
		if ((set & (1ULL << i)) &&
		    (core->resets[i].state == VIRTIO_AER_PV_RESET_PENDING ||
		     core->resets[i].req == AER_PV_REQ_SENT))
			return true;
	return false;
}

static void check(const struct aer_pv_core *core)
{
	unsigned int i, j, r;

	for (i = 0; i < AER_PV_MAX_FNS; i++) {
		const struct aer_pv_fn *fn = &core->fns[i];

		if (!fn->used)
			continue;
		for (j = i + 1; j < AER_PV_MAX_FNS; j++)
			if (core->fns[j].used && core->fns[j].id == fn->id)
				fail("two entries for one function", fn->rec);
		if (fn->rec >= AER_PV_MAX_RECS ||
		    !(core->recs[fn->rec].fns & (1U << i)))
			fail("function not in its unit", fn->rec);
	}
	for (r = 0; r < AER_PV_MAX_RECS; r++) {
		const struct aer_pv_rec *rec = &core->recs[r];
		u64 set = rec->cur.resets | rec->next.resets;
		unsigned long m = rec->fns;

		if (!m && rec->state == AER_PV_IDLE && !set)
			continue;
		if (rec->state >= AER_PV_NR_STATES || rec->why >= AER_PV_NR_WHYS)
			fail("field out of range", r);
		for (i = 0; i < AER_PV_MAX_FNS; i++)
			if ((m & (1UL << i)) &&
			    (!core->fns[i].used || core->fns[i].rec != r))
				fail("unit names a function not its own", r);
		if ((rec->cur.fns | rec->next.fns) & ~rec->fns)
			fail("error of a function outside the unit", r);
		if (rec->state == AER_PV_IDLE && (rec->cur.seq || rec->next.seq))
			fail("idle unit holds an error", r);
		if (rec->next.seq && !rec->cur.seq)
			fail("pending error without a running one", r);
		for (i = 0; i < AER_PV_MAX_RESETS; i++)
			if ((set & (1ULL << i)) && !core->resets[i].seq)
				fail("unit depends on a free reset", r);
	}
	for (i = 0; i < AER_PV_MAX_RESETS; i++) {
		const struct aer_pv_reset *t = &core->resets[i];

		if (t->state > VIRTIO_AER_PV_RESET_FAILED ||
		    t->req > AER_PV_REQ_STALE)
			fail("reset field out of range", i);
	}
}

/*
 * The kinds of reset done for @t that cover unit @rec: of the kind it
 * needs, and of the kind every unit of the error needs
 */
static u8 covering(const struct aer_pv_rec *rec, const struct aer_pv_reset *t)
{
	return rec->kind == VIRTIO_AER_PV_RESET_KIND_FUNCTION &&
	       t->need == VIRTIO_AER_PV_RESET_KIND_FUNCTION ?
	       VIRTIO_AER_PV_EVF_RESET_LINK | VIRTIO_AER_PV_EVF_RESET_FUNCTION :
	       VIRTIO_AER_PV_EVF_RESET_LINK;
}

/*
 * What the reset step was told: never past a reset in flight, never a
 * reset for an error that a done reset of a covering kind covers (one not
 * older than it), never a native reset of an error the host reset that
 * way.
 */
static void check_action(const struct aer_pv_core *core, unsigned int r,
			 const struct aer_pv_action *act)
{
	const struct aer_pv_rec *rec = &core->recs[r];
	u64 set = rec->cur.resets | rec->next.resets;
	unsigned int i;

	switch (act->type) {
	case AER_PV_ACT_RESUME:
		if (in_flight(core, set))
			fail("going on while a host reset is in flight", r);
		break;
	case AER_PV_ACT_NATIVE:
	case AER_PV_ACT_REQUEST:
		if (act->type == AER_PV_ACT_NATIVE && in_flight(core, set))
			fail("going on while a host reset is in flight", r);
		for (i = 0; i < AER_PV_MAX_RESETS; i++) {
			const struct aer_pv_reset *t = &core->resets[i];

			if (!(set & (1ULL << i)))
				continue;
			if (t->state == VIRTIO_AER_PV_RESET_DONE &&
			    (t->done & covering(rec, t)) &&
			    !aer_pv_seq_after(act->seq, t->seq))
				fail("a second reset for covered errors", r);
			if (t->seq != act->seq)
				continue;
			if (act->type == AER_PV_ACT_NATIVE && t->host &&
			    (t->done & covering(rec, t)))
				fail("native reset after the host's", r);
			if (act->type == AER_PV_ACT_REQUEST &&
			    (t->req != AER_PV_REQ_SENT || t->native ||
			     (t->done & covering(rec, t)) ||
			     t->state == VIRTIO_AER_PV_RESET_PENDING ||
			     t->state == VIRTIO_AER_PV_RESET_FAILED))
				fail("request for a reset already done", r);
		}
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct aer_pv_core core;
	u32 expect[AER_PV_MAX_RECS] = {};
	bool step_failed[AER_PV_MAX_RECS] = {};
	struct aer_pv_response resp;
	struct aer_pv_action act;
	struct aer_pv_input in;
	struct aer_pv_event ev;
	u32 bridges[VIRTIO_AER_PV_MAX_FUNCS];
	u32 last_seq = 0;
	unsigned int i, j, r;
	u64 now = 0;
	size_t n;
	u8 op;

	if (!size)
		return 0;
	aer_pv_core_init(&core, data[0] & 1);
	core.reset_kinds = data[0] & 2;
	while (size >= 2) {
		op = data[0];
		data++;
		size--;
		now += op >> 4;
		memset(&in, 0, sizeof(in));
		r = data[0] % AER_PV_MAX_RECS;
		switch (op & 0xf) {
		case 0:		/* a raw event: length byte, then bytes */
		case 1:
			n = data[0] < size - 1 ? data[0] : size - 1;
			if (aer_pv_decode_event(data + 1, n, &ev) == AER_PV_OK) {
				for (i = 0; i < ev.nr_funcs; i++) {
					bridges[i] = AER_PV_NO_BRIDGE;
					for (j = 0; j < NR_IDS; j++)
						if (ev.funcs[i] == ids[j])
							bridges[i] = bridges_of[j];
				}
				in.type = AER_PV_IN_EVENT;
				in.ev = &ev;
				in.bridges = bridges;
				aer_pv_step(&core, &in, now, &act);
				if (core.last_seq && last_seq &&
				    !aer_pv_seq_after(core.last_seq, last_seq) &&
				    core.last_seq != last_seq)
					fail("last_seq went backwards", 0);
				last_seq = core.last_seq;
			}
			data += n + 1;
			size -= n + 1;
			check(&core);
			continue;
		case 2:		/* the glue reaches a reset step */
			if (core.recs[r].state != AER_PV_DETECTED)
				break;
			in.type = AER_PV_IN_RESET_STEP;
			in.rec = r;
			in.kind = data[0] & 0x80 ? VIRTIO_AER_PV_RESET_KIND_LINK :
				  VIRTIO_AER_PV_RESET_KIND_FUNCTION;
			in.timeout_ns = 1000;
			aer_pv_step(&core, &in, now, &act);
			check_action(&core, r, &act);
			step_failed[r] |= act.type == AER_PV_ACT_FAIL;
			if (act.type == AER_PV_ACT_REQUEST)
				expect[r] = act.seq;
			break;
		case 3:		/* a wait ends */
			if (core.recs[r].state != AER_PV_WAIT_HOST &&
			    core.recs[r].state != AER_PV_WAIT_REQ)
				break;
			in.type = AER_PV_IN_WAKE;
			in.rec = r;
			aer_pv_step(&core, &in, now, &act);
			check_action(&core, r, &act);
			step_failed[r] |= act.type == AER_PV_ACT_FAIL;
			if (act.type == AER_PV_ACT_REQUEST)
				expect[r] = act.seq;
			break;
		case 4:		/* the host answers a request: 8 raw bytes */
			if (size < 9)
				return 0;
			/* To its unit, or to the channel once it gave up */
			if (expect[r]) {
				in.type = AER_PV_IN_RESPONSE;
				in.rec = core.recs[r].state == AER_PV_WAIT_REQ ?
					 r : AER_PV_NO_REC;
				in.seq = expect[r];
				if (aer_pv_decode_response(VIRTIO_AER_PV_REQ_RESET,
							   data + 1, 8, &resp) ==
				    AER_PV_OK && resp.seq == expect[r])
					in.resp = &resp;
				expect[r] = 0;
				aer_pv_step(&core, &in, now, &act);
				check_action(&core, r, &act);
				step_failed[r] |= in.rec == r &&
						  act.type == AER_PV_ACT_FAIL;
				if (act.type == AER_PV_ACT_REQUEST)
					expect[r] = act.seq;
			}
			data += 9;
			size -= 9;
			check(&core);
			continue;
		case 5:		/* a recovery ends */
			if (core.recs[r].state != AER_PV_RESUMING &&
			    (core.recs[r].state != AER_PV_DETECTED ||
			     core.recs[r].frozen))
				break;
			in.type = AER_PV_IN_DONE;
			in.rec = r;
			in.recovered = data[0] & 0x40;
			aer_pv_step(&core, &in, now, &act);
			if (act.recovered && step_failed[r])
				fail("recovered though its reset step failed", r);
			step_failed[r] = false;
			break;
		case 6:
			in.type = AER_PV_IN_FN_GONE;
			in.fn = ids[data[0] % NR_IDS];
			aer_pv_step(&core, &in, now, &act);
			break;
		case 7:
			if (data[0] != 0x5a)
				break;
			in.type = AER_PV_IN_DOWN;
			aer_pv_step(&core, &in, now, &act);
			break;
		default:
			now += (u64)data[0] * 16;
			break;
		}
		data++;
		size--;
		check(&core);
	}
	return 0;
}
