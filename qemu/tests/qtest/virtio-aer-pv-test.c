/*
 * QTest of virtio-aer-pv against a hostile driver
 *
 * The test plays the guest's driver the way a malicious one would: it
 * builds the virtqueues by hand and sends requests with every field out
 * of range, buffers too short, too long, empty or chained, unknown
 * types, stale sequence numbers, floods of phase reports and of reset
 * requests of alternating kinds, and resets the device in the middle.
 * It checks every answer, that QEMU keeps answering, and that what the
 * guest made QEMU do stays within the bounds the device promises: one
 * reset per error whatever it asks, an AER_PV_PHASE event only for a
 * later phase of a current error, and counters that match.  Last, it
 * checks the test hook the nested test relies on to hold a device in
 * reset after a link reset.
 *
 * Copyright (c) 2026 aer-pv developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "libqtest.h"
#include "qemu/bswap.h"
#include "libqos/libqos-malloc.h"
#include "libqos/malloc-pc.h"
#include "libqos/pci-pc.h"
#include "libqos/virtio.h"
#include "libqos/virtio-pci.h"
#include "qapi/error.h"
#include "qobject/qdict.h"
#include "qobject/qjson.h"
#include "standard-headers/linux/pci_regs.h"
#include "standard-headers/linux/virtio_config.h"
#include "standard-headers/linux/virtio_aer_pv.h"

#define AER_PV_DEVFN        QPCI_DEVFN(4, 0)
#define NR_EVENTS           16
#define EVENT_SIZE          sizeof(union virtio_aer_pv_event)
#define NR_SLOTS            16      /* requests in flight at once */
#define SLOT_SIZE           256
#define WAIT_STEPS          20000   /* 1 ms of virtual time each */

#define CMDLINE "-M q35 -nodefaults " \
    "-device pcie-root-port,id=rp0,bus=pcie.0,addr=0x2,chassis=1 " \
    "-device e1000e,id=nic0,bus=rp0 " \
    "-device virtio-aer-pv-pci,id=aerpv,bus=pcie.0,addr=0x4"

typedef struct Driver {
    QTestState *qts;
    QGuestAllocator alloc;
    QPCIBus *bus;
    QVirtioPCIDevice *dev;
    QVirtQueue *evq;
    QVirtQueue *rq;
    uint64_t events;            /* NR_EVENTS buffers */
    uint64_t slots;             /* NR_SLOTS request/response areas */
    bool answered[NR_SLOTS];
    uint32_t len[NR_SLOTS];
    struct virtio_aer_pv_response resp[NR_SLOTS];
    unsigned int phase_events;  /* AER_PV_PHASE events seen */
} Driver;

static void post_event_buffer(Driver *d, unsigned int i)
{
    d->evq->free_head = i;
    qvirtqueue_add(d->qts, d->evq, d->events + i * EVENT_SIZE, EVENT_SIZE,
                   true, false);
    qvirtqueue_kick(d->qts, &d->dev->vdev, d->evq, i);
}

/* Probe as a driver does: features, queues, event buffers, DRIVER_OK */
static void driver_start(Driver *d)
{
    uint64_t features;
    unsigned int i;

    qvirtio_start_device(&d->dev->vdev);
    features = qvirtio_get_features(&d->dev->vdev);
    g_assert(features & (1ull << VIRTIO_AER_PV_F_RESET_REQUEST));
    g_assert(features & (1ull << VIRTIO_AER_PV_F_RESET_KINDS));
    qvirtio_set_features(&d->dev->vdev, features &
                         ((1ull << VIRTIO_F_VERSION_1) |
                          (1ull << VIRTIO_AER_PV_F_RESET_REQUEST) |
                          (1ull << VIRTIO_AER_PV_F_RESET_KINDS)));
    d->evq = qvirtqueue_setup(&d->dev->vdev, &d->alloc,
                              VIRTIO_AER_PV_VQ_EVENT);
    d->rq = qvirtqueue_setup(&d->dev->vdev, &d->alloc,
                             VIRTIO_AER_PV_VQ_REQUEST);
    qvirtio_set_driver_ok(&d->dev->vdev);
    for (i = 0; i < NR_EVENTS; i++) {
        post_event_buffer(d, i);
    }
    memset(d->answered, 0, sizeof(d->answered));
}

static Driver *driver_new(const char *extra)
{
    Driver *d = g_new0(Driver, 1);

    d->qts = qtest_initf("%s %s", CMDLINE, extra);
    pc_alloc_init(&d->alloc, d->qts, 0);
    d->bus = qpci_new_pc(d->qts, &d->alloc);
    qpci_secondary_buses_init(d->bus);
    d->dev = virtio_pci_new(d->bus, &(QPCIAddress) { .devfn = AER_PV_DEVFN });
    g_assert_nonnull(d->dev);
    qvirtio_pci_device_enable(d->dev);
    d->events = guest_alloc(&d->alloc, NR_EVENTS * EVENT_SIZE);
    d->slots = guest_alloc(&d->alloc, NR_SLOTS * SLOT_SIZE);
    driver_start(d);
    return d;
}

static void driver_free(Driver *d)
{
    qvirtqueue_cleanup(d->dev->vdev.bus, d->rq, &d->alloc);
    qvirtqueue_cleanup(d->dev->vdev.bus, d->evq, &d->alloc);
    qvirtio_pci_device_disable(d->dev);
    g_free(d->dev);
    qpci_free_pc(d->bus);
    alloc_destroy(&d->alloc);
    qtest_quit(d->qts);
    g_free(d);
}

/* Let the main loop run, and time pass */
static void step(Driver *d)
{
    qtest_clock_step(d->qts, 1000 * 1000);
}

/* Take the answers the device gave since the last call */
static void collect(Driver *d)
{
    uint32_t desc, len;

    while (qvirtqueue_get_buf(d->qts, d->rq, &desc, &len)) {
        unsigned int slot = desc / 4;

        g_assert_cmpuint(slot, <, NR_SLOTS);
        g_assert_false(d->answered[slot]);
        d->answered[slot] = true;
        d->len[slot] = len;
        if (len) {
            qtest_memread(d->qts, d->slots + slot * SLOT_SIZE + 128,
                          &d->resp[slot], sizeof(d->resp[slot]));
        }
    }
}

/*
 * Put a request in @slot: @out bytes of @req, split over @nout
 * descriptors, and @in bytes of room for the answer over @nin (at most
 * two each; 0 descriptors for none at all).
 */
static void submit_raw(Driver *d, unsigned int slot, const void *req,
                       uint32_t out, unsigned int nout, uint32_t in,
                       unsigned int nin)
{
    uint64_t base = d->slots + slot * SLOT_SIZE;
    uint32_t head = slot * 4, half;
    unsigned int n = nout + nin, k = 0;

    g_assert(out <= 128 && in <= 128 && nout <= 2 && nin <= 2 && n);
    if (out) {
        qtest_memwrite(d->qts, base, req, out);
    }
    qtest_memset(d->qts, base + 128, 0xee, 128);
    d->answered[slot] = false;
    d->rq->free_head = head;
    half = nout == 2 ? out / 2 : out;
    if (nout) {
        qvirtqueue_add(d->qts, d->rq, base, half, false, ++k < n);
    }
    if (nout == 2) {
        qvirtqueue_add(d->qts, d->rq, base + half, out - half, false, ++k < n);
    }
    half = nin == 2 ? in / 2 : in;
    if (nin) {
        qvirtqueue_add(d->qts, d->rq, base + 128, half, true, ++k < n);
    }
    if (nin == 2) {
        qvirtqueue_add(d->qts, d->rq, base + 128 + half, in - half, true,
                       false);
    }
    /* qvirtqueue_add() counts, we chain: link them as the driver does */
    for (k = 0; k + 1 < n; k++) {
        qtest_writew(d->qts, d->rq->desc + 16 * (head + k) + 14, head + k + 1);
    }
    qvirtqueue_kick(d->qts, &d->dev->vdev, d->rq, head);
}

static void submit(Driver *d, unsigned int slot, uint16_t type, uint32_t seq,
                   uint8_t bus, uint8_t devfn, uint8_t arg)
{
    struct virtio_aer_pv_request req = {
        .type = cpu_to_le16(type),
        .seq = cpu_to_le32(seq),
        .func = { .bus = bus, .devfn = devfn },
        .arg = arg,
    };

    submit_raw(d, slot, &req, sizeof(req), 1,
               sizeof(struct virtio_aer_pv_response), 1);
}

static bool wait_slot(Driver *d, unsigned int slot, unsigned int steps)
{
    while (collect(d), !d->answered[slot] && steps--) {
        step(d);
    }
    return d->answered[slot];
}

/* Send one request and return the status of its answer */
static uint8_t request(Driver *d, uint16_t type, uint32_t seq, uint8_t bus,
                       uint8_t devfn, uint8_t arg, uint8_t *kind)
{
    submit(d, 0, type, seq, bus, devfn, arg);
    g_assert(wait_slot(d, 0, WAIT_STEPS));
    g_assert_cmpuint(d->len[0], ==, sizeof(struct virtio_aer_pv_response));
    g_assert_cmpuint(le32_to_cpu(d->resp[0].seq), ==, seq);
    if (kind) {
        *kind = d->resp[0].reset_kind;
    }
    return d->resp[0].status;
}

/* Wait for the next event, and take it */
static void next_event(Driver *d, union virtio_aer_pv_event *ev)
{
    unsigned int n = WAIT_STEPS;
    uint32_t desc, len;

    while (!qvirtqueue_get_buf(d->qts, d->evq, &desc, &len)) {
        g_assert(n--);
        step(d);
    }
    g_assert_cmpuint(desc, <, NR_EVENTS);
    qtest_memread(d->qts, d->events + desc * EVENT_SIZE, ev, EVENT_SIZE);
    post_event_buffer(d, desc);
}

static QDict *stats(Driver *d)
{
    return qtest_qmp_assert_success_ref(d->qts,
                                        "{'execute': 'x-aer-pv-query-stats'}");
}

static uint8_t status(Driver *d)
{
    return d->dev->vdev.bus->get_status(&d->dev->vdev);
}

static int64_t counter(Driver *d, const char *name)
{
    QDict *r = stats(d);
    int64_t v = qdict_get_int(r, name);

    qobject_unref(r);
    return v;
}

static QDict *query_resets(Driver *d)
{
    return qtest_qmp_assert_success_ref(d->qts,
        "{'execute': 'x-aer-pv-query-resets', 'arguments': {'id': 'nic0'}}");
}

static int64_t resets(Driver *d, const char *name)
{
    QDict *r = query_resets(d);
    int64_t v = qdict_get_int(r, name);

    qobject_unref(r);
    return v;
}

/* Does the modelled host hold nic0 in reset now? */
static bool in_reset(Driver *d)
{
    QDict *r = query_resets(d);
    bool v = qdict_get_bool(r, "in-reset");

    qobject_unref(r);
    return v;
}

/* The AER_PV_PHASE events QEMU sent so far */
static unsigned int phase_events(Driver *d)
{
    QDict *ev;

    qobject_unref(qtest_qmp(d->qts, "{'execute': 'query-status'}"));
    while ((ev = qtest_qmp_event_ref(d->qts, "AER_PV_PHASE"))) {
        d->phase_events++;
        qobject_unref(ev);
    }
    return d->phase_events;
}

/* Inject an error into nic0 with the extra arguments @args; its event */
static void inject(Driver *d, const char *args,
                   struct virtio_aer_pv_error_event *e)
{
    g_autofree char *json = g_strdup_printf("{'id': 'nic0', %s}", args);
    union virtio_aer_pv_event ev;

    qtest_qmp_assert_success(d->qts, "{'execute': 'x-aer-pv-inject-error', "
                             "'arguments': %p}",
                             qobject_from_json(json, &error_abort));
    next_event(d, &ev);
    g_assert_cmpuint(le16_to_cpu(ev.error.type), ==, VIRTIO_AER_PV_EVT_ERROR);
    g_assert_cmpuint(ev.error.nr_funcs, ==, 1);
    *e = ev.error;
}

#define REQ(d, type, e, arg) \
    request(d, type, le32_to_cpu((e)->seq), (e)->funcs[0].bus, \
            (e)->funcs[0].devfn, arg, NULL)

/* Every request that is too short, or has no room for its answer */
static void test_malformed(void)
{
    Driver *d = driver_new("");
    struct virtio_aer_pv_request req = {
        .type = cpu_to_le16(VIRTIO_AER_PV_REQ_PHASE),
    };
    static const struct { uint32_t out, nout, in, nin; } bad[] = {
        { 0, 0, 8, 1 },                 /* no request at all */
        { 1, 1, 8, 1 },
        { 11, 1, 8, 1 },
        { 15, 2, 8, 1 },                /* one byte short, chained */
        { 16, 1, 0, 0 },                /* nowhere to answer */
        { 16, 1, 4, 1 },                /* too little room */
        { 16, 2, 7, 2 },
    };
    unsigned int i;

    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        submit_raw(d, 1, &req, bad[i].out, bad[i].nout, bad[i].in,
                   bad[i].nin);
        g_assert(wait_slot(d, 1, WAIT_STEPS));
        g_assert_cmpuint(d->len[1], ==, 0);
    }
    g_assert_cmpint(counter(d, "requests-malformed"), ==, ARRAY_SIZE(bad));

    /* Chained, and longer than needed: still a request */
    submit_raw(d, 2, &req, 16, 2, 8, 2);
    g_assert(wait_slot(d, 2, WAIT_STEPS));
    g_assert_cmpuint(d->len[2], ==, 8);
    g_assert_cmpuint(d->resp[2].status, ==, VIRTIO_AER_PV_S_NOT_MANAGED);
    submit_raw(d, 3, &req, 100, 1, 100, 1);
    g_assert(wait_slot(d, 3, WAIT_STEPS));
    g_assert_cmpuint(d->resp[3].status, ==, VIRTIO_AER_PV_S_NOT_MANAGED);
    g_assert_cmpint(counter(d, "requests-malformed"), ==, ARRAY_SIZE(bad));
    /* The device never stopped answering */
    g_assert_false(status(d) &
                   VIRTIO_CONFIG_S_NEEDS_RESET);
    driver_free(d);
}

/* Unknown types, functions, phases and kinds: each refused as such */
static void test_out_of_range(void)
{
    Driver *d = driver_new("");
    struct virtio_aer_pv_error_event e;
    static const uint16_t types[] = { 0, 3, 0x100, 0xffff };
    static const uint8_t phases[] = { 0, 5, 0x80, 0xff };
    static const uint8_t kinds[] = { 0, 3, 0x80, 0xff };
    uint32_t seq;
    unsigned int i;

    inject(d, "'severity': 'non-fatal'", &e);
    seq = le32_to_cpu(e.seq);
    for (i = 0; i < ARRAY_SIZE(types); i++) {
        g_assert_cmpuint(request(d, types[i], seq, e.funcs[0].bus,
                                 e.funcs[0].devfn, 1, NULL), ==,
                         VIRTIO_AER_PV_S_ERR);
    }
    for (i = 0; i < ARRAY_SIZE(phases); i++) {
        g_assert_cmpuint(REQ(d, VIRTIO_AER_PV_REQ_PHASE, &e, phases[i]), ==,
                         VIRTIO_AER_PV_S_ERR);
    }
    for (i = 0; i < ARRAY_SIZE(kinds); i++) {
        g_assert_cmpuint(REQ(d, VIRTIO_AER_PV_REQ_RESET, &e, kinds[i]), ==,
                         VIRTIO_AER_PV_S_ERR);
    }
    /* Functions the device does not manage, or the guest does not see */
    g_assert_cmpuint(request(d, VIRTIO_AER_PV_REQ_RESET, seq, 0xff, 0xff,
                             VIRTIO_AER_PV_RESET_KIND_LINK, NULL), ==,
                     VIRTIO_AER_PV_S_NOT_MANAGED);
    g_assert_cmpuint(request(d, VIRTIO_AER_PV_REQ_PHASE, seq, 0, AER_PV_DEVFN,
                             VIRTIO_AER_PV_PHASE_DETECTED, NULL), ==,
                     VIRTIO_AER_PV_S_NOT_MANAGED);
    /* e1000e has no FLR: a function reset is refused, nothing is done */
    g_assert_cmpuint(REQ(d, VIRTIO_AER_PV_REQ_RESET, &e,
                         VIRTIO_AER_PV_RESET_KIND_FUNCTION), ==,
                     VIRTIO_AER_PV_S_UNSUPPORTED);
    g_assert_cmpint(resets(d, "host-reset-requests"), ==, 0);
    g_assert_cmpuint(phase_events(d), ==, 0);
    driver_free(d);
}

/*
 * 1000 phase reports of every seq and phase: an event only when the
 * error's recovery moves on, at most once per phase, none once it is
 * over, and every other report dropped and counted.
 */
static void test_phase_flood(void)
{
    Driver *d = driver_new("");
    struct virtio_aer_pv_error_event e, e2;
    unsigned int i, ok = 0;
    uint32_t seq;
    uint8_t st;

    inject(d, "'severity': 'fatal', 'host-reset': 'before'", &e);
    seq = le32_to_cpu(e.seq);
    for (i = 0; i < 1000; i++) {
        static const int32_t dseq[] = { 0, 0, -1, 1, 1000, INT32_MIN };
        uint8_t phase = VIRTIO_AER_PV_PHASE_DETECTED + (i * 7 / 3) % 4;

        st = request(d, VIRTIO_AER_PV_REQ_PHASE, seq + dseq[i % 6],
                     e.funcs[0].bus, e.funcs[0].devfn, phase, NULL);
        g_assert(st == VIRTIO_AER_PV_S_OK || st == VIRTIO_AER_PV_S_STALE);
        ok += st == VIRTIO_AER_PV_S_OK;
    }
    g_assert_cmpuint(ok, >=, 1);
    g_assert_cmpuint(ok, <=, 3);
    g_assert_cmpuint(phase_events(d), ==, ok);
    g_assert_cmpint(counter(d, "reports-dropped"), ==, 1000 - ok);

    /* A new error may be reported again, each phase once */
    inject(d, "'severity': 'non-fatal'", &e2);
    for (i = 0; i < 100; i++) {
        REQ(d, VIRTIO_AER_PV_REQ_PHASE, &e2,
            VIRTIO_AER_PV_PHASE_DETECTED + i % 2);
    }
    g_assert_cmpuint(phase_events(d), ==, ok + 2);
    g_assert_cmpint(counter(d, "reports-dropped"), ==, 1000 - ok + 98);
    driver_free(d);
}

/*
 * A flood of reset requests for one error, alternating kinds, many in
 * flight at once: one reset, every request answered from it.
 */
static void test_reset_flood(void)
{
    Driver *d = driver_new("");
    struct virtio_aer_pv_error_event e;
    unsigned int i, round;
    uint8_t kind;

    inject(d, "'severity': 'non-fatal', 'request-delay-ms': 200", &e);
    g_assert_cmpuint(le16_to_cpu(e.flags), ==, VIRTIO_AER_PV_EVF_RESET_LINK);
    for (i = 0; i < NR_SLOTS; i++) {
        submit(d, i, VIRTIO_AER_PV_REQ_RESET, le32_to_cpu(e.seq),
               e.funcs[0].bus, e.funcs[0].devfn,
               i % 2 ? VIRTIO_AER_PV_RESET_KIND_FUNCTION :
                       VIRTIO_AER_PV_RESET_KIND_LINK);
    }
    /* The reset takes 200 ms: no answer before, and nic0 is in reset */
    step(d);
    collect(d);
    for (i = 0; i < NR_SLOTS; i++) {
        g_assert_false(d->answered[i]);
    }
    g_assert_true(in_reset(d));
    for (i = 0; i < NR_SLOTS; i++) {
        g_assert(wait_slot(d, i, WAIT_STEPS));
        g_assert_cmpuint(d->resp[i].status, ==, VIRTIO_AER_PV_S_OK);
        g_assert_cmpuint(d->resp[i].reset_kind, ==,
                         VIRTIO_AER_PV_RESET_KIND_LINK);
    }
    /* Once it is done, more of either kind are answered at once */
    for (round = 0; round < 100; round++) {
        g_assert_cmpuint(request(d, VIRTIO_AER_PV_REQ_RESET,
                                 le32_to_cpu(e.seq), e.funcs[0].bus,
                                 e.funcs[0].devfn, 1 + round % 2, &kind), ==,
                         VIRTIO_AER_PV_S_OK);
        g_assert_cmpuint(kind, ==, VIRTIO_AER_PV_RESET_KIND_LINK);
    }
    g_assert_cmpint(resets(d, "host-reset-requests"), ==, 1);
    g_assert_cmpint(resets(d, "host-resets"), ==, 1);
    g_assert_cmpint(resets(d, "link-resets"), ==, 0);
    driver_free(d);
}

/* A failed reset is never retried because the guest asks again */
static void test_failed_reset_not_retried(void)
{
    Driver *d = driver_new("");
    struct virtio_aer_pv_error_event e;
    unsigned int i;

    inject(d, "'severity': 'non-fatal', 'request-reset': 'failed'", &e);
    for (i = 0; i < 50; i++) {
        g_assert_cmpuint(REQ(d, VIRTIO_AER_PV_REQ_RESET, &e, 1 + i % 2), ==,
                         VIRTIO_AER_PV_S_FAILED);
    }
    g_assert_cmpint(resets(d, "host-reset-requests"), ==, 1);
    g_assert_cmpint(resets(d, "host-resets"), ==, 0);
    driver_free(d);
}

/*
 * Requests for an error that is not current: an older one, one never
 * issued, one whose recovery the guest said is over.  All refused, no
 * reset.
 */
static void test_stale(void)
{
    Driver *d = driver_new("");
    struct virtio_aer_pv_error_event e1, e2;
    uint32_t s2;

    inject(d, "'severity': 'non-fatal'", &e1);
    inject(d, "'severity': 'non-fatal'", &e2);
    s2 = le32_to_cpu(e2.seq);
    g_assert_cmpuint(REQ(d, VIRTIO_AER_PV_REQ_RESET, &e1,
                         VIRTIO_AER_PV_RESET_KIND_LINK), ==,
                     VIRTIO_AER_PV_S_STALE);
    g_assert_cmpuint(request(d, VIRTIO_AER_PV_REQ_RESET, s2 + 1,
                             e2.funcs[0].bus, e2.funcs[0].devfn,
                             VIRTIO_AER_PV_RESET_KIND_LINK, NULL), ==,
                     VIRTIO_AER_PV_S_STALE);
    g_assert_cmpuint(request(d, VIRTIO_AER_PV_REQ_RESET, 0,
                             e2.funcs[0].bus, e2.funcs[0].devfn,
                             VIRTIO_AER_PV_RESET_KIND_LINK, NULL), ==,
                     VIRTIO_AER_PV_S_STALE);
    g_assert_cmpuint(REQ(d, VIRTIO_AER_PV_REQ_PHASE, &e2,
                         VIRTIO_AER_PV_PHASE_RECOVERED), ==,
                     VIRTIO_AER_PV_S_OK);
    g_assert_cmpuint(REQ(d, VIRTIO_AER_PV_REQ_RESET, &e2,
                         VIRTIO_AER_PV_RESET_KIND_LINK), ==,
                     VIRTIO_AER_PV_S_STALE);
    g_assert_cmpint(counter(d, "requests-refused"), ==, 4);
    g_assert_cmpint(resets(d, "host-reset-requests"), ==, 0);
    g_assert_cmpuint(phase_events(d), ==, 1);
    driver_free(d);
}

/*
 * The driver resets the device while resets it asked for are in flight
 * and requests wait for them, then carries on: nothing is answered into
 * the old queues, the reset still ends, and the device works again.
 */
static void test_reset_mid_flood(void)
{
    Driver *d = driver_new("");
    struct virtio_aer_pv_error_event e;
    unsigned int i;

    inject(d, "'severity': 'non-fatal', 'request-delay-ms': 500", &e);
    for (i = 0; i < NR_SLOTS; i++) {
        submit(d, i, VIRTIO_AER_PV_REQ_RESET, le32_to_cpu(e.seq),
               e.funcs[0].bus, e.funcs[0].devfn, 1 + i % 2);
    }
    step(d);
    qvirtqueue_cleanup(d->dev->vdev.bus, d->rq, &d->alloc);
    qvirtqueue_cleanup(d->dev->vdev.bus, d->evq, &d->alloc);
    qvirtio_reset(&d->dev->vdev);
    for (i = 0; i < 1000; i++) {
        step(d);
    }
    g_assert_false(in_reset(d));
    g_assert_cmpint(resets(d, "host-reset-requests"), ==, 1);
    g_assert_cmpint(resets(d, "host-resets"), ==, 1);

    driver_start(d);
    /* The old error's recovery went with the reset: not current */
    g_assert_cmpuint(REQ(d, VIRTIO_AER_PV_REQ_RESET, &e,
                         VIRTIO_AER_PV_RESET_KIND_LINK), ==,
                     VIRTIO_AER_PV_S_STALE);
    inject(d, "'severity': 'non-fatal'", &e);
    g_assert_cmpuint(REQ(d, VIRTIO_AER_PV_REQ_RESET, &e,
                         VIRTIO_AER_PV_RESET_KIND_LINK), ==,
                     VIRTIO_AER_PV_S_OK);
    g_assert_cmpint(resets(d, "host-reset-requests"), ==, 2);
    driver_free(d);
}

/*
 * A zero-sized buffer is a broken driver to virtio itself: the device
 * asks for a reset, QEMU goes on, and after the reset it works.
 */
static void test_zero_sized_buffer(void)
{
    Driver *d = driver_new("");
    struct virtio_aer_pv_request req = {
        .type = cpu_to_le16(VIRTIO_AER_PV_REQ_PHASE),
    };
    struct virtio_aer_pv_error_event e;
    unsigned int n = WAIT_STEPS;

    submit_raw(d, 0, &req, sizeof(req), 1, 0, 1);
    while (!(status(d) & VIRTIO_CONFIG_S_NEEDS_RESET)) {
        g_assert(n--);
        step(d);
    }
    qvirtqueue_cleanup(d->dev->vdev.bus, d->rq, &d->alloc);
    qvirtqueue_cleanup(d->dev->vdev.bus, d->evq, &d->alloc);
    driver_start(d);
    inject(d, "'severity': 'non-fatal'", &e);
    g_assert_cmpuint(REQ(d, VIRTIO_AER_PV_REQ_PHASE, &e,
                         VIRTIO_AER_PV_PHASE_DETECTED), ==,
                     VIRTIO_AER_PV_S_OK);
    driver_free(d);
}

/* Whether QMP refuses to arm x-aer-pv-slow-link-reset with these */
static bool slow_link_refused(Driver *d, const char *id, int hold_ms)
{
    QDict *r = qtest_qmp(d->qts, "{'execute': 'x-aer-pv-slow-link-reset', "
                         "'arguments': {'id': %s, 'hold-ms': %d}}",
                         id, hold_ms);
    bool refused = qdict_haskey(r, "error");

    qobject_unref(r);
    return refused;
}

static void sec_bus_reset(QPCIDevice *port)
{
    uint16_t ctl = qpci_config_readw(port, PCI_BRIDGE_CONTROL);

    qpci_config_writew(port, PCI_BRIDGE_CONTROL,
                       ctl | PCI_BRIDGE_CTL_BUS_RESET);
    qpci_config_writew(port, PCI_BRIDGE_CONTROL,
                       ctl & ~PCI_BRIDGE_CTL_BUS_RESET);
}

/*
 * The test hook the nested test holds a device in reset with: the next
 * link reset of rp0 holds nic0 for hold-ms after its release, once.
 */
static void test_slow_link_reset(void)
{
    Driver *d = driver_new("");
    QPCIDevice *rp = qpci_device_find(d->bus, QPCI_DEVFN(2, 0));
    QPCIDevice *nic = qpci_device_find(d->bus, (1 << 8) | QPCI_DEVFN(0, 0));
    unsigned int n;

    g_assert_nonnull(rp);
    g_assert_nonnull(nic);
    g_assert(slow_link_refused(d, "nic0", 100));
    g_assert(slow_link_refused(d, "rp0", 0));
    g_assert(slow_link_refused(d, "rp0", 300001));
    g_assert(!slow_link_refused(d, "rp0", 100));
    g_assert(slow_link_refused(d, "rp0", 100));
    g_assert_cmphex(qpci_config_readw(nic, PCI_VENDOR_ID), ==, 0x8086);
    g_assert(!in_reset(d));

    sec_bus_reset(rp);
    g_assert(in_reset(d));
    g_assert_cmphex(qpci_config_readw(nic, PCI_VENDOR_ID), ==, 0xffff);
    g_assert_cmpint(resets(d, "accesses-in-reset"), ==, 1);
    for (n = 0; in_reset(d); n++) {
        g_assert_cmpuint(n, <, 200);
        step(d);
    }
    /* It held about hold-ms, and answers again */
    g_assert_cmpuint(n, >=, 99);
    g_assert_cmphex(qpci_config_readw(nic, PCI_VENDOR_ID), ==, 0x8086);

    /* Once only */
    sec_bus_reset(rp);
    g_assert(!in_reset(d));
    g_assert_cmphex(qpci_config_readw(nic, PCI_VENDOR_ID), ==, 0x8086);
    g_free(rp);
    g_free(nic);
    driver_free(d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("virtio-aer-pv/malformed", test_malformed);
    qtest_add_func("virtio-aer-pv/out-of-range", test_out_of_range);
    qtest_add_func("virtio-aer-pv/phase-flood", test_phase_flood);
    qtest_add_func("virtio-aer-pv/reset-flood", test_reset_flood);
    qtest_add_func("virtio-aer-pv/failed-reset-not-retried",
                   test_failed_reset_not_retried);
    qtest_add_func("virtio-aer-pv/stale", test_stale);
    qtest_add_func("virtio-aer-pv/reset-mid-flood", test_reset_mid_flood);
    qtest_add_func("virtio-aer-pv/zero-sized-buffer", test_zero_sized_buffer);
    qtest_add_func("virtio-aer-pv/slow-link-reset", test_slow_link_reset);
    return g_test_run();
}
