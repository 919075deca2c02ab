// SPDX-License-Identifier: GPL-2.0
/*
 * aer-pv beside the native AER path.  Once the transport is live, the
 * host does not signal an emulated AER message for a function it manages:
 * the channel is that function's only source of errors.  A message that
 * still arrives (a host that breaks the rule, or an error injected into
 * the emulated hardware) belongs to the AER core, which recovers it the
 * native way; aer-pv only says so, once per message, so that a log reader
 * is not left wondering why the host's word was not followed.
 */

#define pr_fmt(fmt) "aer_pv: " fmt

#include <linux/aer.h>
#include <linux/kernel.h>
#include <linux/pci.h>
#include <ras/ras_event.h>

#include "aer_pv.h"

/* Called by the AER core for every error it logs; must not sleep. */
static void aer_pv_aer_event(void *data, const char *name, const u32 status,
			     const u8 severity, const u8 tlp_header_valid,
			     struct pcie_tlp_log *tlp)
{
	unsigned int seg, bus, slot, func, i;
	struct aer_pv_channel *ch;
	bool managed = false;
	u32 id;

	if (severity == AER_CORRECTABLE ||
	    sscanf(name, "%x:%x:%x.%x", &seg, &bus, &slot, &func) != 4)
		return;
	ch = aer_pv_get();
	if (!ch)
		return;
	/* aer-pv's own log of a host's error goes through here too. */
	if (READ_ONCE(ch->logging) == current)
		goto out;
	id = AER_PV_FN_ID(seg, bus, PCI_DEVFN(slot, func));
	/* Lockless: a stale answer costs one log line at most. */
	for (i = 0; i < AER_PV_MAX_FNS; i++)
		if (READ_ONCE(ch->core.fns[i].used) &&
		    READ_ONCE(ch->core.fns[i].id) == id)
			managed = true;
	if (managed)
		pr_info_ratelimited("%s: AER message for a function the host manages: recovered the native way\n",
				    name);
out:
	aer_pv_put(ch);
}

/**
 * aer_pv_native_init() - watch the AER core's messages
 *
 * Without tracepoints there is nothing to watch, and nothing but the log
 * line is lost.
 *
 * Return: 0 or a negative errno.
 */
int aer_pv_native_init(void)
{
	if (!IS_ENABLED(CONFIG_TRACEPOINTS))
		return 0;
	return register_trace_aer_event(aer_pv_aer_event, NULL);
}
