/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target for the DNS engine: any bytes as a query to a server with a small zone (hosts of
 * every source, CNAME chains and a loop, SRV, TXT, a name with too many addresses for UDP). The
 * query ID, which the engine only echoes, chooses UDP or TCP, the source (inside the subnet or
 * not), forwarding and the reply buffer's size. Every answer must fit its limit and read back
 * as a well-formed message echoing the question; dns_build_error() gets the same bytes.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns-packet.h"
#include "dns/dns-proto.h"
#include "dns/dns-server.h"
#include "dns/dns-zone.h"
#include "fuzz.h"

#define NET 0x0a050000U   /* 10.5.0.0/24 */
#define MANY 90

static struct in_addr ip(uint32_t host_part)
{
	return (struct in_addr){ htonl(NET | host_part) };
}

static struct dns_zone *zone_make(void)
{
	static struct dns_static_record r[MANY + 8];
	struct in_prefix subnet = { ip(0), 24 };
	struct dns_zone *z;
	size_t n = 0;

	if (dns_zone_new("fuzz.kvmnet", &subnet, 30, &z) < 0)
		abort();
	if (dns_zone_set_host(z, "gateway", ip(1), DNS_ZONE_SOURCE_GATEWAY) < 0 ||
	    dns_zone_set_host(z, "web", ip(5), DNS_ZONE_SOURCE_RESERVATION) < 0 ||
	    dns_zone_set_host(z, "web", ip(50), DNS_ZONE_SOURCE_LEASE) < 0 ||
	    dns_zone_set_host(z, "db", ip(20), DNS_ZONE_SOURCE_LEASE) < 0)
		abort();
	r[n++] = (struct dns_static_record){ .name = "www", .type = DNS_RECORD_CNAME,
					     .target = "web.fuzz.kvmnet" };
	r[n++] = (struct dns_static_record){ .name = "loop", .type = DNS_RECORD_CNAME,
					     .target = "loop.fuzz.kvmnet" };
	r[n++] = (struct dns_static_record){ .name = "out", .type = DNS_RECORD_CNAME,
					     .target = "example.com" };
	r[n++] = (struct dns_static_record){ .name = "_http._tcp", .type = DNS_RECORD_SRV,
					     .target = "web.fuzz.kvmnet", .port = 80 };
	r[n++] = (struct dns_static_record){ .name = "_none._udp", .type = DNS_RECORD_SRV,
					     .target = "." };
	r[n++] = (struct dns_static_record){ .name = "@", .type = DNS_RECORD_TXT,
					     .txt = "fuzz zone" };
	r[n++] = (struct dns_static_record){ .name = "txt", .type = DNS_RECORD_TXT,
					     .txt = "hello" };
	for (unsigned i = 0; i < MANY; i++)
		r[n++] = (struct dns_static_record){ .name = "many", .type = DNS_RECORD_A,
						     .a = ip(100 + i) };
	if (dns_zone_set_static(z, r, n) < 0)
		abort();
	return z;
}

/* Reads 'n' records from '*off'; the owner names must decompress. */
static void check_records(const uint8_t *buf, size_t len, size_t *off, unsigned n)
{
	uint8_t wire[DNS_NAME_WIRE_MAX];
	size_t wlen;

	for (unsigned i = 0; i < n; i++) {
		struct dns_rr rr;
		size_t o = *off;

		if (dns_rr_read(buf, len, off, &rr) < 0)
			abort();
		if (dns_name_read(buf, len, &o, wire, &wlen) < 0)
			abort();
	}
}

static void check_reply(const uint8_t *q, size_t qlen, const uint8_t *buf, size_t len,
			size_t limit)
{
	struct dns_question rq, qq;
	struct dns_header h, qh;
	size_t off = DNS_HEADER_SIZE, qoff = DNS_HEADER_SIZE;

	if (len > limit || dns_header_read(buf, len, &h) < 0 || dns_header_read(q, qlen, &qh) < 0)
		abort();
	if (!(h.flags & DNS_FLAG_QR) || h.id != qh.id || h.qdcount > 1)
		abort();
	if (h.qdcount == 1) {
		/* the question echoed as asked */
		if (dns_question_read(buf, len, &off, &rq) < 0 ||
		    dns_question_read(q, qlen, &qoff, &qq) < 0)
			abort();
		if (rq.name_len != qq.name_len || memcmp(rq.name, qq.name, rq.name_len) != 0 ||
		    rq.type != qq.type || rq.qclass != qq.qclass)
			abort();
	}
	check_records(buf, len, &off, (unsigned)h.ancount + h.nscount + h.arcount);
	if (off != len)
		abort();
}

/* The largest answer allowed: the client's EDNS0 size (at least 512) over UDP. */
static size_t answer_limit(const uint8_t *q, size_t qlen, bool tcp, size_t reply_size)
{
	struct dns_question qq;
	struct dns_header h;
	struct dns_edns e;
	size_t off = DNS_HEADER_SIZE, limit = DNS_UDP_PLAIN_MAX;

	if (tcp)
		return reply_size;
	if (dns_header_read(q, qlen, &h) == 0 && h.qdcount == 1 &&
	    dns_question_read(q, qlen, &off, &qq) == 0 &&
	    dns_packet_find_edns(q, qlen, &h, off, &e) > 0 && e.udp_size > limit)
		limit = e.udp_size < DNS_UDP_MAX ? e.udp_size : DNS_UDP_MAX;
	return limit < reply_size ? limit : reply_size;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t sizes[4] = { DNS_UDP_PLAIN_MAX, 1232, DNS_UDP_MAX, DNS_TCP_MAX };
	static uint8_t reply[DNS_TCP_MAX];
	static struct dns_zone *z;
	struct dns_server_config cfg = {
		.subnet = { ip(0), 24 },
		.server_ip = ip(1),
	};
	struct dns_query_info info;
	struct dns_server *srv;
	enum dns_verdict v;
	uint8_t x0 = size > 0 ? data[0] : 0, x1 = size > 1 ? data[1] : 0;
	size_t reply_size = sizes[x0 & 3], len = 0;
	bool tcp = x0 & 4;
	struct in_addr src = x0 & 8 ? (struct in_addr){ htonl(0xc0a80101U) } : ip(2 + x1);
	int n;

	/* the zone is the same for every input: made once */
	if (!z)
		z = zone_make();
	cfg.forward = x0 & 16;
	if (dns_server_new(&cfg, z, &srv) < 0)
		abort();
	v = dns_server_handle_query(srv, data, size, src, tcp, reply, reply_size, &len, &info);
	switch (v) {
	case DNS_VERDICT_ANSWER:
		check_reply(data, size, reply, len, answer_limit(data, size, tcp, reply_size));
		break;
	case DNS_VERDICT_FORWARD:
		if (!cfg.forward || strlen(info.qname) > DNS_NAME_TEXT_MAX)
			abort();
		break;
	case DNS_VERDICT_DROP:
		break;
	default:
		abort();
	}
	n = dns_build_error(data, size, DNS_RCODE_SERVFAIL, reply, DNS_UDP_PLAIN_MAX);
	if (n >= 0)
		check_reply(data, size, reply, (size_t)n, DNS_UDP_PLAIN_MAX);
	else if (size >= DNS_HEADER_SIZE)
		abort();
	dns_server_free(srv);
	return 0;
}
