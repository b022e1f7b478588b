/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel tests for src/netlink/nl-qdisc: a root tbf set, read back, changed in place and cleared
 * on taps and veths of a network namespace made for the run (exit 77 = skip without root or
 * unshare). What the kernel holds afterwards is checked with qdisc dumps of our own. On a kernel
 * without sch_tbf the tests that need it skip, naming it, and the refusal itself is tested.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel-test-util.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <libmnl/libmnl.h>

#include "netlink/nl-link.h"
#include "netlink/nl-qdisc.h"
#include "netlink/nl-sock.h"
#include "netlink/nl-tap.h"
#include "shared/alloc-util.h"
#include "shared/fd-util.h"

#define MBIT 1000000ull
#define TICK_NSEC 64 /* psched ticks */
/* what nl-qdisc.h promises of the tbf: burst (at least a frame: MTU + header + tag) and queue */
#define FRAME_OVERHEAD 18
#define BURST_USEC 10000
#define LATENCY_USEC 50000
/* the handle of a foreign root qdisc */
#define FOREIGN_HANDLE TC_H_MAKE(7u << 16, 0)

struct ctx {
	struct nl_sock *s;
	bool no_tbf;     /* the kernel lacks sch_tbf */
	bool no_ingress; /* the kernel lacks sch_ingress (for a foreign ingress qdisc) */
};

/* ---- helpers ---- */

static int link_index(struct nl_sock *s, const char *name)
{
	struct nl_link_info link;

	assert_int_equal(nl_link_get_by_name(s, name, &link), 0);
	return link.ifindex;
}

/* A tap, up, that is gone when '*fd' is closed; returns its ifindex. */
static int tap_new(struct nl_sock *s, const char *name, int *fd)
{
	struct tap_options o = { .name = name, .owner = (uid_t)-1, .queues = 1 };
	struct nl_link_info link;
	char ifname[IFNAMSIZ];

	assert_int_equal(tap_create(s, &o, ifname, fd), 0);
	assert_int_equal(nl_link_get_by_name(s, ifname, &link), 0);
	assert_int_equal(nl_link_set_up(s, link.ifindex, true), 0);
	return link.ifindex;
}

static struct nlmsghdr *tc_msg(void *buf, uint16_t type, uint16_t flags, int ifindex,
			       uint32_t parent, uint32_t handle)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tcmsg *tcm;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_parent = parent;
	tcm->tcm_handle = handle;
	return nlh;
}

/* Someone else's root qdisc: a pfifo with handle FOREIGN_HANDLE. */
static void foreign_root_add(struct nl_sock *s, int ifindex)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct tc_fifo_qopt fifo = { .limit = 100 };
	struct nlmsghdr *nlh;

	nlh = tc_msg(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, TC_H_ROOT,
		     FOREIGN_HANDLE);
	mnl_attr_put_strz(nlh, TCA_KIND, "pfifo");
	mnl_attr_put(nlh, TCA_OPTIONS, sizeof(fifo), &fifo);
	assert_int_equal(nl_sock_transact(s, nlh, NULL, NULL), 0);
}

/* Someone else's ingress qdisc; -ENOENT without sch_ingress. */
static int foreign_ingress_add(struct nl_sock *s, int ifindex)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlmsghdr *nlh;

	nlh = tc_msg(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, TC_H_INGRESS,
		     TC_H_MAKE(TC_H_INGRESS, 0));
	mnl_attr_put_strz(nlh, TCA_KIND, "ingress");
	return nl_sock_transact(s, nlh, NULL, NULL);
}

/* What the kernel holds on one link, from a qdisc dump. */
struct tc_state {
	int ifindex;
	unsigned int roots;   /* qdiscs at TC_H_ROOT */
	char root_kind[16];
	uint32_t root_handle;
	struct tc_tbf_qopt tbf;
	bool tbf_rate64_present;
	uint64_t tbf_rate64;
	bool ingress;
};

static void tc_state_tbf(struct tc_state *t, const struct nlattr *options)
{
	const struct nlattr *a;

	mnl_attr_for_each_nested(a, options) {
		if (mnl_attr_get_type(a) == TCA_TBF_PARMS) {
			assert_int_equal(mnl_attr_get_payload_len(a), sizeof(t->tbf));
			memcpy(&t->tbf, mnl_attr_get_payload(a), sizeof(t->tbf));
		} else if (mnl_attr_get_type(a) == TCA_TBF_RATE64) {
			t->tbf_rate64_present = true;
			t->tbf_rate64 = mnl_attr_get_u64(a);
		}
	}
}

static int tc_qdisc_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	struct tc_state *t = data;
	const struct nlattr *a, *kind = NULL, *options = NULL;

	if (nlh->nlmsg_type != RTM_NEWQDISC || tcm->tcm_ifindex != t->ifindex)
		return 0;
	mnl_attr_for_each(a, nlh, sizeof(*tcm)) {
		if (mnl_attr_get_type(a) == TCA_KIND)
			kind = a;
		else if (mnl_attr_get_type(a) == TCA_OPTIONS)
			options = a;
	}
	assert_non_null(kind);
	if (tcm->tcm_parent == TC_H_INGRESS) {
		assert_string_equal(mnl_attr_get_str(kind), "ingress");
		assert_int_equal(tcm->tcm_handle, TC_H_MAKE(TC_H_INGRESS, 0));
		t->ingress = true;
	} else if (tcm->tcm_parent == TC_H_ROOT) {
		t->roots++;
		t->root_handle = tcm->tcm_handle;
		snprintf(t->root_kind, sizeof(t->root_kind), "%s", mnl_attr_get_str(kind));
		if (strcmp(t->root_kind, "tbf") == 0) {
			assert_non_null(options);
			tc_state_tbf(t, options);
		}
	}
	return 0;
}

static void tc_state_get(struct nl_sock *s, int ifindex, struct tc_state *ret)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct nlmsghdr *nlh;

	*ret = (struct tc_state){ .ifindex = ifindex };
	nlh = tc_msg(buf, RTM_GETQDISC, NLM_F_DUMP, 0, 0, 0);
	assert_int_equal(nl_sock_transact(s, nlh, tc_qdisc_cb, ret), 0);
}

/* The link holds no limit: its root is no tbf, and nl_rate_limit_get() says 0. */
static void assert_no_limit(struct nl_sock *s, int ifindex)
{
	struct tc_state t;
	uint64_t bps = 42;

	tc_state_get(s, ifindex, &t);
	assert_string_not_equal(t.root_kind, "tbf");
	assert_int_equal(nl_rate_limit_get(s, ifindex, &bps), 0);
	assert_int_equal(bps, 0);
}

static uint64_t u32_sat(uint64_t v)
{
	return v > UINT32_MAX ? UINT32_MAX : v;
}

/*
 * The link's root is one tbf shaping to 'bps', as nl-qdisc.h describes it; returns the tbf's
 * handle.
 */
static uint32_t assert_limit(struct nl_sock *s, int ifindex, uint64_t bps)
{
	uint64_t rate = bps / 8, got = 0, burst, want_burst, slack, frame;
	struct nl_link_info link;
	struct tc_state t;

	/* tc counts whole bytes per second */
	assert_int_equal(nl_rate_limit_get(s, ifindex, &got), 0);
	assert_int_equal(got, rate * 8);

	tc_state_get(s, ifindex, &t);
	assert_int_equal(t.roots, 1);
	assert_string_equal(t.root_kind, "tbf");
	assert_int_not_equal(t.root_handle, 0);
	assert_int_equal(t.tbf.rate.rate, u32_sat(rate));
	assert_int_equal(t.tbf.rate.linklayer, TC_LINKLAYER_ETHERNET);
	assert_int_equal(t.tbf.peakrate.rate, 0);
	/* the kernel sends the 64-bit rate from 2^32 bytes/s on */
	assert_int_equal(t.tbf_rate64_present, rate > UINT32_MAX);
	if (t.tbf_rate64_present)
		assert_int_equal(t.tbf_rate64, rate);

	/*
	 * The kernel keeps the burst as the time to send it and reports that in ticks (rounded
	 * down twice): convert back. The burst: 10 ms at the rate, at least a full frame.
	 */
	assert_int_equal(nl_link_get_by_index(s, ifindex, &link), 0);
	frame = link.mtu + FRAME_OVERHEAD;
	burst = (uint64_t)t.tbf.buffer * TICK_NSEC * rate / 1000000000ull;
	want_burst = u32_sat(rate * BURST_USEC / 1000000);
	if (want_burst < frame)
		want_burst = frame;
	slack = want_burst / 1000 + 1;
	assert_true(burst + slack >= frame);
	assert_true(burst + slack >= want_burst);
	assert_true(burst <= want_burst);
	/* the queue: the burst and 50 ms more, exactly as requested */
	assert_int_equal(t.tbf.limit, u32_sat(want_burst + rate * LATENCY_USEC / 1000000));
	return t.root_handle;
}

static void require_tbf(const struct ctx *c)
{
	if (c->no_tbf) {
		print_message("the kernel lacks sch_tbf, which rate limits need\n");
		skip();
	}
}

/* ---- with the kernel's support ---- */

static void test_rate_set_get(void **state)
{
	const struct ctx *c = *state;
	int fd, ifindex;

	require_tbf(c);
	ifindex = tap_new(c->s, "kn-q0", &fd);
	assert_no_limit(c->s, ifindex);

	assert_int_equal(nl_rate_limit_set(c->s, ifindex, 20 * MBIT), 0);
	assert_limit(c->s, ifindex, 20 * MBIT);

	/* the lowest rate there is: the burst of one 1518-byte frame takes 1.5 s at it */
	assert_int_equal(nl_rate_limit_set(c->s, ifindex, 8000), 0);
	assert_limit(c->s, ifindex, 8000);

	/* not a multiple of 8: reads back rounded down to whole bytes per second */
	assert_int_equal(nl_rate_limit_set(c->s, ifindex, 20 * MBIT + 7), 0);
	assert_limit(c->s, ifindex, 20 * MBIT + 7);
	safe_close(fd);
}

static void test_rate_replace(void **state)
{
	const struct ctx *c = *state;
	uint64_t rates[] = { 20 * MBIT, 50 * MBIT, 1000 * MBIT, 50 * MBIT };
	uint32_t handle = 0;
	int ifindex;

	require_tbf(c);
	/* any link, not only a tap: a veth has many tx queues and no queue by default */
	assert_int_equal(kernel_test_veth_create(c->s, "kn-v0", "kn-v1"), 0);
	ifindex = link_index(c->s, "kn-v0");
	assert_int_equal(nl_link_set_up(c->s, ifindex, true), 0);
	/* each changes the tbf before in place: one root, the same handle */
	for (size_t i = 0; i < ELEMENTSOF(rates); i++) {
		uint32_t h;

		assert_int_equal(nl_rate_limit_set(c->s, ifindex, rates[i]), 0);
		h = assert_limit(c->s, ifindex, rates[i]);
		if (i == 0)
			handle = h;
		assert_int_equal(h, handle);
	}
	/* a jumbo link: at 2 Mbit/s the burst is its 9018-byte frame, not 10 ms (2,500 bytes) */
	assert_int_equal(nl_link_set_mtu(c->s, ifindex, 9000), 0);
	assert_int_equal(nl_rate_limit_set(c->s, ifindex, 2 * MBIT), 0);
	assert_int_equal(assert_limit(c->s, ifindex, 2 * MBIT), handle);
	assert_int_equal(nl_link_delete(c->s, ifindex), 0);
}

static void test_rate_64bit(void **state)
{
	const struct ctx *c = *state;
	int fd, ifindex;

	require_tbf(c);
	ifindex = tap_new(c->s, "kn-q1", &fd);
	/* 5 * 10^9 bytes/s: past 32 bits, in TCA_TBF_RATE64 */
	assert_int_equal(nl_rate_limit_set(c->s, ifindex, 40000 * MBIT), 0);
	assert_limit(c->s, ifindex, 40000 * MBIT);
	/* exactly 2^32 bytes/s: the first rate that needs it */
	assert_int_equal(nl_rate_limit_set(c->s, ifindex, 8ull << 32), 0);
	assert_limit(c->s, ifindex, 8ull << 32);
	/* the highest a port may have, then back below 2^32 bytes/s */
	assert_int_equal(nl_rate_limit_set(c->s, ifindex, 100000 * MBIT), 0);
	assert_limit(c->s, ifindex, 100000 * MBIT);
	assert_int_equal(nl_rate_limit_set(c->s, ifindex, 30000 * MBIT), 0);
	assert_limit(c->s, ifindex, 30000 * MBIT);
	safe_close(fd);
}

static void test_rate_clear(void **state)
{
	const struct ctx *c = *state;
	int fd, ifindex;

	require_tbf(c);
	ifindex = tap_new(c->s, "kn-q2", &fd);
	assert_int_equal(nl_rate_limit_set(c->s, ifindex, 50 * MBIT), 0);
	assert_int_equal(nl_rate_limit_clear(c->s, ifindex), 0);
	assert_no_limit(c->s, ifindex);
	/* nothing left to remove */
	assert_int_equal(nl_rate_limit_clear(c->s, ifindex), 0);
	assert_no_limit(c->s, ifindex);
	/* and again */
	assert_int_equal(nl_rate_limit_set(c->s, ifindex, 50 * MBIT), 0);
	assert_limit(c->s, ifindex, 50 * MBIT);
	assert_int_equal(nl_rate_limit_clear(c->s, ifindex), 0);
	assert_no_limit(c->s, ifindex);
	safe_close(fd);
}

static void test_rate_replaces_foreign(void **state)
{
	const struct ctx *c = *state;
	struct tc_state t;
	int fd, ifindex;

	require_tbf(c);
	ifindex = tap_new(c->s, "kn-q3", &fd);
	/* someone's root pfifo, and their ingress qdisc */
	foreign_root_add(c->s, ifindex);
	if (c->no_ingress)
		print_message("the kernel lacks sch_ingress: no foreign ingress qdisc to keep\n");
	else
		assert_int_equal(foreign_ingress_add(c->s, ifindex), 0);
	assert_no_limit(c->s, ifindex);

	/* the pfifo makes way for a new tbf; the ingress qdisc stays */
	assert_int_equal(nl_rate_limit_set(c->s, ifindex, 20 * MBIT), 0);
	assert_int_not_equal(assert_limit(c->s, ifindex, 20 * MBIT), FOREIGN_HANDLE);
	tc_state_get(c->s, ifindex, &t);
	assert_int_equal(t.ingress, !c->no_ingress);

	/* clearing removes the root only */
	assert_int_equal(nl_rate_limit_clear(c->s, ifindex), 0);
	assert_no_limit(c->s, ifindex);
	tc_state_get(c->s, ifindex, &t);
	assert_int_equal(t.ingress, !c->no_ingress);
	safe_close(fd);
}

/* ---- without the kernel's support ---- */

static void test_rate_unsupported(void **state)
{
	const struct ctx *c = *state;
	int fd, ifindex;

	if (!c->no_tbf) {
		print_message("the kernel has sch_tbf: nothing to refuse\n");
		skip();
	}
	ifindex = tap_new(c->s, "kn-q4", &fd);
	assert_int_equal(nl_rate_limit_set(c->s, ifindex, 20 * MBIT), -EOPNOTSUPP);
	assert_no_limit(c->s, ifindex);
	safe_close(fd);
}

/* ---- either way ---- */

static void test_rate_none(void **state)
{
	const struct ctx *c = *state;
	struct tc_state t;
	uint64_t bps = 42;
	int fd, ifindex;

	ifindex = tap_new(c->s, "kn-q5", &fd);
	assert_int_equal(nl_rate_limit_get(c->s, ifindex, &bps), 0);
	assert_int_equal(bps, 0);
	/* the device's default root (handle 0) cannot be removed: nothing to clear */
	assert_int_equal(nl_rate_limit_clear(c->s, ifindex), 0);
	assert_no_limit(c->s, ifindex);

	/* any root qdisc goes, whoever put it there */
	foreign_root_add(c->s, ifindex);
	tc_state_get(c->s, ifindex, &t);
	assert_string_equal(t.root_kind, "pfifo");
	assert_int_equal(nl_rate_limit_get(c->s, ifindex, &bps), 0);
	assert_int_equal(bps, 0);
	assert_int_equal(nl_rate_limit_clear(c->s, ifindex), 0);
	tc_state_get(c->s, ifindex, &t);
	assert_string_not_equal(t.root_kind, "pfifo");
	assert_int_not_equal(t.root_handle, FOREIGN_HANDLE);
	safe_close(fd);

	/* a veth's root is the built-in noqueue */
	assert_int_equal(kernel_test_veth_create(c->s, "kn-v2", "kn-v3"), 0);
	ifindex = link_index(c->s, "kn-v2");
	assert_int_equal(nl_link_set_up(c->s, ifindex, true), 0);
	assert_int_equal(nl_rate_limit_clear(c->s, ifindex), 0);
	assert_no_limit(c->s, ifindex);
	assert_int_equal(nl_link_delete(c->s, ifindex), 0);
}

static void test_rate_bad_input(void **state)
{
	const struct ctx *c = *state;
	uint64_t bps = 42;
	int fd, ifindex;

	assert_int_equal(nl_rate_limit_set(c->s, 4242, 20 * MBIT), -ENODEV);
	assert_int_equal(nl_rate_limit_get(c->s, 4242, &bps), -ENODEV);
	assert_int_equal(nl_rate_limit_clear(c->s, 4242), -ENODEV);
	assert_int_equal(bps, 42);

	ifindex = tap_new(c->s, "kn-q6", &fd);
	assert_int_equal(nl_rate_limit_set(c->s, 0, 20 * MBIT), -EINVAL);
	assert_int_equal(nl_rate_limit_set(c->s, -1, 20 * MBIT), -EINVAL);
	assert_int_equal(nl_rate_limit_set(c->s, ifindex, 7999), -EINVAL);
	assert_int_equal(nl_rate_limit_set(c->s, ifindex, 0), -EINVAL);
	assert_int_equal(nl_rate_limit_get(c->s, 0, &bps), -EINVAL);
	assert_int_equal(nl_rate_limit_get(c->s, -1, &bps), -EINVAL);
	assert_int_equal(nl_rate_limit_clear(c->s, 0), -EINVAL);
	assert_int_equal(nl_rate_limit_clear(c->s, -1), -EINVAL);
	assert_int_equal(bps, 42);
	assert_no_limit(c->s, ifindex);
	safe_close(fd);
}

/*
 * netem: the probe agrees with a request of our own on a tap (a missing kind is -ENOENT, which
 * nl_netem_set() reports as -EOPNOTSUPP), and leaves this namespace's links as they were. Where
 * the kernel has netem, a delay with a rate is set and read back as a root netem; where it has
 * none, the refusal is what is tested (this kernel's case) and the tap keeps its root qdisc.
 */
static void test_netem(void **state)
{
	const struct ctx *c = *state;
	struct tc_state before, after;
	int fd, ifindex, probe;

	ifindex = tap_new(c->s, "kn-q7", &fd);
	tc_state_get(c->s, ifindex, &before);
	probe = nl_netem_probe();
	assert_true(probe == 0 || probe == 1);
	assert_int_equal(nl_netem_set(c->s, 0, 1000, 0, 0), -EINVAL);
	assert_int_equal(nl_netem_set(c->s, ifindex, 0, 0, 0), -EINVAL);
	assert_int_equal(nl_netem_set(c->s, ifindex, 1000, 0, 7999), -EINVAL);
	assert_int_equal(nl_netem_set(c->s, 4242, 1000, 0, 0), -ENODEV);
	if (!probe) {
		print_message("the kernel lacks sch_netem: delay and jitter are refused\n");
		assert_int_equal(nl_netem_set(c->s, ifindex, 20000, 5000, 10 * MBIT), -EOPNOTSUPP);
		tc_state_get(c->s, ifindex, &after);
		assert_string_equal(after.root_kind, before.root_kind);
	} else {
		uint64_t bps = 42;

		assert_int_equal(nl_netem_set(c->s, ifindex, 20000, 5000, 10 * MBIT), 0);
		tc_state_get(c->s, ifindex, &after);
		assert_string_equal(after.root_kind, "netem");
		assert_int_equal(after.roots, 1);
		/* not a tbf: no rate limit reads back, and clearing removes it */
		assert_int_equal(nl_rate_limit_get(c->s, ifindex, &bps), 0);
		assert_int_equal(bps, 0);
		assert_int_equal(nl_rate_limit_clear(c->s, ifindex), 0);
		tc_state_get(c->s, ifindex, &after);
		assert_string_not_equal(after.root_kind, "netem");
	}
	safe_close(fd);
}

/*
 * What the kernel has, tried with requests of our own on a throwaway tap (gone with its fd,
 * qdiscs and all): a tbf, an ingress qdisc. A missing qdisc kind is -ENOENT.
 */
static void kernel_probe(struct ctx *c)
{
	_Alignas(struct nlmsghdr) char buf[NL_SOCK_BUFSIZE];
	struct tc_tbf_qopt q = { .rate = { .rate = 125000, .linklayer = TC_LINKLAYER_ETHERNET },
				 .limit = 200000 };
	struct nlattr *options;
	struct nlmsghdr *nlh;
	int fd, ifindex;

	ifindex = tap_new(c->s, "kn-probe", &fd);
	nlh = tc_msg(buf, RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL, ifindex, TC_H_ROOT, 0);
	mnl_attr_put_strz(nlh, TCA_KIND, "tbf");
	options = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(q), &q);
	mnl_attr_put_u32(nlh, TCA_TBF_BURST, 100000);
	mnl_attr_nest_end(nlh, options);
	c->no_tbf = nl_sock_transact(c->s, nlh, NULL, NULL) == -ENOENT;
	c->no_ingress = foreign_ingress_add(c->s, ifindex) == -ENOENT;
	safe_close(fd);
	if (c->no_tbf)
		print_message("the kernel lacks sch_tbf: rate limits are refused\n");
}

static int setup(void **state)
{
	static struct ctx c;

	if (nl_sock_new(&c.s) < 0)
		return -1;
	kernel_probe(&c);
	*state = &c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	c->s = nl_sock_free(c->s);
	return 0;
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_set_get),
		cmocka_unit_test(test_rate_replace),
		cmocka_unit_test(test_rate_64bit),
		cmocka_unit_test(test_rate_clear),
		cmocka_unit_test(test_rate_replaces_foreign),
		cmocka_unit_test(test_rate_unsupported),
		cmocka_unit_test(test_rate_none),
		cmocka_unit_test(test_rate_bad_input),
		cmocka_unit_test(test_netem),
	};

	int r = kernel_test_enter_netns(true);

	if (r != 0)
		return r;
	return cmocka_run_group_tests(tests, setup, teardown);
}
