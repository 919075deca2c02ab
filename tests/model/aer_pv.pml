/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * aer_pv.pml - Promela model of virtio-aer-pv recovery AS DESIGNED in
 * the guest core v2 (issue 12), for the SPIN model checker.
 * scripts/verify.sh runs it; tests/model/drift.py checks that its
 * constants (the #defines below with VIRTIO_AER_PV_ and AER_PV_ names)
 * have the values of include/uapi/linux/virtio_aer_pv.h,
 * drivers/pci/pcie/aer_pv/fsm.h and protocol.h, which are the only
 * source of truth.  Model-only names start with M_.
 *
 * What is modelled, and from where
 * --------------------------------
 *  guest core  drivers/pci/pcie/aer_pv/fsm.c, one inline per function,
 *           same name with fsm_ for aer_pv_: fsm_take_fn, fsm_new_reset,
 *           fsm_prune, fsm_fold, fsm_start, fsm_on_error, fsm_on_reset,
 *           fsm_fail, fsm_decide, fsm_on_response, fsm_on_done,
 *           fsm_on_fn_gone, fsm_on_down, fsm_gc_resets, and aer_pv_step()
 *           as fsm_step_*.  Fixed tables as fsm.h has them: function
 *           slots (their order is what aer_pv_first_fn() picks from),
 *           recovery units with cur and next, one reset object per host
 *           error with state, req and host (kind is always LINK here).
 *  glue     what recovery.c / channel.c do around it, as the brief for
 *           them says: proctype events() feeds every event as IN_EVENT
 *           (the bridges are the topology's) and queues the units in
 *           ACT_START; proctype worker(u) is the work of unit u:
 *           pcie_do_recovery() for its bridge (error_detected on every
 *           function below it; frozen, or a driver voting NEED_RESET:
 *           the reset step IN_RESET_STEP, then while WAIT or REQUEST a
 *           bounded wait and IN_WAKE or IN_RESPONSE; RESUME / NATIVE:
 *           slot_reset and resume, after a native reset of the bridge
 *           for NATIVE; FAIL: perm_failure), then IN_DONE, which may
 *           START the unit again.  Every aer_pv_step() is one atomic
 *           step (d_step): the glue serialises them with one mutex.
 *           proctype env() removes a function (IN_FN_GONE) or takes the
 *           channel away (IN_DOWN; the waits end, no new event).
 *  host     qemu/hw/virtio/virtio-aer-pv.c.  proctype host(): an error
 *           (severity; the host's reset NONE, DONE before the
 *           notification, PENDING ending DONE or FAILED with EVT_RESET,
 *           or FAILED up front; the outcome of a reset request), the
 *           end of a host reset, the end of a requested reset;
 *           host_request_reset() is virtio_aer_pv_request_reset():
 *           STALE when seq is not the function's newest error,
 *           UNSUPPORTED, or a link reset that answers OK or FAILED when
 *           it ends; the guest may stop waiting for the answer (a host
 *           slower than the guest's bound, or one that never answers).
 *           QEMU sends no emulated AER message for a managed function
 *           while the driver is live, so there is none here.
 *  channel  the event queue, host to guest: q[] in proctype events().
 *           Up to FAULTS faults in all: a message taken out of order
 *           (reorder), delivered and queued again (duplicate), or lost.
 *           Responses to requests are not subject to faults.
 *
 * Abstractions, and why they are sound for the properties
 * -------------------------------------------------------
 *  - Two functions F0, F1; NERR errors (default 2), seq 1..NERR; seq
 *    numbers do not wrap, so aer_pv_seq_after(a, b) is a > b (KUnit
 *    covers the wrap).  The first error is on F0: F0 and F1 are
 *    symmetric in every topology (function slots are taken in the order
 *    the functions appear).
 *  - A unit's index is its bridge's (aer_pv_find_rec() or the first free
 *    record: a renaming).  The reset object of error e is slot e
 *    (aer_pv_new_reset() takes any free slot; with at most 4 errors no
 *    table fills, so AER_PV_DROP_TABLE_FULL, no_room and WHY_NO_ROOM
 *    are not reached; KUnit covers them).
 *  - Time: a unit's deadline is UNSET, RUNNING (set by IN_RESET_STEP)
 *    or EXPIRED.  A wait may run out at any moment: the host may be
 *    slower than the guest's bound, or never answer.  With -DHOST_WORKS
 *    the host is prompt instead and always answers: a wait runs out only
 *    when IN_WAKE would go on waiting and nothing is owed to the guest
 *    (M_HOST_IDLE: no event queued, no host reset under way, no reset
 *    request decided and not answered and taken in), i.e. only when the
 *    guest waits for something that will not come.
 *  - Wake-ups: the glue wakes every waiter after each aer_pv_step().  A
 *    waiter blocks while IN_WAKE would answer WAIT and change nothing
 *    but WAIT_HOST <-> WAIT_REQ (M_QUIET_WAIT), which covers every
 *    wake-up, spurious or not, because the wait may also end by time.
 *    A request's wait ends with the answer, with time, or when the
 *    channel goes away ("fails the waiting ones"): IN_RESPONSE(NULL).
 *  - ACT_NONE from IN_WAKE / IN_RESPONSE (the unit is no longer at its
 *    reset step) ends the glue's reset step as a failure (perm_failure).
 *  - Steps merged where nothing observable can happen in between: the
 *    start of a unit's work with error_detected and, for a normal
 *    channel and CAN_RECOVER, with mmio_enabled + resume and IN_DONE; or
 *    with IN_RESET_STEP; slot_reset + resume (and the native reset
 *    before them) with IN_DONE; perm_failure with IN_DONE and with the
 *    decision that gave FAIL.  A touch is checked at the instant of the
 *    merged step; IN_DONE only moves the unit's own pending error, which
 *    commutes with what the others do meanwhile.
 *  - Driver answers: frozen (rec->frozen), the reset step comes first,
 *    whatever the vote: modelled as NEED_RESET.  Normal: CAN_RECOVER
 *    (mmio_enabled, resume, no reset step) or NEED_RESET (the reset
 *    step of the 6.18 backport, then slot_reset, resume); CAN_RECOVER
 *    then NEED_RESET from mmio_enabled only adds a touch at the instant
 *    the CAN_RECOVER branch already checks.  Native resets succeed.
 *  - Reset kinds: every function is a PF with a link: the bridge needs
 *    VIRTIO_AER_PV_RESET_KIND_LINK, and a host link reset (own or
 *    requested) reaches every function of the host link (hlink[]); a
 *    native reset reaches the functions below the guest bridge.
 *  - Not modelled: malformed messages (protocol.c drops them before the
 *    core), statistics, logging, REQ_PHASE (informational), a function
 *    coming back after its removal.
 *  - Ghost variables (rc, infl, gcur, gnext, acc, ended, ...) exist only
 *    in the search of the property that reads them.
 *
 * Properties: compile with exactly one of
 * ----------
 *  -DCHECK_A (a) assertion in count_reset(): per host error and
 *      function, at most one reset reaches the device: the host's own
 *      reset, a reset the guest requested for that error (a link reset
 *      counts for every function of the link, so "per link"), or a
 *      native reset of the unit's bridge for the error the glue does it
 *      for (act->seq); and a native reset only when the host cannot
 *      reset (no VIRTIO_AER_PV_F_RESET_REQUEST, or UNSUPPORTED for that
 *      error).
 *  -DCHECK_B (b) assertion in touch(): no mmio_enabled, slot_reset or
 *      resume starts on a function below the unit's bridge while a host
 *      reset (the host's own, or a requested one) of an error that the
 *      running recovery holds is in flight at the host.  The recovery's
 *      errors are those folded into its cur: the one that started it and
 *      those folded into the pending recovery it started from.
 *  -DCHECK_C (c) LTL, checked with pan -a -f (weak fairness): every
 *      error the guest took in for a function ends, by a recovery that
 *      holds it ending (resume or perm_failure) with the function in it,
 *      or by the function's removal: [] (unfinished -> <> !unfinished).
 *  -DCHECK_D (d) assertions: an error taken in for a function whose unit
 *      is busy is folded into the pending recovery; after every IN_DONE
 *      each open error of the unit's functions is held by the recovery
 *      that starts; and in every final state every error has ended
 *      (proctype final_check, on `timeout').
 *  -DCHECK_E (e) assertions: a reset request names the host's current
 *      error of the function it names, or one older than it (STALE:
 *      the newer error is on its way to the guest, which folds it and
 *      asks again); with -DHOST_WORKS (no failed or unanswered reset,
 *      no channel fault, a prompt host) no recovery ends in
 *      perm_failure.
 *
 * Configurations (scripts/verify.sh; -D knobs, defaults in brackets)
 * --------------
 *  TOPO [3]   0: two devices, each on its own host link and Root Port
 *             (both errors on F0); 1: one two-function device under one
 *             Root Port (one unit walks both functions); 2: the same
 *             device with a Root Port per function (two units share one
 *             host reset); 3: any of them.
 *  NERR [2] errors (at most 4), FAULTS [1] channel faults,
 *  NO_HOST_RESET (no error has a host reset), NO_CAN_REQUEST [the host
 *  may or may not offer VIRTIO_AER_PV_F_RESET_REQUEST],
 *  NONFATAL_HOST_RESET (a non-fatal error may have every host reset
 *  timing; default NONE or DONE), NONE_NAMES_LINK (an error without a
 *  host reset may name every function of the link; default the
 *  reporting one), NONFATAL_ONLY, CORRECTABLE (correctable errors too:
 *  they make the host's current error newer, but start no recovery),
 *  HOST_WORKS (see Time), DOWN (the channel may go away once), GONE
 *  (one function may leave the guest).
 *  The configurations verify.sh runs are listed there, with their sizes
 *  in Documentation/aer-pv-design.rst.
 *
 * Findings: the design of fsm.c as written violates these properties
 * ------------------------------------------------------------------
 *  Each trail is the shortest pan found (pan -i); "no host reset" is an
 *  error event with reset NONE; each finding has a proposed fix in fsm.c,
 *  modelled behind a -DFIX_* knob that is off by default (the model is
 *  fsm.c as written); scripts/verify.sh --proposed-fixes checks the
 *  default configurations with all of them.
 *
 *  1. A reset request the guest stopped waiting for is not a host reset
 *     in flight.  (b), one-device and every topology.  Error 1 (fatal,
 *     no host reset) on F0: its unit starts, frozen.  Error 2
 *     (non-fatal, no host reset) on F0 folds into the pending recovery.
 *     The reset step of 1 asks for a link reset for 2 (the newest); the
 *     host starts it, slower than the guest's bound: IN_RESPONSE(NULL)
 *     marks reset 2 FAILED and fails recovery 1 (NO_RESPONSE).  IN_DONE
 *     starts the recovery of 2 normal (aer_pv_err_frozen() looks at
 *     r->host only); the drivers vote CAN_RECOVER and mmio_enabled /
 *     resume reach F0 while the requested reset of error 2 is under
 *     way.  With frozen fixed, a third error with a host reset DONE in
 *     the same pending recovery still resumes on it (the newest settled
 *     reset) while reset 2 is under way (three-errors).  Fix
 *     (FIX_FROZEN, FIX_NO_RESPONSE): aer_pv_err_frozen() also for a
 *     reset with req SENT or ANSWERED; on no answer, leave the reset
 *     SENT (in flight: whoever depends on it waits to its deadline)
 *     instead of FAILED.
 *  2. A native reset is not recorded.  (a), one-device.  No
 *     VIRTIO_AER_PV_F_RESET_REQUEST.  Errors 1 and 2 (fatal, no host
 *     reset) on F0, 2 arriving before the reset step of 1: that step
 *     decides for 2, the newest: NATIVE, a native reset.  The pending
 *     recovery of 2 decides NATIVE again: a second native reset after
 *     error 2 (the same with UNSUPPORTED instead of no
 *     F_RESET_REQUEST).  Fix (FIX_NATIVE): remember in the unit the
 *     reset a native reset was done for (rec->native_seq = t->seq) and
 *     answer RESUME for it; also set act->seq = t->seq for NATIVE
 *     (act->seq is cur.seq today: the log names the older error).
 *  3. Units of one error vote independently.  (b),
 *     pending-misses-group-reset.  Error 1 (non-fatal, no host reset)
 *     names F0 and F1, below two Root Ports: two units, both normal.
 *     F1's drivers vote NEED_RESET: its unit asks for a link reset of 1;
 *     F0's vote CAN_RECOVER: mmio_enabled / resume reach F0 during that
 *     reset.  Fix (FIX_SHARED): a reset whose error names functions in
 *     more than one unit makes their recoveries frozen (a flag in
 *     struct aer_pv_reset, read by aer_pv_err_frozen()), so every one
 *     waits at its reset step for the one request.
 *  4. Units of one error decide on different resets.  (b),
 *     pending-misses-group-reset, with fixes 1-3, 5 and 6.  Error 1
 *     (fatal, no host reset) names F0 and F1 (two units); error 2
 *     (fatal, no host reset, UNSUPPORTED) on F0 folds into F0's pending
 *     recovery.  F0's reset step decides for 2, the newest: REQUEST,
 *     UNSUPPORTED, NATIVE; F1's decides for 1: REQUEST, a link reset of
 *     F0 and F1; F0's native reset, slot_reset and resume run during the
 *     link reset for error 1, which F0's recovery holds.  The same with
 *     a newer reset DONE instead of NATIVE.  A unit leaves its reset
 *     step on a reset of its own while an older one it shares with
 *     another unit is still unsettled, and the other unit may still
 *     ask for it.  No fix proposed here: either the reset step asks for
 *     every older shared reset that some function still has as its
 *     newest error (naming that function) before it goes on, or a reset
 *     done for a newer error settles the older ones of every unit when
 *     it was a link reset of their functions; a design decision.
 *  5. STALE is recorded on the shared reset.  (e), shared-error-stale.
 *     Error 1 (fatal, no host reset) names F0 and F1 (two units);
 *     error 2 on F0 only.  F0's unit asks for 1 naming F0: STALE (F0's
 *     current error is 2) and marks reset 1 STALE.  F1's unit then waits
 *     at its reset step for a newer error, which never comes to it (2
 *     names F0 only): TIMEOUT, perm_failure, with a working host.  Fix
 *     (FIX_STALE): STALE is about the function named: record it in the
 *     unit (rec->stale_seq), leave the reset's req NONE so that another
 *     unit asks for it naming its own function.
 *  6. A request names a function the error did not name.  (e),
 *     shared-root-port-three-errors.  F0 and F1 below one Root Port.
 *     Error 1 (fatal, no host reset) on F0 starts the unit; errors 2 on
 *     F0 and 3 on F1 (no host reset) fold into its pending recovery.
 *     The reset step asks for 3, the newest, naming
 *     aer_pv_first_fn(next.fns) = F0: the host answers STALE (F0's
 *     current error is 2, an older one), and the unit waits for a newer
 *     error that never comes: TIMEOUT, perm_failure.  Fix
 *     (FIX_FIRST_FN): name a function of the set whose fns[i].seq is
 *     t->seq.
 *  7. aer_pv_take_fn() clears a busy unit.  (a), (b), (c), (d),
 *     function-gone.  F0 and F1 below one Root Port.  Error 1 on F0
 *     starts the unit; F0 leaves the guest (IN_FN_GONE): the unit has
 *     no function, its recovery goes on.  Error 2 (host reset DONE, or
 *     PENDING) names F0 and F1: aer_pv_take_fn(F1) finds the unit by
 *     its bridge, sees !recs[r].fns and clears it while it runs; error
 *     2 STARTs a second recovery of the same bridge.  The first one's
 *     slot_reset / resume reach F1 during the host's reset for 2 (b);
 *     its IN_DONE ends the recovery of 2 before it ran (c, d); the
 *     queued work then meets an idle unit, whose IN_RESET_STEP answers
 *     NATIVE: a native reset after the host's own for 2 (a).  Fix
 *     (FIX_TAKE_FN): clear the record only when aer_pv_rec_free().
 *  8. IN_DOWN drops the pending errors.  (c), (d), channel-down.
 *     Error 1 on F0 recovers; error 2 on F0 (or F1 below the same Root
 *     Port) folds into the pending recovery; the channel goes away:
 *     aer_pv_on_down() clears next, and IN_DONE starts nothing: error 2
 *     gets neither error_detected nor perm_failure (issue 12: "never
 *     silence").  Fix (FIX_DOWN): keep next at IN_DOWN and start it at
 *     IN_DONE also without the channel; its reset step fails it
 *     (WHY_LOST).
 *  9. A correctable error makes a request STALE.  (e),
 *     correctable-stale.  Error 1 (fatal, no host reset) on F0; the
 *     host then has a correctable error 2 on F0, which QEMU makes F0's
 *     current error.  REQ_RESET for 1: STALE; the unit waits for a
 *     newer error, but 2 starts no recovery and folds into nothing:
 *     TIMEOUT, perm_failure, with a working host.  A host fix
 *     (FIX_HOST_CORRECTABLE): the specification says the current error
 *     is the newest uncorrectable one, and QEMU does not move f->seq for
 *     a correctable error; or the core treats a STALE answer for a
 *     function whose newest error is correctable as "ask again".
 */

/* ---- protocol constants: include/uapi/linux/virtio_aer_pv.h ---- */
#define VIRTIO_AER_PV_F_RESET_REQUEST		0
#define VIRTIO_AER_PV_EVT_ERROR			1
#define VIRTIO_AER_PV_EVT_RESET			2
#define VIRTIO_AER_PV_REQ_RESET			1
#define VIRTIO_AER_PV_REQ_PHASE			2
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

/* ---- the core's enums: fsm.h ---- */
#define AER_PV_IDLE		0
#define AER_PV_DETECTED		1
#define AER_PV_WAIT_HOST	2
#define AER_PV_WAIT_REQ		3
#define AER_PV_RESUMING		4
#define AER_PV_NR_STATES	5

#define AER_PV_REQ_NONE		0
#define AER_PV_REQ_SENT		1
#define AER_PV_REQ_ANSWERED	2
#define AER_PV_REQ_UNSUPPORTED	3
#define AER_PV_REQ_STALE	4

#define AER_PV_WHY_NONE		0
#define AER_PV_WHY_RESET_FAILED	1
#define AER_PV_WHY_TIMEOUT	2
#define AER_PV_WHY_NO_RESPONSE	3
#define AER_PV_WHY_LOST		4
#define AER_PV_WHY_NO_ROOM	5
#define AER_PV_WHY_NOT_SENT	6
#define AER_PV_NR_WHYS		7

#define AER_PV_IN_EVENT		0
#define AER_PV_IN_RESET_STEP	1
#define AER_PV_IN_WAKE		2
#define AER_PV_IN_RESPONSE	3
#define AER_PV_IN_DONE		4
#define AER_PV_IN_FN_GONE	5
#define AER_PV_IN_DOWN		6

#define AER_PV_ACT_NONE		0
#define AER_PV_ACT_START	1
#define AER_PV_ACT_RESUME	2
#define AER_PV_ACT_WAIT		3
#define AER_PV_ACT_REQUEST	4
#define AER_PV_ACT_NATIVE	5
#define AER_PV_ACT_FAIL		6

/* ---- verdicts: protocol.h enum aer_pv_verdict ---- */
#define AER_PV_OK		0
#define AER_PV_DROP_TYPE	2
#define AER_PV_DROP_STALE	11
#define AER_PV_DROP_DUPLICATE	12
#define AER_PV_DROP_UNKNOWN_SEQ	13
#define AER_PV_DROP_TRANSITION	14
#define AER_PV_DROP_NO_DEVICE	16

/* ---- model parameters and model-only names (M_*) ---- */
#define NF		2		/* functions */
#define NU		2		/* units: one per guest bridge */
#ifndef NERR
#define NERR		2		/* errors the host raises, seq 1..NERR */
#endif
#ifndef FAULTS
#define FAULTS		1		/* channel faults: reorder, dup, drop */
#endif
#ifndef TOPO
#define TOPO		3
#endif
#if NERR > 4
#error "at most 4 errors: the ghost sets are bytes"
#endif
#if defined(HOST_WORKS) && FAULTS > 0
#error "HOST_WORKS needs -DFAULTS=0"
#endif
#define MAXE		(NERR + 1)	/* arrays indexed by seq */
#define NREQ		(NERR + 1)	/* request tags (AER_PV_NR_TAGS is 16);
					 * never all taken here */
#define QLEN		(2 * NERR + FAULTS)
#define M_NONE		255

#define M_DL_UNSET	0		/* deadline 0 */
#define M_DL_RUNNING	1
#define M_DL_EXPIRED	2		/* now >= deadline */

#define M_ERS_CAN_RECOVER	1	/* pci_ers_result_t, as used */
#define M_ERS_NEED_RESET	2

#define M_RQ_FREE	0
#define M_RQ_BUSY	1		/* the host's reset is in flight */
#define M_RQ_ANSWERED	2

#define M_MSG(t, e)	((t) * 8 + (e))
#define M_MSG_TYPE(m)	((m) / 8)
#define M_MSG_SEQ(m)	((m) % 8)
#define M_BIT(e)	(1 << (e))
/* (error, function) in a byte: errors 1..4, functions 0..1 */
#define M_GB(e, f)	(1 << (((e) - 1) * NF + (f)))
#define M_FMASK(f)	(85 << (f))	/* every error of function f: 0x55 << f */
#define M_MAX(a, b)	((a) > (b) -> (a) : (b))

/* aer_pv_in_flight(), aer_pv_settled() of reset slot k */
#define M_INFL(k)	(rst[k] == VIRTIO_AER_PV_RESET_PENDING || \
			 rreq[k] == AER_PV_REQ_SENT)
#define M_SETTLED(k)	(rst[k] == VIRTIO_AER_PV_RESET_DONE || \
			 rst[k] == VIRTIO_AER_PV_RESET_FAILED)
#define M_AT_STEP(u)	(ust[u] == AER_PV_WAIT_HOST || ust[u] == AER_PV_WAIT_REQ)

/* ---- topology ---- */
byte topo;
byte bridge[NF];		/* guest bridge (unit) above the function */
byte hlink[NF];			/* host link the function sits on */

/* ---- guest: struct aer_pv_core (fsm.h) ---- */
byte fsl[NF];			/* fns[i].id, M_NONE while !used */
byte fslot[NF];			/* the slot of a function (derived) */
bool fgone[NF];			/* the function left the guest */
/* struct aer_pv_rec, per unit */
byte ust[NU];			/* state */
bool ufrz[NU];			/* frozen */
byte uwhy[NU];			/* why */
byte ureq[NU];			/* req_seq */
byte ureqfn[NU];		/* req_fn */
byte unat[NU];			/* native_seq */
byte ufns[NU];			/* fns: BIT(slot) */
byte udl[NU];			/* deadline, abstracted */
byte cseq[NU];			/* cur.seq */
byte csev[NU];			/* cur.severity */
byte cfns[NU];			/* cur.fns */
byte cres[NU];			/* cur.resets: BIT(seq) */
byte nseq[NU];			/* next.seq */
byte nsev[NU];			/* next.severity */
byte nfns[NU];			/* next.fns */
byte nres[NU];			/* next.resets */
/* struct aer_pv_reset, slot = seq; free while !rv */
bool rv[MAXE];
byte rst[MAXE];			/* state */
byte rreq[MAXE];		/* req */
bool rhost[MAXE];		/* host */
byte rfns[MAXE];		/* fns: BIT(slot) */
#ifdef FIX_SHARED
bool rshared[MAXE];		/* proposed: the error names several units */
#endif
byte last_seq;
bool up = true;
bool can_request;

/* ---- glue: channel.c, recovery.c ---- */
bool go[NU];			/* queue_work() of the unit's work */
byte utag[NU];			/* the request record (tag) a unit's answer
				 * lands in, M_NONE: none */

/* ---- host: VirtIOAerPv ---- */
byte nexterr = 1;
byte esev[MAXE];		/* per error: severity */
byte eres[MAXE];		/* reset state in the error event */
byte efns[MAXE];		/* functions named: BIT(function) */
byte eend[MAXE];		/* own reset in flight: how it will end */
byte eout[MAXE];		/* how a requested reset ends: S_OK,
				 * S_FAILED or S_UNSUPPORTED */
byte erst[MAXE];		/* EVT_RESET payload once sent */
byte hseq[NF];			/* AerPvFunc.seq: current error */
byte rqst[NREQ];		/* a request's buffer, by tag */
byte rqseq[NREQ];
byte rqf[NREQ];
byte rqstatus[NREQ];
bool rqfail[NREQ];
bool rqgone[NREQ];		/* nobody waits for the answer any more */

/* ---- channel ---- */
byte q[QLEN];			/* event queue, host to guest */
byte qn;
byte faults;

/* ---- environment ---- */
bool downed;			/* IN_DOWN happened */
bool gone_done;			/* IN_FN_GONE happened */

/* ---- ghosts for the properties ---- */
byte rc[MAXE * NF];		/* (a) resets per (error, function) */
byte infl[NF];			/* (b) errors whose host reset is in flight */
byte gcur[NU];			/* (b,c,d) errors the running recovery holds */
byte gnext[NU];			/* (b,c,d) errors folded into the pending one */
byte gdet[NU];			/* (c,d) errors whose error_detected ran in
				 * the unit's running work */
byte acc;			/* (c,d) errors taken in, M_GB(e, f) */
byte ended;			/* (c,d) errors ended */

#define unfinished	((acc & ~ended) != 0)

#ifdef CHECK_C
ltl c_every_error_ends { [] (unfinished -> <> !unfinished) }
#endif

#if NERR >= 4
#define M_EEND_IDLE	(eend[1] == 0 && eend[2] == 0 && eend[3] == 0 && eend[4] == 0)
#define M_REQ_IDLE	(rreq[1] != AER_PV_REQ_SENT && rreq[2] != AER_PV_REQ_SENT && \
			 rreq[3] != AER_PV_REQ_SENT && rreq[4] != AER_PV_REQ_SENT)
#elif NERR == 3
#define M_EEND_IDLE	(eend[1] == 0 && eend[2] == 0 && eend[3] == 0)
#define M_REQ_IDLE	(rreq[1] != AER_PV_REQ_SENT && rreq[2] != AER_PV_REQ_SENT && \
			 rreq[3] != AER_PV_REQ_SENT)
#elif NERR == 2
#define M_EEND_IDLE	(eend[1] == 0 && eend[2] == 0)
#define M_REQ_IDLE	(rreq[1] != AER_PV_REQ_SENT && rreq[2] != AER_PV_REQ_SENT)
#else
#define M_EEND_IDLE	(eend[1] == 0)
#define M_REQ_IDLE	(rreq[1] != AER_PV_REQ_SENT)
#endif
/*
 * Nothing is owed to the guest: no event queued, no host reset under
 * way, no reset request decided, sent or answered and not yet taken in.
 */
#define M_HOST_IDLE	(qn == 0 && M_EEND_IDLE && M_REQ_IDLE)

/*
 * A wait of unit u may end by its deadline now: at any moment, unless
 * HOST_WORKS; then only when the unit would go on waiting and nothing is
 * owed to it.
 */
#ifdef HOST_WORKS
#define M_WAIT_EXPIRE(u)	(M_QUIET_WAIT(u) && M_HOST_IDLE)
#else
#define M_WAIT_EXPIRE(u)	true
#endif

/* ================================================================
 * Property helpers
 * ================================================================ */

#if defined(CHECK_B) || defined(CHECK_C) || defined(CHECK_D)
#define GHOST_BCD(x)	x
#else
#define GHOST_BCD(x)	skip
#endif
#if defined(CHECK_C) || defined(CHECK_D)
#define GHOST_CD(x)	x
#else
#define GHOST_CD(x)	skip
#endif

/* (a): a reset of function f for error e reaches the device */
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

/* (b): mmio_enabled / slot_reset / resume of every function below the
 * bridge of unit u */
inline touch(u)
{
	for (tf : 0 .. NF - 1) {
		if
		:: bridge[tf] == (u) && !fgone[tf] ->
			printf("MSC: touch F%d (unit %d holds errors %d, host resets in flight for errors %d)\n",
			       tf, u, gcur[u], infl[tf]);
#ifdef CHECK_B
			assert((infl[tf] & gcur[u]) == 0)
#else
			skip
#endif
		:: else
		fi
	}
	tf = 0
}

/* (e): perm_failure with a working host */
inline ghost_perm_failure(u)
{
	printf("MSC: perm_failure below B%d (why %d)\n", u, uwhy[u]);
#if defined(CHECK_E) && defined(HOST_WORKS)
	assert(false)
#else
	skip
#endif
}

/* (c,d): the recovery of unit u ends: every error it holds, and whose
 * error_detected ran, ends for every function in it */
inline ghost_end(u)
{
#if defined(CHECK_C) || defined(CHECK_D)
	for (ge : 1 .. NERR) {
		if
		:: gcur[u] & gdet[u] & M_BIT(ge) ->
			for (gi : 0 .. NF - 1) {
				if
				:: cfns[u] & M_BIT(gi) ->
					ended = ended | (acc & M_GB(ge, fsl[gi]))
				:: else
				fi
			}
		:: else
		fi
	}
	ge = 0; gi = 0
#else
	skip
#endif
}

/* (d): after IN_DONE, every open error of a function of unit u is held
 * by the recovery that starts */
inline check_done(u)
{
#ifdef CHECK_D
	for (ge : 1 .. NERR) {
		for (gi : 0 .. NF - 1) {
			assert(!(bridge[gi] == (u) && (acc & ~ended & M_GB(ge, gi))) ||
			       ((gcur[u] & M_BIT(ge)) && ust[u] == AER_PV_DETECTED))
		}
	}
	ge = 0; gi = 0
#else
	skip
#endif
}

/* ================================================================
 * fsm.c, one inline per function
 * ================================================================ */

/* aer_pv_gc_resets() */
inline fsm_gc_resets()
{
	gk = cres[0] | nres[0] | cres[1] | nres[1];
	for (k : 1 .. NERR) {
		if
		:: !(gk & M_BIT(k)) ->
			rv[k] = false; rst[k] = 0; rreq[k] = 0; rhost[k] = false;
			rfns[k] = 0;
#ifdef FIX_SHARED
			rshared[k] = false;
#endif
			skip
		:: else
		fi
	}
	k = 0; gk = 0
}

/* aer_pv_new_reset() for error e naming the function slots fns */
inline fsm_new_reset(e, fns)
{
	rv[e] = true; rst[e] = eres[e]; rreq[e] = AER_PV_REQ_NONE;
	rhost[e] = (eres[e] != VIRTIO_AER_PV_RESET_NONE); rfns[e] = (fns)
}

/* aer_pv_newest() of a set: n the newest, s the newest settled, 0: none */
inline fsm_newest(set)
{
	n = 0; s = 0;
	for (k : 1 .. NERR) {
		if
		:: (set) & M_BIT(k) ->
			n = k;
			if
			:: M_SETTLED(k) -> s = k
			:: else
			fi
		:: else
		fi
	}
	k = 0
}

/* aer_pv_prune() of resets r: keep the ones in flight, the newest
 * settled and the newest */
inline fsm_prune(r)
{
	fsm_newest(r);
	for (k : 1 .. NERR) {
		if
		:: ((r) & M_BIT(k)) && k != n && k != s && !M_INFL(k) ->
			r = (r) & ~M_BIT(k)
		:: else
		fi
	}
	k = 0; n = 0; s = 0
}

/* aer_pv_fold() into cur (c) or next (!c) of unit u */
inline fsm_fold(u, c, e, fns)
{
	if
	:: c ->
		cseq[u] = M_MAX(cseq[u], e); csev[u] = M_MAX(csev[u], esev[e]);
		cfns[u] = cfns[u] | (fns); cres[u] = cres[u] | M_BIT(e);
		fsm_prune(cres[u]);
		GHOST_BCD(gcur[u] = gcur[u] | M_BIT(e))
	:: else ->
		nseq[u] = M_MAX(nseq[u], e); nsev[u] = M_MAX(nsev[u], esev[e]);
		nfns[u] = nfns[u] | (fns); nres[u] = nres[u] | M_BIT(e);
		fsm_prune(nres[u]);
		GHOST_BCD(gnext[u] = gnext[u] | M_BIT(e))
	fi
}

/* aer_pv_err_frozen() of cur, in fz */
inline fsm_err_frozen(u)
{
	fz = (csev[u] == VIRTIO_AER_PV_SEV_FATAL);
	for (k : 1 .. NERR) {
		if
		:: (cres[u] & M_BIT(k)) && rhost[k] -> fz = true
#ifdef FIX_SHARED
		/* proposed: an error shared with another unit */
		:: (cres[u] & M_BIT(k)) && rshared[k] -> fz = true
#endif
#ifdef FIX_FROZEN
		/* proposed: a reset was requested (the host reset, or may
		 * have) */
		:: (cres[u] & M_BIT(k)) && (rreq[k] == AER_PV_REQ_SENT ||
					    rreq[k] == AER_PV_REQ_ANSWERED) -> fz = true
#endif
		:: else
		fi
	}
	k = 0
}

/* aer_pv_start(); the glue's queue_work() for ACT_START is go[u] */
inline fsm_start(u)
{
	fsm_err_frozen(u);
	ufrz[u] = fz; fz = false;
	uwhy[u] = AER_PV_WHY_NONE; udl[u] = M_DL_UNSET; ureq[u] = 0;
	ust[u] = AER_PV_DETECTED;
	go[u] = true;
	printf("MSC: START unit %d error %d frozen %d\n", u, cseq[u], ufrz[u])
}

/* memset() of a unit record */
inline fsm_clear_rec(u)
{
	ust[u] = AER_PV_IDLE; ufrz[u] = false; uwhy[u] = 0; ureq[u] = 0;
	ureqfn[u] = 0; unat[u] = 0; ufns[u] = 0; udl[u] = M_DL_UNSET;
	cseq[u] = 0; csev[u] = 0; cfns[u] = 0; cres[u] = 0;
	nseq[u] = 0; nsev[u] = 0; nfns[u] = 0; nres[u] = 0;
	GHOST_BCD(gcur[u] = 0; gnext[u] = 0)
}

/*
 * aer_pv_take_fn(): the slot of function f (sl), a new one if needed (NF
 * slots: the table never fills, aer_pv_evict_fn() is not reached).  Its
 * unit is bridge[f]'s: found while not free, else a free record,
 * cleared.
 */
inline fsm_take_fn(f)
{
	sl = fslot[f];
	if
	:: sl == M_NONE ->
		if
		:: fsl[0] == M_NONE -> sl = 0
		:: fsl[0] != M_NONE && fsl[1] == M_NONE -> sl = 1
		fi;
		if
		:: ufns[bridge[f]] == 0 && ust[bridge[f]] == AER_PV_IDLE ->
			fsm_clear_rec(bridge[f])
		:: else
		fi;
		fsl[sl] = f; fslot[f] = sl;
		ufns[bridge[f]] = ufns[bridge[f]] | M_BIT(sl)
	:: else
	fi
}

/* aer_pv_on_error() for error e: verdict in v; units to queue in go[] */
inline fsm_on_error(e)
{
	if
	:: last_seq != 0 && e <= last_seq ->
		v = (e == last_seq -> AER_PV_DROP_DUPLICATE : AER_PV_DROP_STALE)
	:: else ->
		v = AER_PV_DROP_NO_DEVICE;
		by0 = 0; by1 = 0;
		for (f : 0 .. NF - 1) {
			if
			:: (efns[e] & M_BIT(f)) && !fgone[f] ->
				/* bridges[i] is not AER_PV_NO_BRIDGE */
				fsm_take_fn(f);
				if
				:: bridge[f] == 0 -> by0 = by0 | M_BIT(sl)
				:: else -> by1 = by1 | M_BIT(sl)
				fi;
				sl = 0
			:: else
			fi
		}
		f = 0;
		if
		:: by0 | by1 ->
			v = AER_PV_OK;
			last_seq = e;
			if
			:: esev[e] == VIRTIO_AER_PV_SEV_CORRECTABLE -> skip
			:: else ->
				fsm_new_reset(e, by0 | by1);
#ifdef FIX_SHARED
				rshared[e] = (by0 != 0 && by1 != 0);
#endif
				for (u : 0 .. NU - 1) {
					fns = (u == 0 -> by0 : by1);
					if
					:: fns == 0
					:: fns != 0 && ust[u] == AER_PV_IDLE ->
						cseq[u] = 0; csev[u] = 0; cfns[u] = 0;
						cres[u] = 0; GHOST_BCD(gcur[u] = 0);
						fsm_fold(u, true, e, fns);
						fsm_start(u)
					:: fns != 0 && ust[u] != AER_PV_IDLE ->
						fsm_fold(u, false, e, fns);
#ifdef CHECK_D
						/* (d): kept as the pending error */
						assert(nseq[u] == e && (gnext[u] & M_BIT(e)))
#else
						skip
#endif
					fi
				}
				u = 0; fns = 0;
				/* (c,d): taken in for every function named */
				for (gi : 0 .. NF - 1) {
					if
					:: (by0 | by1) & M_BIT(gi) ->
						GHOST_CD(acc = acc | M_GB(e, fsl[gi]))
					:: else
					fi
				}
				gi = 0;
				fsm_gc_resets()
			fi
		:: else
		fi;
		by0 = 0; by1 = 0
	fi
}

/* aer_pv_on_reset() for EVT_RESET e with state nw */
inline fsm_on_reset(e, nw)
{
	if
	:: !rv[e] -> v = AER_PV_DROP_UNKNOWN_SEQ
	:: rv[e] && rst[e] == (nw) -> v = AER_PV_DROP_DUPLICATE
	:: rv[e] && rst[e] != (nw) && rst[e] != VIRTIO_AER_PV_RESET_PENDING ->
		v = AER_PV_DROP_TRANSITION
	:: else -> rst[e] = (nw); v = AER_PV_OK
	fi
}

/*
 * aer_pv_fail(): a request of the unit still SENT fails for everyone when
 * the unit timed out, and is open again otherwise
 */
inline fsm_fail(u, why)
{
	fk = ureq[u];
	if
	:: fk != 0 && rv[fk] && rreq[fk] == AER_PV_REQ_SENT ->
#ifdef FIX_GIVEUP
		/* proposed: only a request that never left is open again;
		 * one the host got may still be under way: it stays in
		 * flight, whoever depends on it waits to its own deadline */
		if
		:: (why) == AER_PV_WHY_NOT_SENT -> rreq[fk] = AER_PV_REQ_NONE
		:: else
		fi
#else
		if
		:: (why) == AER_PV_WHY_TIMEOUT ->
			rreq[fk] = AER_PV_REQ_ANSWERED;
			rst[fk] = VIRTIO_AER_PV_RESET_FAILED
		:: else -> rreq[fk] = AER_PV_REQ_NONE
		fi
#endif
	:: else
	fi;
	fk = 0;
	ureq[u] = 0;
	if
	:: uwhy[u] == AER_PV_WHY_NONE -> uwhy[u] = (why)
	:: else
	fi;
	ust[u] = AER_PV_RESUMING;
	dec = AER_PV_ACT_FAIL
}

/* aer_pv_decide(): the action in dec, its seq in aseq, the function a
 * request names in afn; gt (model only) the reset decided on */
inline fsm_decide(u)
{
	aseq = cseq[u];
	set = cres[u] | nres[u];
	if
	:: uwhy[u] != AER_PV_WHY_NONE -> fsm_fail(u, uwhy[u])
	:: uwhy[u] == AER_PV_WHY_NONE && (!up || cfns[u] == 0) ->
		fsm_fail(u, AER_PV_WHY_LOST)
	:: else ->
		fl = false; rq = false;
		for (k : 1 .. NERR) {
			if
			:: (set & M_BIT(k)) && M_INFL(k) ->
				fl = true;
				if
				:: rreq[k] == AER_PV_REQ_SENT -> rq = true
				:: else
				fi
			:: else
			fi
		}
		k = 0;
		fsm_newest(set);
		if
		:: n == 0 -> fsm_fail(u, AER_PV_WHY_NO_ROOM)
		:: n != 0 && (fl || rreq[n] == AER_PV_REQ_STALE) ->
			/* wait for every reset in flight; a STALE answer:
			 * the newer error is on its way, wait for it too */
			if
			:: udl[u] != M_DL_RUNNING ->	/* now >= deadline */
				fsm_fail(u, AER_PV_WHY_TIMEOUT)
			:: else ->
				ust[u] = (rq -> AER_PV_WAIT_REQ : AER_PV_WAIT_HOST);
				dec = AER_PV_ACT_WAIT
			fi
		:: n != 0 && !fl && rreq[n] != AER_PV_REQ_STALE && s != 0 ->
			if
			:: rst[s] == VIRTIO_AER_PV_RESET_FAILED ->
				fsm_fail(u, AER_PV_WHY_RESET_FAILED)
			:: else ->
				ust[u] = AER_PV_RESUMING;
				dec = AER_PV_ACT_RESUME; aseq = s
			fi
		:: n != 0 && !fl && rreq[n] != AER_PV_REQ_STALE && s == 0 &&
		   unat[u] != 0 && n <= unat[u] ->
			/* this unit's own native reset covered it */
			ust[u] = AER_PV_RESUMING;
			dec = AER_PV_ACT_RESUME; aseq = unat[u]
		:: n != 0 && !fl && rreq[n] != AER_PV_REQ_STALE && s == 0 &&
		   (unat[u] == 0 || n > unat[u]) ->
			/* no reset was done: ask for one, for the newest */
			gt = n;
			fns = ((rfns[n] & ufns[u]) != 0 -> rfns[n] & ufns[u] :
							  rfns[n]);
			if
			:: rreq[n] == AER_PV_REQ_UNSUPPORTED || !can_request ->
				unat[u] = n;
				ust[u] = AER_PV_RESUMING;
				dec = AER_PV_ACT_NATIVE; aseq = n
			:: rreq[n] != AER_PV_REQ_UNSUPPORTED && can_request &&
			   udl[u] != M_DL_RUNNING ->
				fsm_fail(u, AER_PV_WHY_TIMEOUT)
			:: rreq[n] != AER_PV_REQ_UNSUPPORTED && can_request &&
			   udl[u] == M_DL_RUNNING && fns == 0 ->
				fsm_fail(u, AER_PV_WHY_LOST)
			:: rreq[n] != AER_PV_REQ_UNSUPPORTED && can_request &&
			   udl[u] == M_DL_RUNNING && fns != 0 ->
				rreq[n] = AER_PV_REQ_SENT;
				ureq[u] = n;
				/* aer_pv_first_fn(): the lowest slot */
				ureqfn[u] = ((fns & 1) -> fsl[0] : fsl[1]);
				ust[u] = AER_PV_WAIT_REQ;
				dec = AER_PV_ACT_REQUEST;
				aseq = n; afn = ureqfn[u]
			fi;
			fns = 0
		fi;
		fl = false; rq = false; n = 0; s = 0
	fi;
	set = 0
}

/*
 * aer_pv_on_response(): has = an answer came, st = its status, un = the
 * request never left (in->unsent)
 */
inline fsm_on_response(u, has, st, un)
{
	k = ureq[u];
	if
	:: k == 0 || !rv[k] || rreq[k] != AER_PV_REQ_SENT ->
		k = 0; ureq[u] = 0; fsm_decide(u)
	:: else ->
		if
		:: un -> k = 0; fsm_fail(u, AER_PV_WHY_NOT_SENT)
		:: !un && !has ->
			ureq[u] = 0; rreq[k] = AER_PV_REQ_ANSWERED;
			/* whoever else waits on it must not wait forever */
			rst[k] = VIRTIO_AER_PV_RESET_FAILED; k = 0;
			fsm_fail(u, AER_PV_WHY_NO_RESPONSE)
		:: !un && has ->
			ureq[u] = 0; rreq[k] = AER_PV_REQ_ANSWERED;
			if
			:: st == VIRTIO_AER_PV_S_OK ->
				/* of the kind asked for: the host never
				 * substitutes one */
				rst[k] = VIRTIO_AER_PV_RESET_DONE
			:: st == VIRTIO_AER_PV_S_UNSUPPORTED ||
			   st == VIRTIO_AER_PV_S_NOT_MANAGED ->
				rreq[k] = AER_PV_REQ_UNSUPPORTED
			:: st == VIRTIO_AER_PV_S_STALE ->
				/* ask again naming another function of the
				 * error, or wait for the newer error */
				if
				:: fslot[ureqfn[u]] != M_NONE ->
					rfns[k] = rfns[k] & ~M_BIT(fslot[ureqfn[u]])
				:: else
				fi;
				rreq[k] = (rfns[k] != 0 -> AER_PV_REQ_NONE :
							   AER_PV_REQ_STALE)
			:: else -> rst[k] = VIRTIO_AER_PV_RESET_FAILED
			fi;
			k = 0;
			fsm_decide(u)
		fi
	fi
}

/* aer_pv_on_done(): the pending recovery starts, with or without the
 * channel */
inline fsm_on_done(u, ok)
{
	printf("MSC: IN_DONE unit %d error %d recovered %d\n", u, cseq[u], ok);
	ghost_end(u);
	ust[u] = AER_PV_IDLE;
	cseq[u] = nseq[u]; csev[u] = nsev[u]; cfns[u] = nfns[u];
	cres[u] = nres[u];
	nseq[u] = 0; nsev[u] = 0; nfns[u] = 0; nres[u] = 0;
	GHOST_BCD(gcur[u] = gnext[u]; gnext[u] = 0);
	if
	:: cseq[u] != 0 && cfns[u] != 0 -> fsm_start(u)
	:: else ->
		cseq[u] = 0; csev[u] = 0; cfns[u] = 0; cres[u] = 0;
		GHOST_BCD(gcur[u] = 0)
	fi;
	check_done(u);
	fsm_gc_resets()
}

/* aer_pv_on_fn_gone() */
inline fsm_on_fn_gone(f)
{
	sl = fslot[f];
	if
	:: sl != M_NONE ->
		u = bridge[f];
		ufns[u] = ufns[u] & ~M_BIT(sl);
		cfns[u] = cfns[u] & ~M_BIT(sl);
		nfns[u] = nfns[u] & ~M_BIT(sl);
		for (k : 1 .. NERR) {
			rfns[k] = rfns[k] & ~M_BIT(sl)
		}
		k = 0;
		if
		:: ust[u] != AER_PV_IDLE && cfns[u] == 0 &&
		   uwhy[u] == AER_PV_WHY_NONE -> uwhy[u] = AER_PV_WHY_LOST
		:: else
		fi;
		if
		:: nfns[u] == 0 ->
			nseq[u] = 0; nsev[u] = 0; nres[u] = 0;
			GHOST_BCD(gnext[u] = 0)
		:: else
		fi;
		fsl[sl] = M_NONE; fslot[f] = M_NONE;
		u = 0;
		fsm_gc_resets()
	:: else
	fi;
	sl = 0
}

/* aer_pv_on_down(): the pending errors stay, to be failed */
inline fsm_on_down()
{
	up = false;
	for (u : 0 .. NU - 1) {
		if
		:: ust[u] != AER_PV_IDLE && uwhy[u] == AER_PV_WHY_NONE ->
			uwhy[u] = AER_PV_WHY_LOST
		:: else
		fi
	}
	u = 0
}

/*
 * aer_pv_step() for the unit inputs: a unit that is idle answers FAIL
 * to IN_RESET_STEP (never a reset nobody asked for) and NONE to the
 * others.
 */
inline fsm_step_reset_step(u)
{
	if
	:: ust[u] == AER_PV_IDLE -> dec = AER_PV_ACT_FAIL; aseq = 0
	:: ust[u] != AER_PV_IDLE && ust[u] != AER_PV_DETECTED ->
		fsm_fail(u, AER_PV_WHY_LOST)
	:: ust[u] == AER_PV_DETECTED ->
		udl[u] = M_DL_RUNNING;	/* now + timeout_ns */
		fsm_decide(u)
	fi
}

inline fsm_step_wake(u)
{
	if
	:: M_AT_STEP(u) -> fsm_decide(u)
	:: else -> dec = AER_PV_ACT_NONE
	fi
}

inline fsm_step_response(u, has, st, un)
{
	if
	:: M_AT_STEP(u) -> fsm_on_response(u, has, st, un)
	:: else -> dec = AER_PV_ACT_NONE
	fi
}

inline fsm_step_done(u, ok)
{
	if
	:: ust[u] != AER_PV_IDLE -> fsm_on_done(u, ok)
	:: else
	fi
}

/* ================================================================
 * The glue and the host
 * ================================================================ */

/*
 * IN_WAKE would answer WAIT and change nothing: the unit is at its reset
 * step, has not failed, the channel is up, its cur has a function, the
 * deadline runs, and a reset of cur or next is in flight or the newest
 * was answered STALE.
 */
#define M_FL(u, k)	(((cres[u] | nres[u]) & M_BIT(k)) && M_INFL(k))
#define M_NEWEST(u)	(((cres[u] | nres[u]) & M_BIT(4)) -> 4 : \
			 (((cres[u] | nres[u]) & M_BIT(3)) -> 3 : \
			  (((cres[u] | nres[u]) & M_BIT(2)) -> 2 : \
			   (((cres[u] | nres[u]) & M_BIT(1)) -> 1 : 0))))
#if NERR >= 4
#define M_ANY_FL(u)	(M_FL(u, 1) || M_FL(u, 2) || M_FL(u, 3) || M_FL(u, 4))
#elif NERR == 3
#define M_ANY_FL(u)	(M_FL(u, 1) || M_FL(u, 2) || M_FL(u, 3))
#else
#define M_ANY_FL(u)	(M_FL(u, 1) || M_FL(u, 2))
#endif
#define M_QUIET_WAIT(u)	(M_AT_STEP(u) && uwhy[u] == AER_PV_WHY_NONE && up && \
	cfns[u] != 0 && udl[u] == M_DL_RUNNING && \
	(M_ANY_FL(u) || (M_NEWEST(u) != 0 && \
			 rreq[M_NEWEST(u)] == AER_PV_REQ_STALE)))

/* the answer to unit u's request is there */
#define M_ANSWERED(u)	(utag[u] != M_NONE && rqst[utag[u]] == M_RQ_ANSWERED)

/*
 * The native reset of the bridge of unit u, for the error the decision
 * was for (gt, the newest of the unit; act->seq).  It reaches the
 * functions below the bridge.
 */
inline native_reset(u)
{
#ifdef CHECK_A
	/* only when the host cannot reset */
	assert(!can_request || eout[gt] == VIRTIO_AER_PV_S_UNSUPPORTED);
#endif
	for (tf : 0 .. NF - 1) {
		if
		:: bridge[tf] == (u) && !fgone[tf] -> count_reset(gt, tf)
		:: else
		fi
	}
	tf = 0
}

/* Host side of REQ_RESET: virtio_aer_pv_request_reset(), which answers
 * at once when it cannot reset and otherwise starts a link reset */
inline host_request_reset(k, e, f)
{
	rqseq[k] = e; rqf[k] = f; rqgone[k] = false;
	if
	:: hseq[f] != e ->
		printf("MSC: REQ_RESET %d for F%d: STALE (host error %d)\n",
		       e, f, hseq[f]);
#ifdef CHECK_E
		/* (e): not the current error, so a newer one, on its way */
		assert(hseq[f] > e);
#endif
		rqst[k] = M_RQ_ANSWERED; rqstatus[k] = VIRTIO_AER_PV_S_STALE
	:: hseq[f] == e && eout[e] == VIRTIO_AER_PV_S_UNSUPPORTED ->
		printf("MSC: REQ_RESET %d for F%d: UNSUPPORTED\n", e, f);
		rqst[k] = M_RQ_ANSWERED; rqstatus[k] = VIRTIO_AER_PV_S_UNSUPPORTED
	:: hseq[f] == e && eout[e] != VIRTIO_AER_PV_S_UNSUPPORTED ->
		printf("MSC: REQ_RESET %d for F%d: link reset\n", e, f);
		rqst[k] = M_RQ_BUSY;
		rqfail[k] = (eout[e] == VIRTIO_AER_PV_S_FAILED);
		for (tf : 0 .. NF - 1) {
			if
			:: hlink[tf] == hlink[f] ->
				count_reset(e, tf);
				infl_set(tf, e)
			:: else
			fi
		}
		tf = 0
	fi
}

/* free request record k */
inline free_request(k)
{
	rqst[k] = M_RQ_FREE; rqseq[k] = 0; rqf[k] = 0; rqstatus[k] = 0;
	rqfail[k] = false; rqgone[k] = false
}

/*
 * aer_pv_send(): REQ_RESET for error aseq at function afn under a free
 * tag; it does not leave (un) without the channel (unregister stopped
 * the transport) or without a free tag (NREQ is larger than the
 * requests the host can hold here, which an assertion checks)
 */
inline send_request(u)
{
	k = 0;
	do
	:: k < NREQ && rqst[k] != M_RQ_FREE -> k++
	:: else -> break
	od;
	if
	:: !up -> un = true
	:: else ->
		assert(k < NREQ);
		utag[u] = k;
		host_request_reset(k, aseq, afn)
	fi;
	k = 0
}

/* aer_pv_detach(): stop waiting for an answer; a late one frees its tag */
inline detach(u)
{
	if
	:: utag[u] != M_NONE && rqst[utag[u]] == M_RQ_ANSWERED ->
		free_request(utag[u])
	:: utag[u] != M_NONE && rqst[utag[u]] != M_RQ_ANSWERED ->
		rqgone[utag[u]] = true
	:: else
	fi;
	utag[u] = M_NONE
}

/*
 * perm_failure and IN_DONE, after a decision that said FAIL or NONE
 * (nothing touches the device in between)
 */
inline fail_and_done(u)
{
	if
	:: dec == AER_PV_ACT_FAIL || dec == AER_PV_ACT_NONE ->
		detach(u);
		ghost_perm_failure(u);
		fsm_step_done(u, false)
	:: else
	fi
}

#define LOCALS \
	byte tf, ge, gi, gk, k, fk, n, s, sl, set, fns, by0, by1, gt; \
	byte dec, aseq, afn, vote, f, e, v, u; \
	bool fl, rq, fz, un

/* ================================================================
 * Processes
 * ================================================================ */

/* aer_pv_unit_work() of unit w, with pcie_do_recovery() and
 * aer_pv_reset_step() */
proctype worker(byte w)
{
	LOCALS;
end:
	do
	:: atomic {
		go[w] ->
		go[w] = false;
		GHOST_CD(gdet[w] = gcur[w]);
		if
		:: cfns[w] == 0 ->
			/* no function left: no pcie_do_recovery() */
			printf("MSC: unit %d has no function left\n", w);
			fsm_step_done(w, false)
		:: cfns[w] != 0 ->
			/* pcie_do_recovery(): error_detected on every
			 * function below the bridge, then the vote */
			printf("MSC: unit %d runs, frozen %d\n", w, ufrz[w]);
			if
			:: ufrz[w] -> vote = M_ERS_NEED_RESET
			:: !ufrz[w] -> vote = M_ERS_CAN_RECOVER
			:: !ufrz[w] -> vote = M_ERS_NEED_RESET
			fi;
			if
			:: vote == M_ERS_CAN_RECOVER ->
				/* mmio_enabled, resume; IN_DONE */
				touch(w); fsm_step_done(w, true)
			:: else ->
				/* lock; IN_RESET_STEP; unlock */
				fsm_step_reset_step(w); fail_and_done(w)
			fi
		fi
	   };
	   do
	   :: dec == AER_PV_ACT_REQUEST ->
		/* aer_pv_send(); without it, IN_RESPONSE(unsent) */
		atomic {
			send_request(w);
			if
			:: un ->
				printf("MSC: unit %d REQ_RESET %d not sent\n", w, aseq);
				un = false;
				fsm_step_response(w, false, 0, true);
				fail_and_done(w)
			:: else -> dec = AER_PV_ACT_WAIT
			fi
		}
	   :: dec == AER_PV_ACT_WAIT ->
		/* aer_pv_wait(): the answer, a change (gen), or the
		 * deadline */
		if
		:: d_step {
			M_ANSWERED(w) ->
			printf("MSC: unit %d REQ_RESET %d answered %d\n", w,
			       rqseq[utag[w]], rqstatus[utag[w]]);
			v = rqstatus[utag[w]]; free_request(utag[w]);
			utag[w] = M_NONE;
			fsm_step_response(w, true, v, false); v = 0;
			fail_and_done(w)
		   }
		:: d_step {
			!M_ANSWERED(w) && !M_QUIET_WAIT(w);
			fsm_step_wake(w); fail_and_done(w);
			printf("MSC: unit %d woken: %d\n", w, dec)
		   }
		:: d_step {			/* the deadline */
			!M_ANSWERED(w) && M_WAIT_EXPIRE(w);
			if
			:: udl[w] == M_DL_RUNNING -> udl[w] = M_DL_EXPIRED
			:: else
			fi;
			fsm_step_wake(w); fail_and_done(w);
			printf("MSC: unit %d wait timed out: %d\n", w, dec)
		   }
		fi
	   :: dec == AER_PV_ACT_RESUME || dec == AER_PV_ACT_NATIVE ->
		/* [native reset,] slot_reset, resume; IN_DONE */
		d_step {
			detach(w);
			if
			:: dec == AER_PV_ACT_NATIVE -> native_reset(w)
			:: else
			fi;
			touch(w);
			fsm_step_done(w, true)
		};
		break
	   :: else -> break		/* FAIL, NONE: done with it */
	   od;
	   atomic { dec = 0; aseq = 0; afn = 0; vote = 0; gt = 0; GHOST_CD(gdet[w] = 0) }
	od
}

/* The virtio event work: pop a buffer (with the channel's faults),
 * lock, IN_EVENT, unlock, queue the units ACT_START names, wake */
proctype events()
{
	LOCALS;
	byte m, i;
end:
	do
	:: qn > 0 ->
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
			:: true
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
			:: m != 0 && !up -> printf("MSC: event after IN_DOWN\n")
			:: m != 0 && up ->
				e = M_MSG_SEQ(m);
				if
				:: M_MSG_TYPE(m) == VIRTIO_AER_PV_EVT_ERROR ->
					fsm_on_error(e);
					printf("MSC: EVT_ERROR %d: verdict %d\n", e, v)
				:: else ->
					fsm_on_reset(e, erst[e]);
					printf("MSC: EVT_RESET %d (%d): verdict %d\n",
					       e, erst[e], v)
				fi
			fi;
			v = 0; m = 0; e = 0
		}
	od
}

/* The host's side of an error: qmp_aer_pv_inject_error() */
inline host_error()
{
	e = nexterr;
	if
	:: f = 0
	:: e > 1 && topo != 0 -> f = 1
	fi;
	if
	:: esev[e] = VIRTIO_AER_PV_SEV_NONFATAL
#ifndef NONFATAL_ONLY
	:: esev[e] = VIRTIO_AER_PV_SEV_FATAL
#endif
#ifdef CORRECTABLE
	:: esev[e] = VIRTIO_AER_PV_SEV_CORRECTABLE
#endif
	fi;
	/* the host's reset: none, done before the notification, under way
	 * (ending DONE or FAILED with EVT_RESET), or failed up front */
	if
	:: eres[e] = VIRTIO_AER_PV_RESET_NONE
#ifndef NO_HOST_RESET
	:: esev[e] != VIRTIO_AER_PV_SEV_CORRECTABLE ->
		eres[e] = VIRTIO_AER_PV_RESET_DONE
#ifndef NONFATAL_HOST_RESET
	:: esev[e] == VIRTIO_AER_PV_SEV_FATAL ->
#else
	:: esev[e] != VIRTIO_AER_PV_SEV_CORRECTABLE ->
#endif
		if
		:: eres[e] = VIRTIO_AER_PV_RESET_PENDING;
		   eend[e] = VIRTIO_AER_PV_RESET_DONE
#ifndef HOST_WORKS
		:: eres[e] = VIRTIO_AER_PV_RESET_PENDING;
		   eend[e] = VIRTIO_AER_PV_RESET_FAILED
		:: eres[e] = VIRTIO_AER_PV_RESET_FAILED
#endif
		fi
#endif
	fi;
	/* request_outcome, for the functions of this error */
	if
	:: eres[e] == VIRTIO_AER_PV_RESET_NONE && can_request &&
	   esev[e] != VIRTIO_AER_PV_SEV_CORRECTABLE ->
		if
		:: eout[e] = VIRTIO_AER_PV_S_OK
#ifndef HOST_WORKS
		:: eout[e] = VIRTIO_AER_PV_S_FAILED
#endif
		:: eout[e] = VIRTIO_AER_PV_S_UNSUPPORTED
		fi
	:: else -> eout[e] = VIRTIO_AER_PV_S_OK	/* not asked */
	fi;
	/* a host reset names every function of the link; without one, the
	 * reporting function (or, NONE_NAMES_LINK, maybe all) */
	efns[e] = M_BIT(f);
	if
	:: hlink[1 - f] == hlink[f] && eres[e] != VIRTIO_AER_PV_RESET_NONE ->
		efns[e] = 3
#ifdef NONE_NAMES_LINK
	:: hlink[1 - f] == hlink[f] && eres[e] == VIRTIO_AER_PV_RESET_NONE ->
		if
		:: efns[e] = 3
		:: skip
		fi
#endif
	:: else
	fi;
	for (tf : 0 .. NF - 1) {
		if
		:: efns[e] & M_BIT(tf) ->
			/* the current error: a correctable one is not */
			if
			:: esev[e] != VIRTIO_AER_PV_SEV_CORRECTABLE -> hseq[tf] = e
			:: else
			fi;
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
	q[qn] = M_MSG(VIRTIO_AER_PV_EVT_ERROR, e); qn++;
	printf("MSC: host error %d on F%d (functions %d) sev %d reset %d (ends %d) request %d\n",
	       e, f, efns[e], esev[e], eres[e], eend[e], eout[e]);
	nexterr++
}

/* virtio_aer_pv_reset_end() for the host's own reset of error e */
inline host_reset_end(e)
{
	for (tf : 0 .. NF - 1) {
		if
		:: efns[e] & M_BIT(tf) -> infl_clear(tf, e)
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
		:: hlink[tf] == hlink[rqf[k]] -> infl_clear(tf, rqseq[k])
		:: else
		fi
	}
	tf = 0;
	printf("MSC: requested reset for error %d ends (failed %d)\n",
	       rqseq[k], rqfail[k]);
	if
	:: rqgone[k] -> free_request(k)	/* nobody waits: dropped */
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
	:: eend[1] != 0 -> d_step { host_reset_end(1) }
#if NERR >= 2
	:: eend[2] != 0 -> d_step { host_reset_end(2) }
#endif
#if NERR >= 3
	:: eend[3] != 0 -> d_step { host_reset_end(3) }
#endif
#if NERR >= 4
	:: eend[4] != 0 -> d_step { host_reset_end(4) }
#endif
	:: rqst[0] == M_RQ_BUSY -> d_step { host_request_end(0) }
	:: rqst[1] == M_RQ_BUSY -> d_step { host_request_end(1) }
#if NREQ > 2
	:: rqst[2] == M_RQ_BUSY -> d_step { host_request_end(2) }
#endif
#if NREQ > 3
	:: rqst[3] == M_RQ_BUSY -> d_step { host_request_end(3) }
#endif
#if NREQ > 4
	:: rqst[4] == M_RQ_BUSY -> d_step { host_request_end(4) }
#endif
	od
}

/* The channel goes away (unregister), or a function leaves the guest */
proctype env()
{
	byte f, u, sl, k, gk;
end:
	do
#ifdef DOWN
	:: !downed -> d_step {
		downed = true; fsm_on_down();
		printf("MSC: IN_DOWN\n")
	   }
#endif
#ifdef GONE
	:: !gone_done -> atomic {
		gone_done = true;
		if
		:: f = 0
		:: f = 1
		fi;
		fsm_on_fn_gone(f);
		fgone[f] = true;
		/* (c,d): its errors end with it */
		GHOST_CD(ended = ended | (acc & M_FMASK(f)));
		printf("MSC: IN_FN_GONE F%d\n", f);
		f = 0
	   }
#endif
	:: false
	od
}

#ifdef CHECK_D
/* (d) in every final state: every error taken in has ended */
active proctype final_check()
{
	timeout -> assert((acc & ~ended) == 0)
}
#endif

init
{
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
		fsl[0] = M_NONE; fsl[1] = M_NONE;
		fslot[0] = M_NONE; fslot[1] = M_NONE;
		utag[0] = M_NONE; utag[1] = M_NONE;
		run host();
		run events();
		run worker(0);
		if
		:: topo != 1 -> run worker(1)
		:: else
		fi;
#if defined(DOWN) || defined(GONE)
		run env()
#else
		skip
#endif
	}
}
