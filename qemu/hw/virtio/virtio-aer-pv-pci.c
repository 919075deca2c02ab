/*
 * virtio-aer-pv PCI bindings
 *
 * Copyright (c) 2026 aer-pv developers
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"

#include "hw/virtio/virtio-pci.h"
#include "hw/virtio/virtio-aer-pv.h"
#include "hw/qdev-properties.h"
#include "qapi/error.h"
#include "qemu/module.h"
#include "qom/object.h"

typedef struct VirtIOAerPvPCI VirtIOAerPvPCI;

#define TYPE_VIRTIO_AER_PV_PCI "virtio-aer-pv-pci-base"
DECLARE_INSTANCE_CHECKER(VirtIOAerPvPCI, VIRTIO_AER_PV_PCI,
                         TYPE_VIRTIO_AER_PV_PCI)

struct VirtIOAerPvPCI {
    VirtIOPCIProxy parent_obj;
    VirtIOAerPv vdev;
};

static const Property virtio_aer_pv_pci_properties[] = {
    DEFINE_PROP_UINT32("vectors", VirtIOPCIProxy, nvectors,
                       DEV_NVECTORS_UNSPECIFIED),
};

static void virtio_aer_pv_pci_realize(VirtIOPCIProxy *vpci_dev, Error **errp)
{
    VirtIOAerPvPCI *dev = VIRTIO_AER_PV_PCI(vpci_dev);
    DeviceState *vdev = DEVICE(&dev->vdev);

    /* A device new enough to have no legacy interface */
    virtio_pci_force_virtio_1(vpci_dev);
    if (vpci_dev->nvectors == DEV_NVECTORS_UNSPECIFIED) {
        vpci_dev->nvectors = VIRTIO_AER_PV_NR_VQS + 1;
    }
    qdev_realize(vdev, BUS(&vpci_dev->bus), errp);
}

static void virtio_aer_pv_pci_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    VirtioPCIClass *k = VIRTIO_PCI_CLASS(klass);
    PCIDeviceClass *pcidev_k = PCI_DEVICE_CLASS(klass);

    k->realize = virtio_aer_pv_pci_realize;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
    pcidev_k->vendor_id = PCI_VENDOR_ID_REDHAT_QUMRANET;
    pcidev_k->device_id = PCI_DEVICE_ID_VIRTIO_10_BASE + VIRTIO_ID_AER_PV;
    pcidev_k->revision = VIRTIO_PCI_ABI_VERSION;
    pcidev_k->class_id = PCI_CLASS_OTHERS;
    device_class_set_props(dc, virtio_aer_pv_pci_properties);
}

static void virtio_aer_pv_pci_instance_init(Object *obj)
{
    VirtIOAerPvPCI *dev = VIRTIO_AER_PV_PCI(obj);

    /* This also makes the device's properties the proxy's */
    virtio_instance_init_common(obj, &dev->vdev, sizeof(dev->vdev),
                                TYPE_VIRTIO_AER_PV);
}

static const VirtioPCIDeviceTypeInfo virtio_aer_pv_pci_info = {
    .base_name             = TYPE_VIRTIO_AER_PV_PCI,
    .generic_name          = "virtio-aer-pv-pci",
    .non_transitional_name = "virtio-aer-pv-pci-non-transitional",
    .instance_size = sizeof(VirtIOAerPvPCI),
    .instance_init = virtio_aer_pv_pci_instance_init,
    .class_init    = virtio_aer_pv_pci_class_init,
};

static void virtio_aer_pv_pci_register(void)
{
    virtio_pci_types_register(&virtio_aer_pv_pci_info);
}

type_init(virtio_aer_pv_pci_register)
