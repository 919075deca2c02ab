/*
 * SPDX-License-Identifier: GPL-2.0
 *
 * aer_pv_fsm.pml - the aer-pv recovery state machine, drivers/pci/pcie/
 * aer_pv/fsm.c ITSELF, inside a Promela environment, for the SPIN model
 * checker (issue 20, item 2).  scripts/verify.sh runs it beside the
 * hand transcription in aer_pv.pml.
 *
 * What is real C, what is Promela
 * -------------------------------
 *  C        Every transition of the state machine is a call of fsm.c's
 *           own aer_pv_step() on its own struct aer_pv_core, compiled
 *           from drivers/pci/pcie/aer_pv/fsm.c unchanged, with the
 *           fuzzer's shim of kernel headers (tests/fuzz/shim) and the
 *           protocol header include/uapi/linux/virtio_aer_pv.h.  Nothing
 *           of fsm.c is transcribed, so nothing can drift: the model has
 *           no copy of a constant either (the Promela side uses its own
 *           M_ encodings, which c_decl maps to the headers' names).  The
 *           core, fsm.c's struct aer_pv_core, is a C global; its
 *           bytes, but for the statistics, are c_track'ed "Matched": part of the
 *           state vector, saved, restored and matched with the Promela
 *           state (static asserts fail the build if a new field falls
 *           outside the tracked ranges).  The
 *           glue reads the core where recovery.c and channel.c do: a
 *           unit's job (aer_pv_job(): cur.fns, cur.untracked_fn, frozen,
 *           the bridge) and aer_pv_find_rec().
 *  Promela  The environment, after the hand model (aer_pv.pml, whose
 *           header describes it at length): proctype host() is the QEMU
 *           device (errors with seq numbers 1..NERR, its own resets that
 *           start, end DONE or FAILED, or fail up front, reset requests
 *           answered OK, FAILED, UNSUPPORTED or STALE, or never);
 *           proctype events() is channel.c's event work (IN_EVENT, then
 *           queue_work() of the units ACT_START names) and answer work (a
 *           request's answer no unit waits for: IN_RESPONSE with
 *           AER_PV_NO_REC); proctype worker(w) is aer_pv_unit_work() of
 *           unit w, recovery.c: the job, pcie_do_recovery()'s
 *           error_detected, the drivers' vote, aer_pv_reset_step() (its
 *           IN_RESET_STEP, aer_pv_send(), aer_pv_wait() ending with an
 *           answer, a wake-up (ch->gen) or the deadline, RESUME, NATIVE
 *           with the native reset, FAIL with perm_failure), slot_reset and
 *           resume, IN_DONE; proctype env() is unregister (IN_DOWN, then
 *           the transport stops) and the bus notifier (IN_FN_GONE).
 *
 * Abstractions, and why they are sound
 * ------------------------------------
 *  - Tables: fsm.h's sizes, overridable for the model only, are set by
 *    verify.sh to 2 functions, 3 units and 4 resets (fsm.c asserts at
 *    build time that the bitmaps still fit).  Two functions F0 and F1,
 *    at most two guest bridges, at most NERR <= 3 errors: never more
 *    than two units busy nor more than three resets live, so the
 *    smaller tables are never full where the kernel's would not be;
 *    AER_PV_DROP_TABLE_FULL and WHY_NO_ROOM are KUnit's.  The function
 *    table (core->nr_fns, what the host declares) is TABLE: with 1, a
 *    host that names both functions reaches aer_pv_evict_fn() and a
 *    function beyond the table (WHY_UNTRACKED).
 *  - Statistics: struct aer_pv_fn_stats, core->untracked and
 *    core->verdicts[] only grow.  fsm.c writes them and never reads them
 *    (grep: AER_PV_STAT()/aer_pv_count(), "stats.errors[...]++",
 *    "core->untracked +=", "core->verdicts[v]++" are their only uses;
 *    aer_pv_evict_fn() clears a function's with the function).  So
 *    m_step() zeroes them after every aer_pv_step(): no decision can
 *    differ, and they stay out of state matching.
 *  - Time: fsm.c reads @now only at IN_RESET_STEP (deadline = now +
 *    timeout) and in aer_pv_decide() ("now >= rec->deadline"), for the
 *    unit being stepped (grep "now").  Every step passes M_T0 except a
 *    unit's own IN_WAKE or IN_RESPONSE at its reset step, which may pass
 *    the deadline fsm.c set (the wait timed out, or the answer came at
 *    the deadline).  Every decision taken with now >= deadline ends the
 *    reset step (FAIL, RESUME or NATIVE), so a unit never sees time go
 *    back; the deadlines of different units are independent in the
 *    kernel too (the timeout is read at each reset step, and units reach
 *    it at any times), so letting each expire on its own covers every
 *    order.  Sequence numbers do not wrap (KUnit covers the wrap).
 *  - Wake-ups: aer_pv_wake() bumps ch->gen after each change; woke[w]
 *    is "gen differs from the one unit w read at its last decision", set
 *    for units that are about to wait or wait.  A wait may also end by
 *    its deadline at any moment.
 *  - Steps merged where nothing observable happens in between (each is
 *    one atomic): the job, error_detected and the vote with the reset
 *    step's first aer_pv_step() (the job reads cur only, which events
 *    do not change for a busy unit; a function leaving in between only
 *    spares it a callback); a FAIL with perm_failure and IN_DONE; the
 *    native reset, slot_reset and resume with IN_DONE (a step of their
 *    own after the decision).  Every aer_pv_step() is under ch->lock.
 *  - Answers that do not decode (IN_RESPONSE(NULL)), malformed events,
 *    REQ_PHASE, logging: not modelled (protocol.c, KUnit, the fuzzer).
 *
 * Properties (all checked in every search; ghost state is the
 * environment's, never fsm.c's)
 * ----------
 *  (a) count_reset(): per host error, function and reset kind, at most
 *      one reset reaches the device: the host's own, a requested one (a
 *      link reset reaches every function of the host link, a function
 *      reset every function the error names), a native one of a unit's
 *      bridge for act->seq.
 *  (b) touch(): no mmio_enabled, slot_reset or resume on a function
 *      while a host reset of an error the running recovery holds is in
 *      flight at the host.  The errors a recovery holds (gcur) are the
 *      ones taken in while the unit was idle that started it, or those
 *      taken in while it was busy (gnext) once IN_DONE starts them.
 *  (d) at IN_DONE, errors taken in while the unit was busy, for a
 *      function still in the guest, start the pending recovery; and in
 *      every final state every error has ended (with (g)).
 *  (e) a reset request names the host's current error of the function,
 *      or an older one (STALE: a newer one is on its way).
 *  (f) check_resume(): a unit goes past its reset step (RESUME) only on
 *      a reset the host completed of a kind that covers what the unit
 *      needs (a link reset covers a function reset), or its own native
 *      reset, for an error not older than any its recovery holds.
 *  (g) final_check, on `timeout': every function an uncorrectable error
 *      the guest took in names has had error_detected and the end of
 *      that error's recovery (resume or perm_failure), or left the guest.
 *  The assertions are tagged: "assertion violated (prop_b||...)" says
 *  which property failed.  (c), the LTL form of (d), stays with the hand
 *  model: this state vector is ten times its size.
 *
 * Configurations: -D knobs as in aer_pv.pml: TOPO (0: two devices, own
 * host links; 1: one two-function device under one Root Port; 2: that
 * device with a Root Port per function; 3: any of 0..2; 4: F0 an RCiEP
 * needing a function reset, F1 below a Root Port needing a link reset,
 * one host link), KINDS (VIRTIO_AER_PV_F_RESET_KINDS: each error offers
 * any set of kinds; negotiated or not), HOST_FLR (the host's own reset
 * may be a function reset of the functions the error names, not a link
 * reset), ANYFN (a later error may name F1 alone in topology 0 too: with
 * TABLE=1, an error on a function the full table lacks while the other's
 * unit is busy), TABLE [2], NERR [2], FAULTS [0]
 * (event queue reorder, duplicate, loss), NO_HOST_RESET,
 * NONFATAL_HOST_RESET, CORRECTABLE, DOWN, GONE, CAN_REQUEST and
 * NO_CAN_REQUEST (VIRTIO_AER_PV_F_RESET_REQUEST negotiated, or not;
 * by default either).  verify.sh lists the
 * ones it runs.
 *
 * Findings
 * --------
 *  1. (a), -DTOPO=4 -DHOST_FLR; fixed (aer_pv_may_request(), KUnit
 *     host_flr_covers_rciep_without_link_reset).
 *     Error 1 (non-fatal, no host reset, no VIRTIO_AER_PV_F_RESET_REQUEST)
 *     names F0, an RCiEP, and F1, below a Root Port, on one host link;
 *     both units reset natively.  Error 2 (non-fatal) comes with the
 *     host's own reset DONE, a function reset of F0 and F1.  F1's unit
 *     needs a link reset: it resets its link natively.  F0's unit needs
 *     only a function reset, which the host did, but aer_pv_kind_for()
 *     asks for the error's need (a link reset, for F1), so the host's
 *     function reset does not cover it; reset->native is set, and it
 *     resets F0 natively: a second function reset of F0 for error 2.
 *     With reset requests, F0's unit asks the host for a link reset
 *     instead (a second reset of F0 for one error, of another kind, which
 *     (a) allows).  The rule that keeps the units of one error on one
 *     request (hand model finding 5) should not hold a unit back once no
 *     request can follow (native, or the host cannot) and the host's
 *     reset covered its own kind.
 *
 * Replaying a counterexample
 * --------------------------
 * spin -t cannot run the C code.  In the search's directory
 * ($AER_PV_CACHE/build/model-fsm/NAME): "./pan -r" replays the trail
 * with the compiled fsm.c and prints the MSC: lines of every step (add
 * -p for the statements); "./pan -C" prints them in columns.  "spin -t
 * -p -DTOPO=..." with the same -D knobs shows the Promela statements,
 * the c_code blocks as text, on the same trail.  verify.sh prints the
 * MSC: lines of a failed search.
 */

#ifndef NERR
#define NERR		2
#endif
#ifndef FAULTS
#define FAULTS		0
#endif
#ifndef TOPO
#define TOPO		3
#endif
#ifndef TABLE
#define TABLE		2
#endif
#if NERR > 3
#error "at most 3 errors: the tables and ghost bytes are sized for them"
#endif

#define NF		2		/* functions */
#define NU		3		/* units: AER_PV_MAX_RECS, -D for gcc */
#define NB		3		/* guest bridges: B0, B1, F0 as an RCiEP */
#define NT		(NERR + 2)	/* request tags */
#define MAXE		(NERR + 1)	/* indexed by seq */
#define QLEN		(2 * NERR + FAULTS)
#define M_NONE		255

/* Model encodings; c_decl maps them to the headers' names */
#define M_SEV_COR	0
#define M_SEV_NONFATAL	1
#define M_SEV_FATAL	2
#define M_RS_NONE	0		/* host reset state */
#define M_RS_PENDING	1
#define M_RS_DONE	2
#define M_RS_FAILED	3
#define M_KL		1		/* link reset, as a bit */
#define M_KF		2		/* function reset, as a bit */
#define M_S_OK		0		/* answer to a request */
#define M_S_FAILED	1
#define M_S_UNSUPP	2
#define M_S_STALE	3
#define M_S_NEVER	4		/* the host never answers */
#define M_A_NONE	0		/* enum aer_pv_act_type */
#define M_A_START	1
#define M_A_RESUME	2
#define M_A_WAIT	3
#define M_A_REQUEST	4
#define M_A_NATIVE	5
#define M_A_FAIL	6
#define M_EVT_ERROR	1
#define M_EVT_RESET	2

#define W_IDLE		0		/* worker: waits for its work */
#define W_SEND		1		/* REQUEST decided, aer_pv_send() next */
#define W_WAIT		2		/* in aer_pv_wait() */
#define W_GOON		3		/* RESUME or NATIVE decided */

#define T_FREE		0		/* request tag */
#define T_BUSY		1		/* the host resets, will answer */
#define T_NEVER		2		/* the host resets, never answers */
#define T_ANSWERED	3
#define T_LOST		4		/* answered after unregister: dropped */

#define M_BIT(e)	(1 << (e))
#define M_GB(e, f)	(1 << (((e) - 1) * NF + (f)))	/* (error, function) */
#define M_FMASK(f)	(21 << (f))	/* every error of function f */
#define M_MSG(t, e)	((t) * 8 + (e))
#define M_MSG_TYPE(m)	((m) / 8)
#define M_MSG_SEQ(m)	((m) % 8)
/* the kind a bridge needs, and the kinds that cover it */
#define M_NEED(b)	((b) == 2 -> M_KF : M_KL)
#define M_COVERING(k)	((k) == M_KF -> (M_KL | M_KF) : M_KL)

/*
 * Never "continue" in a c_code block: pan defines it as "this transition
 * cannot run".
 */
c_decl {
\#include "fsm.h"

/* Time: see the header.  Ten seconds, recovery.c's default bound. */
\#define M_T0		1000000000ULL
\#define M_TIMEOUT	10000000000ULL

static const u8 m_sev[] = {
	VIRTIO_AER_PV_SEV_CORRECTABLE, VIRTIO_AER_PV_SEV_NONFATAL,
	VIRTIO_AER_PV_SEV_FATAL,
};
static const u8 m_rst[] = {
	VIRTIO_AER_PV_RESET_NONE, VIRTIO_AER_PV_RESET_PENDING,
	VIRTIO_AER_PV_RESET_DONE, VIRTIO_AER_PV_RESET_FAILED,
};
static const u8 m_status[] = {
	VIRTIO_AER_PV_S_OK, VIRTIO_AER_PV_S_FAILED,
	VIRTIO_AER_PV_S_UNSUPPORTED, VIRTIO_AER_PV_S_STALE,
};

static u8 m_kind(int k)
{
	return k == 2 ? VIRTIO_AER_PV_RESET_KIND_FUNCTION :
	       k == 1 ? VIRTIO_AER_PV_RESET_KIND_LINK :
			VIRTIO_AER_PV_RESET_KIND_NONE;
}

static int m_kind_back(u8 kind)
{
	return kind == VIRTIO_AER_PV_RESET_KIND_FUNCTION ? 2 :
	       kind == VIRTIO_AER_PV_RESET_KIND_LINK ? 1 : 0;
}

static u16 m_flags(int kinds)
{
	return (kinds & 1 ? VIRTIO_AER_PV_EVF_RESET_LINK : 0) |
	       (kinds & 2 ? VIRTIO_AER_PV_EVF_RESET_FUNCTION : 0);
}

static int m_act_back(enum aer_pv_act_type t)
{
	switch (t) {
	case AER_PV_ACT_START:		return 1;
	case AER_PV_ACT_RESUME:		return 2;
	case AER_PV_ACT_WAIT:		return 3;
	case AER_PV_ACT_REQUEST:	return 4;
	case AER_PV_ACT_NATIVE:		return 5;
	case AER_PV_ACT_FAIL:		return 6;
	default:			return 0;
	}
}

/* Guest addresses: bridges B0 00:01.0, B1 00:02.0; F0 an RCiEP 00:03.0 */
static u32 m_bid(int b)
{
	return AER_PV_FN_ID(0, 0, b == 0 ? 0x08 : b == 1 ? 0x10 : 0x18);
}

static u32 m_fid(int topo, int f)
{
	if (f == 0)
		return topo == 4 ? AER_PV_FN_ID(0, 0, 0x18) :
				   AER_PV_FN_ID(0, 1, 0x00);
	switch (topo) {
	case 1:		return AER_PV_FN_ID(0, 1, 0x01);
	case 4:		return AER_PV_FN_ID(0, 1, 0x00);
	default:	return AER_PV_FN_ID(0, 2, 0x00);
	}
}

static int m_fidx(int topo, u32 id)
{
	return id == m_fid(topo, 0) ? 0 : id == m_fid(topo, 1) ? 1 : 255;
}

static int m_bidx(u32 id)
{
	return id == m_bid(0) ? 0 : id == m_bid(1) ? 1 :
	       id == m_bid(2) ? 2 : 255;
}

/*
 * Nothing in fsm.c reads its statistics (see the header): zero them,
 * so that they stay out of state matching.
 */
static void m_scrub(struct aer_pv_core *c)
{
	unsigned int i;

	for (i = 0; i < AER_PV_MAX_FNS; i++)
		memset(&c->fns[i].stats, 0, sizeof(c->fns[i].stats));
	c->untracked = 0;
	memset(c->verdicts, 0, sizeof(c->verdicts));
}

/*
 * The state machine, fsm.c's own struct; c_track below puts all of it
 * but the statistics in the state vector.  Fail the build if a field
 * moves out of the tracked ranges: fns[] and their statistics last,
 * recs[], resets[], then last_seq .. nr_fns, untracked, up ..
 * reset_kinds, verdicts[] last.
 */
static struct aer_pv_core m_core;
_Static_assert(AER_PV_MAX_FNS == NF, "c_track names fns[0] and fns[1]");
_Static_assert(offsetof(struct aer_pv_fn, stats) +
	       sizeof(struct aer_pv_fn_stats) == sizeof(struct aer_pv_fn),
	       "stats last in struct aer_pv_fn");
_Static_assert(offsetof(struct aer_pv_core, recs) ==
	       sizeof(m_core.fns), "recs after fns");
_Static_assert(offsetof(struct aer_pv_core, resets) ==
	       offsetof(struct aer_pv_core, recs) + sizeof(m_core.recs),
	       "resets after recs");
_Static_assert(offsetof(struct aer_pv_core, last_seq) ==
	       offsetof(struct aer_pv_core, resets) + sizeof(m_core.resets),
	       "last_seq after resets");
_Static_assert(offsetof(struct aer_pv_core, untracked) >
	       offsetof(struct aer_pv_core, nr_fns) &&
	       offsetof(struct aer_pv_core, up) >
	       offsetof(struct aer_pv_core, untracked) &&
	       offsetof(struct aer_pv_core, verdicts) >
	       offsetof(struct aer_pv_core, reset_kinds) &&
	       offsetof(struct aer_pv_core, verdicts) +
	       sizeof(m_core.verdicts) == sizeof(struct aer_pv_core),
	       "the order of struct aer_pv_core's tail");

/* The last action; read in the c_code block that called m_step() */
static struct aer_pv_action m_act;

static void m_step(struct aer_pv_core *c, const struct aer_pv_input *in,
		   u64 t)
{
	aer_pv_step(c, in, t, &m_act);
	m_scrub(c);
}
}

/*
 * The state machine's memory: every byte fsm.c reads is in the state
 * vector (Matched), saved, restored and matched with the Promela state;
 * the statistics, always zero between steps, are not.
 */
c_track "&m_core.fns[0]" "offsetof(struct aer_pv_fn, stats)" "Matched"
c_track "&m_core.fns[1]" "offsetof(struct aer_pv_fn, stats)" "Matched"
c_track "&m_core.recs[0]" "sizeof(m_core.recs)" "Matched"
c_track "&m_core.resets[0]" "sizeof(m_core.resets)" "Matched"
c_track "&m_core.last_seq" "offsetof(struct aer_pv_core, untracked) - offsetof(struct aer_pv_core, last_seq)" "Matched"
c_track "&m_core.up" "offsetof(struct aer_pv_core, verdicts) - offsetof(struct aer_pv_core, up)" "Matched"

/* ---- topology ---- */
byte topo;
byte fbr[NF];			/* bridge above the function: 0 B0, 1 B1,
				 * 2 F0 itself (an RCiEP) */
byte hlink[NF];			/* host link of the function */
bool fgone[NF];			/* it left the guest */
bool can_request;		/* VIRTIO_AER_PV_F_RESET_REQUEST */
bool reset_kinds;		/* VIRTIO_AER_PV_F_RESET_KINDS */

/* ---- host: the QEMU device ---- */
byte nexterr = 1;
byte esev[MAXE];		/* per error: severity */
byte eres[MAXE];		/* host reset state in the error event */
byte efns[MAXE];		/* functions named: BIT(function) */
byte eend[MAXE];		/* own reset in flight: how it ends */
byte eout[MAXE];		/* how a requested reset ends, M_S_* */
byte ekinds[MAXE];		/* kinds the host does if asked, M_K* */
byte erst[MAXE];		/* EVT_RESET payload once sent */
byte eown[MAXE];		/* the kind of its own reset, M_K* */
byte hseq[NF];			/* the function's current error */

/* ---- request tags (ch->tag[], ch->orphans) ---- */
byte tst[NT];
byte tseq[NT];
byte tfn[NT];
byte tkind[NT];
byte tstatus[NT];
bool tfail[NT];
bool tgone[NT];			/* its unit stopped waiting for it */
byte orphans;			/* BIT(tag): answers for the answer work */

/* ---- event queue ---- */
byte q[QLEN];
byte qn;
byte faults;

/* ---- glue: recovery.c's units, channel.c ---- */
byte ws[NU];			/* W_* */
bool go[NU];			/* queue_work() of the unit's work */
bool woke[NU];			/* ch->gen moved since its decision */
byte utag[NU];			/* the tag it waits on, M_NONE: none */
byte wbr[NU];			/* the bridge its job walks */
byte wact[NU];			/* its last action, M_A_* */
byte wseq[NU];			/* act->seq */
byte wkind[NU];			/* act->kind, M_K* */
byte wfn[NU];			/* act->fn, as a function index */
bool downed;			/* IN_DOWN: no event, no answer any more */
bool ops_dead;			/* the transport stopped: no request leaves */
bool gone_done;

/* ---- ghosts for the properties ---- */
byte rcb[MAXE];			/* (a) BIT(f * 2 + (kind == function)) */
byte infl[NF];			/* (b) errors whose host reset is in flight */
byte gcur[NU];			/* (b,d,f,g) errors the running one holds */
byte gnext[NU];			/* (d) errors taken in while it was busy */
byte gdone[MAXE];		/* (f) kinds the host completed, M_K* */
byte gnat[NB];			/* (f) errors a bridge reset natively */
byte gnamed;			/* (g) M_GB(e, f) taken in */
byte gended;			/* (g) those that ended */
hidden byte prop_a, prop_b, prop_d, prop_e, prop_f, prop_g;

/* every unit about to wait, or waiting, sees ch->gen move */
inline wake_all()
{
	c_code {
		int r;

		for (r = 0; r < NU; r++)
			now.woke[r] = now.ws[r] == W_SEND ||
				      now.ws[r] == W_WAIT;
	}
}

/* (a): a reset of kind kd of function f for error e reaches the device */
inline count_reset(e, f, kd)
{
	printf("MSC: reset of F%d for error %d, kind %d\n", f, e, kd);
	assert(prop_a || !(rcb[e] & M_BIT(f * 2 + (kd == M_KF))));
	rcb[e] = rcb[e] | M_BIT(f * 2 + (kd == M_KF))
}

/* (b): mmio_enabled, slot_reset or resume below unit w's bridge */
inline touch(w)
{
	for (tf : 0 .. NF - 1) {
		if
		:: fbr[tf] == wbr[w] && !fgone[tf] ->
			printf("MSC: touch F%d (unit %d holds errors %d, host resets in flight for errors %d)\n",
			       tf, w, gcur[w], infl[tf]);
			assert(prop_b || (infl[tf] & gcur[w]) == 0)
		:: else
		fi
	}
	tf = 0
}

/* (f): unit w goes on on the reset of error wseq[w] */
inline check_resume(w)
{
	printf("MSC: unit %d resumes on the reset of error %d, kind %d\n",
	       w, wseq[w], wkind[w]);
	assert(prop_f || (gdone[wseq[w]] & M_COVERING(M_NEED(wbr[w]))) ||
	       (gnat[wbr[w]] & M_BIT(wseq[w])));
	assert(prop_f || (gcur[w] >> (wseq[w] + 1)) == 0)
}

/* copy m_act into unit w's action */
#define M_TAKE_ACT(w) \
	now.wact[w] = m_act_back(m_act.type); \
	now.wseq[w] = m_act.seq; \
	now.wkind[w] = m_kind_back(m_act.kind); \
	now.wfn[w] = m_fidx(now.topo, m_act.fn)

/* aer_pv_detach(): stop waiting for an answer */
inline detach(w)
{
	if
	:: utag[w] != M_NONE ->
		tgone[utag[w]] = true;
		if
		:: tst[utag[w]] == T_ANSWERED ->
			orphans = orphans | M_BIT(utag[w])
		:: else
		fi;
		utag[w] = M_NONE
	:: else
	fi
}

/*
 * IN_DONE, with the outcome ok: the end of pcie_do_recovery() (walked:
 * its callbacks ran), and the pending recovery, if it starts, in the
 * same work
 */
inline done(w, rok, walked)
{
	ok = rok;
	c_code {
		struct aer_pv_input in = { .type = AER_PV_IN_DONE };

		in.rec = Pworker->w;
		in.recovered = Pworker->ok;
		m_step(&m_core, &in, M_T0);
		now.wact[Pworker->w] = m_act_back(m_act.type);
	};
	/* (g): every function the walk reached ends the errors it holds */
	for (tf : 0 .. NF - 1) {
		for (te : 1 .. NERR) {
			if
			:: walked && fbr[tf] == wbr[w] && !fgone[tf] &&
			   (gcur[w] & M_BIT(te)) ->
				gended = gended | (gnamed & M_GB(te, tf))
			:: else
			fi
		}
		/* (d): what waited behind it starts now */
		for (te : 1 .. NERR) {
			assert(prop_d || !((gnext[w] & M_BIT(te)) &&
					   (efns[te] & M_BIT(tf)) &&
					   fbr[tf] == wbr[w] && !fgone[tf]) ||
			       wact[w] == M_A_START)
		}
	}
	tf = 0; te = 0;
	printf("MSC: unit %d done (%d), next: %d\n", w, ok, wact[w] == M_A_START);
	ok = false;
	if
	:: wact[w] == M_A_START ->
		gcur[w] = gnext[w]; go[w] = true
	:: else ->
		gcur[w] = 0; wake_all()
	fi;
	gnext[w] = 0; ws[w] = W_IDLE; wact[w] = 0; wseq[w] = 0;
	wkind[w] = 0; wfn[w] = 0
}

/* What aer_pv_reset_step() does with an action */
inline decide(w)
{
	woke[w] = false;
	if
	:: wact[w] == M_A_RESUME ->
		check_resume(w); detach(w); ws[w] = W_GOON
	:: wact[w] == M_A_NATIVE ->
		detach(w); ws[w] = W_GOON
	:: wact[w] == M_A_WAIT -> ws[w] = W_WAIT
	:: wact[w] == M_A_REQUEST -> ws[w] = W_SEND
	:: else ->
		/* FAIL, or anything else: perm_failure */
		printf("MSC: unit %d fails: perm_failure\n", w);
		detach(w); done(w, false, true)
	fi
}

#define LOCALS	byte tf, te, k; bool ok

/*
 * Host side of REQ_RESET: virtio_aer_pv_request_reset().  STALE when seq
 * is not the function's current error, UNSUPPORTED when it cannot (or
 * not that kind), else the reset starts: a link reset reaches every
 * function of the host link, a function reset every function the error
 * names.
 */
#define M_REACHES(k, tf) \
	((tkind[k] == M_KL && hlink[tf] == hlink[tfn[k]]) || \
	 (tkind[k] == M_KF && (efns[tseq[k]] & M_BIT(tf))))

inline host_request_reset(k)
{
	if
	:: hseq[tfn[k]] != tseq[k] ->
		printf("MSC: REQ_RESET %d for F%d: STALE (host error %d)\n",
		       tseq[k], tfn[k], hseq[tfn[k]]);
		assert(prop_e || hseq[tfn[k]] > tseq[k]);
		tst[k] = T_ANSWERED; tstatus[k] = M_S_STALE
	:: else ->
		if
		:: eout[tseq[k]] == M_S_UNSUPP || !(ekinds[tseq[k]] & tkind[k]) ->
			printf("MSC: REQ_RESET %d for F%d, kind %d: UNSUPPORTED\n",
			       tseq[k], tfn[k], tkind[k]);
			tst[k] = T_ANSWERED; tstatus[k] = M_S_UNSUPP
		:: else ->
			printf("MSC: REQ_RESET %d for F%d: reset of kind %d\n",
			       tseq[k], tfn[k], tkind[k]);
			tst[k] = (eout[tseq[k]] == M_S_NEVER -> T_NEVER : T_BUSY);
			tfail[k] = (eout[tseq[k]] == M_S_FAILED);
			for (tf : 0 .. NF - 1) {
				if
				:: M_REACHES(k, tf) ->
					count_reset(tseq[k], tf, tkind[k]);
					infl[tf] = infl[tf] | M_BIT(tseq[k])
				:: else
				fi
			}
			tf = 0
		fi
	fi
}

/* aer_pv_send() for unit w: a free tag; no transport: IN_RESPONSE(unsent) */
inline send(w)
{
	k = 0;
	do
	:: k < NT && tst[k] != T_FREE -> k++
	:: else -> break
	od;
	assert(k < NT);
	if
	:: ops_dead ->
		printf("MSC: unit %d: request %d not sent\n", w, wseq[w]);
		k = 0;
		c_code {
			struct aer_pv_input in = { .type = AER_PV_IN_RESPONSE };
			int w = Pworker->w;

			in.rec = w;
			in.seq = now.wseq[w];
			in.unsent = true;
			m_step(&m_core, &in, M_T0);
			M_TAKE_ACT(w);
		};
		decide(w)
	:: else ->
		tseq[k] = wseq[w]; tfn[k] = wfn[w]; tkind[k] = wkind[w];
		tgone[k] = false; utag[w] = k;
		host_request_reset(k);
		if
		:: tst[k] == T_ANSWERED -> wake_all()
		:: else
		fi;
		k = 0;
		ws[w] = W_WAIT
	fi
}

/* aer_pv_wait() ends: the answer, a change, or the deadline */
inline wait_end(w)
{
	if
	:: utag[w] != M_NONE && tst[utag[w]] == T_ANSWERED ->
		k = utag[w];
		if
		:: ok = false
		:: ok = true		/* it came at the deadline */
		fi;
		printf("MSC: unit %d: answer %d to request %d (at the deadline: %d)\n",
		       w, tstatus[k], tseq[k], ok);
		c_code {
			struct aer_pv_input in = { .type = AER_PV_IN_RESPONSE };
			struct aer_pv_response resp = {};
			int w = Pworker->w, k = Pworker->k;

			resp.status = m_status[now.tstatus[k]];
			resp.seq = now.tseq[k];
			if (now.tstatus[k] == M_S_OK)
				resp.reset_kind = m_kind(now.tkind[k]);
			in.rec = w;
			in.seq = now.tseq[k];
			in.resp = &resp;
			m_step(&m_core, &in, Pworker->ok ?
			       m_core.recs[w].deadline : M_T0);
			M_TAKE_ACT(w);
		};
		tst[k] = T_FREE; tseq[k] = 0; tfn[k] = 0; tkind[k] = 0;
		tstatus[k] = 0; tgone[k] = false; utag[w] = M_NONE;
		k = 0; ok = false
	:: else ->
		if
		:: woke[w] -> ok = false
		:: ok = true		/* the deadline */
		fi;
		printf("MSC: unit %d wakes (deadline: %d)\n", w, ok);
		c_code {
			struct aer_pv_input in = { .type = AER_PV_IN_WAKE };
			int w = Pworker->w;

			in.rec = w;
			m_step(&m_core, &in, Pworker->ok ?
			       m_core.recs[w].deadline : M_T0);
			M_TAKE_ACT(w);
		};
		ok = false
	fi;
	decide(w)
}

/*
 * aer_pv_unit_work() of unit w: the job; no function of it left: no
 * pcie_do_recovery(), IN_DONE(false); else error_detected below the
 * bridge and the drivers' vote (frozen: the reset step; normal:
 * CAN_RECOVER, mmio_enabled and resume, or NEED_RESET, the reset step)
 */
inline start_work(w)
{
	c_code {
		const struct aer_pv_rec *r = &m_core.recs[Pworker->w];
		unsigned int i, left = 0;

		now.wbr[Pworker->w] = m_bidx(r->bridge);
		for (i = 0; i < AER_PV_MAX_FNS; i++)
			if (r->cur.fns & BIT(i) &&
			    !now.fgone[m_fidx(now.topo, m_core.fns[i].id)])
				left = 1;
		if (r->cur.untracked &&
		    !now.fgone[m_fidx(now.topo, r->cur.untracked_fn)])
			left = 1;
		Pworker->ok = left;
		Pworker->k = r->frozen;
	};
	printf("MSC: unit %d runs below B%d (errors %d), frozen %d, functions left %d\n",
	       w, wbr[w], gcur[w], k, ok);
	if
	:: !ok -> k = 0; done(w, false, false)
	:: ok && !k -> ok = false; touch(w); done(w, true, true)
	:: ok -> k = 0; ok = false;
		c_code {
			struct aer_pv_input in = {
				.type = AER_PV_IN_RESET_STEP,
				.timeout_ns = M_TIMEOUT,
			};
			int w = Pworker->w;

			in.kind = now.wbr[w] == 2 ?
				  VIRTIO_AER_PV_RESET_KIND_FUNCTION :
				  VIRTIO_AER_PV_RESET_KIND_LINK;
			in.rec = aer_pv_find_rec(&m_core, m_bid(now.wbr[w]));
			m_step(&m_core, &in, M_T0);
			M_TAKE_ACT(w);
		};
		decide(w)
	fi
}

/* RESUME: slot_reset, resume; NATIVE: the native reset first; IN_DONE */
inline go_on(w)
{
	if
	:: wact[w] == M_A_NATIVE ->
		printf("MSC: unit %d resets B%d natively for error %d\n",
		       w, wbr[w], wseq[w]);
		gnat[wbr[w]] = gnat[wbr[w]] | M_BIT(wseq[w]);
		for (tf : 0 .. NF - 1) {
			if
			:: fbr[tf] == wbr[w] && !fgone[tf] ->
				count_reset(wseq[w], tf, M_NEED(wbr[w]))
			:: else
			fi
		}
		tf = 0
	:: else
	fi;
	touch(w);
	done(w, true, true)
}

proctype worker(byte w)
{
	LOCALS;
end:
	do
	:: atomic { ws[w] == W_IDLE && go[w] -> go[w] = false; start_work(w) }
	:: atomic { ws[w] == W_SEND -> send(w) }
	:: atomic { ws[w] == W_WAIT -> wait_end(w) }
	:: atomic { ws[w] == W_GOON -> go_on(w) }
	od
}

/*
 * channel.c: aer_pv_channel_event() (lock; IN_EVENT; queue the units
 * ACT_START names; unlock; wake), and the answer work
 */
inline deliver(m)
{
	c_code {
		struct aer_pv_input in = { .type = AER_PV_IN_EVENT };
		u32 bridges[VIRTIO_AER_PV_MAX_FUNCS];
		struct aer_pv_event ev = {};
		int e = Pevents->m % 8, f, u, ok;

		ev.seq = e;
		if (Pevents->m / 8 == M_EVT_ERROR) {
			ev.type = VIRTIO_AER_PV_EVT_ERROR;
			ev.severity = m_sev[now.esev[e]];
			ev.reset = m_rst[now.eres[e]];
			ev.reset_kind = ev.reset == VIRTIO_AER_PV_RESET_NONE ?
					VIRTIO_AER_PV_RESET_KIND_NONE :
					m_kind(now.eown[e]);
			ev.flags = now.reset_kinds ? m_flags(now.ekinds[e]) : 0;
			for (f = 0; f < NF; f++) {
				if (now.efns[e] & (1 << f)) {
					ev.funcs[ev.nr_funcs] = m_fid(now.topo, f);
					bridges[ev.nr_funcs++] = now.fgone[f] ?
						AER_PV_NO_BRIDGE :
						m_bid(now.fbr[f]);
				}
			}
		} else {
			ev.type = VIRTIO_AER_PV_EVT_RESET;
			ev.reset = m_rst[now.erst[e]];
			ev.reset_kind = m_kind(now.eown[e]);
		}
		in.ev = &ev;
		in.bridges = bridges;
		m_step(&m_core, &in, M_T0);
		ok = m_act.verdict == AER_PV_OK;
		Pevents->i = ok;
		/* ghosts: the errors each unit's running or pending recovery holds */
		if (ok && ev.type == VIRTIO_AER_PV_EVT_ERROR &&
		    now.esev[e] != M_SEV_COR) {
			for (f = 0; f < NF; f++) {
				if (!(now.efns[e] & (1 << f)) || now.fgone[f])
					u = AER_PV_NO_REC;
				else
					u = aer_pv_find_rec(&m_core,
							    m_bid(now.fbr[f]));
				if (u == AER_PV_NO_REC)
					;
				else if (m_act.type == AER_PV_ACT_START &&
					 (m_act.start & BIT_ULL(u)))
					now.gcur[u] |= 1 << e;
				else
					now.gnext[u] |= 1 << e;
				if (u != AER_PV_NO_REC)
					now.gnamed |= 1 << ((e - 1) * NF + f);
			}
		}
		/* aer_pv_start_units() */
		if (ok && m_act.type == AER_PV_ACT_START)
			for (u = 0; u < NU; u++)
				if (m_act.start & BIT_ULL(u))
					now.go[u] = 1;
	};
	printf("MSC: event %d of error %d: accepted %d\n", M_MSG_TYPE(m),
	       M_MSG_SEQ(m), i);
	if
	:: i -> wake_all()
	:: else
	fi
}

proctype events()
{
	byte m, i, k;
end:
	do
	:: atomic {
		orphans != 0 ->
		/* aer_pv_answer_work(): the lowest tag first */
		k = 0;
		do
		:: !(orphans & M_BIT(k)) -> k++
		:: else -> break
		od;
		printf("MSC: answer work: answer %d to request %d\n",
		       tstatus[k], tseq[k]);
		c_code {
			struct aer_pv_input in = {
				.type = AER_PV_IN_RESPONSE,
				.rec = AER_PV_NO_REC,
			};
			struct aer_pv_response resp = {};
			int k = Pevents->k;

			resp.status = m_status[now.tstatus[k]];
			resp.seq = now.tseq[k];
			if (now.tstatus[k] == M_S_OK)
				resp.reset_kind = m_kind(now.tkind[k]);
			in.seq = now.tseq[k];
			in.resp = &resp;
			m_step(&m_core, &in, M_T0);
		};
		orphans = orphans & ~M_BIT(k);
		tst[k] = T_FREE; tseq[k] = 0; tfn[k] = 0; tkind[k] = 0;
		tstatus[k] = 0; tgone[k] = false;
		k = 0;
		wake_all()
	   }
	:: atomic {
		qn > 0 && !downed ->
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
		:: faults < FAULTS -> faults++; m = 0	/* lost */
		:: faults < FAULTS && qn < QLEN ->	/* delivered twice */
			faults++; q[qn] = m; qn++
		:: true
		fi;
		if
		:: m != 0 -> deliver(m)
		:: else -> printf("MSC: event lost\n")
		fi;
		m = 0; i = 0
	   }
	od
}

/* The host's side of an error: qmp_aer_pv_inject_error() */
inline host_error()
{
	e = nexterr;
	if
	:: f = 0
#ifdef ANYFN
	:: e > 1 -> f = 1
#else
	:: e > 1 && topo != 0 -> f = 1
#endif
	fi;
	if
	:: esev[e] = M_SEV_NONFATAL
	:: esev[e] = M_SEV_FATAL
#ifdef CORRECTABLE
	:: esev[e] = M_SEV_COR
#endif
	fi;
	if
	:: eres[e] = M_RS_NONE
#ifndef NO_HOST_RESET
	:: esev[e] != M_SEV_COR -> eres[e] = M_RS_DONE
#ifndef NONFATAL_HOST_RESET
	:: esev[e] == M_SEV_FATAL ->
#else
	:: esev[e] != M_SEV_COR ->
#endif
		if
		:: eres[e] = M_RS_PENDING; eend[e] = M_RS_DONE
		:: eres[e] = M_RS_PENDING; eend[e] = M_RS_FAILED
		:: eres[e] = M_RS_FAILED
		fi
#endif
	fi;
	/* the kind of the host's own reset: a link reset (it reaches every
	 * function the error names: all those of the host link), or with
	 * HOST_FLR a function reset of every function the error names */
	eown[e] = M_KL;
#ifdef HOST_FLR
	if
	:: eres[e] != M_RS_NONE -> eown[e] = M_KF
	:: true
	fi;
#endif
#ifdef KINDS
	if
	:: ekinds[e] = M_KL
	:: ekinds[e] = M_KF
	:: ekinds[e] = M_KL | M_KF
	fi;
#else
	ekinds[e] = M_KL | M_KF;
#endif
	if
	:: eres[e] == M_RS_NONE && can_request && esev[e] != M_SEV_COR ->
		if
		:: eout[e] = M_S_OK
		:: eout[e] = M_S_FAILED
		:: eout[e] = M_S_UNSUPP
		:: eout[e] = M_S_NEVER
		fi
	:: else -> eout[e] = M_S_OK
	fi;
	/* an uncorrectable error names every function of the host link */
	efns[e] = M_BIT(f);
	if
	:: hlink[1 - f] == hlink[f] && esev[e] != M_SEV_COR -> efns[e] = 3
	:: else
	fi;
	for (tf : 0 .. NF - 1) {
		if
		:: efns[e] & M_BIT(tf) ->
			if
			:: esev[e] != M_SEV_COR -> hseq[tf] = e
			:: else
			fi;
			if
			:: eres[e] != M_RS_NONE -> count_reset(e, tf, eown[e])
			:: else
			fi;
			if
			:: eres[e] == M_RS_PENDING ->
				infl[tf] = infl[tf] | M_BIT(e)
			:: else
			fi
		:: else
		fi
	}
	tf = 0;
	if
	:: eres[e] == M_RS_DONE -> gdone[e] = gdone[e] | eown[e]
	:: else
	fi;
	q[qn] = M_MSG(M_EVT_ERROR, e); qn++;
	printf("MSC: host error %d on F%d (functions %d) sev %d reset %d (ends %d) request %d kinds %d\n",
	       e, f, efns[e], esev[e], eres[e], eend[e], eout[e], ekinds[e]);
	nexterr++
}

/* virtio_aer_pv_reset_end() for the host's own reset of error e */
inline host_reset_end(e)
{
	for (tf : 0 .. NF - 1) {
		if
		:: efns[e] & M_BIT(tf) -> infl[tf] = infl[tf] & ~M_BIT(e)
		:: else
		fi
	}
	tf = 0;
	printf("MSC: host reset of error %d ends: %d\n", e, eend[e]);
	if
	:: eend[e] == M_RS_DONE -> gdone[e] = gdone[e] | eown[e]
	:: else
	fi;
	erst[e] = eend[e]; eend[e] = 0;
	q[qn] = M_MSG(M_EVT_RESET, e); qn++
}

/* The end of a reset the guest asked for, and its answer */
inline host_request_end(k)
{
	for (tf : 0 .. NF - 1) {
		if
		:: M_REACHES(k, tf) -> infl[tf] = infl[tf] & ~M_BIT(tseq[k])
		:: else
		fi
	}
	tf = 0;
	printf("MSC: requested reset for error %d ends (failed %d)\n",
	       tseq[k], tfail[k]);
	if
	:: !tfail[k] -> gdone[tseq[k]] = gdone[tseq[k]] | tkind[k]
	:: else
	fi;
	tstatus[k] = (tfail[k] -> M_S_FAILED : M_S_OK);
	tfail[k] = false;
	if
	:: downed -> tst[k] = T_LOST
	:: else ->
		tst[k] = T_ANSWERED;
		if
		:: tgone[k] -> orphans = orphans | M_BIT(k)
		:: else
		fi;
		wake_all()
	fi
}

proctype host()
{
	byte e, f, tf;
end:
	do
	:: atomic { nexterr <= NERR -> host_error(); e = 0; f = 0 }
	:: atomic { eend[1] != 0 -> host_reset_end(1) }
#if NERR >= 2
	:: atomic { eend[2] != 0 -> host_reset_end(2) }
#endif
#if NERR >= 3
	:: atomic { eend[3] != 0 -> host_reset_end(3) }
#endif
	:: atomic { tst[0] == T_BUSY -> host_request_end(0) }
	:: atomic { tst[1] == T_BUSY -> host_request_end(1) }
	:: atomic { tst[2] == T_BUSY -> host_request_end(2) }
#if NT > 3
	:: atomic { tst[3] == T_BUSY -> host_request_end(3) }
#endif
#if NT > 4
	:: atomic { tst[4] == T_BUSY -> host_request_end(4) }
#endif
	od
}

/* Unregister (IN_DOWN, then the transport stops), a function leaves */
proctype env()
{
	byte f;
end:
	do
#ifdef DOWN
	:: atomic {
		!downed ->
		downed = true;
		printf("MSC: IN_DOWN\n");
		c_code {
			struct aer_pv_input in = { .type = AER_PV_IN_DOWN };

			m_step(&m_core, &in, M_T0);
		}
	   }
	:: atomic { downed && !ops_dead -> ops_dead = true; wake_all() }
#endif
#ifdef GONE
	:: atomic {
		!gone_done && !downed ->
		gone_done = true;
		if
		:: f = 0
		:: f = 1
		fi;
		printf("MSC: IN_FN_GONE F%d\n", f);
		c_code {
			struct aer_pv_input in = { .type = AER_PV_IN_FN_GONE };

			in.fn = m_fid(now.topo, Penv->f);
			m_step(&m_core, &in, M_T0);
		};
		fgone[f] = true;
		/* (g): its errors end with it */
		gended = gended | (gnamed & M_FMASK(f));
		wake_all();
		f = 0
	   }
#endif
	:: false
	od
}

/* (d), (g) in every final state: every function named has had its end */
active proctype final_check()
{
	timeout ->
	assert(prop_g || (gnamed & ~gended) == 0);
	assert(prop_d || (gnext[0] | gnext[1] | gnext[2]) == 0)
}

init
{
	atomic {
#if TOPO == 3
		if
		:: topo = 0
		:: topo = 1
		:: topo = 2
		fi;
#else
		topo = TOPO;
#endif
		fbr[0] = (topo == 4 -> 2 : 0);
		fbr[1] = (topo == 1 || topo == 4 -> 0 : 1);
		hlink[0] = 0;
		hlink[1] = (topo == 0 -> 1 : 0);
#ifdef KINDS
		if
		:: reset_kinds = true
		:: reset_kinds = false
		fi;
#endif
#ifdef NO_CAN_REQUEST
		can_request = false;
#elif defined(CAN_REQUEST)
		can_request = true;
#else
		if
		:: can_request = true
		:: can_request = false
		fi;
#endif
		c_code {
			aer_pv_core_init(&m_core, now.can_request);
			m_core.reset_kinds = now.reset_kinds;
			m_core.nr_fns = TABLE;
			m_scrub(&m_core);
		};
		utag[0] = M_NONE; utag[1] = M_NONE; utag[2] = M_NONE;
		run host();
		run events();
		run worker(0);
		run worker(1);
		run worker(2);
#if defined(DOWN) || defined(GONE)
		run env()
#else
		skip
#endif
	}
}
