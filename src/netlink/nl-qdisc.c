/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shaping of nl-qdisc.h with tc over rtnetlink: a root tbf qdisc on the link's egress, made,
 * changed, read back and removed through nl-sock. Traffic the link receives is not ours to
 * limit here: fw-port polices it with nftables.
 */
#include "netlink/nl-qdisc.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include <libmnl/libmnl.h>

#include "netlink/nl-link.h"
#include "netlink/nl-policy.h"
#include "netlink/nl-sock.h"
#include "shared/alloc-util.h"
#include "shared/fd-util.h"

#define NL_QDISC_RATE_MIN_BPS 8000
/* tc counts time in psched ticks, 64 ns since Linux 2.6.31 (PSCHED_SHIFT; /proc/net/psched) */
#define NL_QDISC_NSEC_PER_TICK 64
/*
 * The burst: 10 ms at the rate, and at least one full frame of the link (its MTU, an Ethernet
 * header and a VLAN tag), which the tbf could never send otherwise. Below ~100 Mbit/s that is
 * less than a 64 KiB GSO packet, which the tbf then splits into its segments: the queue counts,
 * and drops, frames as a real link would, not 44 of them at once.
 */
#define NL_QDISC_TBF_BURST_USEC 10000
#define NL_QDISC_FRAME_OVERHEAD (14 + 4)
/*
 * The tbf queue holds this long at the rate, beyond the burst. Burst and queue together must
 * stay well below TCP's 200 ms minimum retransmission timeout: a queue of 128 KiB (0.5 s at
 * 2 Mbit/s) made TCP time out on segments still queued and send them again, halving what it got.
 */
#define NL_QDISC_LATENCY_USEC 50000

static const struct nl_policy nl_qdisc_policy[TCA_MAX + 1] = {
	[TCA_KIND] = { NL_POLICY_STRING, 0 },
	[TCA_OPTIONS] = { NL_POLICY_NESTED, 0 },
};

static const struct nl_policy nl_qdisc_tbf_policy[TCA_TBF_MAX + 1] = {
	[TCA_TBF_PARMS] = { NL_POLICY_BINARY, sizeof(struct tc_tbf_qopt) },
	[TCA_TBF_RATE64] = { NL_POLICY_U64, 0 },
};

/* A missing qdisc kind is -ENOENT (no module to load). */
static int nl_qdisc_kind_errno(int r)
{
	return r == -ENOENT ? -EOPNOTSUPP : r;
}

static uint32_t nl_qdisc_u32(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/*
 * The time to send 'bytes' (< 2^32) at 'rate' bytes/s, in psched ticks, rounded up as iproute2's
 * tc_calc_xmittime() does.
 */
static uint32_t nl_qdisc_ticks(uint64_t rate, uint64_t bytes)
{
	uint64_t nsec = bytes * 1000000000ull, t = nsec / rate + (nsec % rate != 0);

	return nl_qdisc_u32(t / NL_QDISC_NSEC_PER_TICK + (t % NL_QDISC_NSEC_PER_TICK != 0));
}

/* The bytes sent at 'rate' bytes/s in 'usec', saturated at 32 bits. */
static uint32_t nl_qdisc_bytes(uint64_t rate, uint64_t usec)
{
	if (rate > UINT64_MAX / usec)
		return UINT32_MAX;
	return nl_qdisc_u32(rate * usec / 1000000);
}

/* Rates go to the kernel in 32 bits and, beyond, in a RATE64 attribute besides. */
static bool nl_qdisc_rate_is_64(uint64_t rate)
{
	return rate > UINT32_MAX;
}

/* Ethernet: the kernel then charges skb->len and needs no rate table to guess the link layer. */
static void nl_qdisc_ratespec(struct tc_ratespec *r, uint64_t rate)
{
	*r = (struct tc_ratespec){ .rate = nl_qdisc_u32(rate), .linklayer = TC_LINKLAYER_ETHERNET };
}

/* Starts a tc request (struct tcmsg) in 'buf' (NL_SOCK_BUFSIZE bytes). */
static struct nlmsghdr *nl_tc_request(void *buf, uint16_t type, uint16_t flags, int ifindex,
				      uint32_t parent)
{
	struct nlmsghdr *nlh = nl_msg_start(buf);
	struct tcmsg *tcm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_parent = parent;
	return nlh;
}

/* Makes (or changes) the root qdisc of 'ifindex' a tbf at 'rate' bytes/s. */
static int nl_qdisc_tbf_replace(struct nl_sock *s, int ifindex, uint64_t rate)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	uint32_t burst = nl_qdisc_bytes(rate, NL_QDISC_TBF_BURST_USEC);
	struct tc_tbf_qopt opt = { 0 };
	struct nl_link_info link;
	struct nlattr *options;
	struct nlmsghdr *nlh;
	int r;

	/* one request for this link's MTU, which the largest frame through it follows */
	r = nl_link_get_by_index(s, ifindex, &link);
	if (r < 0)
		return r;
	if (burst < (uint64_t)link.mtu + NL_QDISC_FRAME_OVERHEAD)
		burst = link.mtu + NL_QDISC_FRAME_OVERHEAD;
	nl_qdisc_ratespec(&opt.rate, rate);
	opt.limit = nl_qdisc_u32((uint64_t)burst + nl_qdisc_bytes(rate, NL_QDISC_LATENCY_USEC));
	/* superseded by TCA_TBF_BURST, but what older kernels read */
	opt.buffer = nl_qdisc_ticks(rate, burst);

	/* CREATE|REPLACE, no handle: the kernel changes a root tbf in place, replaces others */
	nlh = nl_tc_request(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex, TC_H_ROOT);
	mnl_attr_put_strz(nlh, TCA_KIND, "tbf");
	options = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(opt), &opt);
	if (nl_qdisc_rate_is_64(rate))
		mnl_attr_put_u64(nlh, TCA_TBF_RATE64, rate);
	mnl_attr_put_u32(nlh, TCA_TBF_BURST, burst);
	mnl_attr_nest_end(nlh, options);
	return nl_qdisc_kind_errno(nl_sock_transact(s, nlh, NULL, NULL));
}

int nl_rate_limit_set(struct nl_sock *s, int ifindex, uint64_t rate_bps)
{
	assert(s);

	if (ifindex <= 0 || rate_bps < NL_QDISC_RATE_MIN_BPS)
		return -EINVAL;
	/* bytes/s, as tc counts; one request, which the kernel carries out whole or not at all */
	return nl_qdisc_tbf_replace(s, ifindex, rate_bps / 8);
}

int nl_rate_limit_clear(struct nl_sock *s, int ifindex)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlmsghdr *nlh;
	int r;

	assert(s);

	if (ifindex <= 0)
		return -EINVAL;
	nlh = nl_tc_request(buf, RTM_DELQDISC, 0, ifindex, TC_H_ROOT);
	r = nl_sock_transact(s, nlh, NULL, NULL);
	/* none, or the device's default (handle 0), which cannot be deleted */
	return r == -ENOENT ? 0 : r;
}

struct nl_qdisc_get {
	int ifindex;
	uint64_t rate; /* bytes/s of the root tbf; 0 = none */
};

static int nl_qdisc_get_tbf(const struct nlattr *options, uint64_t *ret_rate)
{
	const struct nlattr *tb[TCA_TBF_MAX + 1];
	struct tc_tbf_qopt opt;
	int r;

	r = nl_policy_parse_nested(options, nl_qdisc_tbf_policy, TCA_TBF_MAX, tb);
	if (r < 0)
		return r;
	if (!tb[TCA_TBF_PARMS])
		return -EBADMSG;
	memcpy(&opt, mnl_attr_get_payload(tb[TCA_TBF_PARMS]), sizeof(opt));
	/* rates of 2^32 bytes/s and more come in TCA_TBF_RATE64, with the 32 bits saturated */
	*ret_rate = tb[TCA_TBF_RATE64] ? mnl_attr_get_u64(tb[TCA_TBF_RATE64]) : opt.rate.rate;
	return 0;
}

static int nl_qdisc_get_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[TCA_MAX + 1];
	struct nl_qdisc_get *g = data;
	const struct tcmsg *tcm;
	int r;

	if (nlh->nlmsg_type != RTM_NEWQDISC)
		return 0;
	r = nl_policy_parse(nlh, sizeof(*tcm), nl_qdisc_policy, TCA_MAX, tb);
	if (r < 0)
		return r;
	tcm = mnl_nlmsg_get_payload(nlh);
	if (tcm->tcm_ifindex != g->ifindex || tcm->tcm_parent != TC_H_ROOT)
		return 0;
	if (!tb[TCA_KIND] || strcmp(mnl_attr_get_str(tb[TCA_KIND]), "tbf") != 0 ||
	    !tb[TCA_OPTIONS])
		return 0;
	return nl_qdisc_get_tbf(tb[TCA_OPTIONS], &g->rate);
}

int nl_rate_limit_get(struct nl_sock *s, int ifindex, uint64_t *ret_bps)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nl_qdisc_get g = { .ifindex = ifindex };
	struct nl_link_info link;
	struct nlmsghdr *nlh;
	int r;

	assert(s);
	assert(ret_bps);

	if (ifindex <= 0)
		return -EINVAL;
	/* a qdisc dump says nothing about a missing link */
	r = nl_link_get_by_index(s, ifindex, &link);
	if (r < 0)
		return r;

	/* the kernel dumps the qdiscs of every link: pick ours */
	nlh = nl_tc_request(buf, RTM_GETQDISC, NLM_F_DUMP, 0, 0);
	r = nl_sock_transact(s, nlh, nl_qdisc_get_cb, &g);
	if (r < 0)
		return r;
	*ret_bps = g.rate > UINT64_MAX / 8 ? UINT64_MAX : g.rate * 8;
	return 0;
}

/* The netem queue, in packets: 10 ms... 60 s of delay at link speed need it long. */
#define NL_NETEM_LIMIT 10000

/*
 * netem's TCA_OPTIONS is a struct tc_netem_qopt followed by attributes (nla_parse_nested_compat()
 * in the kernel), not a plain nest: the struct goes in first, as the nest's payload head.
 */
int nl_netem_set(struct nl_sock *s, int ifindex, uint32_t delay_usec, uint32_t jitter_usec,
		 uint64_t rate_bps)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct tc_netem_qopt opt = { .limit = NL_NETEM_LIMIT };
	uint64_t rate = rate_bps / 8;
	struct nlattr *options;
	struct nlmsghdr *nlh;

	assert(s);

	if (ifindex <= 0 || delay_usec == 0 || (rate_bps != 0 && rate_bps < NL_QDISC_RATE_MIN_BPS))
		return -EINVAL;
	/* the 32-bit fields in ticks, for old kernels; LATENCY64/JITTER64 in ns win where known */
	opt.latency = nl_qdisc_u32((uint64_t)delay_usec * 1000 / NL_QDISC_NSEC_PER_TICK);
	opt.jitter = nl_qdisc_u32((uint64_t)jitter_usec * 1000 / NL_QDISC_NSEC_PER_TICK);

	nlh = nl_tc_request(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex, TC_H_ROOT);
	mnl_attr_put_strz(nlh, TCA_KIND, "netem");
	options = mnl_nlmsg_get_payload_tail(nlh);
	options->nla_type = TCA_OPTIONS;
	nlh->nlmsg_len += MNL_ALIGN(sizeof(*options));
	memcpy(mnl_nlmsg_get_payload_tail(nlh), &opt, sizeof(opt));
	nlh->nlmsg_len += MNL_ALIGN(sizeof(opt));
	mnl_attr_put_u64(nlh, TCA_NETEM_LATENCY64, (uint64_t)delay_usec * 1000);
	mnl_attr_put_u64(nlh, TCA_NETEM_JITTER64, (uint64_t)jitter_usec * 1000);
	if (rate) {
		struct tc_netem_rate nr = { .rate = nl_qdisc_u32(rate) };

		mnl_attr_put(nlh, TCA_NETEM_RATE, sizeof(nr), &nr);
		if (nl_qdisc_rate_is_64(rate))
			mnl_attr_put_u64(nlh, TCA_NETEM_RATE64, rate);
	}
	options->nla_len = (uint16_t)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)options);
	return nl_qdisc_kind_errno(nl_sock_transact(s, nlh, NULL, NULL));
}

int nl_netem_probe(void)
{
	_cleanup_close_ int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	struct nl_sock *s = NULL;
	int r;

	if (self < 0)
		return -errno;
	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	/* the socket keeps the new namespace alive until it is closed */
	r = nl_sock_new(&s);
	if (setns(self, CLONE_NEWNET) < 0) {
		r = -errno;
		nl_sock_free(s);
		return r;
	}
	if (r < 0)
		return r;
	r = nl_netem_set(s, 1 /* lo, the first link of every namespace */, 1000, 0, 0);
	nl_sock_free(s);
	if (r == -EOPNOTSUPP)
		return 0;
	return r < 0 ? r : 1;
}
