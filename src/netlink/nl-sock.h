/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A synchronous rtnetlink request socket over libmnl: one request at a time, answered by an
 * ACK or a dump. This is the only place where libmnl's -1/errno and MNL_CB_* conventions are
 * turned into -errno; nothing above src/netlink/ sees them.
 */
#ifndef KN_NETLINK_NL_SOCK_H
#define KN_NETLINK_NL_SOCK_H

#include <stddef.h>

struct nlmsghdr;
struct nl_sock;

/*
 * Opens a NETLINK_ROUTE socket (CLOEXEC, blocking) bound to an automatic port id. Returns 0 and
 * sets '*ret' (free with nl_sock_free()), -ENOMEM, or the socket's -errno.
 */
int nl_sock_new(struct nl_sock **ret);

/* Closes and frees 's'; accepts NULL; returns NULL. */
struct nl_sock *nl_sock_free(struct nl_sock *s);

/*
 * Per-message callback for nl_sock_transact(): returns 0 to continue, a negative errno to stop
 * the transaction with that error.
 */
typedef int (*nl_msg_fn)(const struct nlmsghdr *nlh, void *data);

/*
 * Sends 'nlh' (sequence number and NLM_F_ACK/NLM_F_REQUEST are set here) and blocks until the
 * kernel's answer is complete: each reply message goes to 'cb' (may be NULL), a dump ends with
 * NLMSG_DONE, a plain request with its ACK. Returns 0, the kernel's -errno from NLMSG_ERROR, the
 * callback's error, or -EINTR-safe socket errors. Dumps interrupted by a concurrent change
 * (NLM_F_DUMP_INTR) are retried up to 3 times and then fail with -EAGAIN.
 * The whole answer is read before 'cb' sees its first message, so 'cb' sees exactly one
 * consistent answer even after retries, and may stop early without leaving anything queued.
 * Answers larger than 64 MiB fail with -E2BIG. A message passed to 'cb' is valid only during
 * the call. 'nlh' stays the caller's and may be sent again.
 */
int nl_sock_transact(struct nl_sock *s, struct nlmsghdr *nlh, nl_msg_fn cb, void *data);

/*
 * The kernel's own words for why the last request of 's' failed (its extended ACK message, say
 * "IPv6 is disabled on nexthop device"), "" when it gave none or the request succeeded. Valid
 * until the next request.
 */
const char *nl_sock_error_message(const struct nl_sock *s);

/* Size of the request buffers callers should use with nl_msg_start(). */
#define NL_SOCK_BUFSIZE 8192

/*
 * mnl_nlmsg_put_header() on 'buf' (NL_SOCK_BUFSIZE bytes) zeroed first: libmnl 1.0.4 leaves the
 * padding after attributes unwritten, which would send uninitialised stack bytes to the kernel
 * (valgrind's memcheck reports them; tests/integration/test_valgrind.py).
 */
struct nlmsghdr *nl_msg_start(void *buf);

#endif
