/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for daemon/lan/addr-learn-parse and addr-learn (without socket): what ARP and DHCP
 * frames teach and what they do not (probes, spoofed senders, ACKs for another port's guest,
 * fragments, VLAN tags, truncation), RELEASE and a new ACK replacing the old address, and the
 * per-port bound with least-recently-seen eviction under an ARP flood, and the host names
 * clients send (options 81 and 12) carried by the pairs they are ACKed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "daemon/lan/addr-learn.h"

static const uint8_t GUEST[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t OTHER[6] = { 0x52, 0x54, 0x00, 0x65, 0x43, 0x21 };
static const uint8_t SERVER[6] = { 0x02, 0, 0, 0, 0, 1 };
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_ip(uint8_t *p, const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	memcpy(p, &a.s_addr, 4);
}

static size_t eth(uint8_t *f, const uint8_t *dst, const uint8_t *src, uint16_t type)
{
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	put16(f + 12, type);
	return 14;
}

static size_t arp_frame(uint8_t *f, uint16_t op, const uint8_t *src, const uint8_t *sha,
			const char *spa, const char *tpa)
{
	size_t o = eth(f, BCAST, src, 0x0806);
	uint8_t *p = f + o;

	memset(p, 0, 28);
	put16(p, 1);
	put16(p + 2, 0x0800);
	p[4] = 6;
	p[5] = 4;
	put16(p + 6, op);
	memcpy(p + 8, sha, 6);
	put_ip(p + 14, spa);
	put_ip(p + 24, tpa);
	return o + 28;
}

/* A DHCP message of type 'type' in UDP in IPv4 in Ethernet; 'ip' goes in yiaddr (replies),
 * ciaddr (RELEASE) or option 50 (DECLINE, REQUEST). 'frag' is the IP flags/offset field; the
 * 'optlen' bytes of options 'opts' go before END. */
static size_t dhcp_frame_opts(uint8_t *f, bool reply, uint8_t type, const uint8_t *chaddr,
			      const char *ip, uint16_t frag, const uint8_t *opts, size_t optlen)
{
	const uint8_t *src = reply ? SERVER : chaddr;
	size_t o = eth(f, BCAST, src, 0x0800), d = o + 28, n;
	uint8_t *m = f + d;
	uint32_t cookie = htonl(0x63825363U);

	memset(f + o, 0, 28 + 300);
	m[0] = reply ? 2 : 1;
	m[1] = 1;
	m[2] = 6;
	if (reply && ip)
		put_ip(m + 16, ip);
	if (!reply && type == 7)
		put_ip(m + 12, ip);
	memcpy(m + 28, chaddr, 6);
	memcpy(m + 236, &cookie, 4);
	n = 240;
	m[n++] = 53;
	m[n++] = 1;
	m[n++] = type;
	if (!reply && (type == 4 || type == 3)) {
		m[n++] = 50;
		m[n++] = 4;
		put_ip(m + n, ip);
		n += 4;
	}
	if (reply) {
		m[n++] = 51;
		m[n++] = 4;
		put16(m + n, 0);
		put16(m + n + 2, 600);
		n += 4;
	}
	if (optlen)
		memcpy(m + n, opts, optlen);
	n += optlen;
	m[n++] = 255;
	/* IPv4 then UDP */
	f[o] = 0x45;
	put16(f + o + 2, (uint16_t)(28 + n));
	put16(f + o + 6, frag);
	f[o + 8] = 64;
	f[o + 9] = 17;
	put16(f + o + 20, reply ? 67 : 68);
	put16(f + o + 22, reply ? 68 : 67);
	put16(f + o + 24, (uint16_t)(8 + n));
	return d + n;
}

static size_t dhcp_frame(uint8_t *f, bool reply, uint8_t type, const uint8_t *chaddr,
			 const char *ip, uint16_t frag)
{
	return dhcp_frame_opts(f, reply, type, chaddr, ip, frag, NULL, 0);
}

static struct in_addr A(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

static void test_parse_arp(void **state)
{
	uint8_t f[256];
	struct addr_learn_event ev;
	size_t n;

	(void)state;
	n = arp_frame(f, 1, GUEST, GUEST, "192.168.77.50", "192.168.77.1");
	assert_int_equal(addr_learn_parse_frame(f, n, false, &ev), 1);
	assert_int_equal(ev.verdict, ADDR_LEARN_ADD);
	assert_int_equal(ev.source, ADDR_LEARN_SOURCE_ARP);
	assert_memory_equal(ev.mac, GUEST, 6);
	assert_int_equal(ev.ip.s_addr, A("192.168.77.50").s_addr);
	/* towards the guest: somebody else's ARP */
	assert_int_equal(addr_learn_parse_frame(f, n, true, &ev), 0);
	/* a probe from 0.0.0.0, and a sender MAC that is not the frame's source */
	n = arp_frame(f, 1, GUEST, GUEST, "0.0.0.0", "192.168.77.50");
	assert_int_equal(addr_learn_parse_frame(f, n, false, &ev), 0);
	n = arp_frame(f, 2, GUEST, OTHER, "192.168.77.1", "192.168.77.9");
	assert_int_equal(addr_learn_parse_frame(f, n, false, &ev), 0);
	/* truncated body, and a runt */
	n = arp_frame(f, 1, GUEST, GUEST, "192.168.77.50", "192.168.77.1");
	assert_int_equal(addr_learn_parse_frame(f, n - 1, false, &ev), -EBADMSG);
	assert_int_equal(addr_learn_parse_frame(f, 13, false, &ev), 0);
	/* multicast and link-local senders are not addresses to bind */
	n = arp_frame(f, 1, GUEST, GUEST, "224.0.0.1", "192.168.77.1");
	assert_int_equal(addr_learn_parse_frame(f, n, false, &ev), 0);
	n = arp_frame(f, 1, GUEST, GUEST, "169.254.3.4", "192.168.77.1");
	assert_int_equal(addr_learn_parse_frame(f, n, false, &ev), 0);
	/* a VLAN tag in front of it: not read */
	n = arp_frame(f, 1, GUEST, GUEST, "192.168.77.50", "192.168.77.1");
	put16(f + 12, 0x8100);
	assert_int_equal(addr_learn_parse_frame(f, n, false, &ev), 0);
}

static void test_parse_dhcp(void **state)
{
	uint8_t f[1024];
	struct addr_learn_event ev;
	size_t n;

	(void)state;
	n = dhcp_frame(f, true, 5, GUEST, "192.168.77.60", 0);
	assert_int_equal(addr_learn_parse_frame(f, n, true, &ev), 1);
	assert_int_equal(ev.verdict, ADDR_LEARN_ADD);
	assert_int_equal(ev.source, ADDR_LEARN_SOURCE_DHCP);
	assert_int_equal(ev.ip.s_addr, A("192.168.77.60").s_addr);
	assert_int_equal(ev.lease_sec, 600);
	/* an ACK the guest sends is not an ACK it received */
	assert_int_equal(addr_learn_parse_frame(f, n, false, &ev), 0);
	/* an OFFER teaches nothing yet */
	n = dhcp_frame(f, true, 2, GUEST, "192.168.77.60", 0);
	assert_int_equal(addr_learn_parse_frame(f, n, true, &ev), 0);
	/* a fragment, and a datagram cut short */
	n = dhcp_frame(f, true, 5, GUEST, "192.168.77.60", 0x2000);
	assert_int_equal(addr_learn_parse_frame(f, n, true, &ev), 0);
	n = dhcp_frame(f, true, 5, GUEST, "192.168.77.60", 0);
	assert_int_equal(addr_learn_parse_frame(f, 200, true, &ev), 0);
	/* a UDP length past the IP datagram, and a bad cookie */
	put16(f + 14 + 24, 1400);
	assert_int_equal(addr_learn_parse_frame(f, n, true, &ev), -EBADMSG);
	n = dhcp_frame(f, true, 5, GUEST, "192.168.77.60", 0);
	f[14 + 28 + 236] = 0;
	assert_int_equal(addr_learn_parse_frame(f, n, true, &ev), -EBADMSG);
	/* client messages */
	n = dhcp_frame(f, false, 3, GUEST, "192.168.77.60", 0);
	assert_int_equal(addr_learn_parse_frame(f, n, false, &ev), 1);
	assert_int_equal(ev.verdict, ADDR_LEARN_CLIENT);
	assert_int_equal(ev.ip.s_addr, A("192.168.77.60").s_addr);
	n = dhcp_frame(f, false, 7, GUEST, "192.168.77.60", 0);
	assert_int_equal(addr_learn_parse_frame(f, n, false, &ev), 1);
	assert_int_equal(ev.verdict, ADDR_LEARN_FORGET);
	n = dhcp_frame(f, false, 4, GUEST, "192.168.77.60", 0);
	assert_int_equal(addr_learn_parse_frame(f, n, false, &ev), 1);
	assert_int_equal(ev.verdict, ADDR_LEARN_FORGET);
	/* a RELEASE for someone else's MAC (chaddr is not the frame's source) */
	n = dhcp_frame(f, false, 7, OTHER, "192.168.77.61", 0);
	memcpy(f + 6, GUEST, 6);
	assert_int_equal(addr_learn_parse_frame(f, n, false, &ev), 0);
}

static int changes;
static bool last_removed;
static struct addr_learn_entry last;

static void on_change(struct addr_learn *l, const struct addr_learn_entry *e, bool removed,
		      void *data)
{
	(void)l;
	(void)data;
	changes++;
	last = *e;
	last_removed = removed;
}

static void test_table_dhcp(void **state)
{
	struct addr_learn *l;
	uint8_t f[1024];
	size_t n, count;

	(void)state;
	changes = 0;
	assert_int_equal(addr_learn_new(NULL, 0, on_change, NULL, &l), 0);
	/* an ACK for a MAC never seen asking on this port: another port's guest */
	n = dhcp_frame(f, true, 5, OTHER, "192.168.77.70", 0);
	addr_learn_feed(l, f, n, true, 1);
	assert_null(addr_learn_newest(l));
	/* DISCOVER then ACK */
	n = dhcp_frame(f, false, 1, GUEST, NULL, 0);
	addr_learn_feed(l, f, n, false, 2);
	n = dhcp_frame(f, true, 5, GUEST, "192.168.77.60", 0);
	addr_learn_feed(l, f, n, true, 3);
	assert_int_equal(changes, 1);
	assert_false(last_removed);
	assert_int_equal(addr_learn_newest(l)->ip.s_addr, A("192.168.77.60").s_addr);
	/* the same ACK again (renewal): no change */
	addr_learn_feed(l, f, n, true, 4);
	assert_int_equal(changes, 1);
	/* a new ACK with another address replaces it */
	n = dhcp_frame(f, true, 5, GUEST, "192.168.77.61", 0);
	addr_learn_feed(l, f, n, true, 5);
	assert_int_equal(changes, 3);
	addr_learn_entries(l, &count);
	assert_int_equal(count, 1);
	assert_int_equal(addr_learn_newest(l)->ip.s_addr, A("192.168.77.61").s_addr);
	/* RELEASE forgets it */
	n = dhcp_frame(f, false, 7, GUEST, "192.168.77.61", 0);
	addr_learn_feed(l, f, n, false, 6);
	assert_int_equal(changes, 4);
	assert_true(last_removed);
	assert_null(addr_learn_newest(l));
	assert_int_equal(addr_learn_frames(l), 6);
	addr_learn_free(l);
}

static void test_table_bound(void **state)
{
	struct addr_learn *l;
	const struct addr_learn_entry *e;
	uint8_t f[256];
	char ip[32];
	size_t n, count;

	(void)state;
	changes = 0;
	assert_int_equal(addr_learn_new(NULL, 0, on_change, NULL, &l), 0);
	/* .1 is refreshed all along, so it is never the one evicted */
	for (unsigned i = 2; i < 200; i++) {
		n = arp_frame(f, 1, GUEST, GUEST, "10.9.0.1", "10.9.0.254");
		addr_learn_feed(l, f, n, false, 10 * i);
		snprintf(ip, sizeof(ip), "10.9.0.%u", i);
		n = arp_frame(f, 1, GUEST, GUEST, ip, "10.9.0.254");
		addr_learn_feed(l, f, n, false, 10 * i + 5);
		e = addr_learn_entries(l, &count);
		assert_true(count <= ADDR_LEARN_PER_PORT_MAX);
	}
	assert_int_equal(count, ADDR_LEARN_PER_PORT_MAX);
	bool one = false, last_seen = false;
	for (size_t i = 0; i < count; i++) {
		one |= e[i].ip.s_addr == A("10.9.0.1").s_addr;
		last_seen |= e[i].ip.s_addr == A("10.9.0.199").s_addr;
	}
	assert_true(one);
	assert_true(last_seen);
	/* every eviction was reported: added minus removed is what is left */
	assert_int_equal(changes, 1 + 198 + (198 + 1 - ADDR_LEARN_PER_PORT_MAX));
	addr_learn_free(l);
	assert_null(addr_learn_free(NULL));
}

/* Host names (for the NSS hosts file): option 81 before 12, sanitised, a bad one no name. */
static void test_parse_hostname(void **state)
{
	static const uint8_t name12[] = { 12, 5, 'W', 'e', 'b', '-', '1' };
	static const uint8_t both[] = { 12, 5, 'o', 't', 'h', 'e', 'r',
					81, 13, 0, 0, 0, 'f', 'q', '.', 'e', 'x', 'a', 'm', 'p',
					'l', 'e' };
	static const uint8_t bad[] = { 12, 8, 'b', 'a', 'd', '_', 'n', 'a', 'm', 'e' };
	static const uint8_t dotted[] = { 12, 9, 'd', 'b', '.', 'l', 'a', 'n', '\0', '\0', '\0' };
	uint8_t f[1024];
	struct addr_learn_event ev;
	size_t n;

	(void)state;
	n = dhcp_frame_opts(f, false, 3, GUEST, "192.168.77.60", 0, name12, sizeof(name12));
	assert_int_equal(addr_learn_parse_frame(f, n, false, &ev), 1);
	assert_int_equal(ev.verdict, ADDR_LEARN_CLIENT);
	assert_string_equal(ev.hostname, "web-1");
	n = dhcp_frame_opts(f, false, 1, GUEST, NULL, 0, both, sizeof(both));
	assert_int_equal(addr_learn_parse_frame(f, n, false, &ev), 1);
	assert_string_equal(ev.hostname, "fq");
	n = dhcp_frame_opts(f, false, 1, GUEST, NULL, 0, dotted, sizeof(dotted));
	assert_int_equal(addr_learn_parse_frame(f, n, false, &ev), 1);
	assert_string_equal(ev.hostname, "db");
	/* a name that is no DNS label: a client still, without a name */
	n = dhcp_frame_opts(f, false, 3, GUEST, "192.168.77.60", 0, bad, sizeof(bad));
	assert_int_equal(addr_learn_parse_frame(f, n, false, &ev), 1);
	assert_int_equal(ev.verdict, ADDR_LEARN_CLIENT);
	assert_string_equal(ev.hostname, "");
	n = dhcp_frame(f, false, 1, GUEST, NULL, 0);
	assert_int_equal(addr_learn_parse_frame(f, n, false, &ev), 1);
	assert_string_equal(ev.hostname, "");
}

/*
 * The name a DHCP pair carries is the one its client sent; the guest's ARP for that address
 * keeps it a DHCP pair with its name; a renewal under another name is told as a change.
 */
static void test_table_hostname(void **state)
{
	static const uint8_t web1[] = { 12, 4, 'w', 'e', 'b', '1' };
	static const uint8_t web2[] = { 12, 4, 'w', 'e', 'b', '2' };
	const struct addr_learn_entry *e;
	struct addr_learn *l;
	uint8_t f[1024];
	size_t n, count;

	(void)state;
	changes = 0;
	assert_int_equal(addr_learn_new(NULL, 0, on_change, NULL, &l), 0);
	n = dhcp_frame_opts(f, false, 3, GUEST, "192.168.77.60", 0, web1, sizeof(web1));
	addr_learn_feed(l, f, n, false, 1);
	n = dhcp_frame(f, true, 5, GUEST, "192.168.77.60", 0);
	addr_learn_feed(l, f, n, true, 2);
	assert_int_equal(changes, 1);
	assert_string_equal(last.hostname, "web1");
	n = arp_frame(f, 1, GUEST, GUEST, "192.168.77.60", "192.168.77.1");
	addr_learn_feed(l, f, n, false, 3);
	assert_int_equal(changes, 1);
	e = addr_learn_entries(l, &count);
	assert_int_equal(count, 1);
	assert_int_equal(e[0].source, ADDR_LEARN_SOURCE_DHCP);
	assert_string_equal(e[0].hostname, "web1");
	assert_int_equal(e[0].seen_usec, 3);
	/* an address of its own choosing: an ARP pair, without a name */
	n = arp_frame(f, 1, GUEST, GUEST, "192.168.77.200", "192.168.77.1");
	addr_learn_feed(l, f, n, false, 4);
	assert_int_equal(changes, 2);
	assert_int_equal(last.source, ADDR_LEARN_SOURCE_ARP);
	assert_string_equal(last.hostname, "");
	/* renewed under another name */
	n = dhcp_frame_opts(f, false, 3, GUEST, "192.168.77.60", 0, web2, sizeof(web2));
	addr_learn_feed(l, f, n, false, 5);
	n = dhcp_frame(f, true, 5, GUEST, "192.168.77.60", 0);
	addr_learn_feed(l, f, n, true, 6);
	assert_int_equal(changes, 3);
	assert_false(last_removed);
	assert_string_equal(last.hostname, "web2");
	addr_learn_feed(l, f, n, true, 7);
	assert_int_equal(changes, 3);
	addr_learn_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_arp),
		cmocka_unit_test(test_parse_dhcp),
		cmocka_unit_test(test_table_dhcp),
		cmocka_unit_test(test_table_bound),
		cmocka_unit_test(test_parse_hostname),
		cmocka_unit_test(test_table_hostname),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
