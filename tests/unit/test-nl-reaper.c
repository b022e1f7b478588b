/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel tests for nl-reaper, in a network namespace of their own (exit 77 = skip without root
 * or unshare): links handed over keep their name until drained, then are gone, a bridge and its
 * persistent tap in one round; a link already gone is refused with -ENODEV; links left in the
 * group (a killed daemon's) go with nl_reaper_reap_now(); freeing the reaper deletes what is
 * pending; a link the kernel cannot delete in the group does not keep the others there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel-test-util.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "netlink/nl-link.h"
#include "netlink/nl-reaper.h"
#include "netlink/nl-sock.h"
#include "netlink/nl-tap.h"

static int bridge(struct nl_sock *s, const char *name)
{
	int ifindex = 0;

	assert_int_equal(nl_bridge_create(s, name, 0, &ifindex), 0);
	assert_true(ifindex > 0);
	assert_int_equal(nl_link_set_up(s, ifindex, true), 0);
	return ifindex;
}

static int tap(struct nl_sock *s, const char *name, int master)
{
	struct tap_options o = { .name = name, .owner = (uid_t)-1, .queues = 1, .persist = true };
	struct nl_link_info link;
	char got[IFNAMSIZ];
	int fds[TAP_QUEUES_MAX];

	assert_int_equal(tap_create(s, &o, got, fds), 0);
	for (size_t i = 0; i < TAP_QUEUES_MAX; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	assert_int_equal(nl_link_get_by_name(s, name, &link), 0);
	assert_int_equal(nl_link_set_master(s, link.ifindex, master), 0);
	return link.ifindex;
}

static bool exists(struct nl_sock *s, const char *name)
{
	struct nl_link_info link;

	return nl_link_get_by_name(s, name, &link) == 0;
}

static void test_delete_and_drain(void **state)
{
	struct nl_sock *s = *state;
	struct nl_reaper *r = NULL;
	struct nl_link_info link;
	int br, tp;

	assert_int_equal(nl_reaper_new(&r), 0);
	assert_false(nl_reaper_is_busy(r));
	nl_reaper_drain(r);   /* nothing pending: returns at once */

	br = bridge(s, "knr-br0");
	tp = tap(s, "knr-t0", br);
	assert_int_equal(nl_reaper_delete(r, s, tp, "knr-t0"), 0);
	assert_int_equal(nl_reaper_delete(r, s, br, "knr-br0"), 0);
	/* Handed over, the links are in the group until the thread has deleted them, and their
	 * names reserved until then. */
	if (nl_link_get_by_name(s, "knr-br0", &link) == 0)
		assert_int_equal(link.group, NL_REAPER_GROUP);
	if (nl_reaper_is_busy(r))
		assert_true(nl_reaper_has_name(r, "knr-br0") || !exists(s, "knr-br0"));
	assert_false(nl_reaper_has_name(r, "knr-other"));
	nl_reaper_drain(r);
	assert_false(nl_reaper_has_name(r, "knr-br0"));
	assert_false(nl_reaper_has_name(r, "knr-t0"));
	assert_false(nl_reaper_is_busy(r));
	assert_false(exists(s, "knr-br0"));
	assert_false(exists(s, "knr-t0"));
	/* The name is free again. */
	br = bridge(s, "knr-br0");
	assert_int_equal(nl_reaper_delete(r, s, br, "knr-br0"), 0);
	nl_reaper_drain(r);
	assert_false(exists(s, "knr-br0"));

	/* A link already gone. */
	assert_int_equal(nl_reaper_delete(r, s, br, "knr-br0"), -ENODEV);
	assert_false(nl_reaper_has_name(r, "knr-br0"));
	assert_false(nl_reaper_is_busy(r));

	/* Freeing the reaper deletes what is pending. */
	br = bridge(s, "knr-br1");
	assert_int_equal(nl_reaper_delete(r, s, br, "knr-br1"), 0);
	r = nl_reaper_free(r);
	assert_false(exists(s, "knr-br1"));
}

static void test_many_in_one_round(void **state)
{
	struct nl_sock *s = *state;
	struct nl_reaper *r = NULL;
	char name[IFNAMSIZ];

	assert_int_equal(nl_reaper_new(&r), 0);
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "knr-m%d", i);
		assert_int_equal(nl_reaper_delete(r, s, bridge(s, name), name), 0);
	}
	nl_reaper_drain(r);
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "knr-m%d", i);
		assert_false(exists(s, name));
	}
	nl_reaper_free(r);
}

/* A link of the group that cannot be deleted (a loopback-like device without dellink is not at
 * hand; a link of group NL_REAPER_GROUP the reaper was not given stands in for "not ours"):
 * the links it was given go whatever else is in the group. */
static void test_foreign_link_in_group(void **state)
{
	struct nl_sock *s = *state;
	struct nl_reaper *r = NULL;
	struct nl_link_info lo;
	int br;

	assert_int_equal(nl_reaper_new(&r), 0);
	/* 'lo' has no rtnl_link_ops: the kernel refuses to delete a group holding it */
	assert_int_equal(nl_link_get_by_name(s, "lo", &lo), 0);
	assert_int_equal(nl_link_set_group(s, lo.ifindex, NL_REAPER_GROUP), 0);
	br = bridge(s, "knr-f0");
	assert_int_equal(nl_reaper_delete(r, s, br, "knr-f0"), 0);
	nl_reaper_drain(r);
	assert_false(exists(s, "knr-f0"));
	assert_true(exists(s, "lo"));
	assert_int_equal(nl_link_set_group(s, lo.ifindex, 0), 0);
	nl_reaper_free(r);
}

static void test_reap_now(void **state)
{
	struct nl_sock *s = *state;
	int br = bridge(s, "knr-left");
	int other = bridge(s, "knr-keep");

	assert_int_equal(nl_reaper_reap_now(s), 0);   /* an empty group is fine */
	assert_int_equal(nl_link_set_group(s, br, NL_REAPER_GROUP), 0);
	assert_int_equal(nl_reaper_reap_now(s), 0);
	assert_false(exists(s, "knr-left"));
	assert_true(exists(s, "knr-keep"));
	assert_int_equal(nl_link_delete(s, other), 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delete_and_drain),
		cmocka_unit_test(test_many_in_one_round),
		cmocka_unit_test(test_foreign_link_in_group),
		cmocka_unit_test(test_reap_now),
	};
	int r = kernel_test_enter_netns(true);

	if (r != 0)
		return r;
	return cmocka_run_group_tests(tests, kernel_test_nl_setup, kernel_test_nl_teardown);
}
