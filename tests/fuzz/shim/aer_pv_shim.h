/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace stand-ins for the few kernel facilities that protocol.c and
 * fsm.c use, so that the fuzzer builds those files unchanged.  Force-
 * included before anything else.
 */
#ifndef AER_PV_SHIM_H
#define AER_PV_SHIM_H

/* trace.h's body is skipped; its tracepoints do nothing here. */
#define _AER_PV_TRACE_H
#define trace_aer_pv_state(bridge, seq, from, to) do { } while (0)
#define trace_aer_pv_message(type, seq, verdict) do { } while (0)

#endif
