/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of dns-peers.h. */
#include "dns/dns-peers.h"

#include <errno.h>
#include <string.h>

#include "dns/dns-packet.h"
#include "dns/dns-proto.h"
#include "shared/wire-util.h"

int dns_peers_build_query(const char *qname, uint16_t qtype, uint16_t id, uint32_t vni,
			  uint8_t *buf, size_t size)
{
	static const uint8_t root[1] = { 0 };
	uint8_t wire[DNS_NAME_WIRE_MAX];
	struct dns_builder b;
	size_t wire_len;

	if (vni > 0xffffff || dns_name_from_text(qname, wire, &wire_len) < 0)
		return -EINVAL;
	if (dns_builder_init(&b, buf, size) < 0)
		return -E2BIG;
	if (dns_builder_put_question(&b, wire, wire_len, qtype, DNS_CLASS_IN) < 0 ||
	    dns_builder_begin_rr(&b, DNS_SECTION_ADDITIONAL, root, sizeof(root), DNS_TYPE_OPT,
				 DNS_EDNS_UDP_SIZE, 0) < 0 ||
	    dns_builder_put_u16(&b, DNS_PEERS_OPTION) < 0 || dns_builder_put_u16(&b, 4) < 0 ||
	    dns_builder_put_u32(&b, vni) < 0 || dns_builder_end_rr(&b) < 0)
		return -E2BIG;
	/* RD clear: the peer answers from its zone, it never recurses for us */
	return (int)dns_builder_finish(&b, id, DNS_OPCODE_QUERY << 11);
}

/* Skips the question of the one-question message 'pkt'; 0 with '*offset' after it or -EBADMSG. */
static int skip_question(const uint8_t *pkt, size_t len, const struct dns_header *h,
			 size_t *offset, struct dns_question *ret)
{
	*offset = DNS_HEADER_SIZE;
	if (h->qdcount != 1)
		return -EBADMSG;
	return dns_question_read(pkt, len, offset, ret) < 0 ? -EBADMSG : 0;
}

int dns_peers_query_vni(const uint8_t *pkt, size_t len, uint32_t *ret_vni)
{
	struct dns_question q;
	struct dns_header h;
	size_t off;

	if (dns_header_read(pkt, len, &h) < 0 || (h.flags & DNS_FLAG_QR) ||
	    skip_question(pkt, len, &h, &off, &q) < 0)
		return -EBADMSG;
	/* each record takes at least 11 octets: a lying count ends the walk at 'len' */
	for (size_t i = 0; i < (size_t)h.ancount + h.nscount + h.arcount; i++) {
		struct dns_edns edns;
		struct dns_rr rr;

		if (dns_rr_read(pkt, len, &off, &rr) < 0)
			return -EBADMSG;
		if (rr.type != DNS_TYPE_OPT)
			continue;
		if (dns_edns_from_rr(pkt, len, &rr, &edns) < 0)
			return -EBADMSG;
		/* the options are well-formed (dns_edns_from_rr()): code, length, data */
		for (size_t p = rr.rdata; p < rr.rdata + rr.rdlength;
		     p += 4 + (size_t)wire_get_be16(pkt + p + 2))
			if (wire_get_be16(pkt + p) == DNS_PEERS_OPTION) {
				if (wire_get_be16(pkt + p + 2) != 4 || wire_get_be32(pkt + p + 4) == 0 ||
				    wire_get_be32(pkt + p + 4) > 0xffffff)
					return -EBADMSG;
				*ret_vni = wire_get_be32(pkt + p + 4);
				return 0;
			}
		return -ENOENT;
	}
	return -ENOENT;
}

int dns_peers_check_answer(const uint8_t *pkt, size_t len, uint16_t id, const char *qname,
			   uint16_t qtype, unsigned *ret_answers)
{
	uint8_t wire[DNS_NAME_WIRE_MAX];
	struct dns_question q;
	struct dns_header h;
	size_t wire_len, off;

	if (dns_header_read(pkt, len, &h) < 0 || !(h.flags & DNS_FLAG_QR) || h.id != id ||
	    DNS_FLAGS_OPCODE(h.flags) != DNS_OPCODE_QUERY ||
	    skip_question(pkt, len, &h, &off, &q) < 0)
		return -EBADMSG;
	if (dns_name_from_text(qname, wire, &wire_len) < 0 || q.type != qtype ||
	    q.qclass != DNS_CLASS_IN || !dns_name_equal(q.name, wire))
		return -EBADMSG;
	*ret_answers = h.ancount;
	return DNS_FLAGS_RCODE(h.flags);
}

/* The offset of the last record of 'pkt' when it is an OPT record, else 0. -EBADMSG if bad. */
static int find_trailing_opt(const uint8_t *pkt, size_t len, const struct dns_header *h,
			     size_t *ret)
{
	struct dns_question q;
	size_t off, start = 0;
	struct dns_rr rr = { 0 };

	if (skip_question(pkt, len, h, &off, &q) < 0)
		return -EBADMSG;
	for (size_t i = 0; i < (size_t)h->ancount + h->nscount + h->arcount; i++) {
		start = off;
		if (dns_rr_read(pkt, len, &off, &rr) < 0)
			return -EBADMSG;
	}
	*ret = h->arcount && rr.type == DNS_TYPE_OPT && off == len ? start : 0;
	return 0;
}

int dns_peers_answer_to_guest(const uint8_t *pkt, size_t len, uint16_t guest_id,
			      bool guest_edns, uint8_t *out, size_t size)
{
	struct dns_header h;
	size_t opt = 0;

	if (dns_header_read(pkt, len, &h) < 0 || find_trailing_opt(pkt, len, &h, &opt) < 0)
		return -EBADMSG;
	/* RFC 6891 §7: no OPT record in an answer to a query without one */
	if (!guest_edns && opt) {
		len = opt;
		h.arcount--;
	}
	if (len > size)
		return -E2BIG;
	memmove(out, pkt, len);
	h.id = guest_id;
	h.flags &= (uint16_t)~DNS_FLAG_AA;   /* the peer's data, not this server's zone */
	dns_header_write(out, &h);
	return (int)len;
}

static uint64_t negative_hash(const char *qname, uint16_t qtype)
{
	uint64_t h = UINT64_C(14695981039346656037);   /* FNV-1a 64; names are lowercase */

	for (const char *p = qname; *p; p++)
		h = (h ^ (uint8_t)*p) * UINT64_C(1099511628211);
	h = (h ^ qtype) * UINT64_C(1099511628211);
	return h ? h : 1;
}

bool dns_peers_negative_has(const struct dns_peers_negative *neg, const char *qname,
			    uint16_t qtype, uint64_t now_usec)
{
	uint64_t h = negative_hash(qname, qtype);

	/* 256 comparisons of integers, a few hundred ns: cheaper than a query to every peer */
	for (size_t i = 0; i < DNS_PEERS_NEGATIVE_MAX; i++)
		if (neg->slots[i].hash == h && neg->slots[i].until_usec > now_usec)
			return true;
	return false;
}

void dns_peers_negative_add(struct dns_peers_negative *neg, const char *qname, uint16_t qtype,
			    uint64_t now_usec)
{
	neg->slots[neg->next].hash = negative_hash(qname, qtype);
	neg->slots[neg->next].until_usec = now_usec + DNS_PEERS_NEGATIVE_USEC;
	neg->next = (neg->next + 1) % DNS_PEERS_NEGATIVE_MAX;
}
