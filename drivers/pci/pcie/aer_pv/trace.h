/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the aer-pv recovery core: every state change of a
 * recovery unit (named by its bridge), every message the host sent and
 * what became of it.
 */

#undef TRACE_SYSTEM
#define TRACE_SYSTEM aer_pv

#if !defined(_AER_PV_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _AER_PV_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(aer_pv_state,
	    TP_PROTO(u32 bridge, u32 seq, u8 from, u8 to),
	    TP_ARGS(bridge, seq, from, to),
	    TP_STRUCT__entry(__field(u32, bridge)
			     __field(u32, seq)
			     __field(u8, from)
			     __field(u8, to)),
	    TP_fast_assign(__entry->bridge = bridge;
			   __entry->seq = seq;
			   __entry->from = from;
			   __entry->to = to;),
	    TP_printk("bridge %04x:%02x:%02x.%x seq=%u %s -> %s",
		      __entry->bridge >> 16, (__entry->bridge >> 8) & 0xff,
		      (__entry->bridge >> 3) & 0x1f, __entry->bridge & 0x7,
		      __entry->seq,
		      __print_symbolic(__entry->from, { 0, "idle" },
				       { 1, "detected" }, { 2, "wait_host" },
				       { 3, "wait_request" }, { 4, "resuming" }),
		      __print_symbolic(__entry->to, { 0, "idle" },
				       { 1, "detected" }, { 2, "wait_host" },
				       { 3, "wait_request" }, { 4, "resuming" }))
);

TRACE_EVENT(aer_pv_message,
	    TP_PROTO(u16 type, u32 seq, u8 verdict),
	    TP_ARGS(type, seq, verdict),
	    TP_STRUCT__entry(__field(u16, type)
			     __field(u32, seq)
			     __field(u8, verdict)),
	    TP_fast_assign(__entry->type = type;
			   __entry->seq = seq;
			   __entry->verdict = verdict;),
	    TP_printk("type=%u seq=%u verdict=%u",
		      __entry->type, __entry->seq, __entry->verdict)
);

#endif /* _AER_PV_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
