/* SPDX-License-Identifier: GPL-2.0 */
/* trace.h includes this last; nothing to define here */
