/* SPDX-License-Identifier: GPL-2.0 */
#ifndef AER_PV_SHIM_ASM_BYTEORDER_H
#define AER_PV_SHIM_ASM_BYTEORDER_H
#include <endian.h>
#define le16_to_cpu(x) le16toh(x)
#define le32_to_cpu(x) le32toh(x)
#define cpu_to_le16(x) htole16(x)
#define cpu_to_le32(x) htole32(x)
#endif
