/*
 * virtio-aer-pv fuzz target: a hostile guest driver while the host
 * reports errors
 *
 * generic-fuzz reaches virtio-aer-pv only as far as a guest alone can:
 * without an error from the host, the device manages no function, and
 * every request is answered NOT_MANAGED.  This target plays both sides.
 * The host side reports errors of emulated functions through the
 * device's host interface, as vfio-pci does, with the modelled host of
 * virtio-aer-pv-test.c (x-aer-pv-inject-error: its severity, the host's
 * reset, how long it takes and how it ends, the functions it covers,
 * the outcome of the resets the guest asks for).  The guest side brings
 * the device up as a driver does, then posts requests of any type, for
 * any sequence number (the current one of a function, one near the
 * newest, or any), any function and any argument, in well-formed and
 * broken buffer chains, posts event buffers of any size, resets the
 * device, lets time pass, and touches the functions' config space
 * while the host resets them.
 *
 * Each input starts from a freshly reset machine and a driver that has
 * just set DRIVER_OK; at its end, enough time passes for every modelled
 * reset and deadline to end, so that no input leaves work for the next.
 * After each input, the target checks the device's first promise: a
 * guest makes the host start at most one reset per function per error,
 * whatever it asks.
 *
 * Copyright (c) 2026 aer-pv developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"

#include "fuzz.h"
#include "tests/qtest/libqtest.h"
#include "tests/qtest/libqos/libqos-malloc.h"
#include "tests/qtest/libqos/malloc-pc.h"
#include "tests/qtest/libqos/pci-pc.h"
#include "tests/qtest/libqos/virtio.h"
#include "tests/qtest/libqos/virtio-pci.h"
#include "qapi/error.h"
#include "qapi/qapi-commands-aer-pv.h"
#include "qapi/util.h"
#include "qom/object.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci_device.h"
#include "hw/pci-host/q35.h"
#include "hw/virtio/virtio-aer-pv.h"
#include "standard-headers/linux/virtio_config.h"

#define AER_PV_DEVFN        QPCI_DEVFN(4, 0)
#define NR_EVENT_BUFS       8
#define EVENT_BUF_SIZE      256
#define NR_SLOTS            16
#define SLOT_SIZE           256
#define PCIEXBAR            0xb0000000ULL
/*
 * The host's bound on its reset, and enough time for every reset and
 * deadline of an input to end after it: the longest modelled reset is
 * 2550 ms.  The deadlines of the guest's recoveries are 30 s later, and
 * end with the device's reset between two inputs.
 */
#define RESET_TIMEOUT_MS    "1000"
#define DRAIN_NS            (5 * NANOSECONDS_PER_SECOND)

/* The functions the host reports errors of, and the ports above them */
static const char *const funcs[] = { "nic0", "nic1", "nic2" };
static const char *const targets[] = { "nic0", "nic1", "nic2", "rp0", "rp1" };
#define NR_FUNCS            ARRAY_SIZE(funcs)

typedef struct Driver {
    QTestState *qts;
    QGuestAllocator alloc;
    QPCIBus *bus;
    QVirtioPCIDevice *dev;
    QVirtQueue *evq;
    QVirtQueue *rq;
    bool up;                    /* the queues are set up */
    uint64_t event_bufs;
    uint64_t slots;
    unsigned int slot;
    /* errors delivered that name each function, in this input */
    uint64_t errors[NR_FUNCS];
} Driver;

static PCIDevice *pci_by_id(const char *id)
{
    g_autofree char *path = g_strdup_printf("/machine/peripheral/%s", id);
    Object *obj = object_resolve_path_type(path, TYPE_PCI_DEVICE, NULL);

    g_assert(obj);
    return PCI_DEVICE(obj);
}

static uint32_t add_desc(Driver *d, QVirtQueue *vq, uint64_t addr,
                         uint32_t len, bool write, bool next)
{
    return qvirtqueue_add(d->qts, vq, addr, len, write, next);
}

/* A chain of @n descriptors fits in the table from the next free one */
static void chain_start(QVirtQueue *vq, unsigned int n)
{
    if (vq->free_head + n > vq->size) {
        vq->free_head = 0;
    }
}

static void post_event_bufs(Driver *d, unsigned int nr, uint32_t len)
{
    unsigned int i;

    for (i = 0; i < nr; i++) {
        uint32_t head;

        chain_start(d->evq, 1);
        head = add_desc(d, d->evq, d->event_bufs +
                        (i % NR_EVENT_BUFS) * EVENT_BUF_SIZE, len, true,
                        false);
        qvirtqueue_kick(d->qts, &d->dev->vdev, d->evq, head);
    }
}

/* Probe as a driver does: features, queues, event buffers, DRIVER_OK */
static void driver_start(Driver *d, uint64_t features)
{
    QVirtioDevice *vdev = &d->dev->vdev;

    qvirtio_start_device(vdev);
    qvirtio_set_features(vdev, qvirtio_get_features(vdev) & features);
    d->evq = qvirtqueue_setup(vdev, &d->alloc, VIRTIO_AER_PV_VQ_EVENT);
    d->rq = qvirtqueue_setup(vdev, &d->alloc, VIRTIO_AER_PV_VQ_REQUEST);
    qvirtio_set_driver_ok(vdev);
    d->up = true;
    post_event_bufs(d, NR_EVENT_BUFS, sizeof(union virtio_aer_pv_event));
}

static void driver_stop(Driver *d)
{
    qvirtio_reset(&d->dev->vdev);
    if (!d->up) {
        return;
    }
    d->up = false;
    qvirtqueue_cleanup(d->dev->vdev.bus, d->rq, &d->alloc);
    qvirtqueue_cleanup(d->dev->vdev.bus, d->evq, &d->alloc);
}

/*
 * The host's error: @a[0] the reporting function, [1] its severity,
 * [2] the host's reset, [3] how long it takes (10 ms units), [4] how
 * the host answers the guest's requests, [5] how long those resets take,
 * [6] the further functions it covers, [7] its emulated AER message and
 * how its events reach the guest.
 */
static void op_inject(Driver *d, const uint8_t *a)
{
    const char *id = funcs[a[0] % NR_FUNCS];
    AerPvSeverity sev = a[1] % AER_PV_SEVERITY__MAX;
    bool has_reset = a[2] & 0x80;
    AerPvHostReset reset = (a[2] & 0x7f) % AER_PV_HOST_RESET__MAX;
    bool has_request = a[4] & 0x80;
    AerPvRequestReset request = (a[4] & 0x7f) % AER_PV_REQUEST_RESET__MAX;
    strList *more = NULL;
    AerPvInjectResult *res;
    Error *err = NULL;
    unsigned int i;

    for (i = 0; i < NR_FUNCS; i++) {
        if ((a[6] & (1 << i)) && strcmp(funcs[i], id)) {
            QAPI_LIST_PREPEND(more, g_strdup(funcs[i]));
        }
    }
    res = qmp_x_aer_pv_inject_error(id, sev, has_reset, reset,
                                    true, a[3] * 10, !!more, more,
                                    a[7] & 1, a[7] & 1,
                                    a[7] & 2, false,
                                    has_request, request,
                                    true, a[5] * 10,
                                    a[7] & 4, (a[7] >> 4) * 10,
                                    false, 0,
                                    a[7] & 8, a[7] & 8,
                                    false, 0, false, 0, &err);
    if (res && res->delivered) {
        for (i = 0; i < NR_FUNCS; i++) {
            if (!strcmp(funcs[i], id) || (a[6] & (1 << i))) {
                d->errors[i]++;
            }
        }
    }
    qapi_free_AerPvInjectResult(res);
    qapi_free_strList(more);
    error_free(err);
}

/*
 * A request: @a[0] its type, [1] and [2] its sequence number, [3] to
 * [5] its function, [6] its argument, [7] how its buffers are laid out.
 */
static void op_request(Driver *d, const uint8_t *a)
{
    VirtIOAerPv *s = virtio_aer_pv_get(NULL);
    PCIDevice *dev = pci_by_id(funcs[a[3] % NR_FUNCS]);
    AerPvFunc *f = NULL;
    struct virtio_aer_pv_request req = { .arg = a[6] };
    uint64_t out = d->slots + (d->slot++ % NR_SLOTS) * SLOT_SIZE;
    uint64_t in = out + SLOT_SIZE / 2;
    uint32_t seq, head, len = sizeof(req);
    unsigned int i;

    static const uint16_t types[] = {
        VIRTIO_AER_PV_REQ_RESET, VIRTIO_AER_PV_REQ_PHASE, 0, 0xffff,
    };

    if (!d->up) {
        return;
    }
    req.type = cpu_to_le16(types[a[0] % ARRAY_SIZE(types)]);

    for (i = 0; i < s->nr_funcs; i++) {
        if (s->funcs[i].dev == dev) {
            f = &s->funcs[i];
        }
    }
    switch (a[1] % 4) {
    case 0:                 /* the function's current error */
        seq = f ? f->seq : 0;
        break;
    case 1:                 /* near the newest */
        seq = s->next_seq + (int8_t)a[2];
        break;
    case 2:
        seq = a[2] * 0x01010101u;
        break;
    default:
        seq = 0;
    }
    req.seq = cpu_to_le32(seq);

    if (a[3] & 0x80) {      /* any address */
        req.func.segment = cpu_to_le16(a[3] & 0x40 ? 1 : 0);
        req.func.bus = a[4];
        req.func.devfn = a[5];
    } else {
        req.func.bus = pci_dev_bus_num(dev);
        req.func.devfn = dev->devfn;
    }
    qtest_memwrite(d->qts, out, &req, sizeof(req));

    chain_start(d->rq, 3);
    switch (a[7] % 8) {
    case 0:                 /* as a driver does */
        head = add_desc(d, d->rq, out, len, false, true);
        add_desc(d, d->rq, in, sizeof(struct virtio_aer_pv_response),
                 true, false);
        break;
    case 1:                 /* short */
        head = add_desc(d, d->rq, out, a[2] % len, false, true);
        add_desc(d, d->rq, in, sizeof(struct virtio_aer_pv_response),
                 true, false);
        break;
    case 2:                 /* long, and a long answer buffer */
        head = add_desc(d, d->rq, out, SLOT_SIZE / 2, false, true);
        add_desc(d, d->rq, in, SLOT_SIZE / 2, true, false);
        break;
    case 3:                 /* an answer buffer too short */
        head = add_desc(d, d->rq, out, len, false, true);
        add_desc(d, d->rq, in, a[2] % sizeof(struct virtio_aer_pv_response),
                 true, false);
        break;
    case 4:                 /* split */
        head = add_desc(d, d->rq, out, len / 2, false, true);
        add_desc(d, d->rq, out + len / 2, len - len / 2, false, true);
        add_desc(d, d->rq, in, sizeof(struct virtio_aer_pv_response),
                 true, false);
        break;
    case 5:                 /* no answer buffer */
        head = add_desc(d, d->rq, out, len, false, false);
        break;
    case 6:                 /* answer buffer first */
        head = add_desc(d, d->rq, in, sizeof(struct virtio_aer_pv_response),
                        true, true);
        add_desc(d, d->rq, out, len, false, false);
        break;
    default:                /* answer buffer only */
        head = add_desc(d, d->rq, in, sizeof(struct virtio_aer_pv_response),
                        true, false);
        break;
    }
    qvirtqueue_kick(d->qts, &d->dev->vdev, d->rq, head);
}

/* Event buffers: @a[0] how many, [1] how long */
static void op_event_bufs(Driver *d, const uint8_t *a)
{
    static const uint32_t lens[] = {
        sizeof(union virtio_aer_pv_event), 0, 1, 8, 12,
        sizeof(struct virtio_aer_pv_error_event) - 1, EVENT_BUF_SIZE,
    };

    if (d->up) {
        post_event_bufs(d, 1 + a[0] % NR_EVENT_BUFS,
                        lens[a[1] % ARRAY_SIZE(lens)]);
    }
}

/* Time passes: @a[0] and [1] milliseconds */
static void op_clock(Driver *d, const uint8_t *a)
{
    int64_t ms = lduw_le_p(a);

    if (ms) {
        qtest_clock_step(d->qts, ms * SCALE_MS);
    }
}

/*
 * The driver resets the device, and comes back with the features @a[0]
 * selects, or stays away
 */
static void op_virtio_reset(Driver *d, const uint8_t *a)
{
    static const uint64_t features[] = {
        (1ull << VIRTIO_F_VERSION_1) |
        (1ull << VIRTIO_AER_PV_F_RESET_REQUEST) |
        (1ull << VIRTIO_AER_PV_F_RESET_KINDS),
        (1ull << VIRTIO_F_VERSION_1) |
        (1ull << VIRTIO_AER_PV_F_RESET_REQUEST),
        (1ull << VIRTIO_F_VERSION_1),
    };

    driver_stop(d);
    if (a[0] % 4 < ARRAY_SIZE(features)) {
        driver_start(d, features[a[0] % 4]);
    }
}

/*
 * The host holds the guest's event buffers back, or lets them go, or
 * breaks the device (DEVICE_NEEDS_RESET): @a[0]
 */
static void op_host(Driver *d, const uint8_t *a)
{
    Error *err = NULL;

    if (a[0] % 3 == 2) {
        qmp_x_aer_pv_device_error(&err);
    } else {
        qmp_x_aer_pv_hold_events(a[0] % 3, &err);
    }
    error_free(err);
}

/*
 * The guest reads or writes a function's or a port's config space,
 * through MMCONFIG: @a[0] which, [1] and [2] where, [3] how, [4] to [7]
 * the value
 */
static void op_config(Driver *d, const uint8_t *a)
{
    PCIDevice *dev = pci_by_id(targets[a[0] % ARRAY_SIZE(targets)]);
    unsigned int size = 1 << ((a[3] & 0x7f) % 3);
    uint64_t addr = PCIEXBAR | pci_dev_bus_num(dev) << 20 |
                    dev->devfn << 12 | ((a[1] | a[2] << 8) & 0xfff);
    uint32_t val = ldl_le_p(&a[4]);

    addr &= ~(uint64_t)(size - 1);
    if (a[3] & 0x80) {
        switch (size) {
        case 1:
            qtest_writeb(d->qts, addr, val);
            break;
        case 2:
            qtest_writew(d->qts, addr, val);
            break;
        default:
            qtest_writel(d->qts, addr, val);
        }
    } else {
        switch (size) {
        case 1:
            qtest_readb(d->qts, addr);
            break;
        case 2:
            qtest_readw(d->qts, addr);
            break;
        default:
            qtest_readl(d->qts, addr);
        }
    }
}

typedef struct Op {
    void (*fn)(Driver *d, const uint8_t *args);
    size_t len;
} Op;

static const Op ops[] = {
    { op_inject, 8 },
    { op_request, 8 },
    { op_request, 8 },      /* requests are what the guest controls */
    { op_event_bufs, 2 },
    { op_clock, 2 },
    { op_virtio_reset, 1 },
    { op_host, 1 },
    { op_config, 8 },
};

static uint64_t reset_requests(const char *id)
{
    AerPvResetCounts *c = qmp_x_aer_pv_query_resets(id, &error_abort);
    uint64_t n = c->host_reset_requests;

    qapi_free_AerPvResetCounts(c);
    return n;
}

static void virtio_aer_pv_fuzz(QTestState *s, const unsigned char *data,
                               size_t size)
{
    Driver d = { .qts = s };
    uint64_t before[NR_FUNCS];
    unsigned int i;

    for (i = 0; i < NR_FUNCS; i++) {
        before[i] = reset_requests(funcs[i]);
    }

    /* MMCONFIG on, where firmware puts it; the ports' buses numbered */
    qtest_outl(s, 0xcf8, 0x80000000 | MCH_HOST_BRIDGE_PCIEXBAR);
    qtest_outl(s, 0xcfc, PCIEXBAR | MCH_HOST_BRIDGE_PCIEXBAREN);
    pc_alloc_init(&d.alloc, s, ALLOC_NO_FLAGS);
    d.bus = qpci_new_pc(s, &d.alloc);
    qpci_secondary_buses_init(d.bus);
    d.dev = virtio_pci_new(d.bus, &(QPCIAddress) { .devfn = AER_PV_DEVFN });
    g_assert(d.dev);
    qvirtio_pci_device_enable(d.dev);
    d.event_bufs = guest_alloc(&d.alloc, NR_EVENT_BUFS * EVENT_BUF_SIZE);
    d.slots = guest_alloc(&d.alloc, NR_SLOTS * SLOT_SIZE);
    driver_start(&d, (1ull << VIRTIO_F_VERSION_1) |
                     (1ull << VIRTIO_AER_PV_F_RESET_REQUEST) |
                     (1ull << VIRTIO_AER_PV_F_RESET_KINDS));

    while (size > 0) {
        const Op *op = &ops[data[0] % ARRAY_SIZE(ops)];

        if (size < 1 + op->len) {
            break;
        }
        op->fn(&d, data + 1);
        flush_events(s);
        data += 1 + op->len;
        size -= 1 + op->len;
    }

    /* Every modelled reset, deadline and held event ends */
    qmp_x_aer_pv_hold_events(false, &error_abort);
    qtest_clock_step(s, DRAIN_NS);
    flush_events(s);

    for (i = 0; i < NR_FUNCS; i++) {
        uint64_t started = reset_requests(funcs[i]) - before[i];

        if (started > d.errors[i]) {
            fprintf(stderr, "virtio-aer-pv: the guest made the host reset "
                    "%s %" PRIu64 " times for %" PRIu64 " errors\n",
                    funcs[i], started, d.errors[i]);
            abort();
        }
    }

    driver_stop(&d);
    qvirtio_pci_device_disable(d.dev);
    g_free(d.dev->pdev);
    g_free(d.dev);
    qpci_free_pc(d.bus);
    alloc_destroy(&d.alloc);
    fuzz_reset(s);
}

static GString *virtio_aer_pv_fuzz_cmdline(FuzzTarget *t)
{
    GString *cmd_line = g_string_new(TARGET_NAME);

    g_string_append(cmd_line,
        " -display none -machine accel=qtest -m 512M"
        " -machine q35,pit=off -nodefaults"
        " -device pcie-root-port,id=rp0,bus=pcie.0,addr=0x2,chassis=1"
        " -device e1000e,id=nic0,bus=rp0,addr=0.0,multifunction=on"
        " -device e1000e,id=nic1,bus=rp0,addr=0.1"
        " -device pcie-root-port,id=rp1,bus=pcie.0,addr=0x3,chassis=2"
        " -device igb,id=nic2,bus=rp1"
        " -device virtio-aer-pv-pci,id=aerpv,bus=pcie.0,addr=0x4,"
        "reset-timeout-ms=" RESET_TIMEOUT_MS " ");
    return cmd_line;
}

static void register_virtio_aer_pv_fuzz_targets(void)
{
    fuzz_add_target(&(FuzzTarget){
        .name = "virtio-aer-pv-fuzz",
        .description = "Fuzz virtio-aer-pv as a hostile guest driver, "
                       "while the host reports errors",
        .get_init_cmdline = virtio_aer_pv_fuzz_cmdline,
        .fuzz = virtio_aer_pv_fuzz,
    });
}

fuzz_target_init(register_virtio_aer_pv_fuzz_targets);
