/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Facts about other processes read from /proc. */
#ifndef KN_SHARED_PROC_UTIL_H
#define KN_SHARED_PROC_UTIL_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * True if process 'pid' has 'gid' among its supplementary groups ("Groups:" of
 * /proc/PID/status); false also when that cannot be read (the process is gone).
 */
bool proc_pid_in_group(pid_t pid, gid_t gid);

#endif
