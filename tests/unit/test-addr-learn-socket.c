/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel test for daemon/lan/addr-learn's socket: on a veth pair of its own namespace, frames
 * sent into the port (ARP from a "guest") and out of it (a DHCPACK towards the guest) are
 * learned, with the direction told apart by the kernel, and the classic BPF filter keeps other
 * traffic (UDP to another port, IPv6) out of the socket altogether. On a macvtap over a veth
 * (mode macvtap), the directions are the other way round: frames the guest writes to /dev/tapN
 * leave through the macvtap (PACKET_OUTGOING), frames from the LAN are received on it; the
 * learner told addr_learn_set_guest_end() learns from both.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel-test-util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "daemon/lan/addr-learn.h"
#include "event/event.h"
#include "netlink/nl-link.h"
#include "netlink/nl-sock.h"

static const uint8_t GUEST[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void send_frame(int ifindex, const uint8_t *f, size_t n)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = ifindex, .sll_halen = 6 };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	memcpy(sll.sll_addr, f, 6);
	assert_int_equal(sendto(fd, f, n, 0, (struct sockaddr *)&sll, sizeof(sll)), (ssize_t)n);
	close(fd);
}

/*
 * Waits until a frame sent on 'from' arrives on 'to': a veth drops what is sent before the
 * kernel's link watch has activated its queue, up to a second after it is up (under load).
 */
static void wait_passes(int from, int to)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = to };
	uint8_t f[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 9, 0x88, 0xb5 };
	uint8_t buf[128];
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	bool seen = false;

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), 0);
	for (unsigned i = 0; i < 40 && !seen; i++) {
		send_frame(from, f, sizeof(f));
		usleep(50000);
		while (recv(fd, buf, sizeof(buf), 0) > 0)
			seen = true;
	}
	close(fd);
	assert_true(seen);
}

static size_t arp(uint8_t *f, const char *spa)
{
	memset(f, 0, 60);
	memset(f, 0xff, 6);
	memcpy(f + 6, GUEST, 6);
	put16(f + 12, ETH_P_ARP);
	put16(f + 14, 1);
	put16(f + 16, ETH_P_IP);
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, 1);
	memcpy(f + 22, GUEST, 6);
	inet_pton(AF_INET, spa, f + 28);
	return 60;
}

/* A UDP datagram from 'sport' to 'dport' carrying a DHCP message of type 'type' for GUEST. */
static size_t udp_dhcp(uint8_t *f, uint16_t sport, uint16_t dport, bool reply, uint8_t type,
		       const char *yiaddr)
{
	uint8_t *ip = f + 14, *m = f + 42;
	uint32_t cookie = htonl(0x63825363U);

	memset(f, 0, 400);
	memset(f, 0xff, 6);
	memcpy(f + 6, reply ? (const uint8_t[6]){ 2, 0, 0, 0, 0, 1 } : GUEST, 6);
	put16(f + 12, ETH_P_IP);
	ip[0] = 0x45;
	put16(ip + 2, 28 + 244);
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	put16(ip + 20, sport);
	put16(ip + 22, dport);
	put16(ip + 24, 8 + 244);
	m[0] = reply ? 2 : 1;
	m[1] = 1;
	m[2] = 6;
	if (yiaddr)
		inet_pton(AF_INET, yiaddr, m + 16);
	memcpy(m + 28, GUEST, 6);
	memcpy(m + 236, &cookie, 4);
	m[240] = 53;
	m[241] = 1;
	m[242] = type;
	m[243] = 255;
	return 42 + 244;
}

static int stop(struct event_source *s, uint64_t now, void *data)
{
	(void)s;
	(void)now;
	event_loop_exit(data, 0);
	return 0;
}

static void run_loop(struct event_loop *e)
{
	struct event_source *t;

	assert_int_equal(event_add_timer(e, now_usec() + 150000, stop, e, &t), 0);
	event_loop_run(e);
	event_source_free(t);
}

static void test_socket(void **state)
{
	struct nl_sock *nl = *state;
	struct nl_link_info a, b;
	struct event_loop *e;
	struct addr_learn *l;
	const struct addr_learn_entry *ent;
	uint8_t f[512];
	size_t n, count;

	assert_int_equal(kernel_test_veth_create(nl, "aport", "aguest"), 0);
	assert_int_equal(nl_link_get_by_name(nl, "aport", &a), 0);
	assert_int_equal(nl_link_get_by_name(nl, "aguest", &b), 0);
	assert_int_equal(nl_link_set_up(nl, b.ifindex, true), 0);
	assert_int_equal(nl_link_set_up(nl, a.ifindex, true), 0);
	wait_passes(b.ifindex, a.ifindex);
	wait_passes(a.ifindex, b.ifindex);
	assert_int_equal(event_loop_new(&e), 0);
	assert_int_equal(addr_learn_new(e, a.ifindex, NULL, NULL, &l), 0);

	/* filtered out in the kernel: UDP to another port, IPv6 */
	n = udp_dhcp(f, 1067, 1068, false, 1, NULL);
	send_frame(b.ifindex, f, n);
	n = arp(f, "10.1.2.3");
	put16(f + 12, 0x86dd);
	send_frame(b.ifindex, f, n);
	/* the guest asks (into the port), its ARP; then an ACK leaves through the port */
	n = udp_dhcp(f, 68, 67, false, 1, NULL);
	send_frame(b.ifindex, f, n);
	n = arp(f, "10.1.2.3");
	send_frame(b.ifindex, f, n);
	/* sent by "the guest" towards itself: must not count as an ACK it received */
	n = udp_dhcp(f, 67, 68, true, 5, "10.1.2.99");
	send_frame(b.ifindex, f, n);
	n = udp_dhcp(f, 67, 68, true, 5, "10.1.2.4");
	send_frame(a.ifindex, f, n);
	run_loop(e);

	assert_int_equal(addr_learn_frames(l), 4);
	ent = addr_learn_entries(l, &count);
	assert_int_equal(count, 2);
	assert_int_equal(ent[0].source, ADDR_LEARN_SOURCE_ARP);
	assert_int_equal(ntohl(ent[0].ip.s_addr), 0x0a010203);
	assert_int_equal(ent[1].source, ADDR_LEARN_SOURCE_DHCP);
	assert_int_equal(ntohl(ent[1].ip.s_addr), 0x0a010204);
	assert_memory_equal(ent[1].mac, GUEST, 6);

	addr_learn_free(l);
	event_loop_free(e);
	assert_int_equal(nl_link_delete(nl, a.ifindex), 0);
}

/*
 * Opens the character device of macvtap 'name' (ifindex 'ifindex') as QEMU does, plain Ethernet
 * frames (no vnet header). The device number is in the sysfs of this namespace: a mount
 * namespace of the test's own gets a fresh sysfs. Returns the fd, or -1 after skip().
 */
static int macvtap_open(const char *name, int ifindex, char *node, size_t nodelen)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	char path[128], buf[32] = "";
	unsigned maj, min;
	FILE *f;
	int fd;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("sysfs", "/sys", "sysfs", 0, NULL) < 0) {
		printf("skipping: no mount namespace with a sysfs of its own: %m\n");
		skip();
	}
	snprintf(path, sizeof(path), "/sys/class/net/%s/macvtap/tap%d/dev", name, ifindex);
	f = fopen(path, "re");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_int_equal(sscanf(buf, "%u:%u", &maj, &min), 2);
	snprintf(node, nodelen, "/tmp/kn-test-tap%d-%d", ifindex, (int)getpid());
	(void)unlink(node);
	assert_int_equal(mknod(node, S_IFCHR | 0600, makedev(maj, min)), 0);
	fd = open(node, O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ioctl(fd, TUNSETIFF, &ifr), 0);
	return fd;
}

static void test_macvtap(void **state)
{
	struct nl_sock *nl = *state;
	struct nl_link_info lower, lan;
	struct event_loop *e;
	struct addr_learn *l;
	const struct addr_learn_entry *ent;
	char node[64];
	uint8_t f[512];
	size_t n, count;
	int mvt, fd, r;

	assert_int_equal(kernel_test_veth_create(nl, "mlower", "mlan"), 0);
	assert_int_equal(nl_link_get_by_name(nl, "mlower", &lower), 0);
	assert_int_equal(nl_link_get_by_name(nl, "mlan", &lan), 0);
	r = nl_macvtap_create(nl, "mvt0", lower.ifindex, MACVLAN_MODE_BRIDGE, GUEST, &mvt);
	if (r < 0) {
		printf("skipping: the kernel makes no macvtap device: %s\n", strerror(-r));
		(void)nl_link_delete(nl, lower.ifindex);
		skip();
	}
	assert_int_equal(nl_link_set_up(nl, lan.ifindex, true), 0);
	assert_int_equal(nl_link_set_up(nl, lower.ifindex, true), 0);
	assert_int_equal(nl_link_set_up(nl, mvt, true), 0);
	fd = macvtap_open("mvt0", mvt, node, sizeof(node));
	assert_int_equal(event_loop_new(&e), 0);
	assert_int_equal(addr_learn_new(e, mvt, NULL, NULL, &l), 0);
	addr_learn_set_guest_end(l, true);

	/* the guest asks and announces itself through /dev/tapN */
	n = udp_dhcp(f, 68, 67, false, 1, NULL);
	assert_int_equal(write(fd, f, n), (ssize_t)n);
	n = arp(f, "10.1.2.3");
	assert_int_equal(write(fd, f, n), (ssize_t)n);
	/* written by the guest: not an ACK it received */
	n = udp_dhcp(f, 67, 68, true, 5, "10.1.2.99");
	assert_int_equal(write(fd, f, n), (ssize_t)n);
	/*
	 * The LAN's server answers (broadcast, as to a client without an address). The veth
	 * drops what is sent before the kernel's link watch has activated its queue (up to a
	 * second after it is up): sent again until it arrives.
	 */
	n = udp_dhcp(f, 67, 68, true, 5, "10.1.2.4");
	for (unsigned i = 0; i < 20; i++) {
		send_frame(lan.ifindex, f, n);
		run_loop(e);
		(void)addr_learn_entries(l, &count);
		if (count == 2)
			break;
	}

	ent = addr_learn_entries(l, &count);
	assert_int_equal(count, 2);
	assert_int_equal(ent[0].source, ADDR_LEARN_SOURCE_ARP);
	assert_int_equal(ntohl(ent[0].ip.s_addr), 0x0a010203);
	assert_int_equal(ent[1].source, ADDR_LEARN_SOURCE_DHCP);
	assert_int_equal(ntohl(ent[1].ip.s_addr), 0x0a010204);
	assert_memory_equal(ent[1].mac, GUEST, 6);

	addr_learn_free(l);
	event_loop_free(e);
	close(fd);
	(void)unlink(node);
	assert_int_equal(nl_link_delete(nl, mvt), 0);
	assert_int_equal(nl_link_delete(nl, lower.ifindex), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket),
		cmocka_unit_test(test_macvtap),
	};
	int r = kernel_test_enter_netns(false);

	if (r)
		return r;
	return cmocka_run_group_tests(tests, kernel_test_nl_setup, kernel_test_nl_teardown);
}
