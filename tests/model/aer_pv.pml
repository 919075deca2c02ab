/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * aer_pv.pml - Promela model of the virtio-aer-pv host/guest protocol AS
 * IMPLEMENTED, for the SPIN model checker.  scripts/verify.sh runs it;
 * tests/model/drift.py checks that its constants (the #defines below with
 * VIRTIO_AER_PV_ and AER_PV_ names) match include/uapi/linux/virtio_aer_pv.h,
 * drivers/pci/pcie/aer_pv/fsm.h and protocol.h.  Model-only names start
 * with M_.
 *
 * What is modelled, and from where
 * --------------------------------
 *  host     qemu/hw/virtio/virtio-aer-pv.c.  proctype host():
 *           qmp_aer_pv_inject_error() (host_error: an error on F0 or F1,
 *           its severity, the host reset NONE / DONE before the
 *           notification / PENDING ending DONE or FAILED / FAILED up
 *           front, request_outcome, an optional emulated AER message),
 *           virtio_aer_pv_reset_end() (host_reset_end, host_request_end),
 *           virtio_aer_pv_request_reset() (host_request_reset: STALE,
 *           UNSUPPORTED, or a link reset that answers OK or FAILED when
 *           it ends), REQ_QUERY of virtio_aer_pv_handle_request() (read
 *           in aer_thread), REQ_PHASE (a no-op: informational).
 *  channel  the event queue, host to guest: q[] in proctype events().
 *           Up to FAULTS faults in all: a message taken out of order
 *           (reorder), delivered and queued again (duplicate), or lost.
 *  guest    fsm.c, one inline per function, same name with fsm_ for
 *           aer_pv_: fsm_alloc, fsm_start, fsm_add_start,
 *           fsm_merge_reset, fsm_coalesce, fsm_error_one, fsm_on_error,
 *           fsm_update_reset, fsm_on_reset, fsm_group_state,
 *           fsm_pending_mark, fsm_group_mark (and M_PEER for
 *           aer_pv_reset_peer), fsm_resume_group, fsm_fall_back,
 *           fsm_decide, fsm_reset_step, fsm_wait_check, fsm_request_done,
 *           fsm_recovery_done, fsm_on_aer, fsm_on_query; fsm.h's
 *           aer_pv_busy() and aer_pv_frozen() are M_BUSY and M_FROZEN.
 *           recovery.c: proctype events() is vap_event_work() +
 *           aer_pv_channel_event() with aer_pv_start_runs() (start_runs);
 *           proctype worker() is aer_pv_run_work() / aer_pv_recover()
 *           (do_recovery, end_run) with aer_pv_add_to_run() (add_to_run);
 *           do_recovery() is pcie_do_recovery() with the hooks of
 *           patches/linux 0002 and 0003 (aer_pv_reset_subordinates,
 *           aer_root_reset, aer_pv_reset_nonfatal), frozen as
 *           run->frozen says; reset_link() is aer_pv_reset_link() with
 *           aer_pv_find_busy() and aer_pv_find_busy_cb() (find_busy) and
 *           aer_pv_snap() (M_SNAP); reset_step_wait() is
 *           aer_pv_reset_step_wait() with aer_pv_request() for REQ_RESET;
 *           proctype aer_thread() is aer_pv_handle_error() (REQ_QUERY,
 *           CLAIM / JOIN, the run it recovers itself) and the native
 *           pcie_do_recovery(dev, state, aer_root_reset) that
 *           pci_aer_handle_error() does when aer-pv declines.
 *
 * Each fsm.c call that recovery.c makes under ch->lock is one atomic step
 * (d_step); everything between two locked sections (waits, requests, the
 * PCI callbacks) is where other processes interleave, as in recovery.c.
 *
 * Abstractions, and why they are sound for the properties
 * -------------------------------------------------------
 *  - Two functions F0, F1; NERR errors (default 2), seq 1..NERR; seq
 *    numbers do not wrap, so aer_pv_seq_after(a, b) is a > b (KUnit's
 *    seq_wraparound_accepted covers wrap-around).  The first error is on
 *    F0 (F0 and F1 are symmetric except under one Root Port, where
 *    aer_pv_find_busy() meets F0 first: there both are tried).
 *  - Time: a function's deadline is UNSET (deadline 0: "now >= deadline"
 *    holds), RUNNING, or EXPIRED.  Every wait (the reset step's, and a
 *    request's) may run out at any moment, i.e. the host may be slower
 *    than the guest's bound; deadlines expire independently.  This only
 *    adds behaviours.
 *  - Wake-ups: aer_pv_wake() and ch->gen are not modelled.  A waiter
 *    blocks while aer_pv_wait_check() would answer WAIT without changing
 *    anything (M_QUIET_WAIT), which covers every wake-up, spurious or
 *    lost, because a wait may also time out at any moment.
 *  - Steps merged where nothing observable can happen in between: the
 *    start of a run (queue_work) with its first locked section (the
 *    error_detected callbacks touch nothing shared); touches that follow
 *    each other (mmio_enabled + resume, slot_reset + resume: a violation
 *    of (b) at either instant is one at the merged step placed there);
 *    list_del() with the last PCI step; aer_pv_run_free() with the last
 *    recovery_done; the last add_to_run() of aer_pv_start_runs() with its
 *    queue_work() (nothing reads a run's functions before it ends); a
 *    REQ_QUERY answer with aer_pv_on_query() (QEMU answers at once); with
 *    one function per Root Port (TOPO 0, 2), aer_pv_find_busy() with
 *    aer_pv_reset_step() (only the run itself can end its function's
 *    recovery in between; under a shared Root Port they stay apart).
 *  - Driver answers: error_detected votes CAN_RECOVER or NEED_RESET
 *    (nondeterministic); for a frozen channel (aer_pv_frozen(): a fatal
 *    error, or one the host resets for) both go through the reset step
 *    first, so only NEED_RESET is modelled; native resets succeed.
 *  - Run records keep seq and frozen; run->severity and act->severity
 *    only name the error in the log.
 *  - Reset kinds: every function is a PF with a link, so the guest asks
 *    for VIRTIO_AER_PV_RESET_KIND_LINK and a link reset reaches every
 *    function of the host link (hlink[]).
 *  - Not modelled: correctable errors (no recovery), malformed messages
 *    (protocol.c drops them before the fsm), channel down and function
 *    removal (DF_LOST, DF_GONE), table and run-list limits, statistics,
 *    sysfs, logging.
 *  - Ghost variables (rc, infl, acc, ended, second, gfirst, gmax) exist
 *    only in the search of the property that reads them.
 *
 * Properties: compile with exactly one of
 * ----------
 *  -DCHECK_A (a) assertion in count_reset(): per error and function, at
 *      most one reset reaches the device: the host's own reset, a reset
 *      the guest requested for that error, a native reset the guest does
 *      in the reset step decided for that error (or, when aer-pv does not
 *      own the reset step, in the recovery of that error).
 *  -DCHECK_B (b) assertion in touch(): mmio_enabled, slot_reset and
 *      resume never reach a function in recovery while a host reset (its
 *      own or a requested one) of the error that it recovers is in flight.
 *  -DCHECK_C (c) LTL, checked with pan -a -f (weak fairness): every error
 *      the guest took in (started, pending, or joined through REQ_QUERY)
 *      ends in recovered or perm_failure (recovery_done):
 *      [] (unfinished -> <> !unfinished).  A deadlock or livelock with an
 *      error open is an acceptance cycle.
 *  -DCHECK_D (d) assertions: a newer error that arrives (event or
 *      REQ_QUERY answer) while its function recovers an older one is kept
 *      as the pending error; it is still tracked after each
 *      recovery_done; it ends only after the first one ended; and it has
 *      ended in every final state (proctype final_check, on `timeout').
 *  -DCHECK_E (e) assertion in host_request_reset(): a reset request names
 *      the error its function recovers: the host never answers REQ_RESET
 *      STALE while the function recovers the host's newest error on it
 *      (a STALE answer fails the recovery).  Needs three errors on one
 *      function to fail; scripts/verify.sh checks it in --known-issues.
 *
 * Configurations (scripts/verify.sh; -D knobs, defaults in brackets)
 * --------------
 *  TOPO [3]   0: two devices, each on its own host link and Root Port;
 *             1: one two-function device under one Root Port (one
 *             pcie_do_recovery() walks both functions); 2: the same
 *             device with a Root Port per function (non-mirrored: two
 *             runs share one host reset); 3: any of them.
 *  NERR [2], FAULTS [1], NAER [1] (emulated AER messages at most),
 *  NO_AER_MSG, NO_HOST_RESET (no error has a host reset),
 *  NO_CAN_REQUEST [the host may or may not offer
 *  VIRTIO_AER_PV_F_RESET_REQUEST].
 *  verify.sh checks "one-device" (TOPO=0: both errors on F0, overlapping
 *  and coalesced, with faults and the AER message path), "two-functions"
 *  (TOPO=2 -DNO_AER_MSG -DFAULTS=0: both functions, two overlapping
 *  errors, shared host resets), "nonfatal-errors" (TOPO=0
 *  -DNONFATAL_HOST_RESET -DAER_MSG_NONFATAL -DFAULTS=0: non-fatal errors
 *  with every host reset and with AER messages, the fixed known issues
 *  nonfatal-host-reset and aer-message-severity together) and, for (c)
 *  and (d) only, "three-errors" (TOPO=0 -DNERR=3 -DFAULTS=0
 *  -DNO_HOST_RESET -DNO_CAN_REQUEST: the fixed known issue
 *  pending-goes-backwards, restricted to fit the budget: 0.1M states
 *  where its full configuration has 105M-128M, and the model of the
 *  code before 5d8b2f7 still fails (d) there).  Together 2 functions x
 *  2 overlapping errors and 3 errors on one function, 65M states,
 *  about 5 minutes on 2 cores (9 minutes with JOBS=1), under 1.3 GB per
 *  search.  The searches use -DCOLLAPSE (lossless state
 *  compression), no bitstate or hash compaction.
 *  Checked once after 5d8b2f7, too big for every run: TOPO=0 -DNERR=3
 *  -DFAULTS=0 (pending-goes-backwards): (a), (b), (d) hold (128M, 105M,
 *  116M states, 6-8 minutes and 6.4-7.9 GB each), (c) was not exhaustive
 *  at 10 GB (103M states, no error); nonfatal-host-reset and
 *  aer-message-severity: (a)-(d) hold (under 3M states each); the
 *  configurations of the remaining known issues: (c) and (d) hold
 *  (pending-misses-group-reset: 38M and 20M states, 5.2 GB for (c)).
 *  Checked once before 5d8b2f7 and not since: TOPO=2 -DNO_AER_MSG (one
 *  channel fault): (a)-(d) held, 104M states, 8 min, 5.4 GB; TOPO=2
 *  -DFAULTS=0 (AER messages): (a), (b), (d) held (76M-82M states).
 *
 * The default host is restricted, to what the device must do or to
 * bound the searches (see Known issues):
 *  - an error without a host reset names only its reporting function
 *    (funcs[] lists "every function the host's reset affects");
 *    -DNONE_NAMES_LINK lets it name the whole link, as QEMU's
 *    aer-pv-inject-error allows;
 *  - a non-fatal error has no host reset or one done before the
 *    notification; -DNONFATAL_HOST_RESET allows PENDING and FAILED
 *    (handled since 5d8b2f7: the nonfatal-errors configuration);
 *  - emulated AER messages only for fatal errors; -DAER_MSG_NONFATAL
 *    allows them for non-fatal ones (handled since 5d8b2f7, ditto);
 *  - REQ_QUERY answers in time, as the device must; -DQUERY_TIMEOUT
 *    lets it time out.
 *
 * Known issues (scripts/verify.sh --known-issues reproduces each)
 * ------------
 *  Fixed by 5d8b2f7 (their configurations pass (a)-(d); the default
 *  configurations nonfatal-errors and three-errors keep them fixed):
 *  nonfatal-host-reset (b) and aer-message-severity (b), by running
 *  with a frozen channel whenever the host resets (aer_pv_frozen(), also
 *  for the JOIN run, with the entry's severity); pending-goes-backwards
 *  (d), by aer_pv_coalesce() moving pending_seq only forward.
 *  Fixed by the commit after 384454e (the default configuration
 *  stale-reset-request checks (e)): stale-reset-request, a regression of
 *  5d8b2f7, which made aer_pv_reset_step_wait() send REQ_RESET with
 *  snap.reset_seq while aer_pv_coalesce() moved pending_reset_seq only
 *  with a reset: errors 2 and 3 without a host reset, both arriving while
 *  error 1 recovers, left pending_seq 3 and pending_reset_seq 2, so the
 *  recovery of error 3 asked for a reset for seq 2, which the host
 *  answers STALE, and the recovery failed without any reset.
 *  aer_pv_coalesce() now moves pending_reset_seq to the newer error when
 *  no reset is pending.  Still reproduced:
 *
 *  shared-root-port (TOPO=1): (a), (b).  5d8b2f7 removed the interleaving
 *      first found (REQ_RESET naming the error a concurrent event made
 *      current after the decision), but one walk of pcie_do_recovery()
 *      covers both functions while the reset step decides from one of
 *      them, and aer_pv_reset_link() picks it (aer_pv_find_busy()) and
 *      decides (aer_pv_reset_step()) in two locked sections.  (a): F0
 *      recovers error 1 (non-fatal, no host reset, CAN_RECOVER: resumed,
 *      no recovery_done yet).  Error 2 (host reset DONE, F0 and F1):
 *      F0 keeps it pending, F1 starts it, and aer_pv_channel_event() has
 *      yet to reach aer_pv_start_runs().  F0's recovery_done starts
 *      error 2 in a new run, whose walk resumes F0 and F1 (PROCEED on
 *      DONE) and which is then list_del'd; only now does F1's
 *      aer_pv_start_runs() make a second run for the bridge.  Its
 *      aer_pv_find_busy() finds F0 and F1 RESUMING and takes F0 (the
 *      first); the first run's recovery_done ends F0 before
 *      aer_pv_reset_step(F0), which answers NATIVE, and
 *      aer_pv_reset_subordinates() resets the link natively: a second
 *      reset for error 2.  (b): the same with error 2 fatal and its
 *      host reset PENDING: the first run's wait times out (FAIL, F0 and
 *      F1 TIMEDOUT, F0 left in WAIT_HOST), the second run takes F0,
 *      which recovery_done ends before the decision, NATIVE again, and
 *      slot_reset/resume reach F1 while the host still resets it.
 *      Deciding in the same locked section as the choice is not enough:
 *      a copy of the model that does so fails (a) when the walk of F1's
 *      error 1 takes the reset step of F0's error 2 (F0 DETECTED, its run
 *      not made yet: REQUEST, UNSUPPORTED, FALLBACK, native reset) and
 *      F0's own run then repeats FALLBACK; preferring a function of the
 *      caller's run instead fails (b), the walk resuming F0 while the
 *      reset requested for its older error is in flight.
 *  pending-misses-group-reset (TOPO=2 -DNONE_NAMES_LINK): (a), (b).
 *      aer_pv_pending_mark() (5d8b2f7) gives a function that holds error
 *      e as its pending one the outcome (DONE, FAILED) of a reset
 *      requested for e, but not a request still in flight.  (a): error 2
 *      (no host reset, F0 and F1) comes while F0 finishes error 1; F1's
 *      run requests a link reset for error 2 (DF_REQUESTED on F1 only),
 *      the host resets F0 and F1; F0's recovery_done then starts error 2
 *      with reset NONE and no DF_REQUESTED, and F0's run asks for the
 *      link reset a second time.  (b), not addressed by 5d8b2f7: the two
 *      runs of one error vote independently: F1's run (NEED_RESET)
 *      requests the link reset, whose answer times out (FAIL, reset
 *      still in flight); F0's run, channel normal (non-fatal, no host
 *      reset), votes CAN_RECOVER: mmio_enabled and resume reach F0
 *      during the reset.
 *  query-timeout (-DQUERY_TIMEOUT): (a), (b).  Not fixed: the device
 *      must answer REQ_QUERY in time.  When REQ_QUERY gets no answer,
 *      aer_pv_handle_error() leaves the error to the native recovery
 *      (native link reset), and the channel event of the same error
 *      later starts a second, aer-pv, recovery.
 */

/* ---- protocol constants: include/uapi/linux/virtio_aer_pv.h ---- */
#define VIRTIO_AER_PV_EVT_ERROR			1
#define VIRTIO_AER_PV_EVT_RESET			2
#define VIRTIO_AER_PV_EVT_F_AER_MSG		1
#define VIRTIO_AER_PV_EVT_F_ALL			1
#define VIRTIO_AER_PV_REQ_QUERY			1
#define VIRTIO_AER_PV_REQ_RESET			2
#define VIRTIO_AER_PV_REQ_PHASE			3
#define VIRTIO_AER_PV_S_OK			0
#define VIRTIO_AER_PV_S_ERR			1
#define VIRTIO_AER_PV_S_UNSUPPORTED		2
#define VIRTIO_AER_PV_S_NOT_MANAGED		3
#define VIRTIO_AER_PV_S_FAILED			4
#define VIRTIO_AER_PV_S_STALE			5
#define VIRTIO_AER_PV_SEV_CORRECTABLE		0
#define VIRTIO_AER_PV_SEV_NONFATAL		1
#define VIRTIO_AER_PV_SEV_FATAL			2
#define VIRTIO_AER_PV_RESET_NONE		0
#define VIRTIO_AER_PV_RESET_PENDING		1
#define VIRTIO_AER_PV_RESET_DONE		2
#define VIRTIO_AER_PV_RESET_FAILED		3
#define VIRTIO_AER_PV_RESET_KIND_NONE		0
#define VIRTIO_AER_PV_RESET_KIND_LINK		1
#define VIRTIO_AER_PV_RESET_KIND_FUNCTION	2
#define VIRTIO_AER_PV_PHASE_DETECTED		1
#define VIRTIO_AER_PV_PHASE_RESET_WAIT		2
#define VIRTIO_AER_PV_PHASE_RECOVERED		3
#define VIRTIO_AER_PV_PHASE_FAILED		4

/* ---- guest states, decisions, verdicts, flags: fsm.h, protocol.h ---- */
#define AER_PV_IDLE		0
#define AER_PV_DETECTED		1
#define AER_PV_WAIT_HOST	2
#define AER_PV_WAIT_REQ		3
#define AER_PV_RESUMING		4
#define AER_PV_NR_STATES	5

#define AER_PV_NATIVE		0
#define AER_PV_PROCEED		1
#define AER_PV_WAIT		2
#define AER_PV_REQUEST		3
#define AER_PV_FALLBACK		4
#define AER_PV_FAIL		5

#define AER_PV_AER_NATIVE	0
#define AER_PV_AER_CLAIM	1
#define AER_PV_AER_QUERY	2
#define AER_PV_AER_JOIN		3

#define AER_PV_DF_EVENT		1
#define AER_PV_DF_AER		2
#define AER_PV_DF_PENDING	4
#define AER_PV_DF_LOST		8
#define AER_PV_DF_GONE		16
#define AER_PV_DF_TIMEDOUT	32
#define AER_PV_DF_REQUESTED	64
#define AER_PV_DF_FALLBACK	128

#define AER_PV_OK		0
#define AER_PV_DROP_STALE	11
#define AER_PV_DROP_DUPLICATE	12
#define AER_PV_DROP_UNKNOWN_SEQ	13
#define AER_PV_DROP_TRANSITION	14

/* ---- model parameters and model-only names (M_*) ---- */
#define NF		2		/* functions */
#ifndef NERR
#define NERR		2		/* errors the host raises, seq 1..NERR */
#endif
#ifndef FAULTS
#define FAULTS		1		/* channel faults: reorder, dup, drop */
#endif
#ifndef TOPO
#define TOPO		3
#endif
#ifndef NAER
#define NAER		1		/* emulated AER messages, at most */
#endif
#define MAXE		4		/* arrays indexed by seq: 0..3 */
#define NRUN		4		/* struct aer_pv_run records */
#define NREQ		3		/* REQ_RESET records held by the host */
#define QLEN		(2 * NERR + FAULTS)
#define M_NONE		255

#define M_DL_UNSET	0		/* deadline 0: "now >= deadline" */
#define M_DL_RUNNING	1
#define M_DL_EXPIRED	2

#define M_ERS_CAN_RECOVER	1	/* pci_ers_result_t, as used */
#define M_ERS_NEED_RESET	2
#define M_ERS_RECOVERED		3
#define M_ERS_DISCONNECT	4

#define M_RUN_FREE	0
#define M_RUN_LISTED	1		/* on ch->runs */
#define M_RUN_OFFLIST	2		/* list_del'd, finishing */

#define M_RQ_FREE	0
#define M_RQ_BUSY	1		/* the host's reset is in flight */
#define M_RQ_ANSWERED	2

#define M_DEC_CHECK	9		/* internal: go on to the deadline */

#define M_MSG(t, e)	((t) * 8 + (e))
#define M_MSG_TYPE(m)	((m) / 8)
#define M_MSG_SEQ(m)	((m) % 8)
#define M_BIT(e)	(1 << (e))
#define M_GB(e, f)	(1 << ((e) * NF + (f)))
#define M_BUSY(f)	(used[f] && st[f] != AER_PV_IDLE)
/* aer_pv_frozen() of fsm.h: recover with pci_channel_io_frozen */
#define M_FROZEN(f)	(dsev[f] == VIRTIO_AER_PV_SEV_FATAL || \
			 dres[f] != VIRTIO_AER_PV_RESET_NONE)
#define M_MAX(a, b)	((a) > (b) -> (a) : (b))

/* ---- topology ---- */
byte topo;
byte bridge[NF];		/* guest Root Port above the function */
byte hlink[NF];			/* host link the function sits on */

/* ---- guest: struct aer_pv_core / struct aer_pv_dev (fsm.h) ---- */
bool used[NF];
byte st[NF];			/* state */
byte dsev[NF];			/* severity */
byte dres[NF];			/* reset */
byte dflags[NF];		/* flags */
byte dseq[NF];			/* seq */
byte drseq[NF];			/* reset_seq */
byte psev[NF];			/* pending_severity */
byte pres[NF];			/* pending_reset */
byte pseq[NF];			/* pending_seq */
byte prseq[NF];			/* pending_reset_seq */
byte ddl[NF];			/* deadline, abstracted */
byte last_seq;
bool can_request;

/* ---- guest: recovery.c's runs and wait queue ---- */
byte rstate[NRUN];
byte rbridge[NRUN];
byte rseq[NRUN];
bool rfrz[NRUN];		/* run->frozen (run->severity is only logged) */
byte rid0[NRUN];
byte rid1[NRUN];
bool rgo[NRUN];			/* queue_work()ed to worker r */

/* ---- host: VirtIOAerPv ---- */
byte nexterr = 1;
byte esev[MAXE];		/* per error: severity */
byte eres[MAXE];		/* reset state in the error event */
byte ef0[MAXE];			/* funcs[0], the reporting function */
byte ef1[MAXE];			/* funcs[1] or M_NONE */
byte eend[MAXE];		/* own reset in flight: how it will end */
byte eout[MAXE];		/* how a requested reset ends: S_OK, S_FAILED
				 * or S_UNSUPPORTED (request_outcome) */
byte erst[MAXE];		/* EVT_RESET payload once sent */
byte hseq[NF];			/* AerPvFunc.seq: newest error */
byte hsev[NF];
byte hres[NF];			/* AerPvFunc.reset */
byte infl[NF];			/* errors (bits) whose reset is in flight */
byte rqst[NREQ];
byte rqseq[NREQ];
byte rqf[NREQ];
byte rqstatus[NREQ];
bool rqfail[NREQ];
bool rqgone[NREQ];		/* the guest stopped waiting */

/* ---- channels ---- */
byte q[QLEN];			/* event queue, host to guest */
byte qn;
byte faults;
byte aq[MAXE];			/* emulated AER messages (seq), FIFO */
byte aqn;
byte naer;

/* ---- ghosts for the properties ---- */
byte rc[MAXE * NF];		/* (a) resets per (error, function) */
byte acc;			/* (c,d) errors taken in, M_GB(e, f) */
byte ended;			/* (c,d) errors ended */
byte second;			/* (d) errors that arrived during a recovery */
byte gfirst[MAXE * NF];		/* (d) the error in recovery when it came */
byte gmax;			/* newest seq the guest took in */

#define unfinished	((acc & ~ended) != 0)

#ifdef CHECK_C
ltl c_every_error_ends { [] (unfinished -> <> !unfinished) }
#endif

/* ================================================================
 * Property helpers
 * ================================================================ */

/*
 * Each ghost is kept only when its property is checked: otherwise it
 * would tell apart states that are the same for the property at hand.
 */
#if defined(CHECK_C) || defined(CHECK_D)
#define GHOST_CD(x)	x
#else
#define GHOST_CD(x)	skip
#endif

/* (a): a reset of function f, caused by error e, reaches the device */
inline count_reset(e, f)
{
	printf("MSC: reset of F%d for error %d\n", f, e);
#ifdef CHECK_A
	rc[(e) * NF + (f)]++;
	assert(rc[(e) * NF + (f)] <= 1)
#else
	skip
#endif
}

/* (b): the host's resets in flight, per function and error */
inline infl_set(f, e)
{
#ifdef CHECK_B
	infl[f] = infl[f] | M_BIT(e)
#else
	skip
#endif
}

inline infl_clear(f, e)
{
#ifdef CHECK_B
	infl[f] = infl[f] & ~M_BIT(e)
#else
	skip
#endif
}

/* (b): mmio_enabled / slot_reset / resume of every function under b */
inline touch(b)
{
	for (tf : 0 .. NF - 1) {
		if
		:: bridge[tf] == (b) && M_BUSY(tf) ->
			printf("MSC: touch F%d (error %d, state %d, host resets in flight %d)\n",
			       tf, dseq[tf], st[tf], infl[tf]);
#ifdef CHECK_B
			assert((infl[tf] & (M_BIT(dseq[tf]) | M_BIT(drseq[tf]))) == 0)
#else
			skip
#endif
		:: else
		fi
	}
	tf = 0
}

/* (c,d): recovery_done() of f ends the error it recovers (and any older
 * one folded into it) */
inline ghost_end(f)
{
#ifdef CHECK_D
	if
	:: second & M_GB(dseq[f], f) ->
		assert(ended & M_GB(gfirst[dseq[f] * NF + (f)], f))
	:: else
	fi;
#endif
#if defined(CHECK_C) || defined(CHECK_D)
	for (ge : 1 .. NERR) {
		if
		:: ge <= dseq[f] -> ended = ended | (acc & M_GB(ge, f))
		:: else
		fi
	}
	ge = 0
#else
	skip
#endif
}

inline ghost_accept(e, f)
{
	GHOST_CD(acc = acc | M_GB(e, f));
#ifdef CHECK_D
	gmax = M_MAX(gmax, e)
#else
	skip
#endif
}

/* ================================================================
 * fsm.c, one inline per function
 * ================================================================ */

/* aer_pv_alloc(): a fresh entry */
inline fsm_alloc(f)
{
	used[f] = true; st[f] = AER_PV_IDLE; dsev[f] = 0; dres[f] = 0;
	dflags[f] = 0; dseq[f] = 0; drseq[f] = 0; psev[f] = 0; pres[f] = 0;
	pseq[f] = 0; prseq[f] = 0; ddl[f] = M_DL_UNSET
}

/* aer_pv_start() */
inline fsm_start(f, e, sev, res, flags)
{
	dseq[f] = e; drseq[f] = e; dsev[f] = sev; dres[f] = res;
	dflags[f] = flags; ddl[f] = M_DL_UNSET; st[f] = AER_PV_DETECTED;
	ghost_accept(e, f)
}

/* aer_pv_add_start(): the recovery to start goes to s0 (s1 for a second
 * function of the same event), with act->seq and act->frozen from f's
 * entry; act->severity only names the error in the log */
inline fsm_add_start(f)
{
	if
	:: s0 == M_NONE -> s0 = f
	:: else -> s1 = f
	fi;
	sseq = dseq[f]; sfrz = M_FROZEN(f)
}

/* aer_pv_merge_reset() */
inline fsm_merge_reset(f, new)
{
	if
	:: dres[f] == VIRTIO_AER_PV_RESET_DONE ||
	   dres[f] == VIRTIO_AER_PV_RESET_FAILED -> skip
	:: else ->
		if
		:: new == VIRTIO_AER_PV_RESET_NONE &&
		   dres[f] == VIRTIO_AER_PV_RESET_PENDING -> skip
		:: else -> dres[f] = new
		fi
	fi
}

/* aer_pv_coalesce(): pending_seq only moves forward; an older error adds
 * its severity, and its reset only when the pending error has none */
inline fsm_coalesce(f, e, sev, res)
{
	if
	:: dflags[f] & AER_PV_DF_PENDING ->
		psev[f] = M_MAX(psev[f], sev);
		if
		:: res != VIRTIO_AER_PV_RESET_NONE &&
		   (e > pseq[f] || pres[f] == VIRTIO_AER_PV_RESET_NONE) ->
			pres[f] = res; prseq[f] = e
		:: else ->
			if
			:: e > pseq[f] && pres[f] == VIRTIO_AER_PV_RESET_NONE ->
				prseq[f] = e
			:: else
			fi
		fi;
		if
		:: e > pseq[f] -> pseq[f] = e	/* newer */
		:: else
		fi
	:: else ->
		dflags[f] = dflags[f] | AER_PV_DF_PENDING;
		psev[f] = sev; pres[f] = res; prseq[f] = e; pseq[f] = e
	fi;
	ghost_accept(e, f)
}

/* aer_pv_error_one(): result in v; a recovery to start goes to s0/s1 */
inline fsm_error_one(e, f)
{
	if
	:: used[f] && dseq[f] == e && (dflags[f] & AER_PV_DF_AER) &&
	   !(dflags[f] & AER_PV_DF_EVENT) ->
		/* the AER message came first and opened this error */
		dflags[f] = dflags[f] | AER_PV_DF_EVENT;
		if
		:: st[f] != AER_PV_RESUMING -> fsm_merge_reset(f, eres[e])
		:: else
		fi;
		wake = true;
		v = AER_PV_OK
	:: else ->
		if
		:: used[f] && (dseq[f] == e ||
		   ((dflags[f] & AER_PV_DF_PENDING) && pseq[f] == e)) ->
			v = AER_PV_DROP_DUPLICATE
		:: else ->
			if
			:: used[f] && dseq[f] != 0 && !(e > dseq[f]) ->
				v = AER_PV_DROP_STALE
			:: else ->
				if
				:: last_seq != 0 && !(e > last_seq) ->
					v = AER_PV_DROP_STALE
				:: else ->
					if
					:: !used[f] -> fsm_alloc(f)
					:: else
					fi;
					if
					:: st[f] != AER_PV_IDLE ->
						fsm_coalesce(f, e, esev[e], eres[e])
					:: else ->
						fsm_start(f, e, esev[e], eres[e],
							  AER_PV_DF_EVENT);
						fsm_add_start(f)
					fi;
					v = AER_PV_OK
				fi
			fi
		fi
	fi
}

/* aer_pv_on_error(), with the (d) check around each function */
inline fsm_on_error(e)
{
	accepted = false;
#ifdef CHECK_D
	gm = gmax;
#endif
	for (fi2 : 0 .. 1) {
		if
		:: fi2 == 0 -> f = ef0[e]
		:: else -> f = ef1[e]
		fi;
		if
		:: f != M_NONE ->
#ifdef CHECK_D
			/* (d): a newer error for a function in recovery */
			isnew = M_BUSY(f) && e > dseq[f] && e > gm;
			if
			:: isnew -> gfirst[e * NF + f] = dseq[f]
			:: else
			fi;
#endif
			fsm_error_one(e, f);
			printf("MSC: EVT_ERROR %d for F%d: verdict %d, F%d state %d seq %d pending %d\n",
			       e, f, v, f, st[f], dseq[f], pseq[f]);
#ifdef CHECK_D
			if
			:: isnew ->
				assert(v == AER_PV_OK &&
				       (dflags[f] & AER_PV_DF_PENDING) &&
				       pseq[f] == e);
				second = second | M_GB(e, f)
			:: else
			fi;
#endif
			if
			:: v == AER_PV_OK -> accepted = true
			:: else
			fi
		:: else
		fi
	}
	fi2 = 0; isnew = false; gm = 0;
	if
	:: accepted && (last_seq == 0 || e > last_seq) -> last_seq = e
	:: else
	fi
}

/* aer_pv_update_reset() on the current or pending reset state */
inline fsm_update_reset(cur, new)
{
	if
	:: cur == new -> v = AER_PV_DROP_DUPLICATE
	:: cur != new && cur != VIRTIO_AER_PV_RESET_PENDING ->
		v = AER_PV_DROP_TRANSITION
	:: else -> cur = new; v = AER_PV_OK
	fi
}

/* aer_pv_on_reset() */
inline fsm_on_reset(e, new)
{
	res = AER_PV_DROP_UNKNOWN_SEQ;
	for (f : 0 .. NF - 1) {
		if
		:: M_BUSY(f) && drseq[f] == e ->
			fsm_update_reset(dres[f], new); fi2 = 1
		:: !(M_BUSY(f) && drseq[f] == e) && used[f] &&
		   (dflags[f] & AER_PV_DF_PENDING) && prseq[f] == e ->
			fsm_update_reset(pres[f], new); fi2 = 1
		:: else -> fi2 = 0
		fi;
		if
		:: fi2 == 1 && v == AER_PV_OK -> res = AER_PV_OK
		:: fi2 == 1 && v != AER_PV_OK &&
		   res == AER_PV_DROP_UNKNOWN_SEQ -> res = v
		:: else
		fi
	}
	f = 0; fi2 = 0;
	if
	:: res == AER_PV_OK -> wake = true
	:: else
	fi
}

/* aer_pv_reset_peer() */
#define M_PEER(g, rs, r)	(M_BUSY(g) && drseq[g] == (rs) && dres[g] == (r))

/* aer_pv_group_state(): 'from' is a mask of M_BIT(state) */
inline fsm_group_state(d, from, to)
{
	grs = drseq[d]; grr = dres[d];
	for (g : 0 .. NF - 1) {
		if
		:: M_PEER(g, grs, grr) && (M_BIT(st[g]) & (from)) ->
			if
			:: (to) == AER_PV_RESUMING &&
			   dres[g] != VIRTIO_AER_PV_RESET_DONE &&
			   !(dflags[g] & AER_PV_DF_FALLBACK) -> skip
			:: else -> st[g] = (to)
			fi
		:: else
		fi
	}
	g = 0; grs = 0; grr = 0
}

/* aer_pv_pending_mark(): reset M_NONE is reset < 0 */
inline fsm_pending_mark(g, rs, reset)
{
	if
	:: (reset) != M_NONE && used[g] && (dflags[g] & AER_PV_DF_PENDING) &&
	   prseq[g] == (rs) && pres[g] == VIRTIO_AER_PV_RESET_NONE ->
		pres[g] = (reset)
	:: else
	fi
}

/* aer_pv_group_mark(): reset M_NONE (< 0) leaves the reset state alone;
 * dl sets a new deadline (now + timeout) */
inline fsm_group_mark(d, flags, reset, dl)
{
	grs = drseq[d]; grr = dres[d];
	for (g : 0 .. NF - 1) {
		fsm_pending_mark(g, grs, reset);
		if
		:: M_PEER(g, grs, grr) ->
			dflags[g] = dflags[g] | (flags);
			if
			:: (reset) != M_NONE -> dres[g] = (reset)
			:: else
			fi;
			if
			:: dl -> ddl[g] = M_DL_RUNNING
			:: else
			fi
		:: else
		fi
	}
	g = 0; grs = 0; grr = 0
}

#define M_BEFORE_RESUME	(M_BIT(AER_PV_DETECTED) | M_BIT(AER_PV_WAIT_HOST) | \
			 M_BIT(AER_PV_WAIT_REQ))

/* aer_pv_resume_group() */
inline fsm_resume_group(d)
{
	fsm_group_state(d, M_BEFORE_RESUME, AER_PV_RESUMING);
	dec = AER_PV_PROCEED
}

/* aer_pv_fall_back() */
inline fsm_fall_back(d)
{
	fsm_group_mark(d, AER_PV_DF_FALLBACK, M_NONE, false);
	fsm_group_state(d, M_BEFORE_RESUME, AER_PV_RESUMING);
	dec = AER_PV_FALLBACK
}

/* aer_pv_decide() */
inline fsm_decide(d)
{
	if
	:: dflags[d] & (AER_PV_DF_LOST | AER_PV_DF_TIMEDOUT) -> dec = AER_PV_FAIL
	:: else ->
		if
		:: dres[d] == VIRTIO_AER_PV_RESET_DONE -> fsm_resume_group(d)
		:: dres[d] == VIRTIO_AER_PV_RESET_FAILED -> dec = AER_PV_FAIL
		:: dres[d] == VIRTIO_AER_PV_RESET_PENDING ->
			if
			:: st[d] == AER_PV_DETECTED ->
				fsm_group_mark(d, 0, M_NONE, true);
				fsm_group_state(d, M_BIT(AER_PV_DETECTED),
						AER_PV_WAIT_HOST)
			:: else
			fi;
			dec = M_DEC_CHECK
		:: dres[d] == VIRTIO_AER_PV_RESET_NONE ->
			if
			:: dflags[d] & AER_PV_DF_FALLBACK ->
				fsm_group_state(d, M_BEFORE_RESUME,
						AER_PV_RESUMING);
				dec = AER_PV_FALLBACK
			:: !(dflags[d] & AER_PV_DF_FALLBACK) &&
			   (dflags[d] & AER_PV_DF_REQUESTED) -> dec = M_DEC_CHECK
			:: else ->
				if
				:: !can_request -> fsm_fall_back(d)
				:: else ->
					fsm_group_mark(d, AER_PV_DF_REQUESTED,
						       M_NONE, true);
					fsm_group_state(d,
						M_BIT(AER_PV_DETECTED),
						AER_PV_WAIT_REQ);
					dec = AER_PV_REQUEST
				fi
			fi
		fi;
		if
		:: dec == M_DEC_CHECK ->
			if
			:: ddl[d] != M_DL_RUNNING ->	/* now >= deadline */
				fsm_group_mark(d, AER_PV_DF_TIMEDOUT, M_NONE,
					       false);
				dec = AER_PV_FAIL
			:: else -> dec = AER_PV_WAIT
			fi
		:: else
		fi
	fi
}

/* aer_pv_reset_step() */
inline fsm_reset_step(d)
{
	if
	:: !M_BUSY(d) -> dec = AER_PV_NATIVE
	:: else -> fsm_decide(d)
	fi
}

/* aer_pv_wait_check() */
inline fsm_wait_check(d)
{
	if
	:: !M_BUSY(d) -> dec = AER_PV_FAIL
	:: else ->
		fsm_decide(d);
		if
		:: dec == AER_PV_REQUEST -> dec = AER_PV_WAIT
		:: else
		fi
	fi
}

/* aer_pv_request_done(): has = an answer came, status = its status */
inline fsm_request_done(d, has, status)
{
	if
	:: !M_BUSY(d) || (dflags[d] & AER_PV_DF_LOST) -> dec = AER_PV_FAIL
	:: else ->
		if
		:: dres[d] == VIRTIO_AER_PV_RESET_DONE -> fsm_resume_group(d)
		:: dres[d] == VIRTIO_AER_PV_RESET_FAILED -> dec = AER_PV_FAIL
		:: dres[d] == VIRTIO_AER_PV_RESET_PENDING -> dec = AER_PV_WAIT
		:: dres[d] == VIRTIO_AER_PV_RESET_NONE ->
			if
			:: !has ->
				fsm_group_mark(d, 0, VIRTIO_AER_PV_RESET_FAILED,
					       false);
				dec = AER_PV_FAIL
			:: has && status == VIRTIO_AER_PV_S_OK ->
				fsm_group_mark(d, 0, VIRTIO_AER_PV_RESET_DONE,
					       false);
				fsm_resume_group(d)
			:: has && (status == VIRTIO_AER_PV_S_UNSUPPORTED ||
				   status == VIRTIO_AER_PV_S_NOT_MANAGED) ->
				fsm_fall_back(d)
			:: else ->
				fsm_group_mark(d, 0, VIRTIO_AER_PV_RESET_FAILED,
					       false);
				dec = AER_PV_FAIL
			fi
		fi
	fi
}

/* aer_pv_recovery_done(): a recovery to start goes to s0 */
inline fsm_recovery_done(d, ok)
{
	if
	:: M_BUSY(d) ->
		printf("MSC: recovery_done F%d error %d ok %d\n", d, dseq[d], ok);
		ghost_end(d);
		st[d] = AER_PV_IDLE;
		if
		:: dflags[d] & AER_PV_DF_PENDING ->
			dseq[d] = pseq[d]; drseq[d] = prseq[d];
			dsev[d] = psev[d]; dres[d] = pres[d];
			dflags[d] = AER_PV_DF_EVENT; ddl[d] = M_DL_UNSET;
			st[d] = AER_PV_DETECTED;
			fsm_add_start(d)
		:: else ->
			dflags[d] = dflags[d] & (AER_PV_DF_EVENT | AER_PV_DF_AER)
		fi;
#ifdef CHECK_D
		/* every error that came during a recovery is still tracked */
		for (ge : 1 .. NERR) {
			assert(!(second & M_GB(ge, d)) ||
			       (ended & M_GB(ge, d)) ||
			       (M_BUSY(d) && ge <= dseq[d]) ||
			       ((dflags[d] & AER_PV_DF_PENDING) &&
				ge <= pseq[d]))
		}
		ge = 0
#else
		skip
#endif
	:: else
	fi
}

/* aer_pv_on_aer(): result in av */
inline fsm_on_aer(f)
{
	if
	:: M_BUSY(f) ->
		dflags[f] = dflags[f] | AER_PV_DF_AER;
		av = AER_PV_AER_CLAIM
	:: else -> av = AER_PV_AER_QUERY
	fi
}

/* aer_pv_on_query(): has = an answer came; (qseq, qsev, qres) = it */
inline fsm_on_query(f, sev, has)
{
	if
	:: !has || qseq == 0 -> av = AER_PV_AER_NATIVE
	:: else ->
		if
		:: used[f] && (dseq[f] == qseq ||
		   ((dflags[f] & AER_PV_DF_PENDING) && pseq[f] == qseq)) ->
			dflags[f] = dflags[f] | AER_PV_DF_AER;
			av = AER_PV_AER_CLAIM
		:: else ->
			if
			:: (used[f] && dseq[f] != 0 && !(qseq > dseq[f])) ||
			   (last_seq != 0 && !(qseq > last_seq)) ->
				av = AER_PV_AER_CLAIM	/* stale */
			:: else ->
				if
				:: !used[f] -> fsm_alloc(f)
				:: else
				fi;
				msev = M_MAX(sev, qsev);
				if
				:: st[f] != AER_PV_IDLE ->
#ifdef CHECK_D
					isnew = qseq > dseq[f] && qseq > gmax;
					if
					:: isnew -> gfirst[qseq * NF + f] = dseq[f]
					:: else
					fi;
#endif
					fsm_coalesce(f, qseq, msev, qres);
					dflags[f] = dflags[f] | AER_PV_DF_AER;
#ifdef CHECK_D
					if
					:: isnew ->
						assert((dflags[f] &
							AER_PV_DF_PENDING) &&
						       pseq[f] == qseq);
						second = second | M_GB(qseq, f)
					:: else
					fi;
#endif
					isnew = false;
					av = AER_PV_AER_CLAIM
				:: else ->
					fsm_start(f, qseq, msev, qres,
						  AER_PV_DF_AER);
					av = AER_PV_AER_JOIN
				fi
			fi
		fi
	fi
}

/* ================================================================
 * recovery.c glue
 * ================================================================ */

/*
 * aer_pv_wake() is not modelled: a waiter blocks while its decision
 * would stay WAIT (M_QUIET_WAIT) and may time out at any moment, which
 * covers every wake-up, spurious or lost.  fsm_decide() answers WAIT
 * without side effects exactly when:
 */
#define M_QUIET_WAIT(d)	(M_BUSY(d) && \
	!(dflags[d] & (AER_PV_DF_LOST | AER_PV_DF_TIMEDOUT)) && \
	ddl[d] == M_DL_RUNNING && \
	((dres[d] == VIRTIO_AER_PV_RESET_PENDING && st[d] != AER_PV_DETECTED) || \
	 (dres[d] == VIRTIO_AER_PV_RESET_NONE && \
	  !(dflags[d] & AER_PV_DF_FALLBACK) && \
	  (dflags[d] & AER_PV_DF_REQUESTED))))

/* aer_pv_add_to_run().  Result in nr: the new run, M_NONE if f joined a
 * listed run.  queue_work() is the caller's: rgo[nr] = true. */
inline add_to_run(f, e, frz)
{
	nr = M_NONE;
	for (ri : 0 .. NRUN - 1) {
		if
		:: nr == M_NONE && rstate[ri] == M_RUN_LISTED &&
		   rbridge[ri] == bridge[f] ->
			/* joins: run->ids[run->nr++] = id */
			assert(rid1[ri] == M_NONE);
			rid1[ri] = f; nr = NRUN
		:: else
		fi
	}
	if
	:: nr == NRUN -> nr = M_NONE
	:: else ->
		for (ri : 0 .. NRUN - 1) {
			if
			:: nr == M_NONE && rstate[ri] == M_RUN_FREE -> nr = ri
			:: else
			fi
		}
		assert(nr != M_NONE);	/* NRUN is large enough */
		rstate[nr] = M_RUN_LISTED; rbridge[nr] = bridge[f];
		rseq[nr] = e; rfrz[nr] = frz; rid0[nr] = f; rid1[nr] = M_NONE
	fi;
	ri = 0
}

/* aer_pv_native_reset() of everything under b, for error e */
inline native_reset(b, e)
{
	for (tf : 0 .. NF - 1) {
		if
		:: bridge[tf] == (b) -> count_reset(e, tf)
		:: else
		fi
	}
	tf = 0
}

/* Host side of REQ_RESET: virtio_aer_pv_request_reset(), which answers at
 * once when it cannot reset and otherwise starts the reset. */
inline host_request_reset(k, e, f)
{
	rqseq[k] = e; rqf[k] = f; rqgone[k] = false;
	if
	:: hseq[f] != e ->
		printf("MSC: REQ_RESET %d for F%d: stale (host error %d, guest recovers %d)\n",
		       e, f, hseq[f], dseq[f]);
#ifdef CHECK_E
		/* (e): the guest recovers the host's newest error on f, yet
		 * its request names another one */
		assert(!(M_BUSY(f) && dseq[f] == hseq[f]));
#endif
		rqst[k] = M_RQ_ANSWERED; rqstatus[k] = VIRTIO_AER_PV_S_STALE
	:: else ->
		/* f->request_outcome, set for every function of the error */
		if
		:: eout[e] == VIRTIO_AER_PV_S_UNSUPPORTED ->
			rqst[k] = M_RQ_ANSWERED;
			rqstatus[k] = VIRTIO_AER_PV_S_UNSUPPORTED
		:: else ->
			rqst[k] = M_RQ_BUSY;
			rqfail[k] = (eout[e] == VIRTIO_AER_PV_S_FAILED)
		fi;
		if
		:: rqst[k] == M_RQ_BUSY ->
			/* a link reset: every function of the link */
			for (tf : 0 .. NF - 1) {
				if
				:: hlink[tf] == hlink[f] ->
					count_reset(e, tf);
					infl_set(tf, e)
				:: else
				fi
			}
			tf = 0
		:: else
		fi
	fi
}

/*
 * aer_pv_snap(): the entry as the decision just taken under the same lock
 * saw it; snap is snap.seq (the error a native reset is for), snaprs is
 * snap.reset_seq (the error a reset request names)
 */
#define M_SNAP(d)	snap = dseq[d]; snaprs = drseq[d]

/*
 * aer_pv_reset_step_wait(): loop on the decision until it is final; res
 * is the pci_ers_result_t.  The decision and snap come from the caller's
 * locked section, each later decision and snap from one locked section.
 */
inline reset_step_wait(b, d)
{
	do
	:: dec == AER_PV_PROCEED -> res = M_ERS_RECOVERED; break
	:: dec == AER_PV_FALLBACK || dec == AER_PV_NATIVE ->
		d_step { native_reset(b, snap) };	/* for snap.seq */
		res = M_ERS_RECOVERED; break
	:: dec == AER_PV_FAIL -> res = M_ERS_DISCONNECT; break
	:: dec == AER_PV_REQUEST ->
		/* report(RESET_WAIT); aer_pv_request(REQ_RESET,
		 * snap.reset_seq): the snapshot taken with the decision */
		atomic {
			k = 0;
			do
			:: k < NREQ && rqst[k] != M_RQ_FREE -> k++
			:: else -> break
			od;
			assert(k < NREQ);
			host_request_reset(k, snaprs, d)
		};
		if
		:: d_step {
				rqst[k] == M_RQ_ANSWERED;
				has = true; status = rqstatus[k];
				rqst[k] = M_RQ_FREE; rqstatus[k] = 0;
				rqseq[k] = 0; rqf[k] = 0; rqfail[k] = false;
				fsm_request_done(d, has, status);
				M_SNAP(d);
				printf("MSC: REQ_RESET answer %d -> %d\n", status, dec);
				has = false; status = 0; k = 0
		   }
		:: d_step {			/* no answer in time */
				rqst[k] != M_RQ_ANSWERED;
				rqgone[k] = true;
				fsm_request_done(d, false, 0);
				M_SNAP(d);
				printf("MSC: REQ_RESET timed out -> %d\n", dec);
				k = 0
		   }
		fi
	:: dec == AER_PV_WAIT ->
		/*
		 * report(RESET_WAIT) once; then gen = atomic_read();
		 * wait_check; wait_event_timeout(gen moved); wait_check.
		 * A wake-up after which aer_pv_wait_check() still answers WAIT
		 * without changing anything is a no-op, so the wait is: block
		 * while M_QUIET_WAIT(d), or run out of time (at any moment).
		 */
		if
		:: d_step {
			!M_QUIET_WAIT(d);
			fsm_wait_check(d); M_SNAP(d);
			printf("MSC: wait_check F%d: %d\n", d, dec)
		   }
		:: d_step {			/* out of time */
			if
			:: ddl[d] == M_DL_RUNNING -> ddl[d] = M_DL_EXPIRED
			:: else
			fi;
			fsm_wait_check(d); M_SNAP(d);
			printf("MSC: wait timed out, F%d: %d\n", d, dec)
		   }
		fi
	od
}

/*
 * aer_pv_reset_link(), in three parts so that do_recovery() can fold the
 * first ones into its first step: aer_pv_find_busy() (in id), then
 * aer_pv_reset_step() with aer_pv_snap() (dec, snap), and the rest:
 * handled = aer-pv owns the reset step, then res is its result.
 */

/* aer_pv_find_busy() with aer_pv_find_busy_cb(): in walk order (F0, F1),
 * the first busy function under b that is not RESUMING (the walk stops
 * there), else the first busy one */
inline find_busy(b)
{
	id = M_NONE;
	for (tf : 0 .. NF - 1) {
		if
		:: bridge[tf] == (b) && M_BUSY(tf) &&
		   (id == M_NONE || st[id] == AER_PV_RESUMING) ->
			if
			:: id == M_NONE || st[tf] != AER_PV_RESUMING -> id = tf
			:: else
			fi
		:: else
		fi
	}
	tf = 0
}

inline reset_step(b)
{
	if
	:: id != M_NONE ->
		fsm_reset_step(id); M_SNAP(id);
		printf("MSC: reset step under B%d: F%d error %d -> decision %d\n",
		       b, id, snap, dec)
	:: else
	fi
}

inline reset_link_rest(b)
{
	if
	:: id == M_NONE || dec == AER_PV_NATIVE -> handled = false
	:: else -> handled = true; reset_step_wait(b, id)
	fi;
	dec = 0; id = 0; snap = 0; snaprs = 0
}

/*
 * aer_pv_find_busy() and aer_pv_reset_step() take the lock one after the
 * other.  With one function per Root Port (TOPO 0, 2) only the run
 * itself can end that function's recovery, so nothing that matters can
 * come in between and they are one step; under a shared Root Port
 * (TOPO 1, 3) another run may, and they stay two.
 */
#if TOPO == 0 || TOPO == 2
#define M_SPLIT_FIND	0
#else
#define M_SPLIT_FIND	1
#endif

/* list_del(&run->node) */
inline LIST_DEL(r)
{
	if
	:: r != M_NONE -> rstate[(r) % NRUN] = M_RUN_OFFLIST
	:: else
	fi
}

/*
 * pcie_do_recovery(pdev, state, reset_subordinates) with aer-pv's hooks
 * (patches/linux 0002, 0003): error_detected, the reset step for a
 * frozen channel, mmio_enabled, the reset a non-fatal error's NEED_RESET
 * asks for, slot_reset, resume.  frz: the channel state is
 * pci_channel_io_frozen (run->frozen; for the native recovery, a fatal
 * AER message).  'e' names the error a native reset is for when aer-pv
 * does not own the reset step.  ok = recovered.
 */
inline do_recovery(guard, b, frz, e, r)
{
	/*
	 * error_detected and the drivers' vote.  Frozen (a fatal error, or
	 * one the host resets for): the reset step comes first whatever the
	 * vote, then mmio_enabled and/or slot_reset, then resume; modelled
	 * as NEED_RESET.  Normal: CAN_RECOVER then RECOVERED (mmio_enabled,
	 * resume, no reset step at all), or NEED_RESET (the reset of patch
	 * 0003, slot_reset, resume); CAN_RECOVER then NEED_RESET only adds
	 * an mmio_enabled before the second, which the first already
	 * covers.
	 *
	 * Touches that follow each other with nothing in between on the
	 * guest's side (mmio_enabled + resume, slot_reset + resume) are one
	 * step: a violation of (b) at either instant is a violation at the
	 * one step placed at that instant.  Likewise the start of the run
	 * (guard: a worker's queue_work(), or true) and error_detected touch
	 * nothing shared, so they are one step with the first locked one.
	 *
	 * r: the run, whose list_del() is folded into the last step
	 * (M_NONE for the native recovery, which has no run).
	 */
	atomic {
		guard;
		printf("MSC: pcie_do_recovery under B%d frozen %d (error %d)\n",
		       b, (frz), e);
		if
		:: (frz) -> vote = M_ERS_NEED_RESET
		:: else ->
			if
			:: vote = M_ERS_CAN_RECOVER
			:: vote = M_ERS_NEED_RESET
			fi
		fi;
		if
		:: vote == M_ERS_CAN_RECOVER ->
			touch(b); ok = true; LIST_DEL(r)	/* mmio_enabled, resume */
		:: else ->
			/* frozen: aer_pv_reset_subordinates() or
			 * aer_root_reset(); normal: aer_pv_reset_nonfatal() */
			find_busy(b);
#if !M_SPLIT_FIND
			reset_step(b)
#else
			skip
#endif
		fi
	};
	if
	:: vote == M_ERS_CAN_RECOVER -> skip
	:: else ->
#if M_SPLIT_FIND
		d_step { reset_step(b) };
#endif
		reset_link_rest(b);
		if
		:: !handled && (frz) ->
			d_step { native_reset(b, e); touch(b); ok = true; LIST_DEL(r) }
		:: !handled && !(frz) ->
			/* no reset, as upstream */
			d_step { touch(b); ok = true; LIST_DEL(r) }
		:: handled && res == M_ERS_RECOVERED ->
			d_step { touch(b); ok = true; LIST_DEL(r) }	/* slot_reset, resume */
		:: else -> d_step { ok = false; LIST_DEL(r) }	/* perm_failure */
		fi
	fi;
	vote = 0; res = 0; handled = false
}


/*
 * aer_pv_start_runs() for the functions an event starts (s0, then s1):
 * lock, aer_pv_add_to_run(), unlock for each, and only then queue_work()
 * for the new runs, so that every function is on its run before the run
 * starts.  The last add_to_run() and the queue_work() are one step:
 * nothing reads a run's functions before the run ends.
 */
inline start_runs()
{
	if
	:: s0 != M_NONE && s1 != M_NONE ->
		d_step { add_to_run(s0, sseq, sfrz); n0 = nr; nr = 0; s0 = M_NONE }
	:: else
	fi;
	if
	:: s0 != M_NONE || s1 != M_NONE ->
		d_step {
			if
			:: s0 != M_NONE -> add_to_run(s0, sseq, sfrz)
			:: else -> add_to_run(s1, sseq, sfrz)
			fi;
			n1 = nr; nr = 0;
			if
			:: n0 != M_NONE -> rgo[n0] = true
			:: else
			fi;
			if
			:: n1 != M_NONE -> rgo[n1] = true
			:: else
			fi;
			n0 = M_NONE; n1 = M_NONE; s0 = M_NONE; s1 = M_NONE;
			sseq = 0; sfrz = false
		}
	:: else
	fi
}

/* aer_pv_recover() after pcie_do_recovery(): list_del, then
 * recovery_done() (and aer_pv_start_runs()) for every function of the
 * run, then the wake-up; aer_pv_run_free() */
inline run_free(r)
{
	rstate[r] = M_RUN_FREE; rbridge[r] = 0; rseq[r] = 0;
	rfrz[r] = false; rid0[r] = 0; rid1[r] = 0; rgo[r] = false
}

/* add_to_run() + queue_work() for the function recovery_done() starts,
 * then (last) aer_pv_run_free() of run r */
inline start_and_free(r, last)
{
	if
	:: s0 != M_NONE ->
		d_step {
			add_to_run(s0, sseq, sfrz);
			if
			:: nr != M_NONE -> rgo[nr] = true
			:: else
			fi;
			nr = 0; s0 = M_NONE; sseq = 0; sfrz = false;
			if
			:: last -> run_free(r)
			:: else
			fi
		}
	:: else
	fi
}

/*
 * The end of aer_pv_recover(): (list_del was the last step of
 * do_recovery()) for every function of the run: report(RECOVERED or
 * FAILED), lock, recovery_done, unlock, aer_pv_start_runs(); then
 * aer_pv_wake() and aer_pv_run_free(), folded into the last step.
 */
inline end_run(r)
{
	d_step {
		i0 = rid0[r]; i1 = rid1[r];
		fsm_recovery_done(i0, ok);
		if
		:: i1 == M_NONE && s0 == M_NONE -> run_free(r)
		:: else
		fi
	};
	start_and_free(r, i1 == M_NONE);
	if
	:: i1 != M_NONE ->
		d_step {
			fsm_recovery_done(i1, ok);
			if
			:: s0 == M_NONE -> run_free(r)
			:: else
			fi
		};
		start_and_free(r, true)
	:: else
	fi;
	i0 = 0; i1 = 0; ok = false
}

#define LOCALS \
	byte tf, ge, g, grs, grr, ri, fi2; \
	byte id, dec, res, vote, k, nr, status, av; \
	byte i0, i1, s0 = M_NONE, s1 = M_NONE, sseq; \
	byte n0 = M_NONE, n1 = M_NONE; \
	byte f, e, v, sev, qseq, qsev, qres; \
	byte msev, gm, snap, snaprs; \
	bool ok, has, handled, wake, accepted, isnew, sfrz

/* ================================================================
 * Processes
 * ================================================================ */

/* aer_pv_run_work(): one worker per run record */
proctype worker(byte r)
{
	LOCALS;
end:
	do
	:: /* report(DETECTED) */
		do_recovery(rgo[r], rbridge[r], rfrz[r], rseq[r], r);
		end_run(r)
	od
}

/* The virtio event work (vap_event_work -> aer_pv_channel_event), with
 * the channel's faults */
proctype events()
{
	LOCALS;
	byte m, i;
end:
	do
	:: qn > 0 ->
		/* vap_event_work(): pop a buffer, aer_pv_channel_event():
		 * lock; aer_pv_receive(); unlock; aer_pv_wake() */
		atomic {
			/* reorder: take a later message first */
			i = 0;
			if
			:: faults < FAULTS && qn > 1 ->
				do
				:: i < qn - 1 -> i++
				:: i > 0 -> break
				od;
				faults++
			:: else
			fi;
			m = q[i];
			do
			:: i < qn - 1 -> q[i] = q[i + 1]; i++
			:: else -> break
			od;
			qn--; q[qn] = 0; i = 0;
			if
			:: faults < FAULTS -> faults++; m = 0	/* dropped */
			:: faults < FAULTS && qn < QLEN ->	/* delivered twice */
				faults++; q[qn] = m; qn++
			:: true
			fi;
			if
			:: m == 0 -> printf("MSC: event dropped\n")
			:: m != 0 ->
				e = M_MSG_SEQ(m);
				if
				:: M_MSG_TYPE(m) == VIRTIO_AER_PV_EVT_ERROR ->
					fsm_on_error(e)
				:: else -> fsm_on_reset(e, erst[e]);
					printf("MSC: EVT_RESET %d (%d): verdict %d\n", e, erst[e], res)
				fi
			fi;
			wake = false; accepted = false; v = 0; res = 0;
			f = 0; m = 0; e = 0
		};
		start_runs()
	od
}

/* The AER interrupt thread: pci_aer_handle_error() -> aer_pv_handle_error(),
 * or the native pcie_do_recovery(dev, state, aer_root_reset) */
proctype aer_thread()
{
	LOCALS;
	byte myr;
end:
	do
	:: aqn > 0 ->
		d_step {
			e = aq[0]; aq[0] = aq[1]; aq[1] = aq[2]; aq[2] = 0;
			aqn--;
			f = ef0[e]; sev = esev[e];
			fsm_on_aer(f);
			printf("MSC: AER message error %d on F%d: %d\n", e, f, av)
		};
		if
		:: av == AER_PV_AER_QUERY ->
			/* REQ_QUERY, answered at once by the host */
			if
			:: d_step {
				has = true; qseq = hseq[f];
				qsev = hsev[f]; qres = hres[f];
				fsm_on_query(f, sev, has);
				printf("MSC: REQ_QUERY F%d -> seq %d reset %d: %d\n",
				       f, qseq, qres, av)
			   }
#ifdef QUERY_TIMEOUT
			:: d_step {
				has = false; fsm_on_query(f, sev, has);
				printf("MSC: REQ_QUERY F%d timed out: %d\n", f, av)
			   }
#endif
			fi
		:: else
		fi;
		if
		:: av == AER_PV_AER_CLAIM -> skip
		:: av == AER_PV_AER_JOIN ->
			/* lock; the run recovers the host's error as f's
			 * entry has it now: d->severity (only logged) and
			 * aer_pv_frozen(d), not the AER message's severity */
			d_step {
				add_to_run(f, qseq, M_FROZEN(f)); myr = nr;
				nr = 0
			};
			if
			:: myr != M_NONE ->
				/* aer_pv_recover(run) in this thread */
				do_recovery(true, rbridge[myr], rfrz[myr],
					    rseq[myr], myr);
				end_run(myr)
			:: else
			fi
		:: av == AER_PV_AER_NATIVE ->
			/* not aer-pv's: upstream recovery, aer_root_reset */
			do_recovery(true, bridge[f],
				    sev == VIRTIO_AER_PV_SEV_FATAL, e, M_NONE)
		fi;
		d_step {
			av = 0; has = false; qseq = 0; qsev = 0; qres = 0;
			nr = 0; ok = false; f = 0; sev = 0; e = 0; myr = 0;
			msev = 0
		}
	od
}

/* The host's side of an error: qmp_aer_pv_inject_error() */
inline host_error()
{
	e = nexterr;
	/* the first error is on F0: F0 and F1 are symmetric, except under
	 * one Root Port, where aer_pv_find_busy() meets F0 first */
	if
	:: f = 0
	:: (e > 1 && topo != 0) || topo == 1 -> f = 1
	fi;
	ef0[e] = f; ef1[e] = M_NONE;
	if
	:: esev[e] = VIRTIO_AER_PV_SEV_NONFATAL
	:: esev[e] = VIRTIO_AER_PV_SEV_FATAL
	fi;
	/* the host's reset: none, done before the notification, under way
	 * (ending DONE or FAILED with EVT_RESET), or failed up front.
	 * Unless NONFATAL_HOST_RESET, a non-fatal error has none or one
	 * done before the notification (see the header); NO_HOST_RESET:
	 * none at all */
	if
	:: eres[e] = VIRTIO_AER_PV_RESET_NONE
#ifndef NO_HOST_RESET
	:: eres[e] = VIRTIO_AER_PV_RESET_DONE
#ifndef NONFATAL_HOST_RESET
	:: esev[e] == VIRTIO_AER_PV_SEV_FATAL ->
#else
	:: true ->
#endif
		if
		:: eres[e] = VIRTIO_AER_PV_RESET_PENDING;
		   eend[e] = VIRTIO_AER_PV_RESET_DONE
		:: eres[e] = VIRTIO_AER_PV_RESET_PENDING;
		   eend[e] = VIRTIO_AER_PV_RESET_FAILED
		:: eres[e] = VIRTIO_AER_PV_RESET_FAILED
		fi
#endif
	fi;
	if
	:: eres[e] == VIRTIO_AER_PV_RESET_NONE && can_request ->
		if
		:: eout[e] = VIRTIO_AER_PV_S_OK
		:: eout[e] = VIRTIO_AER_PV_S_FAILED
		:: eout[e] = VIRTIO_AER_PV_S_UNSUPPORTED
		fi
	:: else -> eout[e] = VIRTIO_AER_PV_S_OK	/* the guest asks only when
						 * it can and the host did
						 * not reset */
	fi;
	/* a reset names every function of the link; without one, the
	 * host may still name them all */
	if
	:: hlink[1 - f] == hlink[f] && eres[e] != VIRTIO_AER_PV_RESET_NONE ->
		ef1[e] = 1 - f
#ifdef NONE_NAMES_LINK
	:: hlink[1 - f] == hlink[f] && eres[e] == VIRTIO_AER_PV_RESET_NONE ->
		if
		:: ef1[e] = 1 - f
		:: skip
		fi
#endif
	:: else
	fi;
	for (tf : 0 .. NF - 1) {
		if
		:: tf == ef0[e] || tf == ef1[e] ->
			hseq[tf] = e; hsev[tf] = esev[e]; hres[tf] = eres[e];
			if
			:: eres[e] != VIRTIO_AER_PV_RESET_NONE ->
				/* DONE: before the notification; PENDING:
				 * under way; FAILED: tried and failed */
				count_reset(e, tf)
			:: else
			fi;
			if
			:: eres[e] == VIRTIO_AER_PV_RESET_PENDING ->
				infl_set(tf, e)
			:: else
			fi
		:: else
		fi
	}
	tf = 0;
#ifndef NO_AER_MSG
	/* also an emulated AER message on funcs[0] (at most NAER; unless
	 * AER_MSG_NONFATAL, only for a fatal error: see the header) */
	if
#ifdef AER_MSG_NONFATAL
	:: naer < NAER ->
#else
	:: naer < NAER && esev[e] == VIRTIO_AER_PV_SEV_FATAL ->
#endif
		aq[aqn] = e; aqn++; naer++
	:: skip
	fi;
#endif
	q[qn] = M_MSG(VIRTIO_AER_PV_EVT_ERROR, e); qn++;
	printf("MSC: host error %d on F%d (+F%d) sev %d reset %d (ends %d)\n",
	       e, ef0[e], ef1[e], esev[e], eres[e], eend[e]);
	nexterr++
}

/* virtio_aer_pv_reset_end() for the host's own reset of error e */
inline host_reset_end(e)
{
	for (tf : 0 .. NF - 1) {
		if
		:: tf == ef0[e] || tf == ef1[e] ->
			infl_clear(tf, e);
			if
			:: hseq[tf] == e -> hres[tf] = eend[e]
			:: else
			fi
		:: else
		fi
	}
	tf = 0;
	printf("MSC: host reset of error %d ends: %d\n", e, eend[e]);
	erst[e] = eend[e]; eend[e] = 0;
	q[qn] = M_MSG(VIRTIO_AER_PV_EVT_RESET, e); qn++
}

/* virtio_aer_pv_reset_end() for a reset the guest asked for */
inline host_request_end(k)
{
	for (tf : 0 .. NF - 1) {
		if
		:: hlink[tf] == hlink[rqf[k]] ->
			infl_clear(tf, rqseq[k]);
			if
			:: hseq[tf] == rqseq[k] ->
				hres[tf] = (rqfail[k] -> VIRTIO_AER_PV_RESET_FAILED :
					    VIRTIO_AER_PV_RESET_DONE)
			:: else
			fi
		:: else
		fi
	}
	tf = 0;
	if
	:: rqgone[k] ->			/* nobody waits: dropped */
		rqst[k] = M_RQ_FREE; rqseq[k] = 0; rqf[k] = 0;
		rqfail[k] = false; rqgone[k] = false
	:: else ->
		rqst[k] = M_RQ_ANSWERED;
		rqstatus[k] = (rqfail[k] -> VIRTIO_AER_PV_S_FAILED :
			       VIRTIO_AER_PV_S_OK);
		rqfail[k] = false
	fi
}

proctype host()
{
	byte e, f, tf;
end:
	do
	:: nexterr <= NERR -> atomic { host_error(); e = 0; f = 0 }
	:: eend[1] != 0 -> atomic { host_reset_end(1) }
	:: eend[2] != 0 -> atomic { host_reset_end(2) }
	:: eend[3] != 0 -> atomic { host_reset_end(3) }
	:: rqst[0] == M_RQ_BUSY -> atomic { host_request_end(0) }
	:: rqst[1] == M_RQ_BUSY -> atomic { host_request_end(1) }
	:: rqst[2] == M_RQ_BUSY -> atomic { host_request_end(2) }
	od
}

#ifdef CHECK_D
/* (d) in every final state: every error that came during a recovery has
 * ended */
active proctype final_check()
{
	timeout -> assert((second & ~ended) == 0)
}
#endif

init
{
	byte i;

	atomic {
		/* topology */
#if TOPO == 3
		if
		:: topo = 0
		:: topo = 1
		:: topo = 2
		fi;
#else
		topo = TOPO;
#endif
		bridge[0] = 0; hlink[0] = 0;
		bridge[1] = (topo == 1 -> 0 : 1);
		hlink[1] = (topo == 0 -> 1 : 0);
		/* VIRTIO_AER_PV_F_RESET_REQUEST negotiated or not */
#ifdef NO_CAN_REQUEST
		can_request = false;
#else
		if
		:: can_request = true
		:: can_request = false
		fi;
#endif
		for (i : 0 .. NRUN - 1) {
			rid0[i] = M_NONE; rid1[i] = M_NONE
		}
		for (i : 0 .. MAXE - 1) {
			ef0[i] = M_NONE; ef1[i] = M_NONE
		}
		i = 0;
		run host();
		run events();
		run aer_thread();
		run worker(0);
		run worker(1);
		run worker(2);
		run worker(3)
	}
}
