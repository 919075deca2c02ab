# Minimal x86_64 device set for aer-pv: a q35 machine, PCIe Root Ports,
# e1000e and igb (with AER; igb also with FLR), virtio over PCI, the
# virtio-aer-pv channel, and vfio-pci with the Intel IOMMU for device
# assignment.

CONFIG_Q35=y
CONFIG_PCIE_PORT=y
CONFIG_E1000E_PCI_EXPRESS=y
CONFIG_IGB_PCI_EXPRESS=y
CONFIG_VIRTIO_PCI=y
CONFIG_VIRTIO_AER_PV=y
CONFIG_VFIO_PCI=y
CONFIG_VTD=y
