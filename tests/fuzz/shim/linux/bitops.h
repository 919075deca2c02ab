/* SPDX-License-Identifier: GPL-2.0 */
#ifndef AER_PV_SHIM_LINUX_BITOPS_H
#define AER_PV_SHIM_LINUX_BITOPS_H
#include <linux/bits.h>
/* The kernel's __ffs(): index of the lowest set bit, undefined for 0. */
#define __ffs(x) ((unsigned long)__builtin_ctzl(x))
#endif
