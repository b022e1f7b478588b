/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The synchronous rtnetlink request socket of nl-sock.h. A request's whole answer is read into
 * one buffer before the caller's callback sees any of it, so an interrupted dump can be retried
 * without the callback seeing half a dump twice. nl-link, nl-addr and nl-route build their
 * requests on top of it; nl-monitor has its own multicast socket.
 */
#include "netlink/nl-sock.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "shared/alloc-util.h"

/*
 * Room reserved for each datagram. The kernel sizes dump datagrams after our receive buffer but
 * caps them at 32 KiB, except when a single message needs more (cb->min_dump_alloc: a link with
 * many VFs); a datagram larger than this would be truncated (-ENOSPC).
 */
#define NL_SOCK_RECV_CHUNK (64u * 1024)
/* Hard limit for one answer, about 500,000 IPv4 routes: beyond it, -E2BIG. */
#define NL_SOCK_ANSWER_MAX (64u * 1024 * 1024)
/* Buffer kept between requests; a bigger one, grown by a large dump, is given back. */
#define NL_SOCK_BUF_KEEP (256u * 1024)
#define NL_SOCK_DUMP_RETRIES 3

struct nl_sock {
	struct mnl_socket *nl;
	unsigned int portid;
	uint32_t seq;       /* of the last request sent; never 0, which libmnl reads as "any" */
	char *buf;          /* the answer being collected; at least NL_SOCK_RECV_CHUNK bytes */
	size_t size;        /* allocated bytes of 'buf' */
	char errmsg[128];   /* the kernel's extended ACK message of the last failed request */
};

/* State of one nl_sock_transact() shared with the libmnl callbacks below. */
struct nl_transact {
	nl_msg_fn cb;
	void *data;
	int error;          /* the callback's or the kernel's -errno that stopped the run */
	char *errmsg;       /* where the kernel's NLMSGERR_ATTR_MSG goes (the socket's) */
	size_t errmsg_len;
};

DEFINE_FREE_FUNC(struct nl_sock, nl_sock_free)

int nl_sock_new(struct nl_sock **ret)
{
	_cleanup_(nl_sock_freep) struct nl_sock *s = NULL;
	int one = 1;

	assert(ret);

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->size = NL_SOCK_RECV_CHUNK;
	s->buf = malloc(s->size);
	if (!s->buf)
		return -ENOMEM;

	s->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!s->nl)
		return negative_errno();
	if (mnl_socket_bind(s->nl, 0, MNL_SOCKET_AUTOPID) < 0)
		return negative_errno();
	s->portid = mnl_socket_get_portid(s->nl);

	/* Errors then quote only the request's header, not the whole request (Linux >= 4.3). */
	(void)mnl_socket_setsockopt(s->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Dumps filtered by the kernel (an address dump for one link walks that link's addresses,
	 * not the host's); requests are checked strictly too (Linux >= 4.20; older kernels ignore
	 * it, and the callers filter again). */
	(void)mnl_socket_setsockopt(s->nl, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	/* Errors carry the kernel's reason as text ("IPv6 is disabled on nexthop device") that
	 * an errno alone does not tell (Linux >= 4.12). */
	(void)mnl_socket_setsockopt(s->nl, NETLINK_EXT_ACK, &one, sizeof(one));

	*ret = TAKE_PTR(s);
	return 0;
}

struct nl_sock *nl_sock_free(struct nl_sock *s)
{
	if (!s)
		return NULL;
	if (s->nl)
		mnl_socket_close(s->nl);
	free(s->buf);
	free(s);
	return NULL;
}

static uint32_t nl_sock_next_seq(struct nl_sock *s)
{
	if (++s->seq == 0)
		s->seq = 1;
	return s->seq;
}

static int nl_sock_reserve(struct nl_sock *s, size_t need)
{
	size_t size = s->size;
	char *p;

	if (need <= size)
		return 0;
	while (size < need)
		size *= 2;
	p = realloc(s->buf, size);
	if (!p)
		return -ENOMEM;
	s->buf = p;
	s->size = size;
	return 0;
}

static void nl_sock_trim(struct nl_sock *s)
{
	char *p;

	if (s->size <= NL_SOCK_BUF_KEEP)
		return;
	p = realloc(s->buf, NL_SOCK_RECV_CHUNK);
	if (!p)
		return;
	s->buf = p;
	s->size = NL_SOCK_RECV_CHUNK;
}

/*
 * Looks at one received datagram. Returns 0 when it belongs to an earlier request that was
 * abandoned part-way (its tail is still queued: drop it), 1 when it answers 'seq', setting
 * '*intr' if the kernel flagged the dump as interrupted and '*done' if it holds the final
 * NLMSG_DONE or NLMSG_ERROR; -EBADMSG if it does not hold whole messages.
 */
static int nl_sock_scan(const char *buf, size_t n, uint32_t seq, bool *intr, bool *done)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int len = (int)n;

	if (!mnl_nlmsg_ok(nlh, len))
		return -EBADMSG;
	if (nlh->nlmsg_seq != seq)
		return 0;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			*intr = true;
		if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
			*done = true;
	}
	/* up to 3 bytes may be missing from the last message's padding */
	if (len >= (int)NLMSG_ALIGNTO)
		return -EBADMSG;
	return 1;
}

/*
 * Reads the answer to request 'seq' into s->buf, until its final message. After an error that
 * leaves the socket usable (-ENOMEM, -E2BIG) the rest is still read and dropped: the kernel
 * refuses a new dump with -EBUSY while an old one is unfinished.
 */
static int nl_sock_collect(struct nl_sock *s, uint32_t seq, size_t *ret_len, bool *ret_intr)
{
	bool intr = false, done = false;
	size_t len = 0;
	int r = 0;

	while (!done) {
		size_t at;
		ssize_t n;
		int k;

		if (r == 0) {
			if (len + NL_SOCK_RECV_CHUNK > NL_SOCK_ANSWER_MAX)
				r = -E2BIG;
			else
				r = nl_sock_reserve(s, len + NL_SOCK_RECV_CHUNK);
		}
		at = r < 0 ? 0 : len;

		n = mnl_socket_recvfrom(s->nl, s->buf + at, NL_SOCK_RECV_CHUNK);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return negative_errno();
		}
		k = nl_sock_scan(s->buf + at, (size_t)n, seq, &intr, &done);
		if (k < 0)
			return k;
		if (k > 0 && r == 0)
			len = at + MNL_ALIGN((size_t)n);
	}
	if (r < 0)
		return r;

	*ret_len = len;
	*ret_intr = intr;
	return 0;
}

static int nl_sock_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_transact *t = data;
	int r;

	if (!t->cb)
		return MNL_CB_OK;
	r = t->cb(nlh, t->data);
	if (r < 0) {
		t->error = r;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

/* Copies the NLMSGERR_ATTR_MSG of an extended ACK into t->errmsg (untouched without one). */
static void nl_sock_ack_message(const struct nlmsghdr *nlh, const struct nlmsgerr *err,
				struct nl_transact *t)
{
	size_t len = mnl_nlmsg_get_payload_len(nlh), off = sizeof(err->error);
	const struct nlattr *attr;
	const void *tlvs;

	/* the TLVs follow the quoted request: its header only when capped (NETLINK_CAP_ACK) */
	off += (nlh->nlmsg_flags & NLM_F_CAPPED) ? sizeof(err->msg) : err->msg.nlmsg_len;
	off = MNL_ALIGN(off);
	if (off > len)
		return;
	tlvs = (const char *)err + off;
	mnl_attr_for_each_payload(tlvs, len - off) {
		if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
			snprintf(t->errmsg, t->errmsg_len, "%s", mnl_attr_get_str(attr));
	}
}

static int nl_sock_error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct nl_transact *t = data;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		t->error = -EBADMSG;
		return MNL_CB_ERROR;
	}
	if (err->error == 0)
		return MNL_CB_STOP; /* the ACK */
	/* some subsystems send the errno positive */
	t->error = err->error < 0 ? err->error : -err->error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
		nl_sock_ack_message(nlh, err, t);
	return MNL_CB_ERROR;
}

/*
 * A dump that fails part-way (say -EMSGSIZE) still ends with NLMSG_DONE, carrying the -errno as
 * its payload (netlink_dump_done()); libmnl's default handler takes it for success.
 */
static int nl_sock_done_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_transact *t = data;
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(err))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err >= 0)
		return MNL_CB_STOP;
	t->error = err;
	return MNL_CB_ERROR;
}

/* Hands the collected answer to the callbacks; returns 0 or -errno. */
static int nl_sock_dispatch(struct nl_sock *s, size_t len, uint32_t seq, nl_msg_fn cb, void *data)
{
	/* With an array given, libmnl consults only it for control messages: NOOP and OVERRUN
	 * are left NULL, which skips them. (libmnl 1.0.4 wants it non-const.) */
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = nl_sock_error_cb,
		[NLMSG_DONE] = nl_sock_done_cb,
	};
	struct nl_transact t = { .cb = cb, .data = data, .errmsg = s->errmsg,
				 .errmsg_len = sizeof(s->errmsg) };
	int r;

	r = mnl_cb_run2(s->buf, len, seq, s->portid, nl_sock_data_cb, &t, ctl, NLMSG_MIN_TYPE);
	if (r == MNL_CB_STOP)
		return 0;
	if (r > 0)
		return -EPROTO; /* the final message was not where nl_sock_scan() saw it */
	/* otherwise, if not ours, libmnl's: EPROTO (sequence), ESRCH (port id) */
	return t.error < 0 ? t.error : negative_errno();
}

int nl_sock_transact(struct nl_sock *s, struct nlmsghdr *nlh, nl_msg_fn cb, void *data)
{
	bool dump;
	int r = -EAGAIN;

	assert(s);
	assert(nlh);

	s->errmsg[0] = '\0';
	/* as rtnetlink_rcv_msg() decides: a GET (type & 3 == 2) with either dump flag */
	dump = nlh->nlmsg_type >= RTM_BASE && (nlh->nlmsg_type & 3) == 2 &&
	       (nlh->nlmsg_flags & NLM_F_DUMP);
	nlh->nlmsg_flags |= NLM_F_REQUEST;
	if (!dump)
		nlh->nlmsg_flags |= NLM_F_ACK;

	for (unsigned int attempt = 0; attempt <= NL_SOCK_DUMP_RETRIES; attempt++) {
		size_t len;
		bool intr;

		nlh->nlmsg_seq = nl_sock_next_seq(s);
		while (mnl_socket_sendto(s->nl, nlh, nlh->nlmsg_len) < 0) {
			if (errno != EINTR) {
				r = negative_errno();
				goto out;
			}
		}

		r = nl_sock_collect(s, nlh->nlmsg_seq, &len, &intr);
		if (r < 0)
			goto out;

		/*
		 * NLM_F_DUMP_INTR: the table changed while the kernel walked it, so the dump may
		 * miss or repeat entries. Nothing has reached 'cb' yet: ask again.
		 */
		if (intr) {
			r = -EAGAIN;
			continue;
		}

		r = nl_sock_dispatch(s, len, nlh->nlmsg_seq, cb, data);
		goto out;
	}
out:
	nl_sock_trim(s);
	return r;
}

const char *nl_sock_error_message(const struct nl_sock *s)
{
	return s->errmsg;
}

struct nlmsghdr *nl_msg_start(void *buf)
{
	memset(buf, 0, NL_SOCK_BUFSIZE);
	return mnl_nlmsg_put_header(buf);
}
