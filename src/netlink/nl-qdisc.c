/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of nl-qdisc.h: a root tbf qdisc (to the guest) and an ingress qdisc with a
 * matchall filter and a police action (from the guest), over rtnetlink with libmnl.
 */
#include "netlink/nl-qdisc.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/tc_act/tc_gact.h>

#include <libmnl/libmnl.h>

#include "netlink/nl-sock.h"

/* The kernel's psched clock: one tick is 64 ns (PSCHED_SHIFT 6). */
#define PSCHED_NS_PER_TICK 64ULL
#define NSEC_PER_SEC 1000000000ULL
/* Largest frame either direction must pass: a GSO super-frame of 64 KiB. */
#define QDISC_MTU 65536U
#define TC_RTAB_ENTRIES 256

/*
 * Burst: 20 ms at the rate, and at least two GSO frames (a policer drops any frame larger than
 * its burst; TCP through a shaper or policer needs room for a window's worth of segments).
 */
static uint32_t rate_burst_bytes(uint64_t bytes_per_sec)
{
	uint64_t b = bytes_per_sec / 50;

	if (b < 2 * QDISC_MTU)
		b = 2 * QDISC_MTU;
	return b > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)b;
}

static uint32_t bytes_to_ticks(uint64_t bytes, uint64_t bytes_per_sec)
{
	uint64_t ticks = bytes * NSEC_PER_SEC / bytes_per_sec / PSCHED_NS_PER_TICK;

	return ticks > UINT32_MAX ? UINT32_MAX : (uint32_t)ticks;
}

static void rate_spec(struct tc_ratespec *r, uint64_t bytes_per_sec)
{
	memset(r, 0, sizeof(*r));
	r->rate = bytes_per_sec > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes_per_sec;
	r->linklayer = TC_LINKLAYER_ETHERNET;
	r->cell_align = -1;
	/* cells of 2^cell_log bytes so that 256 cells cover an MTU of 2047, as tc does */
	r->cell_log = 3;
}

/*
 * The rate table act_police insists on (the kernel computes with the rate itself since 3.8,
 * but still refuses a missing table): transmission time of (i + 1) cells, in ticks.
 */
static void rate_table(const struct tc_ratespec *r, uint64_t bytes_per_sec,
		       uint32_t rtab[TC_RTAB_ENTRIES])
{
	for (unsigned i = 0; i < TC_RTAB_ENTRIES; i++)
		rtab[i] = bytes_to_ticks((uint64_t)(i + 1) << r->cell_log, bytes_per_sec);
}

static struct nlmsghdr *tc_request(void *buf, uint16_t type, uint16_t flags, int ifindex,
				   uint32_t handle, uint32_t parent, uint32_t info)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tcmsg *tcm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_handle = handle;
	tcm->tcm_parent = parent;
	tcm->tcm_info = info;
	return nlh;
}

static int tbf_set(struct nl_sock *s, int ifindex, uint64_t bytes_per_sec)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	uint32_t burst = rate_burst_bytes(bytes_per_sec);
	struct tc_tbf_qopt q = { 0 };
	struct nlmsghdr *nlh;
	struct nlattr *opts;

	rate_spec(&q.rate, bytes_per_sec);
	/* queue: the burst plus 50 ms at the rate */
	q.limit = burst + (uint32_t)(bytes_per_sec / 20 > UINT32_MAX / 2 ? UINT32_MAX / 2
									  : bytes_per_sec / 20);
	q.buffer = bytes_to_ticks(burst, bytes_per_sec);
	q.mtu = bytes_to_ticks(QDISC_MTU, bytes_per_sec);

	nlh = tc_request(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex,
			 TC_H_MAKE(1U << 16, 0), TC_H_ROOT, 0);
	mnl_attr_put_strz(nlh, TCA_KIND, "tbf");
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(q), &q);
	if (bytes_per_sec > UINT32_MAX)
		mnl_attr_put_u64(nlh, TCA_TBF_RATE64, bytes_per_sec);
	mnl_attr_put_u32(nlh, TCA_TBF_BURST, burst);
	mnl_attr_nest_end(nlh, opts);
	return nl_sock_transact(s, nlh, NULL, NULL);
}

static int ingress_add(struct nl_sock *s, int ifindex)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlmsghdr *nlh;

	nlh = tc_request(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_REPLACE, ifindex,
			 TC_H_MAKE(TC_H_INGRESS, 0), TC_H_INGRESS, 0);
	mnl_attr_put_strz(nlh, TCA_KIND, "ingress");
	return nl_sock_transact(s, nlh, NULL, NULL);
}

static int police_filter_add(struct nl_sock *s, int ifindex, uint64_t bytes_per_sec)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	uint32_t rtab[TC_RTAB_ENTRIES];
	struct tc_police p = { 0 };
	struct nlattr *opts, *acts, *act, *aopts;
	struct nlmsghdr *nlh;

	p.action = TC_ACT_SHOT;
	p.burst = bytes_to_ticks(rate_burst_bytes(bytes_per_sec), bytes_per_sec);
	p.mtu = QDISC_MTU;
	rate_spec(&p.rate, bytes_per_sec);
	rate_table(&p.rate, bytes_per_sec, rtab);

	/* priority 1, all protocols, under the ingress qdisc ffff: */
	nlh = tc_request(buf, RTM_NEWTFILTER, NLM_F_CREATE | NLM_F_EXCL, ifindex, 0,
			 TC_H_MAKE(TC_H_INGRESS, 0), TC_H_MAKE(1U << 16, htons(ETH_P_ALL)));
	mnl_attr_put_strz(nlh, TCA_KIND, "matchall");
	opts = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	acts = mnl_attr_nest_start(nlh, TCA_MATCHALL_ACT);
	act = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_strz(nlh, TCA_ACT_KIND, "police");
	aopts = mnl_attr_nest_start(nlh, TCA_ACT_OPTIONS);
	mnl_attr_put(nlh, TCA_POLICE_TBF, sizeof(p), &p);
	mnl_attr_put(nlh, TCA_POLICE_RATE, sizeof(rtab), rtab);
	if (bytes_per_sec > UINT32_MAX)
		mnl_attr_put_u64(nlh, TCA_POLICE_RATE64, bytes_per_sec);
	mnl_attr_nest_end(nlh, aopts);
	mnl_attr_nest_end(nlh, act);
	mnl_attr_nest_end(nlh, acts);
	mnl_attr_nest_end(nlh, opts);
	return nl_sock_transact(s, nlh, NULL, NULL);
}

static int qdisc_del(struct nl_sock *s, int ifindex, uint32_t parent, uint32_t handle)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlmsghdr *nlh = tc_request(buf, RTM_DELQDISC, 0, ifindex, handle, parent, 0);
	int r = nl_sock_transact(s, nlh, NULL, NULL);

	/* no such qdisc: the default one cannot be deleted (ENOENT, or EINVAL on old kernels) */
	return r == -ENOENT || r == -EINVAL ? 0 : r;
}

int nl_rate_limit_clear(struct nl_sock *s, int ifindex)
{
	int r;

	assert(s);
	if (ifindex <= 0)
		return -EINVAL;
	r = qdisc_del(s, ifindex, TC_H_ROOT, 0);
	if (r >= 0)
		r = qdisc_del(s, ifindex, TC_H_INGRESS, TC_H_MAKE(TC_H_INGRESS, 0));
	return r;
}

static int unsupported(int r)
{
	/* a missing qdisc, classifier or action module answers ENOENT or EOPNOTSUPP */
	return r == -ENOENT || r == -EOPNOTSUPP ? -EOPNOTSUPP : r;
}

int nl_rate_limit_set(struct nl_sock *s, int ifindex, uint64_t rate_bps)
{
	uint64_t bytes_per_sec = rate_bps / 8;
	int r;

	assert(s);
	if (ifindex <= 0 || rate_bps < 8000)
		return -EINVAL;
	/* replacing: start from nothing, so the ingress filter is never doubled */
	r = nl_rate_limit_clear(s, ifindex);
	if (r < 0)
		return r;
	r = tbf_set(s, ifindex, bytes_per_sec);
	if (r >= 0)
		r = ingress_add(s, ifindex);
	if (r >= 0)
		r = police_filter_add(s, ifindex, bytes_per_sec);
	if (r < 0) {
		(void)nl_rate_limit_clear(s, ifindex);
		return r == -ENODEV ? r : unsupported(r);
	}
	return 0;
}

struct tbf_get {
	int ifindex;
	uint64_t bps;
};

static int tbf_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct tbf_get *g = data;
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a, *kind = NULL, *opts = NULL;

	if (nlh->nlmsg_type != RTM_NEWQDISC ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*tcm) || tcm->tcm_ifindex != g->ifindex ||
	    tcm->tcm_parent != TC_H_ROOT)
		return 0;
	mnl_attr_for_each(a, nlh, sizeof(*tcm)) {
		if (mnl_attr_get_type(a) == TCA_KIND && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			kind = a;
		else if (mnl_attr_get_type(a) == TCA_OPTIONS)
			opts = a;
	}
	if (!kind || strcmp(mnl_attr_get_str(kind), "tbf") != 0 || !opts)
		return 0;
	mnl_attr_for_each_nested(a, opts) {
		if (mnl_attr_get_type(a) == TCA_TBF_RATE64 &&
		    mnl_attr_get_payload_len(a) == sizeof(uint64_t))
			g->bps = mnl_attr_get_u64(a) * 8;
		else if (mnl_attr_get_type(a) == TCA_TBF_PARMS && !g->bps &&
			 mnl_attr_get_payload_len(a) >= sizeof(struct tc_tbf_qopt)) {
			const struct tc_tbf_qopt *q = mnl_attr_get_payload(a);
			g->bps = (uint64_t)q->rate.rate * 8;
		}
	}
	return 0;
}

int nl_rate_limit_get(struct nl_sock *s, int ifindex, uint64_t *ret_bps)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct tbf_get g = { .ifindex = ifindex };
	struct nlmsghdr *nlh;
	int r;

	assert(s);
	assert(ret_bps);
	if (ifindex <= 0)
		return -EINVAL;
	nlh = tc_request(buf, RTM_GETQDISC, NLM_F_DUMP, ifindex, 0, 0, 0);
	r = nl_sock_transact(s, nlh, tbf_get_cb, &g);
	if (r < 0)
		return r;
	*ret_bps = g.bps;
	return 0;
}
