/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for dns/dns-peers (the overlay peers' DNS, without sockets): the peer query and its
 * VNI option, the engine's PEERS verdict for names of its zone it lacks and its peer-query
 * answers (from the zone only: never PEERS nor FORWARD, so no loops), the checks on a peer's
 * answer, the answer rewritten for the guest (ID, AA, OPT), the negative cache, and malformed
 * input.
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

#include "dns/dns-packet.h"
#include "dns/dns-peers.h"
#include "dns/dns-proto.h"
#include "dns/dns-server.h"
#include "dns/dns-zone.h"
#include "shared/in-addr-util.h"

static struct in_addr A(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

struct peer_ctx {
	struct dns_zone *zone;
	struct dns_server *srv;
};

static void setup_server(struct peer_ctx *c, bool ask_peers)
{
	struct dns_server_config cfg = { .server_ip = A("10.70.0.1"), .forward = true,
					 .ask_peers = ask_peers };

	assert_int_equal(in_prefix_from_string("10.70.0.0/24", &cfg.subnet), 0);
	assert_int_equal(dns_zone_new("ov.kvmnet", &cfg.subnet, 60, &c->zone), 0);
	assert_int_equal(dns_zone_set_host(c->zone, "gateway", A("10.70.0.1"),
					   DNS_ZONE_SOURCE_GATEWAY), 0);
	assert_int_equal(dns_zone_set_host(c->zone, "g2", A("10.70.0.141"), DNS_ZONE_SOURCE_LEASE),
			 0);
	assert_int_equal(dns_server_new(&cfg, c->zone, &c->srv), 0);
}

static void teardown_server(struct peer_ctx *c)
{
	dns_server_free(c->srv);
	dns_zone_free(c->zone);
}

/* A guest's query: RD set, an OPT record if 'edns'. Returns its length. */
static size_t guest_query(const char *name, uint16_t type, uint16_t id, bool edns, uint8_t *buf,
			  size_t size)
{
	uint8_t wire[DNS_NAME_WIRE_MAX];
	struct dns_builder b;
	size_t wire_len;

	assert_int_equal(dns_name_from_text(name, wire, &wire_len), 0);
	assert_int_equal(dns_builder_init(&b, buf, size), 0);
	assert_int_equal(dns_builder_put_question(&b, wire, wire_len, type, DNS_CLASS_IN), 0);
	if (edns)
		assert_int_equal(dns_builder_put_opt(&b, 1232, 0, false), 0);
	return dns_builder_finish(&b, id, DNS_FLAG_RD);
}

static void test_verdicts(void **state)
{
	struct peer_ctx c;
	struct dns_query_info info;
	uint8_t q[512], out[DNS_UDP_MAX];
	struct dns_header h;
	size_t qlen, len = 0;

	(void)state;
	setup_server(&c, true);
	/* a name of the zone it lacks: PEERS, with the zone's NXDOMAIN ready */
	qlen = guest_query("g0.ov.kvmnet", DNS_TYPE_A, 7, false, q, sizeof(q));
	assert_int_equal(dns_server_handle_query(c.srv, q, qlen, A("10.70.0.101"), false, out,
						 sizeof(out), &len, &info), DNS_VERDICT_PEERS);
	assert_string_equal(info.qname, "g0.ov.kvmnet");
	assert_int_equal(info.qtype, DNS_TYPE_A);
	assert_int_equal(dns_header_read(out, len, &h), 0);
	assert_int_equal(DNS_FLAGS_RCODE(h.flags), DNS_RCODE_NXDOMAIN);
	assert_true(h.flags & DNS_FLAG_AA);
	assert_int_equal(h.id, 7);
	/* so is an address of the subnet it has no name for */
	qlen = guest_query("101.0.70.10.in-addr.arpa", DNS_TYPE_PTR, 8, false, q, sizeof(q));
	assert_int_equal(dns_server_handle_query(c.srv, q, qlen, A("10.70.0.101"), false, out,
						 sizeof(out), &len, &info), DNS_VERDICT_PEERS);
	/* a name it has, and one outside the zone: as ever */
	qlen = guest_query("g2.ov.kvmnet", DNS_TYPE_A, 9, false, q, sizeof(q));
	assert_int_equal(dns_server_handle_query(c.srv, q, qlen, A("10.70.0.101"), false, out,
						 sizeof(out), &len, &info), DNS_VERDICT_ANSWER);
	qlen = guest_query("example.com", DNS_TYPE_A, 10, false, q, sizeof(q));
	assert_int_equal(dns_server_handle_query(c.srv, q, qlen, A("10.70.0.101"), false, out,
						 sizeof(out), &len, &info), DNS_VERDICT_FORWARD);
	/* from outside the subnet: refused, peers not asked */
	qlen = guest_query("g0.ov.kvmnet", DNS_TYPE_A, 11, false, q, sizeof(q));
	assert_int_equal(dns_server_handle_query(c.srv, q, qlen, A("192.0.2.9"), false, out,
						 sizeof(out), &len, &info), DNS_VERDICT_ANSWER);
	assert_int_equal(dns_header_read(out, len, &h), 0);
	assert_int_equal(DNS_FLAGS_RCODE(h.flags), DNS_RCODE_REFUSED);
	teardown_server(&c);

	/* without ask_peers: the NXDOMAIN goes out */
	setup_server(&c, false);
	qlen = guest_query("g0.ov.kvmnet", DNS_TYPE_A, 7, false, q, sizeof(q));
	assert_int_equal(dns_server_handle_query(c.srv, q, qlen, A("10.70.0.101"), false, out,
						 sizeof(out), &len, &info), DNS_VERDICT_ANSWER);
	teardown_server(&c);
}

static void test_round_trip(void **state)
{
	struct peer_ctx peer;
	uint8_t q[512], ans[DNS_UDP_MAX], guest[DNS_UDP_MAX];
	struct dns_header h;
	unsigned answers = 0;
	size_t ans_len = 0;
	uint32_t vni = 0;
	int len, n;

	(void)state;
	setup_server(&peer, true);   /* the peer asks its own peers too: not for peer queries */
	len = dns_peers_build_query("g2.ov.kvmnet", DNS_TYPE_A, 0xbeef, 4242, q, sizeof(q));
	assert_true(len > 0);
	assert_int_equal(dns_header_read(q, (size_t)len, &h), 0);
	assert_false(h.flags & DNS_FLAG_RD);
	assert_int_equal(h.arcount, 1);
	assert_int_equal(dns_peers_query_vni(q, (size_t)len, &vni), 0);
	assert_int_equal(vni, 4242);

	/* the peer answers from its zone, authoritatively */
	assert_int_equal(dns_server_handle_peer_query(peer.srv, q, (size_t)len, ans, sizeof(ans),
						      &ans_len), DNS_VERDICT_ANSWER);
	assert_int_equal(dns_peers_check_answer(ans, ans_len, 0xbeef, "g2.ov.kvmnet", DNS_TYPE_A,
						&answers), DNS_RCODE_NOERROR);
	assert_int_equal(answers, 1);
	assert_int_equal(dns_header_read(ans, ans_len, &h), 0);
	assert_true(h.flags & DNS_FLAG_AA);
	/* the same answer is not the answer to another ID, name, type */
	assert_int_equal(dns_peers_check_answer(ans, ans_len, 0xbeee, "g2.ov.kvmnet", DNS_TYPE_A,
						&answers), -EBADMSG);
	assert_int_equal(dns_peers_check_answer(ans, ans_len, 0xbeef, "g1.ov.kvmnet", DNS_TYPE_A,
						&answers), -EBADMSG);
	assert_int_equal(dns_peers_check_answer(ans, ans_len, 0xbeef, "g2.ov.kvmnet",
						DNS_TYPE_AAAA, &answers), -EBADMSG);
	/* a query is no answer */
	assert_int_equal(dns_peers_check_answer(q, (size_t)len, 0xbeef, "g2.ov.kvmnet", DNS_TYPE_A,
						&answers), -EBADMSG);
	/* names compare without case (0x20) */
	assert_int_equal(dns_peers_check_answer(ans, ans_len, 0xbeef, "G2.Ov.KVMnet", DNS_TYPE_A,
						&answers), DNS_RCODE_NOERROR);

	/* to a guest without EDNS: its ID, not authoritative, no OPT record */
	n = dns_peers_answer_to_guest(ans, ans_len, 77, false, guest, sizeof(guest));
	assert_true(n > 0 && (size_t)n < ans_len);
	assert_int_equal(dns_header_read(guest, (size_t)n, &h), 0);
	assert_int_equal(h.id, 77);
	assert_false(h.flags & DNS_FLAG_AA);
	assert_int_equal(h.ancount, 1);
	assert_int_equal(h.arcount, 0);
	assert_int_equal(dns_peers_check_answer(guest, (size_t)n, 77, "g2.ov.kvmnet", DNS_TYPE_A,
						&answers), DNS_RCODE_NOERROR);
	/* with EDNS: the OPT record stays */
	n = dns_peers_answer_to_guest(ans, ans_len, 78, true, guest, sizeof(guest));
	assert_int_equal((size_t)n, ans_len);
	assert_int_equal(dns_header_read(guest, (size_t)n, &h), 0);
	assert_int_equal(h.arcount, 1);
	assert_int_equal(dns_peers_answer_to_guest(ans, ans_len, 78, true, guest, 20), -E2BIG);

	/* a name the peer lacks: its NXDOMAIN, never PEERS (a peer never asks on) */
	len = dns_peers_build_query("g0.ov.kvmnet", DNS_TYPE_A, 1, 4242, q, sizeof(q));
	assert_int_equal(dns_server_handle_peer_query(peer.srv, q, (size_t)len, ans, sizeof(ans),
						      &ans_len), DNS_VERDICT_ANSWER);
	assert_int_equal(dns_peers_check_answer(ans, ans_len, 1, "g0.ov.kvmnet", DNS_TYPE_A,
						&answers), DNS_RCODE_NXDOMAIN);
	assert_int_equal(answers, 0);
	/* nor FORWARD, RD or not */
	len = dns_peers_build_query("example.com", DNS_TYPE_A, 2, 4242, q, sizeof(q));
	q[2] |= DNS_FLAG_RD >> 8;
	assert_int_equal(dns_server_handle_peer_query(peer.srv, q, (size_t)len, ans, sizeof(ans),
						      &ans_len), DNS_VERDICT_ANSWER);
	assert_int_equal(dns_peers_check_answer(ans, ans_len, 2, "example.com", DNS_TYPE_A,
						&answers), DNS_RCODE_REFUSED);
	/* PTR */
	len = dns_peers_build_query("141.0.70.10.in-addr.arpa", DNS_TYPE_PTR, 3, 4242, q,
				    sizeof(q));
	assert_int_equal(dns_server_handle_peer_query(peer.srv, q, (size_t)len, ans, sizeof(ans),
						      &ans_len), DNS_VERDICT_ANSWER);
	assert_int_equal(dns_peers_check_answer(ans, ans_len, 3, "141.0.70.10.in-addr.arpa",
						DNS_TYPE_PTR, &answers), DNS_RCODE_NOERROR);
	assert_int_equal(answers, 1);
	teardown_server(&peer);
}

static void test_bad_input(void **state)
{
	uint8_t q[512];
	uint32_t vni = 0;
	int len;

	(void)state;
	assert_int_equal(dns_peers_build_query("a.b", DNS_TYPE_A, 1, 0x1000000, q, sizeof(q)),
			 -EINVAL);
	assert_int_equal(dns_peers_build_query("a..b", DNS_TYPE_A, 1, 5, q, sizeof(q)), -EINVAL);
	assert_int_equal(dns_peers_build_query("a.b", DNS_TYPE_A, 1, 5, q, 20), -E2BIG);
	/* a guest's query (no option of ours, with or without OPT) is no peer query */
	len = (int)guest_query("g0.ov.kvmnet", DNS_TYPE_A, 7, false, q, sizeof(q));
	assert_int_equal(dns_peers_query_vni(q, (size_t)len, &vni), -ENOENT);
	len = (int)guest_query("g0.ov.kvmnet", DNS_TYPE_A, 7, true, q, sizeof(q));
	assert_int_equal(dns_peers_query_vni(q, (size_t)len, &vni), -ENOENT);
	/* truncated anywhere: never read past the end */
	len = dns_peers_build_query("g2.ov.kvmnet", DNS_TYPE_A, 9, 77, q, sizeof(q));
	for (int cut = 0; cut < len; cut++)
		assert_true(dns_peers_query_vni(q, (size_t)cut, &vni) < 0);
	assert_int_equal(dns_peers_query_vni(q, (size_t)len, &vni), 0);
	/* our option with a bad length or VNI 0 */
	q[len - 5] = 3;
	assert_int_equal(dns_peers_query_vni(q, (size_t)len, &vni), -EBADMSG);
	q[len - 5] = 4;
	memset(q + len - 4, 0, 4);
	assert_int_equal(dns_peers_query_vni(q, (size_t)len, &vni), -EBADMSG);
	/* an answer shorter than a header */
	assert_int_equal(dns_peers_answer_to_guest(q, 5, 1, false, q, sizeof(q)), -EBADMSG);
}

static void test_negative_cache(void **state)
{
	static struct dns_peers_negative neg;

	(void)state;
	assert_false(dns_peers_negative_has(&neg, "x.ov.kvmnet", DNS_TYPE_A, 1000));
	dns_peers_negative_add(&neg, "x.ov.kvmnet", DNS_TYPE_A, 1000);
	assert_true(dns_peers_negative_has(&neg, "x.ov.kvmnet", DNS_TYPE_A, 1000));
	assert_false(dns_peers_negative_has(&neg, "x.ov.kvmnet", DNS_TYPE_AAAA, 1000));
	assert_false(dns_peers_negative_has(&neg, "y.ov.kvmnet", DNS_TYPE_A, 1000));
	/* briefly */
	assert_true(dns_peers_negative_has(&neg, "x.ov.kvmnet", DNS_TYPE_A,
					   1000 + DNS_PEERS_NEGATIVE_USEC - 1));
	assert_false(dns_peers_negative_has(&neg, "x.ov.kvmnet", DNS_TYPE_A,
					    1000 + DNS_PEERS_NEGATIVE_USEC));
	/* bounded: the oldest make room */
	for (int i = 0; i < DNS_PEERS_NEGATIVE_MAX; i++) {
		char name[32];

		snprintf(name, sizeof(name), "n%d.ov.kvmnet", i);
		dns_peers_negative_add(&neg, name, DNS_TYPE_A, 2000);
	}
	assert_false(dns_peers_negative_has(&neg, "x.ov.kvmnet", DNS_TYPE_A, 2000));
	assert_true(dns_peers_negative_has(&neg, "n0.ov.kvmnet", DNS_TYPE_A, 2000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_negative_cache),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
