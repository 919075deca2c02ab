/* SPDX-License-Identifier: GPL-2.0 */
#include <assert.h>
#include <stddef.h>
/* The kernel allows static_assert() without a message. */
#undef static_assert
#define static_assert(expr, ...) _Static_assert(expr, #expr)
