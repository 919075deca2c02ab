/* SPDX-License-Identifier: GPL-2.0 */
#ifndef AER_PV_SHIM_LINUX_KERNEL_H
#define AER_PV_SHIM_LINUX_KERNEL_H
#include <linux/types.h>
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define min(a, b) ((a) < (b) ? (a) : (b))
#endif
