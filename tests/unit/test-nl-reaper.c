/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel tests for nl-reaper, in a network namespace of their own (exit 77 = skip without root
 * or unshare): links handed over keep their name until drained, then are gone, a bridge and its
 * persistent tap in one round; a link already gone is refused with -ENODEV; links left in the
 * group (a killed daemon's) go with nl_reaper_reap_now(); freeing the reaper deletes what is
 * pending.
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
	assert_false(nl_reaper_busy(r));
	nl_reaper_drain(r);   /* nothing pending: returns at once */

	br = bridge(s, "knr-br0");
	tp = tap(s, "knr-t0", br);
	assert_int_equal(nl_reaper_delete(r, s, tp), 0);
	assert_int_equal(nl_reaper_delete(r, s, br), 0);
	/* Handed over, the links are in the group until the thread has deleted them. */
	if (nl_link_get_by_name(s, "knr-br0", &link) == 0)
		assert_int_equal(link.group, NL_REAPER_GROUP);
	nl_reaper_drain(r);
	assert_false(nl_reaper_busy(r));
	assert_false(exists(s, "knr-br0"));
	assert_false(exists(s, "knr-t0"));
	/* The name is free again. */
	br = bridge(s, "knr-br0");
	assert_int_equal(nl_reaper_delete(r, s, br), 0);
	nl_reaper_drain(r);
	assert_false(exists(s, "knr-br0"));

	/* A link already gone. */
	assert_int_equal(nl_reaper_delete(r, s, br), -ENODEV);
	assert_false(nl_reaper_busy(r));

	/* Freeing the reaper deletes what is pending. */
	br = bridge(s, "knr-br1");
	assert_int_equal(nl_reaper_delete(r, s, br), 0);
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
		assert_int_equal(nl_reaper_delete(r, s, bridge(s, name)), 0);
	}
	nl_reaper_drain(r);
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "knr-m%d", i);
		assert_false(exists(s, name));
	}
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
		cmocka_unit_test(test_reap_now),
	};
	int r = kernel_test_enter_netns(true);

	if (r != 0)
		return r;
	return cmocka_run_group_tests(tests, kernel_test_nl_setup, kernel_test_nl_teardown);
}
