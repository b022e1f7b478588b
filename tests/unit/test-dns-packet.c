/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for dns/dns-packet: names read with compression (pointer loops, forward pointers,
 * pointers into the header, the hop, label and length bounds), names in text and back, the
 * builder's compression and size limit, questions, records and EDNS0 (RFC 6891).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "dns/dns-packet.h"
#include "dns/dns-proto.h"

/* A packet: a zeroed header, then bytes appended. */
struct pkt {
	uint8_t buf[1024];
	size_t len;
};

static void pkt_init(struct pkt *p)
{
	memset(p, 0, sizeof(*p));
	p->len = DNS_HEADER_SIZE;
}

static size_t pkt_put(struct pkt *p, const void *data, size_t n)
{
	size_t at = p->len;

	assert_true(p->len + n <= sizeof(p->buf));
	memcpy(p->buf + p->len, data, n);
	p->len += n;
	return at;
}

static size_t pkt_ptr(struct pkt *p, size_t target)
{
	uint8_t b[2] = { (uint8_t)(0xc0 | target >> 8), (uint8_t)target };

	return pkt_put(p, b, 2);
}

static size_t pkt_u16(struct pkt *p, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	return pkt_put(p, b, 2);
}

static int read_text(const struct pkt *p, size_t *off, char *text, size_t size)
{
	uint8_t wire[DNS_NAME_WIRE_MAX];
	size_t len;
	int r;

	r = dns_name_read(p->buf, p->len, off, wire, &len);
	if (r < 0)
		return r;
	return dns_name_to_text(wire, len, text, size);
}

static void test_name_read_plain(void **state)
{
	struct pkt p;
	char text[256];
	size_t off;

	pkt_init(&p);
	pkt_put(&p, "\3www\7Example\3com\0", 17);
	off = DNS_HEADER_SIZE;
	assert_int_equal(read_text(&p, &off, text, sizeof(text)), 15);
	assert_string_equal(text, "www.example.com");
	assert_int_equal(off, DNS_HEADER_SIZE + 17);

	/* the root */
	pkt_init(&p);
	pkt_put(&p, "\0", 1);
	off = DNS_HEADER_SIZE;
	assert_int_equal(read_text(&p, &off, text, sizeof(text)), 0);
	assert_string_equal(text, "");
	assert_int_equal(off, DNS_HEADER_SIZE + 1);
}

static void test_name_read_compressed(void **state)
{
	uint8_t wire[DNS_NAME_WIRE_MAX];
	struct pkt p;
	char text[256];
	size_t off, at, len;

	pkt_init(&p);
	at = pkt_put(&p, "\7example\3com\0", 13);
	off = pkt_put(&p, "\4mail", 5);
	pkt_ptr(&p, at);
	pkt_put(&p, "\1x", 2);          /* what follows the name */
	assert_int_equal(read_text(&p, &off, text, sizeof(text)), 16);
	assert_string_equal(text, "mail.example.com");
	assert_int_equal(off, at + 13 + 5 + 2);

	/* a pointer to a pointer, into the middle of a name */
	off = pkt_put(&p, "\3www", 4);
	pkt_ptr(&p, at + 13);            /* -> "mail" + ptr */
	assert_int_equal(read_text(&p, &off, text, sizeof(text)), 20);
	assert_string_equal(text, "www.mail.example.com");

	/* the case is kept in the wire form */
	pkt_init(&p);
	at = pkt_put(&p, "\3CoM\0", 5);
	off = pkt_put(&p, "\2Ab", 3);
	pkt_ptr(&p, at);
	assert_int_equal(dns_name_read(p.buf, p.len, &off, wire, &len), 0);
	assert_int_equal(len, 8);
	assert_memory_equal(wire, "\2Ab\3CoM\0", 8);
}

static void test_name_read_pointer_abuse(void **state)
{
	struct pkt p;
	char text[256];
	size_t off, a, b;

	/* a pointer to itself */
	pkt_init(&p);
	off = pkt_ptr(&p, DNS_HEADER_SIZE);
	assert_int_equal(read_text(&p, &off, text, sizeof(text)), -EBADMSG);

	/* two pointers to each other */
	pkt_init(&p);
	a = pkt_ptr(&p, DNS_HEADER_SIZE + 2);
	b = pkt_ptr(&p, DNS_HEADER_SIZE);
	off = a;
	assert_int_equal(read_text(&p, &off, text, sizeof(text)), -EBADMSG);
	off = b;
	assert_int_equal(read_text(&p, &off, text, sizeof(text)), -EBADMSG);

	/* a label, then a pointer back to that label: a loop through data */
	pkt_init(&p);
	off = pkt_put(&p, "\1a", 2);
	pkt_ptr(&p, off);
	assert_int_equal(read_text(&p, &off, text, sizeof(text)), -EBADMSG);

	/* a forward pointer, even to a valid name */
	pkt_init(&p);
	off = pkt_ptr(&p, DNS_HEADER_SIZE + 2);
	pkt_put(&p, "\1a\0", 3);
	assert_int_equal(read_text(&p, &off, text, sizeof(text)), -EBADMSG);

	/* into the header */
	pkt_init(&p);
	p.buf[4] = 0;
	off = pkt_ptr(&p, 4);
	assert_int_equal(read_text(&p, &off, text, sizeof(text)), -EBADMSG);

	/* past the end */
	pkt_init(&p);
	off = pkt_ptr(&p, 0x3fff);
	assert_int_equal(read_text(&p, &off, text, sizeof(text)), -EBADMSG);

	/* a pointer cut in half */
	pkt_init(&p);
	off = pkt_put(&p, "\xc0", 1);
	assert_int_equal(read_text(&p, &off, text, sizeof(text)), -EBADMSG);
}

static void test_name_read_hops(void **state)
{
	struct pkt p;
	char text[256];
	size_t off, prev;

	/* a chain of pointers, each to the one before: 16 hops are fine, 17 are not */
	for (unsigned hops = 16; hops <= 17; hops++) {
		pkt_init(&p);
		prev = pkt_put(&p, "\0", 1);
		for (unsigned i = 0; i < hops; i++)
			prev = pkt_ptr(&p, prev);
		off = prev;
		assert_int_equal(read_text(&p, &off, text, sizeof(text)),
				 hops == 16 ? 0 : -EBADMSG);
	}
}

static void test_name_read_limits(void **state)
{
	uint8_t label[64];
	struct pkt p;
	char text[300];
	size_t off;

	/* 63 octets are a label; 64 (0x40) is the obsolete extended type */
	memset(label, 'a', sizeof(label));
	for (unsigned n = 63; n <= 64; n++) {
		uint8_t len = (uint8_t)n;

		pkt_init(&p);
		off = pkt_put(&p, &len, 1);
		pkt_put(&p, label, n);
		pkt_put(&p, "\0", 1);
		assert_int_equal(read_text(&p, &off, text, sizeof(text)), n == 63 ? 63 : -EBADMSG);
	}
	pkt_init(&p);
	off = pkt_put(&p, "\x80\1a\0", 4);
	assert_int_equal(read_text(&p, &off, text, sizeof(text)), -EBADMSG);

	/* 255 octets on the wire are a name, 256 are not: 127 labels of 1 */
	for (unsigned extra = 0; extra <= 1; extra++) {
		pkt_init(&p);
		off = p.len;
		for (unsigned i = 0; i < 126; i++)
			pkt_put(&p, "\1a", 2);
		if (extra)
			pkt_put(&p, "\2bb", 3);
		else
			pkt_put(&p, "\1b", 2);
		pkt_put(&p, "\0", 1);
		assert_int_equal(read_text(&p, &off, text, sizeof(text)), extra ? -EBADMSG : 253);
	}

	/* long names through pointers count the same */
	pkt_init(&p);
	off = p.len;
	for (unsigned i = 0; i < 127; i++)
		pkt_put(&p, "\1a", 2);
	pkt_put(&p, "\0", 1);
	off = pkt_put(&p, "\1c", 2);
	pkt_ptr(&p, DNS_HEADER_SIZE);
	assert_int_equal(read_text(&p, &off, text, sizeof(text)), -EBADMSG);

	/* truncated inside a label, and without the root */
	pkt_init(&p);
	off = pkt_put(&p, "\5ab", 3);
	assert_int_equal(read_text(&p, &off, text, sizeof(text)), -EBADMSG);
	pkt_init(&p);
	off = pkt_put(&p, "\2ab", 3);
	assert_int_equal(read_text(&p, &off, text, sizeof(text)), -EBADMSG);
}

static void test_name_skip(void **state)
{
	struct pkt p;
	size_t off;

	pkt_init(&p);
	pkt_put(&p, "\1a\0", 3);
	off = pkt_put(&p, "\1b", 2);
	pkt_ptr(&p, DNS_HEADER_SIZE);
	assert_int_equal(dns_name_skip(p.buf, p.len, &off), 0);
	assert_int_equal(off, p.len);
	off = p.len - 1;
	assert_int_equal(dns_name_skip(p.buf, p.len, &off), -EBADMSG);
	pkt_init(&p);
	off = pkt_put(&p, "\x40", 1);
	assert_int_equal(dns_name_skip(p.buf, p.len, &off), -EBADMSG);
}

static void test_name_text(void **state)
{
	uint8_t wire[DNS_NAME_WIRE_MAX];
	char text[300];
	size_t len;

	assert_int_equal(dns_name_from_text("Www.Example.COM.", wire, &len), 0);
	assert_int_equal(len, 17);
	assert_memory_equal(wire, "\3Www\7Example\3COM\0", 17);
	assert_int_equal(dns_name_to_text(wire, len, text, sizeof(text)), 15);
	assert_string_equal(text, "www.example.com");

	/* the root */
	assert_int_equal(dns_name_from_text("", wire, &len), 0);
	assert_int_equal(len, 1);
	assert_int_equal(dns_name_from_text(".", wire, &len), 0);
	assert_int_equal(len, 1);

	/* escapes: a dot inside a label never reads as a separator */
	assert_int_equal(dns_name_from_text("a\\.b.c", wire, &len), 0);
	assert_memory_equal(wire, "\3a.b\1c\0", 7);
	assert_int_equal(dns_name_to_text(wire, len, text, sizeof(text)), 8);
	assert_string_equal(text, "a\\046b.c");
	assert_int_equal(dns_name_from_text(text, wire, &len), 0);
	assert_memory_equal(wire, "\3a.b\1c\0", 7);
	assert_int_equal(dns_name_from_text("\\000\\255", wire, &len), 0);
	assert_memory_equal(wire, "\2\0\xff\0", 4);
	assert_int_equal(dns_name_to_text(wire, len, text, sizeof(text)), 8);
	assert_string_equal(text, "\\000\\255");

	/* bad text */
	assert_int_equal(dns_name_from_text("a..b", wire, &len), -EINVAL);
	assert_int_equal(dns_name_from_text(".a", wire, &len), -EINVAL);
	assert_int_equal(dns_name_from_text("a\\", wire, &len), -EINVAL);
	assert_int_equal(dns_name_from_text("a\\256", wire, &len), -EINVAL);
	assert_int_equal(dns_name_from_text("a\\12", wire, &len), -EINVAL);
	memset(text, 'a', 64);
	text[64] = '\0';
	assert_int_equal(dns_name_from_text(text, wire, &len), -EINVAL);
	text[63] = '\0';
	assert_int_equal(dns_name_from_text(text, wire, &len), 0);
	assert_int_equal(len, 65);

	/* 253 characters fit in 255 octets, 254 do not */
	for (size_t i = 0; i < 254; i++)
		text[i] = i % 2 ? '.' : 'a';
	text[253] = '\0';
	assert_int_equal(dns_name_from_text(text, wire, &len), 0);
	assert_int_equal(len, 255);
	text[253] = 'b';
	text[254] = '\0';
	text[252] = 'b';
	assert_int_equal(dns_name_from_text(text, wire, &len), -EINVAL);

	/* the text buffer's size */
	assert_int_equal(dns_name_from_text("abc.de", wire, &len), 0);
	assert_int_equal(dns_name_to_text(wire, len, text, 7), 6);
	assert_int_equal(dns_name_to_text(wire, len, text, 6), -E2BIG);
	assert_int_equal(dns_name_to_text(wire, len - 1, text, 60), -EBADMSG);

	assert_true(dns_name_equal((const uint8_t *)"\1A\2bC\0", (const uint8_t *)"\1a\2Bc\0"));
	assert_false(dns_name_equal((const uint8_t *)"\1A\2bC\0", (const uint8_t *)"\1a\1b\0"));
}

static void test_reverse4(void **state)
{
	uint32_t addr;
	unsigned k;
	bool child;
	const char *n;

	n = "5.2.0.10.in-addr.arpa";
	assert_true(dns_name_parse_reverse4(n, strlen(n), &addr, &k, &child));
	assert_int_equal(addr, 0x0a000205);
	assert_int_equal(k, 4);
	assert_false(child);
	n = "x.0.10.in-addr.arpa";
	assert_true(dns_name_parse_reverse4(n, strlen(n), &addr, &k, &child));
	assert_int_equal(addr, 0x0a000000);
	assert_int_equal(k, 2);
	assert_true(child);
	n = "1.5.2.0.10.in-addr.arpa";
	assert_true(dns_name_parse_reverse4(n, strlen(n), &addr, &k, &child));
	assert_int_equal(k, 4);
	assert_true(child);
	n = "01.10.in-addr.arpa";    /* not canonical: a child of 10 */
	assert_true(dns_name_parse_reverse4(n, strlen(n), &addr, &k, &child));
	assert_int_equal(k, 1);
	assert_true(child);
	n = "256.in-addr.arpa";
	assert_false(dns_name_parse_reverse4(n, strlen(n), &addr, &k, &child));
	n = "in-addr.arpa";
	assert_false(dns_name_parse_reverse4(n, strlen(n), &addr, &k, &child));
	n = "10.in-addr.arpa.com";
	assert_false(dns_name_parse_reverse4(n, strlen(n), &addr, &k, &child));
}

static void test_builder_compression(void **state)
{
	uint8_t buf[512], wire[DNS_NAME_WIRE_MAX];
	struct dns_builder b;
	char text[256];
	size_t len, off, second;

	assert_int_equal(dns_builder_init(&b, buf, sizeof(buf)), 0);
	assert_int_equal(dns_name_from_text("www.Example.com", wire, &len), 0);
	assert_int_equal(dns_builder_put_question(&b, wire, len, DNS_TYPE_A, DNS_CLASS_IN), 0);
	assert_int_equal(b.len, DNS_HEADER_SIZE + 17 + 4);

	/* the same name: one pointer, to the question, whatever the case */
	assert_int_equal(dns_name_from_text("WWW.example.COM", wire, &len), 0);
	off = b.len;
	assert_int_equal(dns_builder_put_name(&b, wire, len, true), 0);
	assert_int_equal(b.len, off + 2);
	assert_memory_equal(buf + off, "\xc0\x0c", 2);

	/* a sibling: its own label, then a pointer to "example.com" */
	assert_int_equal(dns_name_from_text("mail.example.com", wire, &len), 0);
	second = b.len;
	assert_int_equal(dns_builder_put_name(&b, wire, len, true), 0);
	assert_memory_equal(buf + second, "\4mail\xc0\x10", 7);

	/* a child of that: pointer to the sibling, through its pointer */
	assert_int_equal(dns_name_from_text("a.mail.example.com", wire, &len), 0);
	off = b.len;
	assert_int_equal(dns_builder_put_name(&b, wire, len, true), 0);
	assert_int_equal(b.len, off + 4);
	assert_int_equal(buf[off + 3], second);

	/* no compression when told so (SRV targets) */
	off = b.len;
	assert_int_equal(dns_builder_put_name(&b, wire, len, false), 0);
	assert_int_equal(b.len, off + len);

	/* an unrelated name: no pointer */
	assert_int_equal(dns_name_from_text("other.org", wire, &len), 0);
	off = b.len;
	assert_int_equal(dns_builder_put_name(&b, wire, len, true), 0);
	assert_int_equal(b.len, off + len);

	/* all read back */
	off = second;
	assert_int_equal(dns_name_read(buf, b.len, &off, wire, &len), 0);
	assert_int_equal(dns_name_to_text(wire, len, text, sizeof(text)), 16);
	assert_string_equal(text, "mail.example.com");
	off = second + 7;
	assert_int_equal(dns_name_read(buf, b.len, &off, wire, &len), 0);
	assert_int_equal(dns_name_to_text(wire, len, text, sizeof(text)), 18);
	assert_string_equal(text, "a.mail.example.com");
}

static void test_builder_limits(void **state)
{
	uint8_t buf[64], wire[DNS_NAME_WIRE_MAX];
	struct dns_builder b;
	struct dns_builder_mark m;
	size_t len, before;
	struct dns_header h;

	assert_int_equal(dns_builder_init(&b, buf, 11), -E2BIG);
	assert_int_equal(dns_builder_init(&b, buf, 40), 0);
	assert_int_equal(dns_name_from_text("abcdefgh.example", wire, &len), 0);
	assert_int_equal(dns_builder_put_question(&b, wire, len, DNS_TYPE_A, DNS_CLASS_IN), 0);
	assert_int_equal(b.len, 12 + 18 + 4);

	/* a record that does not fit: nothing written, the mark restores the counts */
	dns_builder_mark(&b, &m);
	assert_int_equal(dns_name_from_text("x.org", wire, &len), 0);
	before = b.len;
	assert_int_equal(dns_builder_begin_rr(&b, DNS_SECTION_ANSWER, wire, len, DNS_TYPE_A,
					      DNS_CLASS_IN, 60),
			 -E2BIG);
	assert_int_equal(b.len, before);
	assert_int_equal(dns_builder_put_u32(&b, 1), 0);
	assert_int_equal(dns_builder_put_u16(&b, 1), 0);
	assert_int_equal(dns_builder_put_u16(&b, 1), -E2BIG);
	dns_builder_rollback(&b, &m);
	assert_int_equal(b.len, before);

	/* set_size holds back room, and gives it back */
	dns_builder_set_size(&b, 20);
	assert_int_equal(b.size, b.len);
	dns_builder_set_size(&b, 1000);
	assert_int_equal(b.size, 40);

	assert_int_equal(dns_builder_finish(&b, 0x1234, DNS_FLAG_QR), before);
	assert_int_equal(dns_header_read(buf, before, &h), 0);
	assert_int_equal(h.id, 0x1234);
	assert_int_equal(h.flags, DNS_FLAG_QR);
	assert_int_equal(h.qdcount, 1);
	assert_int_equal(h.ancount, 0);
	assert_int_equal(dns_header_read(buf, 11, &h), -EBADMSG);
}

static void test_builder_rr(void **state)
{
	uint8_t buf[512], wire[DNS_NAME_WIRE_MAX];
	struct dns_builder b;
	struct dns_header h;
	struct dns_question q;
	struct dns_rr rr;
	size_t len, off = DNS_HEADER_SIZE, n;

	dns_builder_init(&b, buf, sizeof(buf));
	dns_name_from_text("host.lab", wire, &len);
	assert_int_equal(dns_builder_put_question(&b, wire, len, DNS_TYPE_A, DNS_CLASS_IN), 0);
	assert_int_equal(dns_builder_begin_rr(&b, DNS_SECTION_ANSWER, wire, len, DNS_TYPE_A,
					      DNS_CLASS_IN, 300),
			 0);
	assert_int_equal(dns_builder_put_bytes(&b, "\x0a\0\0\x05", 4), 0);
	assert_int_equal(dns_builder_end_rr(&b), 0);
	assert_int_equal(dns_builder_put_opt(&b, 1232, 0, true), 0);
	n = dns_builder_finish(&b, 7, DNS_FLAG_QR);

	assert_int_equal(dns_header_read(buf, n, &h), 0);
	assert_int_equal(h.ancount, 1);
	assert_int_equal(h.arcount, 1);
	assert_int_equal(dns_question_read(buf, n, &off, &q), 0);
	assert_int_equal(q.type, DNS_TYPE_A);
	assert_int_equal(q.qclass, DNS_CLASS_IN);
	assert_true(dns_name_equal(q.name, wire));
	assert_int_equal(dns_rr_read(buf, n, &off, &rr), 0);
	assert_int_equal(rr.type, DNS_TYPE_A);
	assert_int_equal(rr.ttl, 300);
	assert_int_equal(rr.rdlength, 4);
	assert_memory_equal(buf + rr.rdata, "\x0a\0\0\x05", 4);
	assert_memory_equal(buf + rr.owner, "\xc0\x0c", 2);
	/* OPT: root, type 41, class = size, TTL with DO, no options */
	assert_memory_equal(buf + off, "\0\0\x29\x04\xd0\0\0\x80\0\0\0", 11);

	/* an RDATA running past the end */
	assert_int_equal(dns_rr_read(buf, off - 1, &(size_t){ off - 16 }, &rr), -EBADMSG);
}

/* A query for "a.b" A with 'ar' additional records appended by the caller. */
static size_t query_init(struct pkt *p, uint16_t an, uint16_t ar)
{
	size_t end;

	pkt_init(p);
	p->buf[7] = (uint8_t)an;
	p->buf[5] = 1;
	p->buf[11] = (uint8_t)ar;
	pkt_put(p, "\1a\1b\0\0\1\0\1", 9);
	end = p->len;
	return end;
}

static void put_opt(struct pkt *p, uint16_t size, uint32_t ttl, const void *rdata, uint16_t n)
{
	pkt_put(p, "\0", 1);
	pkt_u16(p, DNS_TYPE_OPT);
	pkt_u16(p, size);
	pkt_u16(p, (uint16_t)(ttl >> 16));
	pkt_u16(p, (uint16_t)ttl);
	pkt_u16(p, n);
	if (n)
		pkt_put(p, rdata, n);
}

static int find_edns(const struct pkt *p, size_t off, struct dns_edns *e)
{
	struct dns_header h;

	assert_int_equal(dns_header_read(p->buf, p->len, &h), 0);
	return dns_packet_find_edns(p->buf, p->len, &h, off, e);
}

static void test_edns(void **state)
{
	struct dns_edns e;
	struct pkt p;
	size_t off;

	/* none */
	off = query_init(&p, 0, 0);
	assert_int_equal(find_edns(&p, off, &e), 0);

	/* size, DO, version, and options skipped (a cookie) */
	off = query_init(&p, 0, 1);
	put_opt(&p, 4096, 0x00008000, "\0\x0a\0\x08" "12345678", 12);
	assert_int_equal(find_edns(&p, off, &e), 1);
	assert_int_equal(e.udp_size, 4096);
	assert_true(e.do_bit);
	assert_int_equal(e.version, 0);
	assert_int_equal(e.ext_rcode, 0);

	off = query_init(&p, 0, 1);
	put_opt(&p, 100, 0x01010000, NULL, 0);
	assert_int_equal(find_edns(&p, off, &e), 1);
	assert_int_equal(e.udp_size, 100);
	assert_false(e.do_bit);
	assert_int_equal(e.version, 1);
	assert_int_equal(e.ext_rcode, 1);

	/* two OPT records */
	off = query_init(&p, 0, 2);
	put_opt(&p, 1232, 0, NULL, 0);
	put_opt(&p, 1232, 0, NULL, 0);
	assert_int_equal(find_edns(&p, off, &e), -EBADMSG);

	/* OPT in the answer section */
	off = query_init(&p, 1, 0);
	put_opt(&p, 1232, 0, NULL, 0);
	assert_int_equal(find_edns(&p, off, &e), -EBADMSG);

	/* owner not the root */
	off = query_init(&p, 0, 1);
	pkt_put(&p, "\1x\0\0\x29\4\0\0\0\0\0\0\0", 13);
	assert_int_equal(find_edns(&p, off, &e), -EBADMSG);

	/* an option running past RDATA */
	off = query_init(&p, 0, 1);
	put_opt(&p, 1232, 0, "\0\x0a\0\x09" "12345678", 12);
	assert_int_equal(find_edns(&p, off, &e), -EBADMSG);
	off = query_init(&p, 0, 1);
	put_opt(&p, 1232, 0, "\0\x0a\0", 3);
	assert_int_equal(find_edns(&p, off, &e), -EBADMSG);

	/* RDLENGTH past the packet */
	off = query_init(&p, 0, 1);
	put_opt(&p, 1232, 0, NULL, 0);
	p.buf[p.len - 1] = 4;
	assert_int_equal(find_edns(&p, off, &e), -EBADMSG);

	/* counts larger than the packet */
	off = query_init(&p, 0, 255);
	put_opt(&p, 1232, 0, NULL, 0);
	assert_int_equal(find_edns(&p, off, &e), -EBADMSG);
	p.buf[6] = 0xff;
	p.buf[7] = 0xff;
	assert_int_equal(find_edns(&p, off, &e), -EBADMSG);

	/* another record before OPT in the additional section */
	off = query_init(&p, 0, 2);
	pkt_put(&p, "\xc0\x0c\0\1\0\1\0\0\0\0\0\4\1\2\3\4", 16);
	put_opt(&p, 1400, 0, NULL, 0);
	assert_int_equal(find_edns(&p, off, &e), 1);
	assert_int_equal(e.udp_size, 1400);
}

static void test_question(void **state)
{
	struct dns_question q;
	struct pkt p;
	size_t off;

	pkt_init(&p);
	pkt_put(&p, "\1a\0\0\1\0", 6);
	off = DNS_HEADER_SIZE;
	assert_int_equal(dns_question_read(p.buf, p.len, &off, &q), -EBADMSG);
	pkt_put(&p, "\1", 1);
	assert_int_equal(dns_question_read(p.buf, p.len, &off, &q), 0);
	assert_int_equal(off, p.len);
	assert_int_equal(q.name_len, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_read_plain),
		cmocka_unit_test(test_name_read_compressed),
		cmocka_unit_test(test_name_read_pointer_abuse),
		cmocka_unit_test(test_name_read_hops),
		cmocka_unit_test(test_name_read_limits),
		cmocka_unit_test(test_name_skip),
		cmocka_unit_test(test_name_text),
		cmocka_unit_test(test_reverse4),
		cmocka_unit_test(test_builder_compression),
		cmocka_unit_test(test_builder_limits),
		cmocka_unit_test(test_builder_rr),
		cmocka_unit_test(test_edns),
		cmocka_unit_test(test_question),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
