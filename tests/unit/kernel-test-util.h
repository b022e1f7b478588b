/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the kernel tests (suite 'kernel') share: a network namespace of their own for the run, and
 * links made with raw rtnetlink messages rather than with the code under test.
 */
#ifndef KN_TESTS_KERNEL_TEST_UTIL_H
#define KN_TESTS_KERNEL_TEST_UTIL_H

#include <stdbool.h>

struct nl_sock;

/*
 * Moves the process into a new network namespace. Returns 0, or 77 (Meson's "skipped") after
 * printing why: not root, no usable /dev/net/tun when 'need_tun', or unshare() refused.
 */
int kernel_test_enter_netns(bool need_tun);

/* Creates the veth pair 'a'/'b' with a raw RTM_NEWLINK; 0 or the kernel's -errno. */
int kernel_test_veth_create(struct nl_sock *s, const char *a, const char *b);

/* cmocka group fixtures: '*state' is an nl_sock of the test's namespace. */
int kernel_test_nl_setup(void **state);
int kernel_test_nl_teardown(void **state);

#endif
