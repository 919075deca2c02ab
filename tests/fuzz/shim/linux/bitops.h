/* SPDX-License-Identifier: GPL-2.0 */
#ifndef AER_PV_SHIM_LINUX_BITOPS_H
#define AER_PV_SHIM_LINUX_BITOPS_H
#include <linux/bits.h>
/* The kernel's __ffs(): index of the lowest set bit, undefined for 0. */
#define __ffs(x) ((unsigned long)__builtin_ctzl(x))
/* The kernel's hweight64(): the number of set bits. */
#define hweight64(x) ((unsigned int)__builtin_popcountll(x))
#endif
