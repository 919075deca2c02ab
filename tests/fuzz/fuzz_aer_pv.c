// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the guest's message validation and recovery state
 * machine (drivers/pci/pcie/aer_pv/protocol.c and fsm.c, built unchanged)
 * driven by a hostile host.  The input is a script: each step is one
 * opcode byte and its operands, so the fuzzer reaches every state, not
 * only the decoder.  Invariants are checked after every step; a violation
 * aborts.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsm.h"

#define NR_IDS 4

static const u32 ids[NR_IDS] = {
	AER_PV_FN_ID(0, 1, 0), AER_PV_FN_ID(0, 1, 1),
	AER_PV_FN_ID(0, 2, 0), AER_PV_FN_ID(1, 0, 8),
};

static void fail(const char *what, const struct aer_pv_dev *d)
{
	fprintf(stderr, "invariant broken: %s (fn %x seq %u state %u reset %u flags %x)\n",
		what, d->id, d->seq, d->state, d->reset, d->flags);
	abort();
}

static void check(const struct aer_pv_core *core)
{
	unsigned int i, j;

	for (i = 0; i < AER_PV_MAX_DEVS; i++) {
		const struct aer_pv_dev *d = &core->devs[i];

		if (!d->used)
			continue;
		if (d->state >= AER_PV_NR_STATES ||
		    d->severity > VIRTIO_AER_PV_SEV_FATAL ||
		    d->reset > VIRTIO_AER_PV_RESET_FAILED)
			fail("field out of range", d);
		/* Never two entries for one function. */
		for (j = i + 1; j < AER_PV_MAX_DEVS; j++)
			if (core->devs[j].used && core->devs[j].id == d->id)
				fail("two entries for one function", d);
		/* Not resuming while the host's reset is still in flight. */
		if (d->state == AER_PV_RESUMING &&
		    d->reset == VIRTIO_AER_PV_RESET_PENDING)
			fail("resuming during the host's reset", d);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static struct aer_pv_core core;
	struct aer_pv_response resp;
	struct aer_pv_actions act;
	struct aer_pv_event ev;
	u64 now = 0;
	size_t n;
	u8 op;

	aer_pv_core_init(&core, 1000, data[0] & 1);
	while (size >= 2) {
		op = data[0];
		data++;
		size--;
		now += op >> 4;
		switch (op & 0xf) {
		case 0:		/* a raw event: length byte, then bytes */
		case 1:
			n = data[0] < size - 1 ? data[0] : size - 1;
			aer_pv_receive(&core, data + 1, n, &ev, &act);
			data += n + 1;
			size -= n + 1;
			break;
		case 2:
			aer_pv_on_aer(&core, ids[data[0] % NR_IDS]);
			goto one;
		case 3:		/* a query answer: 8 raw bytes */
			if (size < 9)
				return 0;
			if (aer_pv_decode_response(VIRTIO_AER_PV_REQ_QUERY,
						   data + 1, 8, &resp) == AER_PV_OK)
				aer_pv_on_query(&core, ids[data[0] % NR_IDS],
						data[1] % 3, &resp);
			data += 9;
			size -= 9;
			break;
		case 4:
			aer_pv_reset_step(&core, ids[data[0] % NR_IDS], now);
			goto one;
		case 5:
			aer_pv_wait_check(&core, ids[data[0] % NR_IDS], now);
			goto one;
		case 6:
			if (size < 9)
				return 0;
			if (aer_pv_decode_response(VIRTIO_AER_PV_REQ_RESET,
						   data + 1, 8, &resp) == AER_PV_OK)
				aer_pv_request_done(&core, ids[data[0] % NR_IDS],
						    &resp);
			else
				aer_pv_request_done(&core, ids[data[0] % NR_IDS],
						    NULL);
			data += 9;
			size -= 9;
			break;
		case 7:
			aer_pv_recovery_done(&core, ids[data[0] % NR_IDS],
					     data[0] & 0x80, &act);
			goto one;
		case 8:
			aer_pv_dev_removed(&core, ids[data[0] % NR_IDS]);
			goto one;
		case 9:
			if (data[0] == 0x5a)
				aer_pv_channel_down(&core);
			goto one;
		default:
			now += (u64)data[0] * 16;
			goto one;
		}
		check(&core);
		continue;
one:
		data++;
		size--;
		check(&core);
	}
	return 0;
}
