/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel tests for netlink/nl-netns: a named namespace is created under a directory of the
 * test's own (in a private mount namespace, so nothing reaches the host's /run/netns), is a
 * namespace other than the caller's, takes sockets that live in it while the caller stays home,
 * refuses a second creation and bad names, and is gone after delete; a veth made with its peer
 * inside (a lab node's nic) is addressed there over netlink and goes away with the namespace.
 * Exit 77 without root.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "netlink/nl-addr.h"
#include "netlink/nl-link.h"
#include "netlink/nl-netns.h"
#include "netlink/nl-sock.h"
#include "shared/in-addr-util.h"

static char dir[] = "/tmp/test-nl-netns-XXXXXX";

static ino_t ino_of_fd(int fd)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	return st.st_ino;
}

static ino_t own_ns(void)
{
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	ino_t ino;

	assert_true(fd >= 0);
	ino = ino_of_fd(fd);
	close(fd);
	return ino;
}

static void test_lifecycle(void **state)
{
	ino_t home = own_ns();
	int ns, sock, sns;
	char path[256];
	struct timespec t0, t1;
	struct stat st;

	(void)state;
	assert_int_equal(nl_netns_create(dir, "kl-lab-web"), 0);
	assert_int_equal(own_ns(), home);
	assert_int_equal(nl_netns_create(dir, "kl-lab-web"), -EEXIST);
	assert_int_equal(nl_netns_create(dir, "../evil"), -EINVAL);
	assert_int_equal(nl_netns_create(dir, ""), -EINVAL);
	assert_int_equal(nl_netns_create(dir, ".."), -EINVAL);

	ns = nl_netns_open(dir, "kl-lab-web");
	assert_true(ns >= 0);
	assert_true(ino_of_fd(ns) != home);

	/* A socket made inside lives there (SIOCGSKNS: the socket's namespace); we stay home. */
	sock = nl_netns_socket(ns, AF_INET, SOCK_DGRAM, 0);
	assert_true(sock >= 0);
	assert_int_equal(own_ns(), home);
	sns = ioctl(sock, SIOCGSKNS);
	if (sns >= 0) {
		assert_int_equal(ino_of_fd(sns), ino_of_fd(ns));
		close(sns);
	}
	close(sock);
	assert_int_equal(nl_netns_socket(-1, AF_INET, SOCK_DGRAM, 0), -EBADF);
	assert_int_equal(own_ns(), home);
	close(ns);

	assert_int_equal(nl_netns_delete(dir, "kl-lab-web"), 0);
	snprintf(path, sizeof(path), "%s/kl-lab-web", dir);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(nl_netns_open(dir, "kl-lab-web"), -ENOENT);
	assert_int_equal(nl_netns_delete(dir, "kl-lab-web"), -ENOENT);

	/* Many in a row: each its own, all gone after; the time it takes is printed. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 50; i++) {
		char name[32];

		snprintf(name, sizeof(name), "n%d", i);
		assert_int_equal(nl_netns_create(dir, name), 0);
	}
	for (int i = 0; i < 50; i++) {
		char name[32];

		snprintf(name, sizeof(name), "n%d", i);
		assert_int_equal(nl_netns_delete(dir, name), 0);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("50 namespaces created and deleted in %.1f ms\n",
	       (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
	assert_int_equal(own_ns(), home);
}

/* A node's nic: a veth whose peer is made inside the node, addressed there over netlink. */
static void test_veth_into_node(void **state)
{
	struct nl_sock *home = NULL, *inside = NULL;
	struct nl_link_info link;
	struct in_addr a;
	int ns, host_if = 0, r = 0;

	(void)state;
	if (unshare(CLONE_NEWNET) < 0) /* the host end lives in a namespace of the test's own */
		fail_msg("unshare: %s", strerror(errno));
	assert_int_equal(nl_sock_new(&home), 0);
	assert_int_equal(nl_netns_create(dir, "kl-lab-db"), 0);
	ns = nl_netns_open(dir, "kl-lab-db");
	assert_true(ns >= 0);
	assert_int_equal(nl_veth_create(home, "kl0db", "eth0", ns, &host_if), 0);
	assert_true(host_if > 0);
	assert_int_equal(nl_veth_create(home, "kl0db", "eth1", ns, NULL), -EEXIST);
	assert_int_equal(nl_link_get_by_name(home, "eth0", &link), -ENODEV);

	assert_int_equal(nl_netns_sock_new(ns, &inside), 0);
	assert_int_equal(nl_link_get_by_name(inside, "kl0db", &link), -ENODEV);
	assert_int_equal(in_addr_from_string("10.80.2.30", &a), 0);
	assert_int_equal(nl_link_get_by_name(inside, "eth0", &link), 0);
	assert_int_equal(nl_addr_add(inside, link.ifindex, a, 24), 0);
	assert_int_equal(nl_link_set_up(inside, link.ifindex, true), 0);
	nl_sock_free(inside);
	close(ns);

	/* Deleting the node takes its end, and with it the pair, away (the kernel does it soon). */
	assert_int_equal(nl_netns_delete(dir, "kl-lab-db"), 0);
	for (int i = 0; i < 200; i++) {
		r = nl_link_get_by_index(home, host_if, &link);
		if (r == -ENODEV)
			break;
		usleep(10000);
	}
	assert_int_equal(r, -ENODEV);
	nl_sock_free(home);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_veth_into_node),
	};
	int r;

	if (geteuid() != 0 || unshare(CLONE_NEWNS) < 0 ||
	    mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		fprintf(stderr, "skipped: needs root and a private mount namespace (%s)\n",
			strerror(errno));
		return 77;
	}
	if (!mkdtemp(dir)) {
		fprintf(stderr, "mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	r = cmocka_run_group_tests(tests, NULL, NULL);
	(void)umount2(dir, MNT_DETACH);
	(void)rmdir(dir);
	return r;
}
