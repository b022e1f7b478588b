/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for dns/dns-server, in the manner of test-dhcp-server.c: literal queries fed to
 * dns_server_handle_query() and the answers read back record by record. Covers A, PTR, SOA and
 * NS answers, NXDOMAIN and NODATA with the SOA, CNAME chains, SRV with its additional address,
 * refusals, the forward verdict, private and special-use names, truncation over UDP and the
 * same answer over TCP, EDNS0 sizes, 0x20 case, malformed queries and dns_build_error(); AAAA,
 * ip6.arpa and queries over IPv6 (dns_server_handle_query6()).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dns/dns-packet.h"
#include "dns/dns-proto.h"
#include "dns/dns-server.h"
#include "dns/dns-zone.h"
#include "shared/alloc-util.h"
#include "shared/in-addr-util.h"

#define MANY 100             /* static A records of "many": too many for 1232 octets */
#define RR_MAX 256

struct rr {
	char owner[DNS_NAME_TEXT_MAX + 1];
	uint16_t type, rclass;
	uint32_t ttl;
	size_t rdata, rdlength;
};

struct ctx {
	struct dns_server_config cfg;
	struct dns_zone *zone;
	struct dns_server *srv;
	struct dns_query_info info;
	enum dns_verdict verdict;
	/* the query */
	uint8_t q[1024];
	size_t qlen;
	/* the answer, read back */
	uint8_t buf[DNS_TCP_MAX];
	size_t len;
	struct dns_header h;
	struct dns_question question;
	struct rr an[RR_MAX], ns[RR_MAX], ar[RR_MAX];
	bool has_opt;
	struct dns_edns opt;
	uint16_t opt_rdlength;
};

static struct in_addr A(const char *s)
{
	struct in_addr a;

	assert_int_equal(in_addr_from_string(s, &a), 0);
	return a;
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	struct in_prefix subnet = { A("10.0.0.0"), 24 };
	struct dns_static_record r[MANY + 16] = {
		{ .name = "www", .type = DNS_RECORD_CNAME, .target = "web.lab.kvmnet" },
		{ .name = "ext", .type = DNS_RECORD_CNAME, .target = "example.com" },
		{ .name = "chain1", .type = DNS_RECORD_CNAME, .target = "chain2.lab.kvmnet" },
		{ .name = "chain2", .type = DNS_RECORD_CNAME, .target = "web.lab.kvmnet" },
		{ .name = "dangling", .type = DNS_RECORD_CNAME, .target = "nothing.lab.kvmnet" },
		{ .name = "loop1", .type = DNS_RECORD_CNAME, .target = "loop2.lab.kvmnet" },
		{ .name = "loop2", .type = DNS_RECORD_CNAME, .target = "loop1.lab.kvmnet" },
		{ .name = "_http._tcp", .type = DNS_RECORD_SRV, .target = "web.lab.kvmnet",
		  .priority = 0, .weight = 5, .port = 80 },
		{ .name = "_ldap._tcp", .type = DNS_RECORD_SRV, .target = "ldap.example.com",
		  .priority = 1, .weight = 1, .port = 389 },
		{ .name = "txt", .type = DNS_RECORD_TXT, .txt = "hello world" },
		{ .name = "multi", .type = DNS_RECORD_A, .a = A("10.0.0.31") },
		{ .name = "multi", .type = DNS_RECORD_A, .a = A("10.0.0.32") },
		{ .name = "_none._tcp", .type = DNS_RECORD_SRV, .target = "." },
	};
	size_t n = 13;

	assert_non_null(c);
	for (unsigned i = 0; i < MANY; i++, n++)
		r[n] = (struct dns_static_record){ .name = "many", .type = DNS_RECORD_A,
						   .a = in_addr_from_host(0x0a000100U + i) };
	c->cfg = (struct dns_server_config){ .subnet = subnet, .server_ip = A("10.0.0.1"),
					     .forward = true };
	assert_int_equal(dns_zone_new("lab.kvmnet", &subnet, 60, &c->zone), 0);
	assert_int_equal(dns_zone_set_host(c->zone, "gateway", A("10.0.0.1"),
					   DNS_ZONE_SOURCE_GATEWAY),
			 0);
	assert_int_equal(dns_zone_set_host(c->zone, "web", A("10.0.0.5"),
					   DNS_ZONE_SOURCE_RESERVATION),
			 0);
	assert_int_equal(dns_zone_set_host(c->zone, "db", A("10.0.0.20"), DNS_ZONE_SOURCE_LEASE),
			 0);
	assert_int_equal(dns_zone_set_static(c->zone, r, n), 0);
	assert_int_equal(dns_server_new(&c->cfg, c->zone, &c->srv), 0);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	dns_server_free(c->srv);
	dns_zone_free(c->zone);
	free(c);
	return 0;
}

/* Queries */

#define F_RD DNS_FLAG_RD

static void q_put(struct ctx *c, const void *data, size_t n)
{
	assert_true(c->qlen + n <= sizeof(c->q));
	memcpy(c->q + c->qlen, data, n);
	c->qlen += n;
}

static void q_u16(struct ctx *c, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	q_put(c, b, 2);
}

/* A query for 'name' (text, case kept) of 'type' with 'flags'; 'edns' > 0: with OPT. */
static void q_make(struct ctx *c, const char *name, uint16_t type, uint16_t flags, int edns)
{
	uint8_t wire[DNS_NAME_WIRE_MAX];
	size_t len;

	c->qlen = 0;
	q_u16(c, 0xbeef);
	q_u16(c, flags);
	q_u16(c, 1);
	q_u16(c, 0);
	q_u16(c, 0);
	q_u16(c, edns > 0);
	assert_int_equal(dns_name_from_text(name, wire, &len), 0);
	q_put(c, wire, len);
	q_u16(c, type);
	q_u16(c, DNS_CLASS_IN);
	if (edns > 0) {
		q_put(c, "\0", 1);
		q_u16(c, DNS_TYPE_OPT);
		q_u16(c, (uint16_t)edns);
		q_u16(c, 0);
		q_u16(c, DNS_EDNS_FLAG_DO);
		q_u16(c, 0);
	}
}

static void read_section(struct ctx *c, size_t *off, struct rr *v, unsigned n)
{
	assert_true(n <= RR_MAX);
	for (unsigned i = 0; i < n; i++) {
		uint8_t wire[DNS_NAME_WIRE_MAX];
		struct dns_rr rr;
		size_t o = *off, len;

		assert_int_equal(dns_rr_read(c->buf, c->len, off, &rr), 0);
		if (rr.type == DNS_TYPE_OPT) {
			assert_false(c->has_opt);
			assert_int_equal(dns_edns_from_rr(c->buf, c->len, &rr, &c->opt), 0);
			c->has_opt = true;
			c->opt_rdlength = rr.rdlength;
		}
		assert_int_equal(dns_name_read(c->buf, c->len, &o, wire, &len), 0);
		assert_true(dns_name_to_text(wire, len, v[i].owner, sizeof(v[i].owner)) >= 0);
		v[i].type = rr.type;
		v[i].rclass = rr.rclass;
		v[i].ttl = rr.ttl;
		v[i].rdata = rr.rdata;
		v[i].rdlength = rr.rdlength;
	}
}

/* Sends the query from 'src' and reads the answer back into 'c'. */
static enum dns_verdict q_send_from(struct ctx *c, const char *src, bool tcp, size_t size)
{
	size_t off = DNS_HEADER_SIZE;

	c->len = 0;
	c->has_opt = false;
	memset(&c->info, 0, sizeof(c->info));
	if (strchr(src, ':')) {
		struct in6_addr a6;

		assert_int_equal(inet_pton(AF_INET6, src, &a6), 1);
		c->verdict = dns_server_handle_query6(c->srv, c->q, c->qlen, &a6, tcp, c->buf,
						      size, &c->len, &c->info);
	} else
		c->verdict = dns_server_handle_query(c->srv, c->q, c->qlen, A(src), tcp, c->buf,
						     size, &c->len, &c->info);
	if (c->verdict != DNS_VERDICT_ANSWER)
		return c->verdict;
	assert_true(c->len <= size);
	assert_int_equal(dns_header_read(c->buf, c->len, &c->h), 0);
	assert_true(c->h.flags & DNS_FLAG_QR);
	assert_int_equal(c->h.id, 0xbeef);
	assert_true(c->h.qdcount <= 1);
	if (c->h.qdcount)
		assert_int_equal(dns_question_read(c->buf, c->len, &off, &c->question), 0);
	read_section(c, &off, c->an, c->h.ancount);
	read_section(c, &off, c->ns, c->h.nscount);
	read_section(c, &off, c->ar, c->h.arcount);
	assert_int_equal(off, c->len);
	return c->verdict;
}

static void q_send(struct ctx *c)
{
	assert_int_equal(q_send_from(c, "10.0.0.50", false, DNS_UDP_MAX), DNS_VERDICT_ANSWER);
}

static unsigned rcode(const struct ctx *c)
{
	return DNS_FLAGS_RCODE(c->h.flags);
}

static void assert_rr_a(const struct ctx *c, const struct rr *r, const char *owner,
			const char *ip)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr a;

	assert_string_equal(r->owner, owner);
	assert_int_equal(r->type, DNS_TYPE_A);
	assert_int_equal(r->rclass, DNS_CLASS_IN);
	assert_int_equal(r->ttl, 60);
	assert_int_equal(r->rdlength, 4);
	memcpy(&a, c->buf + r->rdata, 4);
	assert_string_equal(in_addr_to_string(a, buf), ip);
}

/* The name at 'skip' octets into the RDATA of 'r'. */
static const char *rdata_name(const struct ctx *c, const struct rr *r, size_t skip)
{
	static char text[DNS_NAME_TEXT_MAX + 1];
	uint8_t wire[DNS_NAME_WIRE_MAX];
	size_t off = r->rdata + skip, len;

	assert_int_equal(dns_name_read(c->buf, c->len, &off, wire, &len), 0);
	assert_true(dns_name_to_text(wire, len, text, sizeof(text)) >= 0);
	return text;
}

static uint32_t rdata_u32(const struct ctx *c, const struct rr *r, size_t skip)
{
	const uint8_t *p = c->buf + r->rdata + skip;

	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void assert_soa(const struct ctx *c, const struct rr *r, const char *owner)
{
	uint8_t wire[DNS_NAME_WIRE_MAX];
	size_t off = r->rdata, len;

	assert_string_equal(r->owner, owner);
	assert_int_equal(r->type, DNS_TYPE_SOA);
	assert_string_equal(rdata_name(c, r, 0), "gateway.lab.kvmnet");
	assert_int_equal(dns_name_read(c->buf, c->len, &off, wire, &len), 0);
	assert_string_equal(rdata_name(c, r, off - r->rdata), "hostmaster.lab.kvmnet");
	assert_int_equal(dns_name_read(c->buf, c->len, &off, wire, &len), 0);
	off -= r->rdata;
	assert_int_equal(off + 20, r->rdlength);
	assert_int_equal(rdata_u32(c, r, off), dns_zone_serial(c->zone));
	assert_int_equal(rdata_u32(c, r, off + 4), 3600);
	assert_int_equal(rdata_u32(c, r, off + 8), 600);
	assert_int_equal(rdata_u32(c, r, off + 12), 86400);
	assert_int_equal(rdata_u32(c, r, off + 16), 60);
}

/* Answers from the zone */

static void test_a(void **state)
{
	struct ctx *c = *state;

	q_make(c, "web.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_true(c->h.flags & DNS_FLAG_AA);
	assert_true(c->h.flags & DNS_FLAG_RD);
	assert_true(c->h.flags & DNS_FLAG_RA);
	assert_false(c->h.flags & DNS_FLAG_TC);
	assert_int_equal(c->h.ancount, 1);
	assert_int_equal(c->h.nscount, 0);
	assert_int_equal(c->h.arcount, 0);
	assert_int_equal(c->question.type, DNS_TYPE_A);
	assert_rr_a(c, &c->an[0], "web.lab.kvmnet", "10.0.0.5");
	/* the owner is a pointer to the question */
	assert_memory_equal(c->buf + c->an[0].rdata - 12, "\xc0\x0c", 2);
	assert_int_equal(c->len, 12 + 20 + 16);
	assert_string_equal(c->info.qname, "web.lab.kvmnet");

	/* a lease's name, the gateway, ANY */
	q_make(c, "db.lab.kvmnet", DNS_TYPE_A, 0, 0);
	q_send(c);
	assert_rr_a(c, &c->an[0], "db.lab.kvmnet", "10.0.0.20");
	assert_false(c->h.flags & DNS_FLAG_RD);
	q_make(c, "gateway.lab.kvmnet", DNS_TYPE_ANY, 0, 0);
	q_send(c);
	assert_int_equal(c->h.ancount, 1);
	assert_rr_a(c, &c->an[0], "gateway.lab.kvmnet", "10.0.0.1");

	/* several static A records */
	q_make(c, "multi.lab.kvmnet", DNS_TYPE_A, 0, 0);
	q_send(c);
	assert_int_equal(c->h.ancount, 2);
	assert_rr_a(c, &c->an[0], "multi.lab.kvmnet", "10.0.0.31");
	assert_rr_a(c, &c->an[1], "multi.lab.kvmnet", "10.0.0.32");
}

static void test_case_0x20(void **state)
{
	struct ctx *c = *state;
	uint8_t wire[DNS_NAME_WIRE_MAX];
	size_t len;

	q_make(c, "WeB.LaB.kVmNeT", DNS_TYPE_A, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_int_equal(dns_name_from_text("WeB.LaB.kVmNeT", wire, &len), 0);
	/* the question as asked, byte for byte */
	assert_int_equal(c->question.name_len, len);
	assert_memory_equal(c->question.name, wire, len);
	assert_memory_equal(c->buf + 12, c->q + 12, len + 4);
	assert_rr_a(c, &c->an[0], "web.lab.kvmnet", "10.0.0.5");
	assert_string_equal(c->info.qname, "web.lab.kvmnet");
}

static void test_ptr(void **state)
{
	struct ctx *c = *state;

	q_make(c, "5.0.0.10.in-addr.arpa", DNS_TYPE_PTR, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_true(c->h.flags & DNS_FLAG_AA);
	assert_int_equal(c->h.ancount, 1);
	assert_int_equal(c->an[0].type, DNS_TYPE_PTR);
	assert_string_equal(c->an[0].owner, "5.0.0.10.in-addr.arpa");
	assert_string_equal(rdata_name(c, &c->an[0], 0), "web.lab.kvmnet");

	q_make(c, "1.0.0.10.in-addr.arpa", DNS_TYPE_PTR, F_RD, 0);
	q_send(c);
	assert_string_equal(rdata_name(c, &c->an[0], 0), "gateway.lab.kvmnet");

	/* an address without a name: NXDOMAIN from the reverse zone's SOA */
	q_make(c, "9.0.0.10.in-addr.arpa", DNS_TYPE_PTR, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NXDOMAIN);
	assert_true(c->h.flags & DNS_FLAG_AA);
	assert_int_equal(c->h.ancount, 0);
	assert_int_equal(c->h.nscount, 1);
	assert_soa(c, &c->ns[0], "0.0.10.in-addr.arpa");

	/* a named address asked for another type: NODATA */
	q_make(c, "5.0.0.10.in-addr.arpa", DNS_TYPE_A, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_int_equal(c->h.ancount, 0);
	assert_soa(c, &c->ns[0], "0.0.10.in-addr.arpa");

	/* the reverse apex */
	q_make(c, "0.0.10.in-addr.arpa", DNS_TYPE_SOA, F_RD, 0);
	q_send(c);
	assert_int_equal(c->h.ancount, 1);
	assert_soa(c, &c->an[0], "0.0.10.in-addr.arpa");
}

static void test_soa_ns(void **state)
{
	struct ctx *c = *state;

	q_make(c, "lab.kvmnet", DNS_TYPE_SOA, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_true(c->h.flags & DNS_FLAG_AA);
	assert_int_equal(c->h.ancount, 1);
	assert_soa(c, &c->an[0], "lab.kvmnet");

	q_make(c, "LAB.kvmnet", DNS_TYPE_NS, F_RD, 0);
	q_send(c);
	assert_int_equal(c->h.ancount, 1);
	assert_int_equal(c->an[0].type, DNS_TYPE_NS);
	assert_string_equal(rdata_name(c, &c->an[0], 0), "gateway.lab.kvmnet");
	assert_int_equal(c->h.arcount, 1);
	assert_rr_a(c, &c->ar[0], "gateway.lab.kvmnet", "10.0.0.1");

	/* the serial follows the zone */
	assert_int_equal(dns_zone_set_host(c->zone, "new", A("10.0.0.77"), DNS_ZONE_SOURCE_LEASE),
			 0);
	q_make(c, "lab.kvmnet", DNS_TYPE_SOA, F_RD, 0);
	q_send(c);
	assert_soa(c, &c->an[0], "lab.kvmnet");

	/* ANY at the apex: SOA and NS */
	q_make(c, "lab.kvmnet", DNS_TYPE_ANY, F_RD, 0);
	q_send(c);
	assert_int_equal(c->h.ancount, 2);
	assert_int_equal(c->an[0].type, DNS_TYPE_SOA);
	assert_int_equal(c->an[1].type, DNS_TYPE_NS);
}

static void test_nxdomain_nodata(void **state)
{
	struct ctx *c = *state;

	q_make(c, "nope.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NXDOMAIN);
	assert_true(c->h.flags & DNS_FLAG_AA);
	assert_int_equal(c->h.ancount, 0);
	assert_int_equal(c->h.nscount, 1);
	assert_soa(c, &c->ns[0], "lab.kvmnet");
	assert_int_equal(c->ns[0].ttl, 60);

	q_make(c, "a.web.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NXDOMAIN);

	/* AAAA of our names: NODATA, with the SOA */
	q_make(c, "web.lab.kvmnet", DNS_TYPE_AAAA, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_true(c->h.flags & DNS_FLAG_AA);
	assert_int_equal(c->h.ancount, 0);
	assert_int_equal(c->h.nscount, 1);
	assert_soa(c, &c->ns[0], "lab.kvmnet");

	q_make(c, "web.lab.kvmnet", DNS_TYPE_MX, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_int_equal(c->h.ancount, 0);

	/* an empty non-terminal exists */
	q_make(c, "_tcp.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_int_equal(c->h.nscount, 1);

	/* a host going away */
	dns_zone_remove_host(c->zone, "db", A("10.0.0.20"), DNS_ZONE_SOURCE_LEASE);
	q_make(c, "db.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NXDOMAIN);
}

static void test_cname(void **state)
{
	struct ctx *c = *state;

	q_make(c, "www.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_int_equal(c->h.ancount, 2);
	assert_int_equal(c->an[0].type, DNS_TYPE_CNAME);
	assert_string_equal(c->an[0].owner, "www.lab.kvmnet");
	assert_string_equal(rdata_name(c, &c->an[0], 0), "web.lab.kvmnet");
	assert_rr_a(c, &c->an[1], "web.lab.kvmnet", "10.0.0.5");

	/* a chain of two */
	q_make(c, "chain1.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	q_send(c);
	assert_int_equal(c->h.ancount, 3);
	assert_string_equal(rdata_name(c, &c->an[0], 0), "chain2.lab.kvmnet");
	assert_string_equal(c->an[1].owner, "chain2.lab.kvmnet");
	assert_string_equal(rdata_name(c, &c->an[1], 0), "web.lab.kvmnet");
	assert_rr_a(c, &c->an[2], "web.lab.kvmnet", "10.0.0.5");

	/* asked for the CNAME itself, or ANY: not followed */
	q_make(c, "www.lab.kvmnet", DNS_TYPE_CNAME, F_RD, 0);
	q_send(c);
	assert_int_equal(c->h.ancount, 1);
	assert_int_equal(c->an[0].type, DNS_TYPE_CNAME);
	q_make(c, "www.lab.kvmnet", DNS_TYPE_ANY, F_RD, 0);
	q_send(c);
	assert_int_equal(c->h.ancount, 1);

	/* out of the zone: the CNAME alone */
	q_make(c, "ext.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_int_equal(c->h.ancount, 1);
	assert_string_equal(rdata_name(c, &c->an[0], 0), "example.com");

	/* to a name that is not there (RFC 6604): NXDOMAIN after the CNAME */
	q_make(c, "dangling.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NXDOMAIN);
	assert_int_equal(c->h.ancount, 1);
	assert_int_equal(c->h.nscount, 1);
	assert_soa(c, &c->ns[0], "lab.kvmnet");

	/* to a name without the type asked: NODATA after the CNAME */
	q_make(c, "www.lab.kvmnet", DNS_TYPE_AAAA, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_int_equal(c->h.ancount, 1);
	assert_int_equal(c->h.nscount, 1);

	/* a loop ends */
	q_make(c, "loop1.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_int_equal(c->h.ancount, 9);
}

static void test_srv_txt(void **state)
{
	struct ctx *c = *state;
	const uint8_t *p;

	q_make(c, "_http._tcp.lab.kvmnet", DNS_TYPE_SRV, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_int_equal(c->h.ancount, 1);
	assert_int_equal(c->an[0].type, DNS_TYPE_SRV);
	p = c->buf + c->an[0].rdata;
	assert_memory_equal(p, "\0\0\0\5\0\x50", 6);
	/* RFC 2782: the target uncompressed */
	assert_memory_equal(p + 6, "\3web\3lab\6kvmnet\0", 16);
	assert_int_equal(c->an[0].rdlength, 6 + 16);
	assert_int_equal(c->h.arcount, 1);
	assert_rr_a(c, &c->ar[0], "web.lab.kvmnet", "10.0.0.5");

	/* a target elsewhere: no additional address */
	q_make(c, "_ldap._tcp.lab.kvmnet", DNS_TYPE_SRV, F_RD, 0);
	q_send(c);
	assert_int_equal(c->h.ancount, 1);
	assert_int_equal(c->h.arcount, 0);
	assert_string_equal(rdata_name(c, &c->an[0], 6), "ldap.example.com");

	/* RFC 2782: "." for no such service */
	q_make(c, "_none._tcp.lab.kvmnet", DNS_TYPE_SRV, F_RD, 0);
	q_send(c);
	assert_int_equal(c->h.ancount, 1);
	assert_int_equal(c->an[0].rdlength, 7);
	assert_string_equal(rdata_name(c, &c->an[0], 6), "");
	assert_int_equal(c->h.arcount, 0);

	q_make(c, "txt.lab.kvmnet", DNS_TYPE_TXT, F_RD, 0);
	q_send(c);
	assert_int_equal(c->h.ancount, 1);
	assert_int_equal(c->an[0].type, DNS_TYPE_TXT);
	assert_int_equal(c->an[0].rdlength, 12);
	assert_memory_equal(c->buf + c->an[0].rdata, "\13hello world", 12);
}

/* Refusals, forwarding, special names */

static void test_refused(void **state)
{
	struct ctx *c = *state;

	q_make(c, "web.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	assert_int_equal(q_send_from(c, "192.168.1.1", false, DNS_UDP_MAX), DNS_VERDICT_ANSWER);
	assert_int_equal(rcode(c), DNS_RCODE_REFUSED);
	assert_int_equal(c->h.qdcount, 1);
	assert_int_equal(c->h.ancount, 0);
	assert_false(c->h.flags & DNS_FLAG_AA);
	q_make(c, "example.com", DNS_TYPE_A, F_RD, 0);
	assert_int_equal(q_send_from(c, "10.0.1.1", true, DNS_UDP_MAX), DNS_VERDICT_ANSWER);
	assert_int_equal(rcode(c), DNS_RCODE_REFUSED);

	/* other classes and zone transfers */
	q_make(c, "version.bind", DNS_TYPE_TXT, F_RD, 0);
	c->q[c->qlen - 1] = DNS_CLASS_CH;
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_REFUSED);
	q_make(c, "lab.kvmnet", DNS_TYPE_AXFR, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_REFUSED);
	q_make(c, "lab.kvmnet", 250 /* TSIG */, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOTIMP);
}

static void test_forward(void **state)
{
	struct ctx *c = *state;
	struct dns_server_stats st;

	q_make(c, "WWW.Example.COM", DNS_TYPE_AAAA, F_RD, 1400);
	assert_int_equal(q_send_from(c, "10.0.0.50", false, DNS_UDP_MAX), DNS_VERDICT_FORWARD);
	assert_string_equal(c->info.qname, "www.example.com");
	assert_int_equal(c->info.qtype, DNS_TYPE_AAAA);
	assert_int_equal(c->info.qclass, DNS_CLASS_IN);
	assert_int_equal(c->info.id, 0xbeef);
	assert_true(c->info.rd);
	assert_true(c->info.has_edns);
	assert_int_equal(c->info.edns_udp_size, 1400);
	assert_true(c->info.edns_do);

	/* the root, and names next to ours */
	q_make(c, "", DNS_TYPE_NS, F_RD, 0);
	assert_int_equal(q_send_from(c, "10.0.0.50", false, DNS_UDP_MAX), DNS_VERDICT_FORWARD);
	assert_string_equal(c->info.qname, "");
	q_make(c, "other.kvmnet", DNS_TYPE_A, F_RD, 0);
	assert_int_equal(q_send_from(c, "10.0.0.50", false, DNS_UDP_MAX), DNS_VERDICT_FORWARD);
	q_make(c, "1.0.32.172.in-addr.arpa", DNS_TYPE_PTR, F_RD, 0);
	assert_int_equal(q_send_from(c, "10.0.0.50", false, DNS_UDP_MAX), DNS_VERDICT_FORWARD);
	q_make(c, "1.0.128.100.in-addr.arpa", DNS_TYPE_PTR, F_RD, 0);
	assert_int_equal(q_send_from(c, "10.0.0.50", false, DNS_UDP_MAX), DNS_VERDICT_FORWARD);

	/* without RD, or with forwarding off: REFUSED */
	q_make(c, "www.example.com", DNS_TYPE_A, 0, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_REFUSED);
	c->cfg.forward = false;
	dns_server_set_config(c->srv, &c->cfg);
	q_make(c, "www.example.com", DNS_TYPE_A, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_REFUSED);
	assert_false(c->h.flags & DNS_FLAG_RA);
	dns_server_get_stats(c->srv, &st);
	assert_int_equal(st.forwarded, 5);
	assert_int_equal(st.refused, 2);
	assert_int_equal(st.queries, 7);
}

static void assert_special_nx(struct ctx *c, const char *name, const char *zone)
{
	q_make(c, name, DNS_TYPE_PTR, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NXDOMAIN);
	assert_int_equal(c->h.ancount, 0);
	assert_int_equal(c->h.nscount, 1);
	assert_int_equal(c->ns[0].type, DNS_TYPE_SOA);
	assert_string_equal(c->ns[0].owner, zone);
	assert_string_equal(rdata_name(c, &c->ns[0], 0), zone);
}

#define LOOPBACK6_ARPA "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa"

static void test_private(void **state)
{
	struct ctx *c = *state;
	static const uint8_t loopback6[16] = { [15] = 1 };

	/* private reverse zones that are not ours: NXDOMAIN here, never upstream */
	assert_special_nx(c, "1.1.168.192.in-addr.arpa", "168.192.in-addr.arpa");
	assert_special_nx(c, "5.0.16.172.in-addr.arpa", "16.172.in-addr.arpa");
	assert_special_nx(c, "5.0.31.172.in-addr.arpa", "31.172.in-addr.arpa");
	assert_special_nx(c, "1.0.1.10.in-addr.arpa", "10.in-addr.arpa");
	assert_special_nx(c, "1.10.in-addr.arpa", "10.in-addr.arpa");
	assert_special_nx(c, "1.0.254.169.in-addr.arpa", "254.169.in-addr.arpa");
	assert_special_nx(c, "1.0.0.127.in-addr.arpa", "127.in-addr.arpa");
	assert_special_nx(c, "1.0.64.100.in-addr.arpa", "64.100.in-addr.arpa");
	assert_special_nx(c, "1.0.127.100.in-addr.arpa", "127.100.in-addr.arpa");
	assert_special_nx(c, LOOPBACK6_ARPA, LOOPBACK6_ARPA);
	assert_special_nx(c, "1.2.3.d.f.ip6.arpa", "d.f.ip6.arpa");
	assert_special_nx(c, "printer.local", "local");
	assert_special_nx(c, "x.test", "test");
	assert_special_nx(c, "invalid", "invalid");
	assert_special_nx(c, "a.b.onion", "onion");
	/* names above our own zones exist (RFC 8020): NODATA */
	q_make(c, "0.10.in-addr.arpa", DNS_TYPE_PTR, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_int_equal(c->h.ancount, 0);
	assert_int_equal(c->h.nscount, 1);
	assert_string_equal(c->ns[0].owner, "10.in-addr.arpa");
	q_make(c, "10.in-addr.arpa", DNS_TYPE_SOA, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	/* ours stays ours */
	q_make(c, "1.0.0.10.in-addr.arpa", DNS_TYPE_PTR, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);

	/* RFC 6761 §6.3: localhost is the loopback */
	q_make(c, "localhost", DNS_TYPE_A, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_int_equal(c->h.ancount, 1);
	assert_int_equal(c->an[0].type, DNS_TYPE_A);
	assert_memory_equal(c->buf + c->an[0].rdata, "\x7f\0\0\1", 4);
	q_make(c, "x.LocalHost", DNS_TYPE_AAAA, F_RD, 0);
	q_send(c);
	assert_int_equal(c->h.ancount, 1);
	assert_int_equal(c->an[0].type, DNS_TYPE_AAAA);
	assert_memory_equal(c->buf + c->an[0].rdata, loopback6, 16);
	q_make(c, "localhost", DNS_TYPE_MX, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_int_equal(c->h.ancount, 0);
}

/* Sizes */

static void test_truncation(void **state)
{
	struct ctx *c = *state;
	struct dns_server_stats st;

	/* plain UDP: 512 octets; the answer needs 100 records */
	q_make(c, "many.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	q_send(c);
	assert_true(c->h.flags & DNS_FLAG_TC);
	assert_true(c->h.flags & DNS_FLAG_AA);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_int_equal(c->h.qdcount, 1);
	assert_int_equal(c->h.ancount, 0);
	assert_int_equal(c->h.nscount, 0);
	assert_int_equal(c->len, 12 + 21);

	/* EDNS 1232 is not enough either, and the OPT record stays */
	q_make(c, "many.lab.kvmnet", DNS_TYPE_A, F_RD, 1232);
	q_send(c);
	assert_true(c->h.flags & DNS_FLAG_TC);
	assert_int_equal(c->h.ancount, 0);
	assert_int_equal(c->h.arcount, 1);
	assert_true(c->has_opt);

	/* EDNS 4096 is */
	q_make(c, "many.lab.kvmnet", DNS_TYPE_A, F_RD, 4096);
	q_send(c);
	assert_false(c->h.flags & DNS_FLAG_TC);
	assert_int_equal(c->h.ancount, MANY);
	assert_true(c->len > 1232);

	/* unless the caller's buffer is smaller */
	q_make(c, "many.lab.kvmnet", DNS_TYPE_A, F_RD, 4096);
	assert_int_equal(q_send_from(c, "10.0.0.50", false, 1000), DNS_VERDICT_ANSWER);
	assert_true(c->h.flags & DNS_FLAG_TC);

	/* the client's retry over TCP gets it all */
	q_make(c, "many.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	assert_int_equal(q_send_from(c, "10.0.0.50", true, DNS_TCP_MAX), DNS_VERDICT_ANSWER);
	assert_false(c->h.flags & DNS_FLAG_TC);
	assert_int_equal(c->h.ancount, MANY);
	for (unsigned i = 0; i < MANY; i++) {
		struct in_addr a;

		memcpy(&a, c->buf + c->an[i].rdata, 4);
		assert_int_equal(in_addr_to_host(a), 0x0a000100U + i);
	}
	dns_server_get_stats(c->srv, &st);
	assert_int_equal(st.truncated, 3);
}

static void test_edns_size(void **state)
{
	struct ctx *c = *state;

	/* the answer to "many" is 12 + 21 + 100 * 16 + 11 octets */
	q_make(c, "many.lab.kvmnet", DNS_TYPE_A, F_RD, 1644);
	q_send(c);
	assert_false(c->h.flags & DNS_FLAG_TC);
	assert_int_equal(c->len, 1644);
	q_make(c, "many.lab.kvmnet", DNS_TYPE_A, F_RD, 1643);
	q_send(c);
	assert_true(c->h.flags & DNS_FLAG_TC);

	/* our OPT: 1232, DO copied, no options; sizes below 512 count as 512 */
	q_make(c, "web.lab.kvmnet", DNS_TYPE_A, F_RD, 100);
	q_send(c);
	assert_true(c->has_opt);
	assert_int_equal(c->opt.udp_size, DNS_EDNS_UDP_SIZE);
	assert_true(c->opt.do_bit);
	assert_int_equal(c->opt.version, 0);
	assert_int_equal(c->opt_rdlength, 0);
	assert_int_equal(c->h.ancount, 1);

	/* a query without OPT gets none */
	q_make(c, "web.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	q_send(c);
	assert_false(c->has_opt);

	/* options (a cookie) are never echoed */
	q_make(c, "web.lab.kvmnet", DNS_TYPE_A, F_RD, 1232);
	c->q[c->qlen - 1] = 12;
	q_put(c, "\0\x0a\0\x08" "abcdefgh", 12);
	q_send(c);
	assert_true(c->has_opt);
	assert_int_equal(c->opt_rdlength, 0);

	/* EDNS version 1: BADVERS (RFC 6891 §6.1.3) */
	q_make(c, "web.lab.kvmnet", DNS_TYPE_A, F_RD, 1232);
	c->q[c->qlen - 5] = 1;
	q_send(c);
	assert_int_equal(rcode(c), 0);
	assert_true(c->has_opt);
	assert_int_equal(c->opt.ext_rcode, 1);
	assert_int_equal(c->h.ancount, 0);
}

/* Malformed */

static void test_formerr(void **state)
{
	struct ctx *c = *state;
	struct dns_server_stats st;

	/* no question, two questions */
	q_make(c, "web.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	c->q[5] = 0;
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_FORMERR);
	assert_int_equal(c->h.qdcount, 0);
	c->q[5] = 2;
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_FORMERR);

	/* a question cut short, or with a bad pointer */
	q_make(c, "web.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	c->qlen -= 2;
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_FORMERR);
	assert_int_equal(c->h.qdcount, 0);
	q_make(c, "web.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	c->q[12] = 0xc0;
	c->q[13] = 12;
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_FORMERR);

	/* two OPT records: the question is echoed */
	q_make(c, "web.lab.kvmnet", DNS_TYPE_A, F_RD, 1232);
	c->q[11] = 2;
	q_put(c, "\0\0\x29\4\xd0\0\0\0\0\0\0", 11);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_FORMERR);
	assert_int_equal(c->h.qdcount, 1);
	assert_false(c->has_opt);

	/* records promised but missing */
	q_make(c, "web.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	c->q[7] = 3;
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_FORMERR);

	/* OPT as the question */
	q_make(c, "web.lab.kvmnet", DNS_TYPE_OPT, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_FORMERR);
	dns_server_get_stats(c->srv, &st);
	assert_int_equal(st.formerr, 7);
}

static void test_drop_notimp(void **state)
{
	struct ctx *c = *state;
	struct dns_server_stats st;

	/* a response is never answered */
	q_make(c, "web.lab.kvmnet", DNS_TYPE_A, F_RD | DNS_FLAG_QR, 0);
	assert_int_equal(q_send_from(c, "10.0.0.50", false, DNS_UDP_MAX), DNS_VERDICT_DROP);
	assert_int_equal(c->len, 0);
	/* nor garbage without a header */
	c->qlen = 11;
	assert_int_equal(q_send_from(c, "10.0.0.50", false, DNS_UDP_MAX), DNS_VERDICT_DROP);
	c->qlen = 0;
	assert_int_equal(q_send_from(c, "10.0.0.50", false, DNS_UDP_MAX), DNS_VERDICT_DROP);

	/* STATUS, NOTIFY, UPDATE: NOTIMP with the opcode echoed */
	q_make(c, "lab.kvmnet", DNS_TYPE_SOA, (DNS_OPCODE_UPDATE << 11), 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOTIMP);
	assert_int_equal(DNS_FLAGS_OPCODE(c->h.flags), DNS_OPCODE_UPDATE);
	assert_int_equal(c->h.qdcount, 0);
	q_make(c, "lab.kvmnet", DNS_TYPE_SOA, (DNS_OPCODE_STATUS << 11), 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOTIMP);
	dns_server_get_stats(c->srv, &st);
	assert_int_equal(st.dropped, 3);
	assert_int_equal(st.answered, 2);
}

static void test_unrepresentable(void **state)
{
	struct ctx *c = *state;
	size_t n;

	/* 255 octets of "\255" labels: the text form cannot hold them, the name is refused */
	c->qlen = 0;
	q_put(c, "\xbe\xef\1\0\0\1\0\0\0\0\0\0", 12);
	for (unsigned i = 0; i < 4; i++) {
		uint8_t label[64];

		n = i < 3 ? 63 : 61;
		label[0] = (uint8_t)n;
		memset(label + 1, 0xff, n);
		q_put(c, label, n + 1);
	}
	q_put(c, "\0\0\1\0\1", 5);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_REFUSED);
	assert_int_equal(c->h.qdcount, 1);
}

static void test_build_error(void **state)
{
	struct ctx *c = *state;
	struct dns_header h;
	int n;

	q_make(c, "Www.Example.com", DNS_TYPE_A, F_RD, 1232);
	n = dns_build_error(c->q, c->qlen, DNS_RCODE_SERVFAIL, c->buf, 512);
	assert_int_equal(n, c->qlen);
	assert_int_equal(dns_header_read(c->buf, (size_t)n, &h), 0);
	assert_int_equal(h.id, 0xbeef);
	assert_int_equal(h.flags, DNS_FLAG_QR | DNS_FLAG_RD | DNS_FLAG_RA | DNS_RCODE_SERVFAIL);
	assert_int_equal(h.qdcount, 1);
	assert_int_equal(h.arcount, 1);
	assert_memory_equal(c->buf + 12, c->q + 12, c->qlen - 12 - 11);

	/* a question that does not parse: the header alone */
	c->q[12] = 0xc0;
	n = dns_build_error(c->q, c->qlen, DNS_RCODE_SERVFAIL, c->buf, 512);
	assert_int_equal(n, 12);
	assert_int_equal(dns_build_error(c->q, 11, DNS_RCODE_SERVFAIL, c->buf, 512), -EBADMSG);
	assert_int_equal(dns_build_error(c->q, c->qlen, 16, c->buf, 512), -EINVAL);
}

/* ~1 µs an answer is the aim: report how close a tight loop over 1,000 names gets. */
static void test_speed(void **state)
{
	struct ctx *c = *state;
	static uint8_t queries[1000][64];
	static size_t lens[1000];
	struct timespec t0, t1;
	char label[16], name[64];
	unsigned rounds = 100;
	size_t len;
	double sec;

	for (unsigned i = 0; i < 1000; i++) {
		snprintf(label, sizeof(label), "guest%u", i);
		assert_int_equal(dns_zone_set_host(c->zone, label,
						   in_addr_from_host(0x0a000000U + 2 + i % 250),
						   DNS_ZONE_SOURCE_LEASE),
				 0);
		snprintf(name, sizeof(name), "%s.lab.kvmnet", label);
		q_make(c, name, DNS_TYPE_A, F_RD, 1232);
		memcpy(queries[i], c->q, c->qlen);
		lens[i] = c->qlen;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned r = 0; r < rounds; r++)
		for (unsigned i = 0; i < 1000; i++) {
			enum dns_verdict v = dns_server_handle_query(
				c->srv, queries[i], lens[i], A("10.0.0.50"), false, c->buf,
				DNS_UDP_MAX, &len, NULL);

			assert_true(v == DNS_VERDICT_ANSWER && len > 40);
		}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("%u A answers in %.1f ms: %.0f answers/s, %.0f ns each\n", rounds * 1000,
		      sec * 1e3, rounds * 1000 / sec, sec * 1e9 / (rounds * 1000));
	assert_int_equal(DNS_FLAGS_RCODE(c->buf[3]), DNS_RCODE_NOERROR);
}

static struct in6_addr A6(const char *s)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, s, &a), 1);
	return a;
}

static void assert_rr_aaaa(const struct ctx *c, const struct rr *r, const char *owner,
			   const char *ip)
{
	char buf[INET6_ADDRSTRLEN];

	assert_string_equal(r->owner, owner);
	assert_int_equal(r->type, DNS_TYPE_AAAA);
	assert_int_equal(r->ttl, 60);
	assert_int_equal(r->rdlength, 16);
	assert_non_null(inet_ntop(AF_INET6, c->buf + r->rdata, buf, sizeof(buf)));
	assert_string_equal(buf, ip);
}

/* A subnet6: AAAA, NODATA for names without one, ip6.arpa, queries over IPv6. */
static void test_ipv6(void **state)
{
	static const char gw_rev[] =
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.0.0.0.2.4.d.f.ip6.arpa";
	static const char apex[] = "0.0.0.0.0.0.0.0.4.0.0.0.2.4.d.f.ip6.arpa";
	struct ctx *c = *state;
	struct in6_addr gw6 = A6("fd42:4::1"), web6 = A6("fd42:4::5");

	/* before: REFUSED over IPv6 (no subnet6), a name without AAAA is NODATA */
	q_make(c, "gateway.lab.kvmnet", DNS_TYPE_AAAA, F_RD, 0);
	q_send_from(c, "fd42:4::99", false, DNS_UDP_MAX);
	assert_int_equal(rcode(c), DNS_RCODE_REFUSED);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_int_equal(c->h.ancount, 0);
	assert_soa(c, &c->ns[0], "lab.kvmnet");

	c->cfg.has_subnet6 = true;
	c->cfg.subnet6 = (struct in6_prefix){ A6("fd42:4::"), 64 };
	c->cfg.server_ip6 = gw6;
	dns_server_set_config(c->srv, &c->cfg);
	assert_int_equal(dns_zone_set_reverse6(c->zone, &c->cfg.subnet6), 0);
	assert_int_equal(dns_zone_set_host6(c->zone, "gateway", &gw6, DNS_ZONE_SOURCE_GATEWAY), 0);
	assert_int_equal(dns_zone_set_host6(c->zone, "web", &web6, DNS_ZONE_SOURCE_RESERVATION),
			 0);

	/* AAAA over IPv6 and over IPv4; A over IPv6 */
	q_make(c, "gateway.lab.kvmnet", DNS_TYPE_AAAA, F_RD, 0);
	q_send_from(c, "fd42:4::99", false, DNS_UDP_MAX);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_true(c->h.flags & DNS_FLAG_AA);
	assert_int_equal(c->h.ancount, 1);
	assert_rr_aaaa(c, &c->an[0], "gateway.lab.kvmnet", "fd42:4::1");
	q_send(c);
	assert_rr_aaaa(c, &c->an[0], "gateway.lab.kvmnet", "fd42:4::1");
	q_make(c, "web.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	q_send_from(c, "fd42:4::99", true, DNS_TCP_MAX);
	assert_rr_a(c, &c->an[0], "web.lab.kvmnet", "10.0.0.5");
	/* ANY: both */
	q_make(c, "web.lab.kvmnet", DNS_TYPE_ANY, F_RD, 0);
	q_send(c);
	assert_int_equal(c->h.ancount, 2);
	assert_rr_a(c, &c->an[0], "web.lab.kvmnet", "10.0.0.5");
	assert_rr_aaaa(c, &c->an[1], "web.lab.kvmnet", "fd42:4::5");
	/* a lease without an IPv6 address: NODATA, not NXDOMAIN */
	q_make(c, "db.lab.kvmnet", DNS_TYPE_AAAA, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_int_equal(c->h.ancount, 0);
	assert_soa(c, &c->ns[0], "lab.kvmnet");
	/* outside the subnet6 (link-local, another prefix): REFUSED */
	q_make(c, "web.lab.kvmnet", DNS_TYPE_AAAA, F_RD, 0);
	q_send_from(c, "fe80::1", false, DNS_UDP_MAX);
	assert_int_equal(rcode(c), DNS_RCODE_REFUSED);
	q_send_from(c, "fd42:5::1", false, DNS_UDP_MAX);
	assert_int_equal(rcode(c), DNS_RCODE_REFUSED);

	/* NS: the name server's A and AAAA in the additional section */
	q_make(c, "lab.kvmnet", DNS_TYPE_NS, F_RD, 0);
	q_send(c);
	assert_int_equal(c->h.arcount, 2);
	assert_rr_a(c, &c->ar[0], "gateway.lab.kvmnet", "10.0.0.1");
	assert_rr_aaaa(c, &c->ar[1], "gateway.lab.kvmnet", "fd42:4::1");

	/* ip6.arpa: PTR, uppercase nibbles too; NXDOMAIN for an unnamed address; the apex */
	q_make(c, gw_rev, DNS_TYPE_PTR, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_true(c->h.flags & DNS_FLAG_AA);
	assert_int_equal(c->h.ancount, 1);
	assert_string_equal(rdata_name(c, &c->an[0], 0), "gateway.lab.kvmnet");
	q_make(c, "5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.0.0.0.2.4.D.F.ip6.arpa",
	       DNS_TYPE_PTR, F_RD, 0);
	q_send(c);
	assert_int_equal(c->h.ancount, 1);
	assert_string_equal(rdata_name(c, &c->an[0], 0), "web.lab.kvmnet");
	q_make(c, "9.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.4.0.0.0.2.4.d.f.ip6.arpa",
	       DNS_TYPE_PTR, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NXDOMAIN);
	assert_soa(c, &c->ns[0], apex);
	q_make(c, apex, DNS_TYPE_SOA, F_RD, 0);
	q_send(c);
	assert_int_equal(c->h.ancount, 1);
	assert_soa(c, &c->an[0], apex);
	/* between the apex and the addresses: exists, no data */
	q_make(c, "0.0.0.0.0.0.0.0.0.0.0.0.4.0.0.0.2.4.d.f.ip6.arpa", DNS_TYPE_PTR,
	       F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_int_equal(c->h.ancount, 0);
	/* above the apex inside fd00::/8 (an RFC 6303 empty zone): ours below, so not NXDOMAIN */
	q_make(c, "d.f.ip6.arpa", DNS_TYPE_PTR, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	/* another ULA /64 is not ours: NXDOMAIN, never forwarded */
	q_make(c, "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.5.0.0.0.2.4.d.f.ip6.arpa",
	       DNS_TYPE_PTR, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NXDOMAIN);

	/* removing the AAAA leaves the A; removing the reverse zone hands ip6.arpa back */
	dns_zone_remove_host6(c->zone, "web", &web6, DNS_ZONE_SOURCE_RESERVATION);
	q_make(c, "web.lab.kvmnet", DNS_TYPE_AAAA, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NOERROR);
	assert_int_equal(c->h.ancount, 0);
	q_make(c, "web.lab.kvmnet", DNS_TYPE_A, F_RD, 0);
	q_send(c);
	assert_int_equal(c->h.ancount, 1);
	assert_int_equal(dns_zone_set_reverse6(c->zone, NULL), 0);
	q_make(c, gw_rev, DNS_TYPE_PTR, F_RD, 0);
	q_send(c);
	assert_int_equal(rcode(c), DNS_RCODE_NXDOMAIN);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_a),
		T(test_case_0x20),
		T(test_ptr),
		T(test_soa_ns),
		T(test_nxdomain_nodata),
		T(test_cname),
		T(test_srv_txt),
		T(test_refused),
		T(test_forward),
		T(test_private),
		T(test_truncation),
		T(test_edns_size),
		T(test_formerr),
		T(test_drop_notimp),
		T(test_unrepresentable),
		T(test_build_error),
		T(test_ipv6),
		T(test_speed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
