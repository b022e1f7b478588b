/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DNS messages, bounds-checked (RFC 1035 §4): a reader for the header, names (compression
 * pointers followed with a hard bound on hops, labels and length), questions, resource records
 * and the EDNS0 OPT record (RFC 6891), filling views into or copies out of the caller's packet
 * without allocating; and a builder that writes a message into the caller's buffer, never past
 * its end, compressing names against those already written. dns-server.c is the user.
 */
#ifndef KN_DNS_DNS_PACKET_H
#define KN_DNS_DNS_PACKET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns/dns-proto.h"

/* The header, host order. */
struct dns_header {
	uint16_t id;
	uint16_t flags;           /* DNS_FLAG_*, opcode and rcode */
	uint16_t qdcount, ancount, nscount, arcount;
};

enum dns_section {
	DNS_SECTION_QUESTION,
	DNS_SECTION_ANSWER,
	DNS_SECTION_AUTHORITY,
	DNS_SECTION_ADDITIONAL,
	_DNS_SECTION_MAX,
};

/* A question, its name copied out uncompressed with the case as sent (RFC 4343). */
struct dns_question {
	uint8_t name[DNS_NAME_WIRE_MAX];
	size_t name_len;          /* octets of 'name', root label included */
	uint16_t type, qclass;
};

/* A resource record: a view into the packet it was read from. */
struct dns_rr {
	size_t owner;             /* offset of the owner name in the packet */
	uint16_t type, rclass;
	uint32_t ttl;
	uint16_t rdlength;
	size_t rdata;             /* offset of the RDATA in the packet */
};

/* The EDNS0 OPT record of a message (RFC 6891 §6.1.3). */
struct dns_edns {
	uint16_t udp_size;        /* requestor's UDP payload size, as sent (may be < 512) */
	uint8_t ext_rcode;        /* upper 8 bits of the 12-bit response code */
	uint8_t version;
	bool do_bit;              /* DNSSEC OK (RFC 3225) */
};

/* Reads the header of 'pkt' ('len' bytes) into 'ret'. -EBADMSG if shorter than a header. */
int dns_header_read(const uint8_t *pkt, size_t len, struct dns_header *ret);

/* Writes 'h' in network order to the first DNS_HEADER_SIZE bytes of 'buf'. */
void dns_header_write(uint8_t *buf, const struct dns_header *h);

/*
 * Reads the name at '*offset' of 'pkt' ('len' bytes) into 'ret_wire' (DNS_NAME_WIRE_MAX bytes)
 * uncompressed, in the case sent, and its length into '*ret_len'; '*offset' moves past the name
 * where it started (past the first pointer). Pointers must lead strictly backwards, before all
 * octets read so far, and not into the header, which rules out loops; at most
 * DNS_POINTER_HOPS_MAX of them, labels of at most 63 octets, names of at most 255. The label
 * types 01 and 10 are rejected (RFC 6891 §5). Returns 0 or -EBADMSG (then nothing is written to
 * '*offset').
 */
int dns_name_read(const uint8_t *pkt, size_t len, size_t *offset, uint8_t *ret_wire,
		  size_t *ret_len);

/*
 * Moves '*offset' past the name there without following its pointer, checking only that it
 * lies within 'len' and that its labels are well-formed. For records whose names do not matter.
 * Returns 0 or -EBADMSG.
 */
int dns_name_skip(const uint8_t *pkt, size_t len, size_t *offset);

/*
 * Formats the uncompressed name 'wire' (as dns_name_read() returns it) as text: lowercase, no
 * trailing dot, "" for the root; '.', '\' and octets outside printable ASCII as "\DDD" (RFC 1035
 * §5.1), so that every '.' of the text separates labels and the text names exactly one wire
 * name. Writes at most 'size' bytes to 'ret', the terminating NUL included. Returns the length,
 * -E2BIG when it does not fit, or -EBADMSG for a malformed 'wire'.
 */
int dns_name_to_text(const uint8_t *wire, size_t wire_len, char *ret, size_t size);

/*
 * Parses the text name 'text' (labels separated by '.', an optional trailing dot, escapes
 * "\DDD" and "\X"; "" or "." is the root) into 'ret_wire' (DNS_NAME_WIRE_MAX bytes) and its
 * length into '*ret_len'. Returns 0, or -EINVAL for an empty label, a label over 63 octets, a
 * name over 255 octets or a bad escape.
 */
int dns_name_from_text(const char *text, uint8_t *ret_wire, size_t *ret_len);

/*
 * Reads the text name 'name' ('len' chars, as dns_name_to_text() writes it) as a name under
 * in-addr.arpa (RFC 1035 §3.5): the octets its labels spell, read from the right while they are
 * canonical decimal octets, at most four, go into '*ret_addr' (host order, first octet highest,
 * the missing ones zero) and their count into '*ret_octets'; '*ret_child' tells whether labels
 * are left of them. Returns false when 'name' is not below in-addr.arpa or spells no octet.
 */
bool dns_name_parse_reverse4(const char *name, size_t len, uint32_t *ret_addr,
			     unsigned *ret_octets, bool *ret_child);

/*
 * The same under ip6.arpa (RFC 3596 §2.5): the nibbles its labels spell (one lowercase or
 * uppercase hex digit each), read from the right, at most 32, go into '*ret_addr' (the first
 * nibble highest, the missing ones zero) and their count into '*ret_nibbles'. Returns false
 * when 'name' is not below ip6.arpa or spells no nibble.
 */
bool dns_name_parse_reverse6(const char *name, size_t len, struct in6_addr *ret_addr,
			     unsigned *ret_nibbles, bool *ret_child);

/* True if the uncompressed names 'a' and 'b' are equal, ASCII case ignored (RFC 4343). */
bool dns_name_equal(const uint8_t *a, const uint8_t *b);

/*
 * Reads the question at '*offset' and moves '*offset' past it. Returns 0 or -EBADMSG.
 */
int dns_question_read(const uint8_t *pkt, size_t len, size_t *offset, struct dns_question *ret);

/*
 * Reads the resource record at '*offset' into the view 'ret' (owner name skipped, not followed)
 * and moves '*offset' past it; the RDATA must lie within 'len'. Returns 0 or -EBADMSG.
 */
int dns_rr_read(const uint8_t *pkt, size_t len, size_t *offset, struct dns_rr *ret);

/*
 * Decodes the OPT record 'rr' of 'pkt': its owner must be the root and its options must be
 * well-formed (each within RDLENGTH); their contents are not looked at. Returns 0 or -EBADMSG.
 */
int dns_edns_from_rr(const uint8_t *pkt, size_t len, const struct dns_rr *rr,
		     struct dns_edns *ret);

/*
 * Walks the answer, authority and additional sections of the message 'pkt' with header 'h',
 * starting at 'offset' (just after the question section), and decodes its OPT record into 'ret'.
 * Each count is bounded by the octets left, so the walk ends within 'len'. Returns 1 when there
 * is an OPT record, 0 when there is none, -EBADMSG for a malformed section, an OPT record
 * outside the additional section or more than one (RFC 6891 §6.1.1).
 */
int dns_packet_find_edns(const uint8_t *pkt, size_t len, const struct dns_header *h,
			 size_t offset, struct dns_edns *ret);

/* Offsets of names written that later names may point to (RFC 1035 §4.1.4). */
#define DNS_COMPRESS_MAX 32

/*
 * Writes a message into a caller's buffer. The header is written last, by
 * dns_builder_finish(), with the counts of the records added. Every put either writes all it
 * was asked to or returns -E2BIG; a caller that wants whole records only takes a mark before
 * and rolls back to it on failure.
 */
struct dns_builder {
	uint8_t *buf;
	size_t cap;               /* octets of 'buf' */
	size_t size;              /* octets the message may take, at most 'cap' */
	size_t len;
	uint16_t count[_DNS_SECTION_MAX];
	uint16_t comp[DNS_COMPRESS_MAX]; /* offsets of labels followed by the rest of their name */
	size_t n_comp;
	size_t rr_start;          /* offset of the record begun last: its RDLENGTH follows */
	enum dns_section rr_section;
};

struct dns_builder_mark {
	size_t len, n_comp;
	uint16_t count[_DNS_SECTION_MAX];
};

/*
 * Starts a message in 'buf' of 'size' bytes, leaving room for the header. Returns 0, or -E2BIG
 * when 'size' is smaller than a header.
 */
int dns_builder_init(struct dns_builder *b, uint8_t *buf, size_t size);

/* Remembers the state of 'b' in 'ret', to roll back to with dns_builder_rollback(). */
void dns_builder_mark(const struct dns_builder *b, struct dns_builder_mark *ret);
void dns_builder_rollback(struct dns_builder *b, const struct dns_builder_mark *m);

/*
 * Sets the octets the message may take to 'size', clamped between what is written and the size
 * given to dns_builder_init(); to hold back room for a record that must come last.
 */
void dns_builder_set_size(struct dns_builder *b, size_t size);

/*
 * Appends the uncompressed name 'wire' ('wire_len' octets), compressed against the names
 * written before when 'compress' (RFC 2782 forbids it for the SRV target), and makes its
 * suffixes available to later names. Returns 0 or -E2BIG.
 */
int dns_builder_put_name(struct dns_builder *b, const uint8_t *wire, size_t wire_len,
			 bool compress);

/* Appends raw octets, or a 16- or 32-bit value in network order. 0 or -E2BIG. */
int dns_builder_put_bytes(struct dns_builder *b, const void *data, size_t n);
int dns_builder_put_u16(struct dns_builder *b, uint16_t v);
int dns_builder_put_u32(struct dns_builder *b, uint32_t v);

/* Appends a question and counts it. 0 or -E2BIG. */
int dns_builder_put_question(struct dns_builder *b, const uint8_t *wire, size_t wire_len,
			     uint16_t type, uint16_t qclass);

/*
 * Begins a resource record in 'section': owner 'wire' (compressed), 'type', class, 'ttl' and a
 * placeholder RDLENGTH; the RDATA is appended with the puts above and the record closed with
 * dns_builder_end_rr(). 0 or -E2BIG.
 */
int dns_builder_begin_rr(struct dns_builder *b, enum dns_section section, const uint8_t *wire,
			 size_t wire_len, uint16_t type, uint16_t rclass, uint32_t ttl);
/* Fills in the RDLENGTH of the record begun last and counts it. 0, or -E2BIG over 65535. */
int dns_builder_end_rr(struct dns_builder *b);

/*
 * Appends the OPT record (RFC 6891 §6.1.2) to the additional section: our UDP payload size
 * 'udp_size', the upper bits of the response code 'ext_rcode', version 0, DO 'do_bit'
 * (RFC 3225 §3: copied from the query) and no options. 0 or -E2BIG.
 */
int dns_builder_put_opt(struct dns_builder *b, uint16_t udp_size, uint8_t ext_rcode,
			bool do_bit);

/* Writes the header with 'id', 'flags' and the counts; returns the message length. */
size_t dns_builder_finish(struct dns_builder *b, uint16_t id, uint16_t flags);

#endif
