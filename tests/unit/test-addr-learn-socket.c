/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel test for daemon/lan/addr-learn's socket: on a veth pair of its own namespace, frames
 * sent into the port (ARP from a "guest") and out of it (a DHCPACK towards the guest) are
 * learned, with the direction told apart by the kernel, and the classic BPF filter keeps other
 * traffic (UDP to another port, IPv6) out of the socket altogether.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "kernel-test-util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socket),
	};
	int r = kernel_test_enter_netns(false);

	if (r)
		return r;
	return cmocka_run_group_tests(tests, kernel_test_nl_setup, kernel_test_nl_teardown);
}
