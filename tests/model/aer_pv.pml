/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * aer_pv.pml - Promela model of the aer-pv recovery (guest core v3, issue
 * 20) AS IMPLEMENTED, for the SPIN model checker.  scripts/verify.sh runs
 * it; tests/model/drift.py checks that its constants (the #defines below
 * with VIRTIO_AER_PV_ and AER_PV_ names) have the values of
 * include/uapi/linux/virtio_aer_pv.h, drivers/pci/pcie/aer_pv/fsm.h and
 * protocol.h, which are the only source of truth.  Model-only names start
 * with M_.  Transcribed from fsm.c, and kept in step with it.
 *
 * What is modelled, and from where
 * --------------------------------
 *  core     drivers/pci/pcie/aer_pv/fsm.c, one inline per function, same
 *           name with fsm_ for aer_pv_ (fsm_take_fn, fsm_new_reset,
 *           fsm_newest, fsm_prune, fsm_fold, fsm_err_frozen, fsm_start,
 *           fsm_on_error, fsm_on_reset, fsm_fail, fsm_decide,
 *           fsm_on_response, fsm_on_done, fsm_on_fn_gone, fsm_on_down,
 *           fsm_gc_resets, fsm_answer, and aer_pv_evict_fn() and
 *           aer_pv_need() inside fsm_take_fn and fsm_on_error),
 *           aer_pv_step() for IN_RESET_STEP, IN_WAKE and IN_RESPONSE as
 *           fsm_step, for IN_DONE as fsm_step_done, and IN_RESPONSE with
 *           AER_PV_NO_REC (the channel's answer work) as fsm_orphan.  Its
 *           tables as fsm.h has them: TABLE function slots
 *           (aer_pv_first_fn() picks the lowest), recovery units (state,
 *           frozen, why, kind, req_seq, native_seq, fns, deadline, cur and
 *           next, each with untracked and untracked_fn), one reset object
 *           per host error (state, req, host, fns, shared, done, req_kind,
 *           refused, kinds, need, native, req_fn).
 *  glue     channel.c and recovery.c.  proctype events() is the event
 *           work with aer_pv_channel_event(): IN_EVENT (the bridges are
 *           the topology's), then queue_work() for every unit in
 *           ACT_START (go[]).  proctype worker(w) is aer_pv_unit_work()
 *           of unit w: pcie_do_recovery() of its bridge (no function
 *           left: none, IN_DONE(false)); error_detected; a frozen channel,
 *           or a driver voting NEED_RESET, gets the reset step,
 *           aer_pv_reset_step(): IN_RESET_STEP, then while WAIT or
 *           REQUEST aer_pv_send() (a request that cannot leave:
 *           IN_RESPONSE(unsent)) and aer_pv_wait() (the answer:
 *           IN_RESPONSE; a change (gen) or the deadline: IN_WAKE);
 *           RESUME or NATIVE (aer_pv_native_reset() of the bridge):
 *           slot_reset, resume; FAIL: perm_failure; aer_pv_detach() of
 *           a request still out, whose answer, come or to come, the
 *           channel's answer work (in proctype events()) takes in.  Then IN_DONE, which may START the
 *           pending recovery in the same work.  Every aer_pv_step() is
 *           one d_step: the glue serialises them with ch->lock.
 *           proctype env() is the bus notifier (IN_FN_GONE: a function
 *           leaves the guest) and aer_pv_channel_unregister() (IN_DOWN;
 *           no event after it, a request no longer leaves, every wait
 *           is woken).
 *  host     qemu/hw/virtio/virtio-aer-pv.c.  proctype host(): an error
 *           (severity; the host's reset NONE, DONE before the
 *           notification, PENDING ending DONE or FAILED with EVT_RESET,
 *           or FAILED up front; the outcome of a reset request), the end
 *           of a host reset, the end of a requested reset.
 *           host_request_reset() is virtio_aer_pv_request_reset():
 *           STALE when seq is not the function's current error (the
 *           newest uncorrectable one), UNSUPPORTED (it cannot, or not
 *           that kind: with -DKINDS each error offers any set of kinds,
 *           VIRTIO_AER_PV_EVF_RESET_*, and the guest may or may not have
 *           negotiated VIRTIO_AER_PV_F_RESET_KINDS), or the reset asked
 *           for (a link reset reaches the function's host link, a
 *           function reset every function the error names) that answers
 *           OK or FAILED when it ends, possibly after the guest stopped
 *           waiting (a host slower than the guest's bound, or one that
 *           never answers).  QEMU sends no
 *           emulated AER message for a managed function while the
 *           driver is live: there is none here.
 *  channel  the event queue, host to guest: q[] in proctype events().
 *           Up to FAULTS faults in all: a message taken out of order
 *           (reorder), delivered and queued again (duplicate), or lost.
 *           Answers to requests come on their own buffers, without
 *           faults.
 *
 * Abstractions, and why they are sound for the properties
 * -------------------------------------------------------
 *  - Two functions F0, F1, two guest bridges at most; NERR errors
 *    (default 2, at most 4), seq 1..NERR; seq numbers do not wrap, so
 *    aer_pv_seq_after(a, b) is a > b (KUnit covers the wrap).  The first
 *    error is on F0: F0 and F1 are symmetric in every topology (slots
 *    are taken in the order functions appear).
 *  - A unit's index is its bridge's (aer_pv_find_rec() or the first free
 *    record: a renaming).  The reset object of error e is slot e
 *    (aer_pv_new_reset() takes any free slot).  The function table has
 *    TABLE slots (core->nr_fns, what the host declared with
 *    VIRTIO_AER_PV_F_MAX_FUNCS; default 2): with -DTABLE=1 a host that
 *    names both functions breaks its word, aer_pv_evict_fn() and
 *    functions beyond the table (untracked, WHY_UNTRACKED) are reached.
 *    There are units for every bridge, so AER_PV_DROP_TABLE_FULL is
 *    not; with at most 4 errors no_room and WHY_NO_ROOM are not, nor
 *    are the 16 request tags all taken (an assertion checks NREQ);
 *    KUnit covers those.
 *  - Time: a unit's deadline is UNSET, RUNNING (IN_RESET_STEP) or
 *    EXPIRED.  A wait may run out at any moment: the host may be slower
 *    than the guest's bound, or never answer.  With -DHOST_WORKS the host
 *    is prompt and always answers instead: a wait runs out only when
 *    IN_WAKE would go on waiting and nothing is owed to the guest
 *    (M_HOST_IDLE: no event queued, no host reset under way, no request
 *    decided, sent or answered and not taken in), i.e. only when the
 *    guest waits for something that will not come.
 *  - Wake-ups: the glue bumps ch->gen and wakes every waiter after each
 *    change (an event, an answer, a function gone, unregister, a unit's
 *    work ending), and a wait compares against the gen of its decision.
 *    A waiter here blocks while IN_WAKE would answer WAIT and change
 *    nothing but WAIT_HOST <-> WAIT_REQ (M_QUIET_WAIT); that covers every
 *    wake-up, spurious or not, since the wait may also end by time.
 *  - Answers that do not decode or do not echo the seq are not modelled
 *    (protocol.c; KUnit): IN_RESPONSE(NULL), WHY_NO_RESPONSE, is not
 *    reached.  The host answers a request with the kind asked for.
 *  - Steps merged where nothing observable can happen in between: what
 *    the glue does between two locked sections (start its work and
 *    error_detected, end a wait and take an answer, send a request)
 *    with the aer_pv_step() that follows; a FAIL (or a work with no
 *    function left) with perm_failure and IN_DONE; a normal channel's
 *    CAN_RECOVER (mmio_enabled, resume) with the start of the work and
 *    IN_DONE; slot_reset and resume (after the native reset for NATIVE)
 *    with IN_DONE, in a step of their own after the decision.  A touch
 *    is checked at the instant of that step; IN_DONE only moves the
 *    unit's own pending recovery, which commutes with the others.
 *  - Driver answers: frozen (rec->frozen), the reset step comes first,
 *    whatever the vote: modelled as NEED_RESET.  Normal: CAN_RECOVER
 *    (mmio_enabled, resume, no reset step) or NEED_RESET (the reset step
 *    of the v6.18 backport, then slot_reset, resume); CAN_RECOVER then
 *    NEED_RESET from mmio_enabled only adds a touch at the instant the
 *    CAN_RECOVER branch already checks.  Native resets succeed.
 *  - Reset kinds: a function below a bridge needs a link reset
 *    (VIRTIO_AER_PV_RESET_KIND_LINK); in topology 4, F0 is an RCiEP, its
 *    own bridge, and needs a function reset.  The host's own reset is a
 *    link reset.  A host link reset (own or requested) reaches every
 *    function of the host link (hlink[]), a requested function reset
 *    every function the error names, a native reset the functions below
 *    the guest bridge.
 *  - Not modelled: malformed events (protocol.c drops them before the
 *    core), statistics, logging, REQ_PHASE (informational), a function
 *    coming back after its removal, DEVICE_NEEDS_RESET (an unregister and
 *    a new channel), the outcome the glue reports for a recovery whose
 *    reset step failed (act->recovered: KUnit and the fuzzer), an answer
 *    that does not decode (IN_RESPONSE(NULL): KUnit), the native AER
 *    path's own recoveries (the Root Port's AER interrupt is masked while
 *    a unit recovers: e2e aer_message_channel_race).
 *  - Ghost variables (rc, infl, gcur, gnext, gdet, acc, ended) exist only
 *    in the searches of the properties that read them.
 *
 * Properties: compile with one or more of (scripts/verify.sh checks
 * (c) alone and the others of a configuration in one search)
 * ----------
 *  -DCHECK_A (a) assertion in count_reset(): per host error and
 *      function, at most one reset reaches the device: the host's own
 *      reset, a reset the guest requested for that error (a link reset
 *      counts for every function of the link: "per link"), or a native
 *      reset of a unit's bridge for that error (act->seq: the newest of
 *      the unit, which the decision is for); and a native reset only
 *      when the host cannot reset (no VIRTIO_AER_PV_F_RESET_REQUEST, or
 *      UNSUPPORTED for that error).
 *  -DCHECK_B (b) assertion in touch(): no mmio_enabled, slot_reset or
 *      resume starts on a function below the unit's bridge while a host
 *      reset (the host's own, or a requested one) of an error that the
 *      running recovery holds is in flight at the host.  The recovery's
 *      errors are those folded into its cur: the one that started it, or
 *      those folded into the pending recovery it started from.  (Errors
 *      that arrive after its start are the next recovery's: their host
 *      reset may begin under a running mmio_enabled, which no guest can
 *      prevent.)
 *  -DCHECK_C (c) LTL, checked with pan -a -f (weak fairness): every error
 *      the guest took in for a function ends, by the IN_DONE of a
 *      recovery that holds it, ran error_detected for it and has the
 *      function, or by the function's removal:
 *      [] (unfinished -> <> !unfinished).
 *  -DCHECK_D (d) assertions: an error taken in for a function whose unit
 *      is busy is folded into the pending recovery; after every IN_DONE
 *      each open error of the unit's functions is held by the recovery
 *      that starts; in every final state every error has ended (proctype
 *      final_check, on `timeout').
 *  -DCHECK_E (e) assertions: a reset request names the host's current
 *      error of the function it names, or an older one (STALE: the newer
 *      error is on its way, the guest folds it and asks again); with
 *      -DHOST_WORKS (no failed or unanswered reset, no channel fault, no
 *      removal, a prompt host) no recovery ends in perm_failure.
 *  -DCHECK_F (f) assertion in check_kind(): a unit goes on past its reset
 *      step (RESUME) only on a reset that the host completed of a kind
 *      that covers what the unit needs (a link reset covers a function),
 *      or on its own native reset.  (a) counts resets per kind: two units
 *      of one error that need different kinds may each get theirs.
 *  -DCHECK_G (g) assertions (proctype final_check, on `timeout'): every
 *      function an uncorrectable error names, tracked in the function
 *      table or not, has had error_detected and the end of that error's
 *      recovery (resume or perm_failure), or left the guest.
 *
 * Configurations (scripts/verify.sh; -D knobs, defaults in brackets)
 * --------------
 *  TOPO [3]   0: two devices, each on its own host link and Root Port
 *             (both errors on F0); 1: one two-function device under one
 *             Root Port (one unit walks both functions); 2: the same
 *             device with a Root Port per function (two units share one
 *             host reset); 3: any of them; 4: F0 an RCiEP and F1 below a
 *             Root Port, on one host link.
 *  KINDS (the host offers any set of reset kinds per error, and the
 *  guest may negotiate VIRTIO_AER_PV_F_RESET_KINDS), TABLE [2] (the
 *  function table: 1 for a host that names more than it declared),
 *  NERR [2] errors (at most 4), FAULTS [1] channel faults,
 *  NO_HOST_RESET (no error has a host reset), NO_CAN_REQUEST [the host
 *  may or may not offer VIRTIO_AER_PV_F_RESET_REQUEST],
 *  NONFATAL_HOST_RESET (a non-fatal error may have every host reset
 *  timing; default NONE or DONE), NONFATAL_ONLY, CORRECTABLE (correctable errors too),
 *  HOST_WORKS (see Time; needs FAULTS=0), DOWN (the channel may go away
 *  once), GONE (one function may leave the guest once).
 *  The configurations verify.sh runs are listed there; make verify logs
 *  each search's states, time and memory.
 *
 * Findings, and what fixed them
 * -----------------------------
 *  fsm.c as of 7159eda violated (a) and (b); the trails below are the
 *  shortest pan found (pan -i).  Findings 1 to 3 are a helper session's;
 *  4 showed once 1 and 2 were fixed.  "No host reset": an error event with
 *  reset NONE.  Each has a KUnit case (aer_pv_fsm_test.c, named here).
 *
 *  1. A reset request the host got was forgotten when the guest gave up
 *     on it, while the host could still be doing it.
 *     (i) one-device: error 1 (fatal, no host reset) on F0 starts the
 *     unit; error 2 (non-fatal, no host reset) on F0 folds into its
 *     pending recovery.  The reset step of 1 asks for 2, the newest; the
 *     host's link reset is slower than the guest's deadline.  IN_WAKE:
 *     TIMEOUT, and aer_pv_fail() marked reset 2 answered and FAILED.  The
 *     recovery of 2 then ran normal (only r->host made it frozen): its
 *     drivers voted CAN_RECOVER, and mmio_enabled and resume reached F0
 *     while the host reset it (b).
 *     (ii) function-gone: F0 and F1 below one Root Port; error 1 on F0
 *     runs, error 2 on F1 waits; the reset step of 1 asks for 2 naming
 *     F1; F0 leaves the guest, the unit fails (LOST) and aer_pv_fail()
 *     opened reset 2 again, so the recovery of 2 asked for it a second
 *     time, during the first (a, b).
 *     Fix: aer_pv_fail() opens a request again only when it never left
 *     (WHY_NOT_SENT); one the host got stays in flight and every unit
 *     that depends on it waits for it to its own deadline; and
 *     aer_pv_err_frozen() is true for a reset asked for (req SENT or
 *     ANSWERED).  KUnit: request_given_up_stays_in_flight,
 *     pending_error_of_given_up_request_waits,
 *     request_of_lost_recovery_is_not_asked_again.
 *  2. The units of one error voted independently
 *     (pending-misses-group-reset).  Error 1 (non-fatal, no host reset)
 *     names F0 and F1, each below its own Root Port: both units ran
 *     normal, F1's drivers voted NEED_RESET and its unit asked for a link
 *     reset, F0's voted CAN_RECOVER and mmio_enabled and resume reached
 *     F0 during that reset (b).  Fix: a reset object whose error names
 *     functions of more than one unit (shared, set in aer_pv_on_error())
 *     makes aer_pv_err_frozen() true, so that every unit of it reaches
 *     its reset step, where they share the one request.  KUnit:
 *     shared_nonfatal_error_runs_frozen.
 *  3. A host that named in an error fewer functions than a requested
 *     link reset reaches (pending-misses-group-reset): error 1 names F0
 *     and F1 (two units), error 2 on the same link names F1 only; F1's
 *     unit decided on 2 (say NATIVE) while F0's asked for 1, a link reset
 *     of F0 and F1 during F1's native reset and resume (b).  Not a guest
 *     defect: the device must name every function a reset of the link
 *     reaches, whether it resets the link itself or the driver may ask
 *     it to (the spec, "Device Requirements: Events").  The host here
 *     follows that rule, and the -DNONE_NAMES_LINK knob that let it name
 *     fewer is gone.
 *  4. A settled reset of an older error was taken to cover a newer one
 *     (two-functions with 3 errors, found with fixes 1 and 2 in).  Error
 *     1 (fatal, no host reset) names F0 and F1 (two units); error 2 (host
 *     reset DONE) folds into both; error 3 (fatal, no host reset) starts
 *     F0's unit and folds into F1's pending recovery, which then holds 2
 *     and 3.  Its reset step resumed on reset 2, the newest settled,
 *     while F0's unit asked for a link reset for 3: F1 touched during it
 *     (b).  A reset covers the errors reported before it only.  Fix:
 *     aer_pv_decide() lets the newest settled reset decide only when it
 *     is not older than the newest running error; otherwise the unit
 *     waits for, or asks for, the newest error's reset.  KUnit:
 *     older_reset_does_not_cover_newer_error.
 *
 *  5. Reset kinds (issue 20, found once F_RESET_KINDS was in the model,
 *     reset-kinds configuration, (b)).  Error 1 (fatal, no host reset)
 *     names F0, an RCiEP, and F1, below a Root Port, on one host link;
 *     the host can do only a function reset.  F1's unit reset its link
 *     natively (no link reset offered) while F0's unit asked the host
 *     for the function reset, which the host does for every function the
 *     error names: F1 was reset by the host during its own recovery.
 *     With both kinds offered: F0's unit resumed on its function reset,
 *     then F1's asked for the link reset it needed, which reached F0
 *     during its resume.  Fix: a request for an error is for the kind
 *     that covers every unit it names (aer_pv_need(): a link reset if
 *     any needs one), a unit is covered only by a reset of that kind,
 *     and once a unit of an error reset natively, no unit asks the host
 *     for it (reset->native).  KUnit:
 *     request_covers_every_unit_of_the_error,
 *     native_reset_keeps_the_host_off_the_others.
 *
 *  Found on the working tree before 7159eda and fixed by it (the
 *  configuration that checks each now passes): the native reset done
 *  twice for one error by a unit and its pending recovery (a,
 *  one-device); STALE for one function of a shared error stranding the
 *  other unit until its deadline (e, shared-error-stale); a request
 *  naming aer_pv_first_fn() of the set, a function its error did not
 *  name, answered STALE for an older error (e,
 *  shared-root-port-three-errors); aer_pv_take_fn() clearing a busy unit
 *  whose functions had all left, so that a second recovery of the bridge
 *  ran beside the first (a, b, c, d, function-gone); IN_DOWN dropping the
 *  pending errors without error_detected nor perm_failure (c, d,
 *  channel-down); QEMU making a correctable error the current one, so
 *  that a request was answered STALE and the unit waited for an error
 *  that never folds (e, correctable-stale).
 */

/* ---- protocol constants: include/uapi/linux/virtio_aer_pv.h ---- */
#define VIRTIO_AER_PV_F_RESET_REQUEST		0
#define VIRTIO_AER_PV_F_RESET_KINDS		1
#define VIRTIO_AER_PV_F_MAX_FUNCS		2
#define VIRTIO_AER_PV_EVF_RESET_LINK		1
#define VIRTIO_AER_PV_EVF_RESET_FUNCTION	2
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
#define AER_PV_WHY_UNTRACKED	7
#define AER_PV_NR_WHYS		8

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
#ifndef TABLE
#define TABLE		NF		/* core->nr_fns: what the host declared */
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

/* aer_pv_kind_flag() and aer_pv_covering() of a reset kind */
#define M_KF(kind)	((kind) == VIRTIO_AER_PV_RESET_KIND_FUNCTION -> \
			 VIRTIO_AER_PV_EVF_RESET_FUNCTION : \
			 VIRTIO_AER_PV_EVF_RESET_LINK)
#define M_COVERING(kind) ((kind) == VIRTIO_AER_PV_RESET_KIND_FUNCTION -> \
			 (VIRTIO_AER_PV_EVF_RESET_LINK | \
			  VIRTIO_AER_PV_EVF_RESET_FUNCTION) : \
			 VIRTIO_AER_PV_EVF_RESET_LINK)

/* aer_pv_may_request(): the host may still be asked for a reset of
 * kind kd for reset k */
#define M_MAY_REQ(k, kd) (can_request && !rnative[k] && \
			  (rkinds[k] & M_KF(kd)) && !(rrefused[k] & M_KF(kd)))

/* aer_pv_kind_for(): the kind unit u asks for, or is covered by, for
 * reset k: its own, or that of every unit of the error while the host
 * may still be asked for it */
#define M_KIND_FOR(u, k) ((ukind[u] == VIRTIO_AER_PV_RESET_KIND_LINK || \
			   (rneed[k] == VIRTIO_AER_PV_RESET_KIND_LINK && \
			    M_MAY_REQ(k, VIRTIO_AER_PV_RESET_KIND_LINK))) -> \
			  VIRTIO_AER_PV_RESET_KIND_LINK : ukind[u])

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
byte ukind[NU];			/* kind: the reset its bridge needs */
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
bool cunt[NU];			/* cur.untracked */
byte cuntf[NU];			/* cur.untracked_fn */
bool nunt[NU];			/* next.untracked */
byte nuntf[NU];			/* next.untracked_fn */
/* struct aer_pv_reset, slot = seq; free while !rv */
bool rv[MAXE];
byte rst[MAXE];			/* state */
byte rreq[MAXE];		/* req */
bool rhost[MAXE];		/* host */
byte rfns[MAXE];		/* fns: BIT(slot) */
bool rshared[MAXE];		/* shared: the error names several units */
byte rdone[MAXE];		/* done: VIRTIO_AER_PV_EVF_RESET_* */
byte rreqkind[MAXE];		/* req_kind */
byte rrefused[MAXE];		/* refused: VIRTIO_AER_PV_EVF_RESET_* */
byte rkinds[MAXE];		/* kinds: the host can do */
byte rreqfn[MAXE];		/* req_fn */
bool rnative[MAXE];		/* native: a unit reset natively for it */
byte rneed[MAXE];		/* need: the kind that covers all its units */
byte last_seq;
bool up = true;
bool can_request;
bool reset_kinds;		/* VIRTIO_AER_PV_F_RESET_KINDS negotiated */

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
byte ekinds[MAXE];		/* VIRTIO_AER_PV_EVF_RESET_*: the kinds of
				 * reset the host does for it if asked */
byte erst[MAXE];		/* EVT_RESET payload once sent */
byte hseq[NF];			/* AerPvFunc.seq: current error */
byte rqst[NREQ];		/* a request's buffer, by tag */
byte rqseq[NREQ];
byte rqf[NREQ];
byte rqkind[NREQ];
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
byte rc[MAXE * NF * 2];		/* (a) resets per (error, function, kind) */
byte infl[NF];			/* (b) errors whose host reset is in flight */
byte gcur[NU];			/* (b,c,d) errors the running recovery holds */
byte gnext[NU];			/* (b,c,d) errors folded into the pending one */
byte gdet[NU];			/* (c,d) errors whose error_detected ran in
				 * the unit's running work */
byte acc;			/* (c,d) errors taken in, M_GB(e, f) */
byte gdone[MAXE];		/* (f) kinds of reset the host completed for
				 * error e, VIRTIO_AER_PV_EVF_RESET_* */
byte gnamed;			/* (g) uncorrectable errors the guest took
				 * in, per function named, M_GB(e, f) */
byte gended;			/* (g) those that ended */
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

#if defined(CHECK_B) || defined(CHECK_C) || defined(CHECK_D) || \
    defined(CHECK_G)
#define GHOST_BCD(x)	x
#else
#define GHOST_BCD(x)	skip
#endif
#if defined(CHECK_C) || defined(CHECK_D) || defined(CHECK_G)
#define GHOST_CD(x)	x
#else
#define GHOST_CD(x)	skip
#endif
#if defined(CHECK_G)
#define GHOST_G(x)	x
#else
#define GHOST_G(x)	skip
#endif

/*
 * (a): a reset of kind kd of function f for error e reaches the device.
 * Two units of one error that need different kinds (an RCiEP's function
 * reset, a Root Port's link reset) each get theirs: one per kind.
 */
inline count_reset(e, f, kd)
{
	printf("MSC: reset of F%d for error %d, kind %d\n", f, e, kd);
#ifdef CHECK_A
	rc[((e) * NF + (f)) * 2 + ((kd) == VIRTIO_AER_PV_RESET_KIND_FUNCTION)]++;
	assert(rc[((e) * NF + (f)) * 2 +
		  ((kd) == VIRTIO_AER_PV_RESET_KIND_FUNCTION)] <= 1)
#else
	skip
#endif
}

/*
 * (f): unit u goes on past its reset step on the reset of error e
 * (act->seq of RESUME): the host did a reset of a kind that covers what
 * the unit needs, or the unit's own native reset covered it
 */
inline check_kind(u, e)
{
#ifdef CHECK_F
	assert((e) == unat[u] || (gdone[e] & M_COVERING(ukind[u])))
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
 * error_detected ran, ends for every function in it; (g): for every
 * function below the unit's bridge that it named, tracked or not */
inline ghost_end(u)
{
#ifdef CHECK_G
	for (ge : 1 .. NERR) {
		if
		:: gcur[u] & gdet[u] & M_BIT(ge) ->
			for (gi : 0 .. NF - 1) {
				if
				:: bridge[gi] == (u) &&
				   ((fslot[gi] != M_NONE && (cfns[u] & M_BIT(fslot[gi]))) ||
				    (cunt[u] && cuntf[u] == gi)) ->
					gended = gended | (gnamed & M_GB(ge, gi))
				:: else
				fi
			}
		:: else
		fi
	}
	ge = 0; gi = 0;
#endif
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
			rshared[k] = false; rdone[k] = 0; rreqkind[k] = 0;
			rrefused[k] = 0; rkinds[k] = 0; rreqfn[k] = 0;
			rnative[k] = false; rneed[k] = 0;
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
	rhost[e] = (eres[e] != VIRTIO_AER_PV_RESET_NONE); rfns[e] = (fns);
	/* the host's own reset is a link reset here */
	rdone[e] = (eres[e] == VIRTIO_AER_PV_RESET_DONE ->
		    VIRTIO_AER_PV_EVF_RESET_LINK : 0);
	rrefused[e] = 0;
	/* a host that does not say may do any: it answers UNSUPPORTED */
	rkinds[e] = (reset_kinds -> ekinds[e] :
		     VIRTIO_AER_PV_EVF_RESET_LINK | VIRTIO_AER_PV_EVF_RESET_FUNCTION)
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

/* aer_pv_fold() into cur (c) or next (!c) of unit u; ut: a function
 * beyond the table, M_NONE for none */
inline fsm_fold(u, c, e, fns, ut)
{
	if
	:: c ->
		cseq[u] = M_MAX(cseq[u], e); csev[u] = M_MAX(csev[u], esev[e]);
		cfns[u] = cfns[u] | (fns); cres[u] = cres[u] | M_BIT(e);
		if
		:: (ut) != M_NONE -> cunt[u] = true; cuntf[u] = (ut)
		:: else
		fi;
		fsm_prune(cres[u]);
		GHOST_BCD(gcur[u] = gcur[u] | M_BIT(e))
	:: else ->
		nseq[u] = M_MAX(nseq[u], e); nsev[u] = M_MAX(nsev[u], esev[e]);
		nfns[u] = nfns[u] | (fns); nres[u] = nres[u] | M_BIT(e);
		if
		:: (ut) != M_NONE -> nunt[u] = true; nuntf[u] = (ut)
		:: else
		fi;
		fsm_prune(nres[u]);
		GHOST_BCD(gnext[u] = gnext[u] | M_BIT(e))
	fi
}

/* aer_pv_err_frozen() of cur, in fz */
inline fsm_err_frozen(u)
{
	fz = (csev[u] == VIRTIO_AER_PV_SEV_FATAL || cunt[u]);
	for (k : 1 .. NERR) {
		if
		:: (cres[u] & M_BIT(k)) && rhost[k] -> fz = true
		/* an error shared with another unit */
		:: (cres[u] & M_BIT(k)) && rshared[k] -> fz = true
		/* a reset was requested: the host reset, or may have */
		:: (cres[u] & M_BIT(k)) && (rreq[k] == AER_PV_REQ_SENT ||
					    rreq[k] == AER_PV_REQ_ANSWERED) -> fz = true
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
	unat[u] = 0; ufns[u] = 0; udl[u] = M_DL_UNSET;
	cseq[u] = 0; csev[u] = 0; cfns[u] = 0; cres[u] = 0;
	nseq[u] = 0; nsev[u] = 0; nfns[u] = 0; nres[u] = 0;
	cunt[u] = false; cuntf[u] = 0; nunt[u] = false; nuntf[u] = 0;
	GHOST_BCD(gcur[u] = 0; gnext[u] = 0)
}

/*
 * aer_pv_take_fn(): the slot of function f (sl), a new one if needed in
 * the TABLE slots the host declared; in a full table, aer_pv_evict_fn()
 * forgets a function whose unit is idle and that the event does not name
 * (keep: its slots); none: sl = M_NONE, the function is not tracked.  Its
 * unit is bridge[f]'s: found while not free, else a free record, cleared.
 */
inline fsm_take_fn(f, keep)
{
	sl = fslot[f];
	if
	:: sl == M_NONE ->
		if
		:: fsl[0] == M_NONE -> sl = 0
		:: fsl[0] != M_NONE && TABLE > 1 && fsl[1] == M_NONE -> sl = 1
		:: else ->
			for (gi : 0 .. TABLE - 1) {
				if
				:: sl == M_NONE && fsl[gi] != M_NONE &&
				   ust[bridge[fsl[gi]]] == AER_PV_IDLE &&
				   !((keep) & M_BIT(gi)) ->
					/* aer_pv_evict_fn() */
					sl = gi;
					ufns[bridge[fsl[gi]]] =
						ufns[bridge[fsl[gi]]] & ~M_BIT(gi);
					for (k : 1 .. NERR) {
						rfns[k] = rfns[k] & ~M_BIT(gi)
					}
					k = 0;
					printf("MSC: F%d forgotten for F%d\n", fsl[gi], f);
					fslot[fsl[gi]] = M_NONE; fsl[gi] = M_NONE
				:: else
				fi
			}
			gi = 0
		fi;
		if
		:: sl != M_NONE ->
			if
			:: ufns[bridge[f]] == 0 && ust[bridge[f]] == AER_PV_IDLE ->
				fsm_clear_rec(bridge[f])
			:: else
			fi;
			fsl[sl] = f; fslot[f] = sl;
			ufns[bridge[f]] = ufns[bridge[f]] | M_BIT(sl)
		:: else ->
			/* the unit holds no function of its own yet: one that
			 * is free is cleared for it */
			if
			:: ufns[bridge[f]] == 0 && ust[bridge[f]] == AER_PV_IDLE &&
			   !(ut0 != M_NONE && bridge[f] == 0) &&
			   !(ut1 != M_NONE && bridge[f] == 1) ->
				fsm_clear_rec(bridge[f])
			:: else
			fi
		fi
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
		by0 = 0; by1 = 0; ut0 = M_NONE; ut1 = M_NONE;
		for (f : 0 .. NF - 1) {
			if
			:: (efns[e] & M_BIT(f)) && !fgone[f] ->
				/* bridges[i] is not AER_PV_NO_BRIDGE */
				fsm_take_fn(f, by0 | by1);
				if
				:: sl == M_NONE && bridge[f] == 0 -> ut0 = f
				:: sl == M_NONE && bridge[f] == 1 -> ut1 = f
				:: sl != M_NONE && bridge[f] == 0 -> by0 = by0 | M_BIT(sl)
				:: sl != M_NONE && bridge[f] == 1 -> by1 = by1 | M_BIT(sl)
				fi;
				sl = 0
			:: else
			fi
		}
		f = 0;
		if
		:: by0 | by1 || ut0 != M_NONE || ut1 != M_NONE ->
			v = AER_PV_OK;
			last_seq = e;
			if
			:: esev[e] == VIRTIO_AER_PV_SEV_CORRECTABLE -> skip
			:: else ->
				fsm_new_reset(e, by0 | by1);
				rshared[e] = ((by0 != 0 || ut0 != M_NONE) &&
					      (by1 != 0 || ut1 != M_NONE));
				/* aer_pv_need() */
				rneed[e] = (((by0 != 0 || ut0 != M_NONE) &&
					     ukind[0] == VIRTIO_AER_PV_RESET_KIND_LINK) ||
					    ((by1 != 0 || ut1 != M_NONE) &&
					     ukind[1] == VIRTIO_AER_PV_RESET_KIND_LINK) ->
					    VIRTIO_AER_PV_RESET_KIND_LINK :
					    VIRTIO_AER_PV_RESET_KIND_FUNCTION);
				for (u : 0 .. NU - 1) {
					fns = (u == 0 -> by0 : by1);
					gt = (u == 0 -> ut0 : ut1);
					if
					:: fns == 0 && gt == M_NONE
					:: (fns != 0 || gt != M_NONE) &&
					   ust[u] == AER_PV_IDLE ->
						cseq[u] = 0; csev[u] = 0; cfns[u] = 0;
						cres[u] = 0; GHOST_BCD(gcur[u] = 0);
						fsm_fold(u, true, e, fns, gt);
						fsm_start(u)
					:: (fns != 0 || gt != M_NONE) &&
					   ust[u] != AER_PV_IDLE ->
						fsm_fold(u, false, e, fns, gt);
#ifdef CHECK_D
						/* (d): kept as the pending error */
						assert(nseq[u] == e && (gnext[u] & M_BIT(e)))
#else
						skip
#endif
					fi
				}
				u = 0; fns = 0; gt = 0;
				/* (c,d): taken in for every function named */
				for (gi : 0 .. NF - 1) {
					if
					:: (by0 | by1) & M_BIT(gi) ->
						GHOST_CD(acc = acc | M_GB(e, fsl[gi]))
					:: else
					fi
				}
				gi = 0;
				/* (g): every function named */
				for (gi : 0 .. NF - 1) {
					if
					:: (efns[e] & M_BIT(gi)) && !fgone[gi] ->
						GHOST_G(gnamed = gnamed | M_GB(e, gi))
					:: else
					fi
				}
				gi = 0;
				fsm_gc_resets()
			fi
		:: else
		fi;
		by0 = 0; by1 = 0; ut0 = 0; ut1 = 0
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
	:: else ->
		rst[e] = (nw); v = AER_PV_OK;
		if
		:: (nw) == VIRTIO_AER_PV_RESET_DONE ->
			rdone[e] = rdone[e] | VIRTIO_AER_PV_EVF_RESET_LINK
		:: else
		fi
	fi
}

/*
 * aer_pv_fail(): a request of the unit the host got stays in flight until
 * its answer, whoever depends on it waits to its own deadline
 */
inline fsm_fail(u, why)
{
	ureq[u] = 0;
	if
	:: uwhy[u] == AER_PV_WHY_NONE -> uwhy[u] = (why)
	:: else
	fi;
	ust[u] = AER_PV_RESUMING;
	dec = AER_PV_ACT_FAIL
}

/*
 * aer_pv_decide(): the action in dec, its seq in aseq, the function a
 * request names in afn; a failure's reason in fw, for the caller's
 * aer_pv_fail(); gt (model only) the reset a request or native reset is
 * for
 */
inline fsm_decide(u)
{
	aseq = cseq[u];
	set = cres[u] | nres[u];
	if
	:: uwhy[u] != AER_PV_WHY_NONE -> fw = uwhy[u]
	:: uwhy[u] == AER_PV_WHY_NONE && cunt[u] -> fw = AER_PV_WHY_UNTRACKED
	:: uwhy[u] == AER_PV_WHY_NONE && !cunt[u] && (!up || cfns[u] == 0) ->
		fw = AER_PV_WHY_LOST
	:: uwhy[u] == AER_PV_WHY_NONE && !cunt[u] && up && cfns[u] != 0 ->
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
		:: n == 0 -> fw = AER_PV_WHY_NO_ROOM
		:: n != 0 && (fl || rreq[n] == AER_PV_REQ_STALE) ->
			/* wait for every reset in flight; a STALE answer:
			 * the newer error is on its way, wait for it too */
			if
			:: udl[u] != M_DL_RUNNING ->	/* now >= deadline */
				fw = AER_PV_WHY_TIMEOUT
			:: else ->
				ust[u] = (rq -> AER_PV_WAIT_REQ : AER_PV_WAIT_HOST);
				dec = AER_PV_ACT_WAIT
			fi
		:: n != 0 && !fl && rreq[n] != AER_PV_REQ_STALE ->
			/* nc: the newest running error; a reset covers the
			 * errors reported before it */
			nc = 0;
			for (k : 1 .. NERR) {
				if
				:: cres[u] & M_BIT(k) -> nc = k
				:: else
				fi
			}
			k = 0;
			/* cv: the newest settled reset covers the running
			 * errors and is of a kind that covers the unit */
			cv = (s != 0 && s >= nc &&
			      (rst[s] == VIRTIO_AER_PV_RESET_FAILED ||
			       (rdone[s] & M_COVERING(M_KIND_FOR(u, s)))));
			if
			:: cv && rst[s] == VIRTIO_AER_PV_RESET_FAILED ->
				fw = AER_PV_WHY_RESET_FAILED
			:: cv && rst[s] != VIRTIO_AER_PV_RESET_FAILED ->
				ust[u] = AER_PV_RESUMING;
				dec = AER_PV_ACT_RESUME; aseq = s
			:: !cv && unat[u] != 0 && nc <= unat[u] ->
				/* this unit's own native reset covered them */
				ust[u] = AER_PV_RESUMING;
				dec = AER_PV_ACT_RESUME; aseq = unat[u]
			:: !cv && (unat[u] == 0 || nc > unat[u]) ->
				/* no reset was done: ask for one, for the newest */
				gt = n;
				/* a function of that error, in this unit if it can */
				fns = ((rfns[n] & ufns[u]) != 0 -> rfns[n] & ufns[u] :
								  rfns[n]);
				/* nt: the host cannot do its kind, or a unit
				 * reset natively for it already */
				nt = !M_MAY_REQ(n, M_KIND_FOR(u, n));
				if
				:: nt ->
					rnative[n] = true;
					unat[u] = n;
					ust[u] = AER_PV_RESUMING;
					dec = AER_PV_ACT_NATIVE; aseq = n
				:: !nt && udl[u] != M_DL_RUNNING ->
					fw = AER_PV_WHY_TIMEOUT
				:: !nt && udl[u] == M_DL_RUNNING && fns == 0 ->
					fw = AER_PV_WHY_LOST
				:: !nt && udl[u] == M_DL_RUNNING && fns != 0 ->
					rreq[n] = AER_PV_REQ_SENT;
					rreqkind[n] = M_KIND_FOR(u, n);
					/* aer_pv_first_fn(): the lowest slot */
					rreqfn[n] = ((fns & 1) -> fsl[0] : fsl[1]);
					ureq[u] = n;
					ust[u] = AER_PV_WAIT_REQ;
					dec = AER_PV_ACT_REQUEST;
					aseq = n; afn = rreqfn[n]
				fi;
				nt = false;
				fns = 0
			fi
		fi;
		fl = false; rq = false; n = 0; s = 0; nc = 0; cv = false
	fi;
	set = 0
}

/*
 * aer_pv_answer(): the answer to the request for reset k settles it for
 * every unit (has = an answer came, st = its status)
 */
inline fsm_answer(k, has, st)
{
	rreq[k] = AER_PV_REQ_ANSWERED;
	if
	:: !(has) ->
		/* whoever else waits on it must not wait forever */
		rst[k] = VIRTIO_AER_PV_RESET_FAILED
	:: (has) && (st) == VIRTIO_AER_PV_S_OK ->
		/* of the kind asked for: the host never substitutes one */
		rst[k] = VIRTIO_AER_PV_RESET_DONE;
		rdone[k] = rdone[k] | M_KF(rreqkind[k])
	:: (has) && ((st) == VIRTIO_AER_PV_S_UNSUPPORTED ||
		     (st) == VIRTIO_AER_PV_S_NOT_MANAGED) ->
		rreq[k] = AER_PV_REQ_UNSUPPORTED;
		rrefused[k] = rrefused[k] | M_KF(rreqkind[k])
	:: (has) && (st) == VIRTIO_AER_PV_S_STALE ->
		/* ask again naming another function of the error, or wait
		 * for the newer error */
		if
		:: fslot[rreqfn[k]] != M_NONE ->
			rfns[k] = rfns[k] & ~M_BIT(fslot[rreqfn[k]])
		:: else
		fi;
		rreq[k] = (rfns[k] != 0 -> AER_PV_REQ_NONE : AER_PV_REQ_STALE)
	:: (has) && (st) != VIRTIO_AER_PV_S_OK &&
	   (st) != VIRTIO_AER_PV_S_UNSUPPORTED &&
	   (st) != VIRTIO_AER_PV_S_NOT_MANAGED &&
	   (st) != VIRTIO_AER_PV_S_STALE ->
		rst[k] = VIRTIO_AER_PV_RESET_FAILED
	fi
}

/*
 * aer_pv_on_response() for the unit u that waits for the answer, up to
 * its aer_pv_decide(): has = an answer came, st = its status, un = the
 * request never left (in->unsent); dd = go on to decide, fw = fail
 */
inline fsm_on_response(u, has, st, un)
{
	k = ureq[u];
	if
	:: k == 0 || !rv[k] || rreq[k] != AER_PV_REQ_SENT ->
		ureq[u] = 0; dd = true
	:: else ->
		if
		:: un ->
			/* only a request that never left is open again */
			rreq[k] = AER_PV_REQ_NONE;
			fw = AER_PV_WHY_NOT_SENT
		:: !un ->
			fsm_answer(k, has, st);
			ureq[u] = 0;
			if
			:: !(has) -> fw = AER_PV_WHY_NO_RESPONSE
			:: else -> dd = true
			fi
		fi
	fi;
	k = 0
}

/*
 * aer_pv_on_response() with AER_PV_NO_REC: the channel's answer work
 * takes in the answer to request record (tag) rk, which no unit waits for
 */
inline fsm_orphan(rk)
{
	k = rqseq[rk];
	if
	:: rv[k] && rreq[k] == AER_PV_REQ_SENT ->
		fsm_answer(k, true, rqstatus[rk])
	:: else
	fi;
	printf("MSC: answer for error %d taken in by the channel: %d\n",
	       k, rqstatus[rk]);
	k = 0;
	free_request(rk)
}

/* aer_pv_on_done(): the pending recovery starts, with or without the
 * channel */
inline fsm_on_done(u, ok)
{
	printf("MSC: IN_DONE unit %d error %d recovered %d\n", u, cseq[u], ok);
	ghost_end(u);
	ust[u] = AER_PV_IDLE;
	cseq[u] = nseq[u]; csev[u] = nsev[u]; cfns[u] = nfns[u];
	cres[u] = nres[u]; cunt[u] = nunt[u]; cuntf[u] = nuntf[u];
	nseq[u] = 0; nsev[u] = 0; nfns[u] = 0; nres[u] = 0;
	nunt[u] = false; nuntf[u] = 0;
	GHOST_BCD(gcur[u] = gnext[u]; gnext[u] = 0);
	if
	:: cseq[u] != 0 && (cfns[u] != 0 || cunt[u]) -> fsm_start(u)
	:: else ->
		cseq[u] = 0; csev[u] = 0; cfns[u] = 0; cres[u] = 0;
		cunt[u] = false; cuntf[u] = 0;
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
		:: ust[u] != AER_PV_IDLE && cfns[u] == 0 && !cunt[u] &&
		   uwhy[u] == AER_PV_WHY_NONE -> uwhy[u] = AER_PV_WHY_LOST
		:: else
		fi;
		if
		:: nfns[u] == 0 && !nunt[u] ->
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
 * aer_pv_step() for IN_RESET_STEP, IN_WAKE and IN_RESPONSE (input inp;
 * for IN_RESPONSE rh, v, un): a unit that is idle answers FAIL to
 * IN_RESET_STEP (never a reset nobody asked for), and one not at its
 * reset step NONE to the others.
 */
inline fsm_step(u)
{
	dd = false; fw = 0; dec = AER_PV_ACT_NONE;
	if
	:: inp == AER_PV_IN_RESET_STEP ->
		if
		:: ust[u] == AER_PV_IDLE -> dec = AER_PV_ACT_FAIL; aseq = 0
		:: ust[u] != AER_PV_IDLE && ust[u] != AER_PV_DETECTED ->
			fw = AER_PV_WHY_LOST
		:: ust[u] == AER_PV_DETECTED ->
			udl[u] = M_DL_RUNNING;	/* now + timeout_ns */
			dd = true
		fi
	:: inp == AER_PV_IN_WAKE -> dd = M_AT_STEP(u)
	:: inp == AER_PV_IN_RESPONSE ->
		if
		:: M_AT_STEP(u) -> fsm_on_response(u, rh, v, un)
		:: else
		fi
	fi;
	if
	:: dd -> fsm_decide(u)
	:: else
	fi;
	if
	:: fw != 0 -> fsm_fail(u, fw)
	:: else
	fi;
	printf("MSC: unit %d input %d: action %d (seq %d)\n", u, inp, dec, aseq);
	inp = 0; dd = false; fw = 0; rh = false; v = 0; un = false
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
	/* only when the host cannot do the reset the error needs, or a unit
	 * of the error reset natively already */
	assert(!can_request || eout[gt] == VIRTIO_AER_PV_S_UNSUPPORTED ||
	       !(ekinds[gt] & M_KF(M_KIND_FOR(u, gt))) || rnative[gt]);
#endif
	for (tf : 0 .. NF - 1) {
		if
		:: bridge[tf] == (u) && !fgone[tf] -> count_reset(gt, tf, ukind[u])
		:: else
		fi
	}
	tf = 0
}

/*
 * Host side of REQ_RESET: virtio_aer_pv_request_reset(), which answers at
 * once when it cannot reset and otherwise starts the reset: a link reset
 * reaches every function of the host link, a function reset every
 * function the error names (which, for an uncorrectable error, are the
 * same here)
 */
#define M_REACHES(k, e, tf) \
	((rqkind[k] == VIRTIO_AER_PV_RESET_KIND_LINK && \
	  hlink[tf] == hlink[rqf[k]]) || \
	 (rqkind[k] == VIRTIO_AER_PV_RESET_KIND_FUNCTION && \
	  (efns[e] & M_BIT(tf))))

inline host_request_reset(k, e, f, kd)
{
	rqseq[k] = e; rqf[k] = f; rqkind[k] = kd; rqgone[k] = false;
	if
	:: hseq[f] != e ->
		printf("MSC: REQ_RESET %d for F%d: STALE (host error %d)\n",
		       e, f, hseq[f]);
#ifdef CHECK_E
		/* (e): not the current error, so a newer one, on its way */
		assert(hseq[f] > e);
#endif
		rqst[k] = M_RQ_ANSWERED; rqstatus[k] = VIRTIO_AER_PV_S_STALE
	:: hseq[f] == e && (eout[e] == VIRTIO_AER_PV_S_UNSUPPORTED ||
			    !(ekinds[e] & M_KF(kd))) ->
		printf("MSC: REQ_RESET %d for F%d, kind %d: UNSUPPORTED\n",
		       e, f, kd);
		rqst[k] = M_RQ_ANSWERED; rqstatus[k] = VIRTIO_AER_PV_S_UNSUPPORTED
	:: hseq[f] == e && eout[e] != VIRTIO_AER_PV_S_UNSUPPORTED &&
	   (ekinds[e] & M_KF(kd)) ->
		printf("MSC: REQ_RESET %d for F%d: reset of kind %d\n", e, f, kd);
		rqst[k] = M_RQ_BUSY;
		rqfail[k] = (eout[e] == VIRTIO_AER_PV_S_FAILED);
		for (tf : 0 .. NF - 1) {
			if
			:: M_REACHES(k, e, tf) ->
				count_reset(e, tf, kd);
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
	rqfail[k] = false; rqgone[k] = false; rqkind[k] = 0
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
		host_request_reset(k, aseq, afn, rreqkind[aseq])
	fi;
	k = 0
}

/*
 * aer_pv_detach(): stop waiting for an answer; one that came and was not
 * taken in, or that comes later, the channel's answer work takes in
 */
inline detach(u)
{
	if
	:: utag[u] != M_NONE -> rqgone[utag[u]] = true
	:: else
	fi;
	utag[u] = M_NONE
}

/* model-only values of dec: the end of a recovery without a decision */
#define M_ACT_CAN_RECOVER	8	/* normal channel, CAN_RECOVER */
#define M_ACT_NO_FN		9	/* no function left to recover */
#define M_ACT_IDLE		10	/* the worker waits for its work */

/*
 * The end of a unit's recovery: detach; [native reset,] slot_reset and
 * resume, or perm_failure; IN_DONE (lock; aer_pv_step(); unlock)
 */
inline finish(u)
{
	detach(u);
	if
	:: dec == AER_PV_ACT_RESUME || dec == AER_PV_ACT_NATIVE ||
	   dec == M_ACT_CAN_RECOVER ->
		if
		:: dec == AER_PV_ACT_NATIVE -> native_reset(u)
		:: else
		fi;
		touch(u);	/* mmio_enabled or slot_reset, resume */
		rh = true
	:: dec == AER_PV_ACT_FAIL || dec == AER_PV_ACT_NONE ->
		ghost_perm_failure(u);
		rh = false
	:: dec == M_ACT_NO_FN -> rh = false
	fi;
	fsm_step_done(u, rh);
	rh = false
}

#define LOCALS \
	byte tf, ge, gi, gk, k, n, s, nc, sl, set, fns, by0, by1, gt, ut0, ut1; \
	byte dec, aseq, afn, f, e, v, u, inp, fw; \
	bool fl, rq, fz, un, dd, rh, fed, nt, cv

/* ================================================================
 * Processes
 * ================================================================ */

/*
 * aer_pv_unit_work() of unit w: pcie_do_recovery() of its bridge, with
 * aer_pv_reset_step() as the reset step.  Each step of the worker is one
 * atomic: what the glue does between two locked sections (start the
 * work, error_detected; end a wait, take an answer; send a request),
 * then the locked aer_pv_step() (fsm_step, a d_step), and, when that
 * ends the recovery without touching the device (FAIL; no function
 * left), perm_failure and IN_DONE.  slot_reset / resume after RESUME or
 * NATIVE are a step of their own: other processes run between the
 * decision and them.
 */
proctype worker(byte w)
{
	LOCALS;
	dec = M_ACT_IDLE;
end:
	do
	:: atomic {
		if
		:: dec == M_ACT_IDLE && go[w] ->
			/* the unit's work starts: error_detected on every
			 * function below the bridge (none left: no
			 * pcie_do_recovery()), then the drivers' vote; a
			 * normal channel's CAN_RECOVER: mmio_enabled,
			 * resume, no reset step */
			go[w] = false;
			GHOST_CD(gdet[w] = gcur[w]);
			if
			:: cfns[w] == 0 && !cunt[w] -> dec = M_ACT_NO_FN
			:: (cfns[w] != 0 || cunt[w]) && ufrz[w] ->
				inp = AER_PV_IN_RESET_STEP
			:: (cfns[w] != 0 || cunt[w]) && !ufrz[w] ->
				dec = M_ACT_CAN_RECOVER
			:: (cfns[w] != 0 || cunt[w]) && !ufrz[w] ->
				inp = AER_PV_IN_RESET_STEP
			fi;
			printf("MSC: unit %d runs, frozen %d\n", w, ufrz[w])
		:: dec == AER_PV_ACT_REQUEST ->
			/* aer_pv_send(); without it, IN_RESPONSE(unsent) */
			send_request(w);
			if
			:: un -> inp = AER_PV_IN_RESPONSE
			:: else -> dec = AER_PV_ACT_WAIT
			fi
		/* aer_pv_wait(): the answer, a change (gen), or the deadline */
		:: dec == AER_PV_ACT_WAIT && M_ANSWERED(w) ->
			v = rqstatus[utag[w]]; rh = true;
			free_request(utag[w]); utag[w] = M_NONE;
			inp = AER_PV_IN_RESPONSE
		:: dec == AER_PV_ACT_WAIT && !M_ANSWERED(w) && !M_QUIET_WAIT(w) ->
			inp = AER_PV_IN_WAKE
		:: dec == AER_PV_ACT_WAIT && !M_ANSWERED(w) && M_WAIT_EXPIRE(w) ->
			if
			:: udl[w] == M_DL_RUNNING -> udl[w] = M_DL_EXPIRED
			:: else
			fi;
			inp = AER_PV_IN_WAKE
		/* [native reset,] slot_reset, resume */
		:: dec == AER_PV_ACT_RESUME || dec == AER_PV_ACT_NATIVE ->
			skip
		fi;
		d_step {
			if
			:: inp != 0 -> fsm_step(w); fed = true	/* lock; aer_pv_step() */
			:: else -> fed = false
			fi;
			if
			:: fed && dec == AER_PV_ACT_RESUME -> check_kind(w, aseq)
			:: else
			fi;
			if
			:: dec == AER_PV_ACT_FAIL || dec == AER_PV_ACT_NONE ||
			   dec == M_ACT_NO_FN || dec == M_ACT_CAN_RECOVER ||
			   (!fed && (dec == AER_PV_ACT_RESUME ||
				     dec == AER_PV_ACT_NATIVE)) ->
				finish(w);
				dec = M_ACT_IDLE; aseq = 0; afn = 0; gt = 0;
				GHOST_CD(gdet[w] = 0)
			:: else
			fi;
			fed = false
		}
	   }
	od
}

/* The virtio event work: pop a buffer (with the channel's faults),
 * lock, IN_EVENT, unlock, queue the units ACT_START names, wake */
#define M_ORPHAN(k)	(rqst[k] == M_RQ_ANSWERED && rqgone[k])

proctype events()
{
	LOCALS;
	byte m, i;
end:
	do
	/* the answer work: an answer no unit waits for any more */
	:: M_ORPHAN(0) -> d_step { fsm_orphan(0) }
	:: M_ORPHAN(1) -> d_step { fsm_orphan(1) }
#if NREQ > 2
	:: M_ORPHAN(2) -> d_step { fsm_orphan(2) }
#endif
#if NREQ > 3
	:: M_ORPHAN(3) -> d_step { fsm_orphan(3) }
#endif
#if NREQ > 4
	:: M_ORPHAN(4) -> d_step { fsm_orphan(4) }
#endif
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
			/* lock; IN_EVENT; queue_work() for ACT_START; unlock */
			d_step {
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
	/* the kinds of reset the host does if asked (it says so with
	 * VIRTIO_AER_PV_F_RESET_KINDS) */
#ifdef KINDS
	if
	:: ekinds[e] = VIRTIO_AER_PV_EVF_RESET_LINK
	:: ekinds[e] = VIRTIO_AER_PV_EVF_RESET_FUNCTION
	:: ekinds[e] = VIRTIO_AER_PV_EVF_RESET_LINK |
		       VIRTIO_AER_PV_EVF_RESET_FUNCTION
	fi;
#else
	ekinds[e] = VIRTIO_AER_PV_EVF_RESET_LINK | VIRTIO_AER_PV_EVF_RESET_FUNCTION;
#endif
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
	/* an uncorrectable error names every function of the link: the
	 * host's reset, or the one the guest may ask for, reaches them all */
	efns[e] = M_BIT(f);
	if
	:: hlink[1 - f] == hlink[f] &&
	   esev[e] != VIRTIO_AER_PV_SEV_CORRECTABLE -> efns[e] = 3
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
				count_reset(e, tf, VIRTIO_AER_PV_RESET_KIND_LINK)
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
	if
	:: eres[e] == VIRTIO_AER_PV_RESET_DONE ->
		gdone[e] = gdone[e] | VIRTIO_AER_PV_EVF_RESET_LINK
	:: else
	fi;
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
	if
	:: eend[e] == VIRTIO_AER_PV_RESET_DONE ->
		gdone[e] = gdone[e] | VIRTIO_AER_PV_EVF_RESET_LINK
	:: else
	fi;
	erst[e] = eend[e]; eend[e] = 0;
	q[qn] = M_MSG(VIRTIO_AER_PV_EVT_RESET, e); qn++
}

/* virtio_aer_pv_reset_end() for a reset the guest asked for; an answer
 * nobody waits for any more goes to the channel's answer work */
inline host_request_end(k)
{
	for (tf : 0 .. NF - 1) {
		if
		:: M_REACHES(k, rqseq[k], tf) -> infl_clear(tf, rqseq[k])
		:: else
		fi
	}
	tf = 0;
	printf("MSC: requested reset for error %d ends (failed %d)\n",
	       rqseq[k], rqfail[k]);
	if
	:: !rqfail[k] -> gdone[rqseq[k]] = gdone[rqseq[k]] | M_KF(rqkind[k])
	:: else
	fi;
	rqst[k] = M_RQ_ANSWERED;
	rqstatus[k] = (rqfail[k] -> VIRTIO_AER_PV_S_FAILED : VIRTIO_AER_PV_S_OK);
	rqfail[k] = false
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
		/* (c,d,g): its errors end with it */
		GHOST_CD(ended = ended | (acc & M_FMASK(f)));
		GHOST_G(gended = gended | (gnamed & M_FMASK(f)));
		printf("MSC: IN_FN_GONE F%d\n", f);
		f = 0
	   }
#endif
	:: false
	od
}

#if defined(CHECK_D) || defined(CHECK_G)
/* In every final state: (d) every error taken in has ended; (g) every
 * function an uncorrectable error named has had its error_detected and
 * its end, tracked or not */
active proctype final_check()
{
	timeout ->
#ifdef CHECK_D
	assert((acc & ~ended) == 0);
#endif
#ifdef CHECK_G
	assert((gnamed & ~gended) == 0);
#endif
	skip
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
		/* the reset each bridge needs: in topology 4, F0 is an RCiEP,
		 * its own bridge, which needs a function reset */
		ukind[0] = (topo == 4 -> VIRTIO_AER_PV_RESET_KIND_FUNCTION :
				        VIRTIO_AER_PV_RESET_KIND_LINK);
		ukind[1] = VIRTIO_AER_PV_RESET_KIND_LINK;
#ifdef KINDS
		/* VIRTIO_AER_PV_F_RESET_KINDS negotiated or not */
		if
		:: reset_kinds = true
		:: reset_kinds = false
		fi;
#endif
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
