/* SPDX-License-Identifier: GPL-2.0 */
#ifndef AER_PV_SHIM_LINUX_LIMITS_H
#define AER_PV_SHIM_LINUX_LIMITS_H
#include <stdint.h>
#define U32_MAX UINT32_MAX
#endif
