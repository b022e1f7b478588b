/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small file-descriptor helpers shared by the event loop, netlink, the API server and file-util.
 * All of them return 0 or -errno and never log.
 */
#ifndef KN_SHARED_FD_UTIL_H
#define KN_SHARED_FD_UTIL_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Sets O_NONBLOCK and FD_CLOEXEC on 'fd' (for descriptors that could not be opened with
 * SOCK_NONBLOCK|SOCK_CLOEXEC, e.g. ones inherited or returned by a library). Skips the
 * F_SETFL/F_SETFD calls when the flags are already set. Returns 0 or -errno (-EBADF).
 */
int fd_set_nonblock_cloexec(int fd);

/*
 * Closes 'fd' if it is >= 0, keeping errno intact, and returns -1 so that the caller can write
 * 'fd = safe_close(fd);'. Errors from close() are ignored: the descriptor is gone either way.
 */
int safe_close(int fd);

/*
 * Writes all 'len' bytes of 'buf' to the blocking descriptor 'fd', retrying after EINTR and short
 * writes. Returns 0 or -errno; -EAGAIN if 'fd' is non-blocking and full (some bytes may then have
 * been written). Blocks.
 */
int fd_write_all(int fd, const void *buf, size_t len);

/*
 * One sendmsg() of 'len' (>= 1) bytes of 'buf' on the socket 'sock' with descriptor 'fd' attached
 * (SCM_RIGHTS), with MSG_NOSIGNAL added to 'flags'. Returns what sendmsg() returns (the bytes
 * sent, or -1 with errno set): the descriptor travels with the first byte, so a caller that must
 * send the rest goes on with plain send().
 */
ssize_t fd_send_with_fd(int sock, const void *buf, size_t len, int fd, int flags);

#endif
