/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel tests for src/netlink/nl-tap: taps made through /dev/net/tun and read back over
 * rtnetlink, in a network namespace made for the run (exit 77 = skip without root, unshare or
 * /dev/net/tun). tap_get_info() needs Linux >= 4.15; the tests that read with it skip, saying so,
 * on older kernels.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel-test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/if_tun.h>

#include "netlink/nl-link.h"
#include "netlink/nl-sock.h"
#include "netlink/nl-tap.h"
#include "shared/alloc-util.h"
#include "shared/fd-util.h"

/* ---- helpers ---- */

static int link_index(struct nl_sock *s, const char *name)
{
	struct nl_link_info link;

	assert_int_equal(nl_link_get_by_name(s, name, &link), 0);
	return link.ifindex;
}

static bool link_exists(struct nl_sock *s, const char *name)
{
	struct nl_link_info link;
	int r = nl_link_get_by_name(s, name, &link);

	assert_true(r == 0 || r == -ENODEV);
	return r == 0;
}

static int link_count_cb(const struct nl_link_info *link, void *data)
{
	(*(size_t *)data)++;
	return 0;
}

static size_t link_count(struct nl_sock *s)
{
	size_t n = 0;

	assert_int_equal(nl_link_dump(s, link_count_cb, &n), 0);
	return n;
}

/*
 * tap_get_info() of 'name'; skips the test, naming the reason, on kernels that do not report
 * IFLA_INFO_DATA for tun devices.
 */
static void info_get(struct nl_sock *s, const char *name, struct tap_info *ret)
{
	int r = tap_get_info(s, link_index(s, name), ret);

	if (r == -EOPNOTSUPP) {
		print_message("the kernel does not report tun attributes (IFLA_INFO_DATA, "
			      "Linux >= 4.15)\n");
		skip();
	}
	assert_int_equal(r, 0);
}

static void fds_init(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fds[i] = -1;
}

static void fds_close(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fds[i] = safe_close(fds[i]);
}

/* Each fd is open, CLOEXEC and non-blocking, attached to tap 'name' with the flags 'flags'. */
static void fds_check(const int *fds, size_t n, const char *name, int flags)
{
	for (size_t i = 0; i < n; i++) {
		struct ifreq ifr = { 0 };

		assert_true(fds[i] >= 0);
		assert_true(fcntl(fds[i], F_GETFD) & FD_CLOEXEC);
		assert_true(fcntl(fds[i], F_GETFL) & O_NONBLOCK);
		assert_int_equal(ioctl(fds[i], TUNGETIFF, &ifr), 0);
		assert_string_equal(ifr.ifr_name, name);
		assert_int_equal(ifr.ifr_flags & (IFF_TUN | IFF_TAP | IFF_NO_PI | IFF_VNET_HDR |
						  IFF_MULTI_QUEUE),
				 flags);
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(fds[i], fds[j]);
	}
}

/* ---- creating ---- */

static void test_tap_persistent(void **state)
{
	struct nl_sock *s = *state;
	struct tap_options o = { .name = "kn-tap0", .owner = 4242, .queues = 4, .vnet_hdr = true,
				 .persist = true };
	struct nl_link_info link;
	struct tap_info info;
	char name[IFNAMSIZ];
	int fds[TAP_QUEUES_MAX];

	fds_init(fds, ELEMENTSOF(fds));
	assert_int_equal(tap_create(s, &o, name, fds), 0);
	assert_string_equal(name, "kn-tap0");
	fds_check(fds, 4, name, IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE);
	assert_int_equal(fds[4], -1); /* only 'queues' fds are written */

	assert_int_equal(nl_link_get_by_name(s, name, &link), 0);
	assert_string_equal(link.kind, "tun");
	assert_false(link.up); /* left down */
	assert_int_equal(link.master, 0);

	info_get(s, name, &info);
	assert_true(info.is_tap);
	assert_true(info.persist);
	assert_true(info.vnet_hdr);
	assert_true(info.multi_queue);
	assert_int_equal(info.queues, 4);
	assert_int_equal(info.owner, 4242);

	/* persistent: it outlives its fds, with no queue attached */
	fds_close(fds, 4);
	info_get(s, name, &info);
	assert_true(info.is_tap);
	assert_true(info.persist);
	assert_int_equal(info.queues, 0);
	assert_int_equal(info.owner, 4242);

	assert_int_equal(nl_link_delete(s, link.ifindex), 0);
	assert_false(link_exists(s, name));
}

static void test_tap_persistent_no_fds(void **state)
{
	struct nl_sock *s = *state;
	struct tap_options o = { .name = "kn-tap1", .owner = (uid_t)-1, .queues = 2,
				 .persist = true };
	struct tap_info info;
	char name[IFNAMSIZ];

	assert_int_equal(tap_create(s, &o, name, NULL), 0);
	assert_string_equal(name, "kn-tap1");
	info_get(s, name, &info);
	assert_true(info.is_tap);
	assert_true(info.persist);
	assert_false(info.vnet_hdr);
	assert_true(info.multi_queue);
	assert_int_equal(info.queues, 0); /* the fds are closed already */
	assert_int_equal(info.owner, (uid_t)-1);
	assert_int_equal(nl_link_delete(s, link_index(s, name)), 0);
}

static void test_tap_vanishes_with_fds(void **state)
{
	struct nl_sock *s = *state;
	struct tap_options o = { .name = "kn-tap2", .owner = (uid_t)-1, .queues = 3 };
	struct tap_info info;
	char name[IFNAMSIZ];
	int fds[TAP_QUEUES_MAX];

	fds_init(fds, ELEMENTSOF(fds));
	assert_int_equal(tap_create(s, &o, name, fds), 0);
	fds_check(fds, 3, name, IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE);
	info_get(s, name, &info);
	assert_false(info.persist);
	assert_int_equal(info.queues, 3);

	/* one queue closed: one fewer attached */
	fds[0] = safe_close(fds[0]);
	info_get(s, name, &info);
	assert_int_equal(info.queues, 2);

	/* the last one closed: the device is gone */
	fds_close(fds, 3);
	assert_false(link_exists(s, name));
}

static void test_tap_queues(void **state)
{
	struct nl_sock *s = *state;
	struct tap_options o = { .name = "kn-tap3", .owner = (uid_t)-1, .queues = 1 };
	struct tap_info info;
	char name[IFNAMSIZ];
	int fds[TAP_QUEUES_MAX];

	/* one queue: no IFF_MULTI_QUEUE */
	fds_init(fds, ELEMENTSOF(fds));
	assert_int_equal(tap_create(s, &o, name, fds), 0);
	fds_check(fds, 1, name, IFF_TAP | IFF_NO_PI);
	assert_int_equal(fds[1], -1);
	info_get(s, name, &info);
	assert_true(info.is_tap);
	assert_false(info.multi_queue);
	assert_int_equal(info.queues, 1);
	fds_close(fds, 1);
	assert_false(link_exists(s, name));

	/* the most there may be */
	o.queues = TAP_QUEUES_MAX;
	assert_int_equal(tap_create(s, &o, name, fds), 0);
	fds_check(fds, TAP_QUEUES_MAX, name, IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE);
	info_get(s, name, &info);
	assert_true(info.multi_queue);
	assert_int_equal(info.queues, TAP_QUEUES_MAX);
	fds_close(fds, TAP_QUEUES_MAX);
	assert_false(link_exists(s, name));
}

static void test_tap_template(void **state)
{
	struct nl_sock *s = *state;
	struct tap_options o = { .name = "kn-t%d", .owner = (uid_t)-1, .queues = 2,
				 .persist = true };
	char a[IFNAMSIZ], b[IFNAMSIZ], c[IFNAMSIZ];
	struct tap_info info;

	/* the lowest free numbers, in a namespace of our own */
	assert_int_equal(tap_create(s, &o, a, NULL), 0);
	assert_string_equal(a, "kn-t0");
	assert_int_equal(tap_create(s, &o, b, NULL), 0);
	assert_string_equal(b, "kn-t1");
	/* the queues attached by the expanded name, to the same device */
	info_get(s, b, &info);
	assert_true(info.multi_queue);
	assert_int_equal(nl_link_delete(s, link_index(s, a)), 0);
	o.persist = false;
	{
		int fds[TAP_QUEUES_MAX];

		assert_int_equal(tap_create(s, &o, c, fds), 0);
		assert_string_equal(c, "kn-t0"); /* free again */
		fds_check(fds, 2, c, IFF_TAP | IFF_NO_PI | IFF_MULTI_QUEUE);
		info_get(s, c, &info);
		assert_int_equal(info.queues, 2);
		fds_close(fds, 2);
	}
	assert_false(link_exists(s, c));
	assert_int_equal(nl_link_delete(s, link_index(s, b)), 0);
}

/* ---- refusing ---- */

static void test_tap_exists(void **state)
{
	struct nl_sock *s = *state;
	struct tap_options o = { .name = "kn-br0", .owner = (uid_t)-1, .queues = 1 };
	struct nl_link_info link;
	struct tap_info info;
	char name[IFNAMSIZ] = "untouched";
	int fds[TAP_QUEUES_MAX], br;

	/* a bridge of that name */
	assert_int_equal(nl_bridge_create(s, "kn-br0", 0, &br), 0);
	fds_init(fds, ELEMENTSOF(fds));
	assert_int_equal(tap_create(s, &o, name, fds), -EEXIST);
	assert_string_equal(name, "untouched");
	assert_int_equal(fds[0], -1);
	assert_int_equal(nl_link_get_by_index(s, br, &link), 0);
	assert_string_equal(link.kind, "bridge");
	info_get(s, "kn-br0", &info);
	assert_false(info.is_tap);
	assert_int_equal(nl_link_delete(s, br), 0);

	/* a tap of that name: TUNSETIFF alone would attach to it */
	o.name = "kn-tap4";
	o.persist = true;
	o.vnet_hdr = true;
	assert_int_equal(tap_create(s, &o, name, NULL), 0);
	o.persist = false;
	o.vnet_hdr = false;
	assert_int_equal(tap_create(s, &o, name, fds), -EEXIST);
	assert_int_equal(fds[0], -1);
	o.persist = true;
	assert_int_equal(tap_create(s, &o, name, NULL), -EEXIST);
	info_get(s, "kn-tap4", &info);
	assert_true(info.persist);
	assert_true(info.vnet_hdr); /* its flags are the first creator's */
	assert_int_equal(info.queues, 0);
	assert_int_equal(nl_link_delete(s, link_index(s, "kn-tap4")), 0);
}

/*
 * The race tap_create() closes with IFF_TUN_EXCL: a device made after its look-up. Here the
 * look-up goes to another namespace than the one the tap is made in, so it finds nothing.
 * Runs in a child, which unshares a namespace of its own; returns its exit status.
 */
static int race_child(void)
{
	struct tap_options o = { .name = "kn-race", .owner = (uid_t)-1, .queues = 1,
				 .persist = true };
	struct nl_sock *outer = NULL, *inner = NULL;
	struct nl_link_info link;
	char name[IFNAMSIZ];
	int fd = -1;

	if (nl_sock_new(&outer) < 0 || unshare(CLONE_NEWNET) < 0 || nl_sock_new(&inner) < 0)
		return 10;
	if (tap_create(inner, &o, name, NULL) < 0)
		return 11;
	if (nl_link_get_by_name(outer, "kn-race", &link) != -ENODEV)
		return 12;
	o.persist = false;
	if (tap_create(outer, &o, name, &fd) != -EEXIST || fd != -1)
		return 13;
	if (nl_link_get_by_name(inner, "kn-race", &link) < 0)
		return 14;
	nl_sock_free(outer);
	nl_sock_free(inner);
	return 0;
}

static void test_tap_exists_race(void **state)
{
	int status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(race_child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_tap_bad_options(void **state)
{
	static const char *const bad_names[] = {
		"", "kn-0123456789abc", "kn-%s", "kn-%d%d", "kn-%", "%dkn%x",
	};
	struct nl_sock *s = *state;
	struct tap_options o = { .owner = (uid_t)-1, .queues = 1 };
	size_t before = link_count(s);
	char name[IFNAMSIZ];
	int fds[TAP_QUEUES_MAX];

	fds_init(fds, ELEMENTSOF(fds));
	assert_int_equal(tap_create(s, &o, name, fds), -EINVAL); /* no name */
	for (size_t i = 0; i < ELEMENTSOF(bad_names); i++) {
		o.name = bad_names[i];
		assert_int_equal(tap_create(s, &o, name, fds), -EINVAL);
	}
	/* the kernel's own rules for names */
	o.name = "kn/tap";
	assert_int_equal(tap_create(s, &o, name, fds), -EINVAL);

	o.name = "kn-tap5";
	o.queues = 0;
	assert_int_equal(tap_create(s, &o, name, fds), -EINVAL);
	o.queues = TAP_QUEUES_MAX + 1;
	assert_int_equal(tap_create(s, &o, name, fds), -EINVAL);
	/* no fds and not persistent: the tap would be gone on return */
	o.queues = 1;
	assert_int_equal(tap_create(s, &o, name, NULL), -EINVAL);

	for (size_t i = 0; i < ELEMENTSOF(fds); i++)
		assert_int_equal(fds[i], -1);
	assert_int_equal(link_count(s), before);
}

/* ---- reading ---- */

static void test_tap_info_other_links(void **state)
{
	struct nl_sock *s = *state;
	struct tap_info info;
	struct ifreq ifr = { .ifr_flags = IFF_TUN | IFF_NO_PI };
	int br, fd;

	assert_int_equal(nl_bridge_create(s, "kn-br1", 0, &br), 0);
	memset(&info, 0x5a, sizeof(info));
	assert_int_equal(tap_get_info(s, br, &info), 0);
	assert_false(info.is_tap);
	assert_false(info.persist);
	assert_int_equal(info.queues, 0);
	assert_int_equal(info.owner, (uid_t)-1);
	assert_int_equal(nl_link_delete(s, br), 0);

	/* lo: no IFLA_LINKINFO at all */
	assert_int_equal(tap_get_info(s, 1, &info), 0);
	assert_false(info.is_tap);

	/* a tun, not a tap */
	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	strcpy(ifr.ifr_name, "kn-tun0");
	assert_int_equal(ioctl(fd, TUNSETIFF, &ifr), 0);
	info_get(s, "kn-tun0", &info);
	assert_false(info.is_tap);
	assert_int_equal(info.queues, 1);
	safe_close(fd);

	memset(&info, 0x5a, sizeof(info));
	assert_int_equal(tap_get_info(s, 4242, &info), -ENODEV);
	assert_int_equal(tap_get_info(s, 0, &info), -EINVAL);
	assert_int_equal(tap_get_info(s, -1, &info), -EINVAL);
	assert_int_equal(info.queues, 0x5a5a5a5a); /* 'ret' untouched */
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tap_persistent),
		cmocka_unit_test(test_tap_persistent_no_fds),
		cmocka_unit_test(test_tap_vanishes_with_fds),
		cmocka_unit_test(test_tap_queues),
		cmocka_unit_test(test_tap_template),
		cmocka_unit_test(test_tap_exists),
		cmocka_unit_test(test_tap_exists_race),
		cmocka_unit_test(test_tap_bad_options),
		cmocka_unit_test(test_tap_info_other_links),
	};

	int r = kernel_test_enter_netns(true);

	if (r != 0)
		return r;
	return cmocka_run_group_tests(tests, kernel_test_nl_setup, kernel_test_nl_teardown);
}
