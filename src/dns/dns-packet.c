/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DNS message reading and writing (RFC 1035 §4, RFC 6891). Guests are untrusted: every offset
 * is checked against the packet length before it is used, every loop over packet data is
 * bounded (pointer hops, name length, record counts by the octets left), and nothing here
 * allocates. The builder never writes past the size it was given.
 */
#include "dns/dns-packet.h"

#include <errno.h>
#include <string.h>

static inline uint8_t ascii_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static inline uint16_t get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get_u32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void set_u16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* Header */

int dns_header_read(const uint8_t *pkt, size_t len, struct dns_header *ret)
{
	if (len < DNS_HEADER_SIZE)
		return -EBADMSG;
	*ret = (struct dns_header){
		.id = get_u16(pkt),
		.flags = get_u16(pkt + 2),
		.qdcount = get_u16(pkt + 4),
		.ancount = get_u16(pkt + 6),
		.nscount = get_u16(pkt + 8),
		.arcount = get_u16(pkt + 10),
	};
	return 0;
}

void dns_header_write(uint8_t *buf, const struct dns_header *h)
{
	set_u16(buf, h->id);
	set_u16(buf + 2, h->flags);
	set_u16(buf + 4, h->qdcount);
	set_u16(buf + 6, h->ancount);
	set_u16(buf + 8, h->nscount);
	set_u16(buf + 10, h->arcount);
}

/* Names */

int dns_name_read(const uint8_t *pkt, size_t len, size_t *offset, uint8_t *ret_wire,
		  size_t *ret_len)
{
	size_t pos = *offset, lowest = *offset, end = 0, n = 0;
	unsigned hops = 0;

	/*
	 * Terminates: every iteration either consumes a label (the name grows, at most 255
	 * octets) or follows a pointer to an offset below all read so far (at most 16 hops).
	 */
	for (;;) {
		uint8_t c;

		if (pos >= len)
			return -EBADMSG;
		c = pkt[pos];
		if ((c & DNS_POINTER_MASK) == DNS_POINTER_MASK) {
			size_t target;

			if (pos + 1 >= len)
				return -EBADMSG;
			target = (size_t)(c & ~DNS_POINTER_MASK) << 8 | pkt[pos + 1];
			if (hops == 0)
				end = pos + 2;
			if (++hops > DNS_POINTER_HOPS_MAX)
				return -EBADMSG;
			/* backwards only, and never into the header: no loops, no games */
			if (target < DNS_HEADER_SIZE || target >= lowest)
				return -EBADMSG;
			pos = lowest = target;
			continue;
		}
		if (c & DNS_POINTER_MASK)
			return -EBADMSG;   /* 01 and 10: extended label types, obsolete */
		if (n + 1 + c > DNS_NAME_WIRE_MAX)
			return -EBADMSG;
		if (c == 0) {
			ret_wire[n++] = 0;
			if (hops == 0)
				end = pos + 1;
			break;
		}
		if (c >= len - pos)
			return -EBADMSG;
		memcpy(ret_wire + n, pkt + pos, 1 + (size_t)c);
		n += 1 + (size_t)c;
		pos += 1 + (size_t)c;
	}
	*offset = end;
	*ret_len = n;
	return 0;
}

int dns_name_skip(const uint8_t *pkt, size_t len, size_t *offset)
{
	size_t pos = *offset;

	for (;;) {
		uint8_t c;

		if (pos >= len || pos - *offset >= DNS_NAME_WIRE_MAX)
			return -EBADMSG;
		c = pkt[pos];
		if ((c & DNS_POINTER_MASK) == DNS_POINTER_MASK) {
			if (pos + 1 >= len)
				return -EBADMSG;
			pos += 2;
			break;
		}
		if (c & DNS_POINTER_MASK)
			return -EBADMSG;
		pos += 1 + (size_t)c;
		if (c == 0)
			break;
	}
	if (pos > len)
		return -EBADMSG;
	*offset = pos;
	return 0;
}

static bool byte_needs_escape(uint8_t c)
{
	return c == '.' || c == '\\' || c < 0x21 || c > 0x7e;
}

int dns_name_to_text(const uint8_t *wire, size_t wire_len, char *ret, size_t size)
{
	size_t i = 0, o = 0;

	if (size == 0)
		return -E2BIG;
	for (;;) {
		uint8_t c;

		if (i >= wire_len)
			return -EBADMSG;
		c = wire[i++];
		if (c == 0)
			break;
		if (c > DNS_LABEL_MAX || c > wire_len - i)
			return -EBADMSG;
		if (o > 0) {
			if (o + 1 >= size)
				return -E2BIG;
			ret[o++] = '.';
		}
		for (size_t k = 0; k < c; k++) {
			uint8_t b = wire[i++];

			if (byte_needs_escape(b)) {
				if (o + 4 >= size)
					return -E2BIG;
				ret[o++] = '\\';
				ret[o++] = (char)('0' + b / 100);
				ret[o++] = (char)('0' + b / 10 % 10);
				ret[o++] = (char)('0' + b % 10);
			} else {
				if (o + 1 >= size)
					return -E2BIG;
				ret[o++] = (char)ascii_lower(b);
			}
		}
	}
	if (i != wire_len)
		return -EBADMSG;
	ret[o] = '\0';
	return (int)o;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads one character of a label at '*p', an escape or not; -EINVAL for a bad escape. */
static int text_label_char(const char **p)
{
	const char *s = *p;
	int v;

	if (*s != '\\') {
		*p = s + 1;
		return (uint8_t)*s;
	}
	s++;
	if (is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2])) {
		v = (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
		if (v > 255)
			return -EINVAL;
		*p = s + 3;
		return v;
	}
	if (*s == '\0' || is_digit(*s))
		return -EINVAL;
	*p = s + 1;
	return (uint8_t)*s;
}

int dns_name_from_text(const char *text, uint8_t *ret_wire, size_t *ret_len)
{
	const char *p = text;
	size_t n = 0;

	if (p[0] == '.' && p[1] == '\0')
		p++;
	while (*p) {
		size_t len_at = n++, label = 0;

		/* room for this length byte, one octet and the root label */
		if (n + 2 > DNS_NAME_WIRE_MAX)
			return -EINVAL;
		while (*p && *p != '.') {
			int c = text_label_char(&p);

			if (c < 0)
				return c;
			if (label == DNS_LABEL_MAX || n + 2 > DNS_NAME_WIRE_MAX)
				return -EINVAL;
			ret_wire[n++] = (uint8_t)c;
			label++;
		}
		if (label == 0)
			return -EINVAL;
		ret_wire[len_at] = (uint8_t)label;
		if (*p == '.')
			p++;
	}
	ret_wire[n++] = 0;
	*ret_len = n;
	return 0;
}

/* A decimal octet without leading zeros, or -1. */
static int parse_octet(const char *s, size_t n)
{
	int v = 0;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= 255 ? v : -1;
}

static int parse_nibble(const char *s, size_t n)
{
	if (n != 1)
		return -1;
	if (is_digit(s[0]))
		return s[0] - '0';
	if (ascii_lower((uint8_t)s[0]) >= 'a' && ascii_lower((uint8_t)s[0]) <= 'f')
		return ascii_lower((uint8_t)s[0]) - 'a' + 10;
	return -1;
}

/*
 * Reads the labels of 'name' ('len' chars) before 'suffix', right to left, each a value 'parse'
 * accepts, at most 'max' of them, into 'vals'. Returns how many (0: not such a reverse name);
 * '*ret_child' tells whether labels are left of them (a name below the address, or not one).
 */
static unsigned reverse_labels(const char *name, size_t len, const char *suffix, unsigned max,
			       int (*parse)(const char *, size_t), uint8_t *vals, bool *ret_child)
{
	const size_t n = strlen(suffix);
	unsigned k = 0;
	bool child = true;
	size_t left;

	if (len <= n || memcmp(name + len - n, suffix, n) != 0)
		return 0;
	left = len - n;
	while (k < max && child) {
		size_t s = left;
		int v;

		while (s > 0 && name[s - 1] != '.')
			s--;
		v = parse(name + s, left - s);
		if (v < 0)
			break;
		vals[k++] = (uint8_t)v;
		child = s > 0;
		left = child ? s - 1 : 0;
	}
	*ret_child = child;
	return k;
}

bool dns_name_parse_reverse4(const char *name, size_t len, uint32_t *ret_addr,
			     unsigned *ret_octets, bool *ret_child)
{
	uint8_t v[4];
	uint32_t addr = 0;
	bool child;
	unsigned k = reverse_labels(name, len, ".in-addr.arpa", 4, parse_octet, v, &child);

	if (k == 0)
		return false;
	for (unsigned i = 0; i < k; i++)
		addr |= (uint32_t)v[i] << (24 - 8 * i);
	*ret_addr = addr;
	*ret_octets = k;
	*ret_child = child;
	return true;
}

bool dns_name_parse_reverse6(const char *name, size_t len, struct in6_addr *ret_addr,
			     unsigned *ret_nibbles, bool *ret_child)
{
	uint8_t v[32];
	struct in6_addr addr = {};
	bool child;
	unsigned k = reverse_labels(name, len, ".ip6.arpa", 32, parse_nibble, v, &child);

	if (k == 0)
		return false;
	for (unsigned i = 0; i < k; i++)
		addr.s6_addr[i / 2] |= (uint8_t)(i % 2 ? v[i] : v[i] << 4);
	*ret_addr = addr;
	*ret_nibbles = k;
	*ret_child = child;
	return true;
}

bool dns_name_equal(const uint8_t *a, const uint8_t *b)
{
	size_t i = 0;

	while (i < DNS_NAME_WIRE_MAX) {
		uint8_t c = a[i];

		if (c != b[i])
			return false;
		if (c == 0)
			return true;
		for (size_t k = i + 1; k <= i + c; k++)
			if (ascii_lower(a[k]) != ascii_lower(b[k]))
				return false;
		i += 1 + (size_t)c;
	}
	return false;
}

/* Questions and records */

int dns_question_read(const uint8_t *pkt, size_t len, size_t *offset, struct dns_question *ret)
{
	size_t pos = *offset;
	int r;

	r = dns_name_read(pkt, len, &pos, ret->name, &ret->name_len);
	if (r < 0)
		return r;
	if (len - pos < DNS_QUESTION_FIXED)
		return -EBADMSG;
	ret->type = get_u16(pkt + pos);
	ret->qclass = get_u16(pkt + pos + 2);
	*offset = pos + DNS_QUESTION_FIXED;
	return 0;
}

int dns_rr_read(const uint8_t *pkt, size_t len, size_t *offset, struct dns_rr *ret)
{
	size_t pos = *offset;
	int r;

	r = dns_name_skip(pkt, len, &pos);
	if (r < 0)
		return r;
	if (len - pos < DNS_RR_FIXED)
		return -EBADMSG;
	*ret = (struct dns_rr){
		.owner = *offset,
		.type = get_u16(pkt + pos),
		.rclass = get_u16(pkt + pos + 2),
		.ttl = get_u32(pkt + pos + 4),
		.rdlength = get_u16(pkt + pos + 8),
		.rdata = pos + DNS_RR_FIXED,
	};
	if (ret->rdlength > len - ret->rdata)
		return -EBADMSG;
	*offset = ret->rdata + ret->rdlength;
	return 0;
}

int dns_edns_from_rr(const uint8_t *pkt, size_t len, const struct dns_rr *rr,
		     struct dns_edns *ret)
{
	size_t pos = rr->rdata, end = rr->rdata + rr->rdlength;

	/* RFC 6891 §6.1.2: the owner is the root */
	if (rr->type != DNS_TYPE_OPT || rr->owner >= len || pkt[rr->owner] != 0)
		return -EBADMSG;
	if (end > len)
		return -EBADMSG;
	/* options: code, length, data; each must lie within RDATA */
	while (pos < end) {
		if (end - pos < 4)
			return -EBADMSG;
		pos += 4 + (size_t)get_u16(pkt + pos + 2);
		if (pos > end)
			return -EBADMSG;
	}
	*ret = (struct dns_edns){
		.udp_size = rr->rclass,
		.ext_rcode = rr->ttl >> 24,
		.version = (rr->ttl >> 16) & 0xff,
		.do_bit = rr->ttl & DNS_EDNS_FLAG_DO,
	};
	return 0;
}

int dns_packet_find_edns(const uint8_t *pkt, size_t len, const struct dns_header *h,
			 size_t offset, struct dns_edns *ret)
{
	size_t n = (size_t)h->ancount + h->nscount + h->arcount;
	size_t not_additional = (size_t)h->ancount + h->nscount;
	struct dns_edns e = {};
	bool found = false;

	/* each record takes at least 11 octets, so a lying count ends the walk early */
	for (size_t i = 0; i < n; i++) {
		struct dns_rr rr;
		int r;

		if (offset > len || len - offset < 1 + DNS_RR_FIXED)
			return -EBADMSG;
		r = dns_rr_read(pkt, len, &offset, &rr);
		if (r < 0)
			return r;
		if (rr.type != DNS_TYPE_OPT)
			continue;
		if (i < not_additional || found)
			return -EBADMSG;
		r = dns_edns_from_rr(pkt, len, &rr, &e);
		if (r < 0)
			return r;
		found = true;
	}
	if (found)
		*ret = e;
	return found;
}

/* Builder */

int dns_builder_init(struct dns_builder *b, uint8_t *buf, size_t size)
{
	if (size < DNS_HEADER_SIZE)
		return -E2BIG;
	*b = (struct dns_builder){ .buf = buf, .cap = size, .size = size, .len = DNS_HEADER_SIZE };
	return 0;
}

void dns_builder_mark(const struct dns_builder *b, struct dns_builder_mark *ret)
{
	ret->len = b->len;
	ret->n_comp = b->n_comp;
	memcpy(ret->count, b->count, sizeof(ret->count));
}

void dns_builder_rollback(struct dns_builder *b, const struct dns_builder_mark *m)
{
	b->len = m->len;
	b->n_comp = m->n_comp;
	memcpy(b->count, m->count, sizeof(b->count));
}

void dns_builder_set_size(struct dns_builder *b, size_t size)
{
	if (size > b->cap)
		size = b->cap;
	b->size = size < b->len ? b->len : size;
}

/* Whether the (possibly compressed) name at 'off' of what we wrote equals the suffix 's'. */
static bool written_name_equal(const struct dns_builder *b, size_t off, const uint8_t *s)
{
	/* our own output: pointers lead backwards; the bound is only a guard */
	for (unsigned steps = 0; steps < DNS_LABELS_MAX + DNS_POINTER_HOPS_MAX; steps++) {
		uint8_t c = b->buf[off];

		if ((c & DNS_POINTER_MASK) == DNS_POINTER_MASK) {
			off = (size_t)(c & ~DNS_POINTER_MASK) << 8 | b->buf[off + 1];
			continue;
		}
		if (c != *s)
			return false;
		if (c == 0)
			return true;
		for (size_t k = 1; k <= c; k++)
			if (ascii_lower(b->buf[off + k]) != ascii_lower(s[k]))
				return false;
		off += 1 + (size_t)c;
		s += 1 + (size_t)c;
	}
	return false;
}

static int compress_find(const struct dns_builder *b, const uint8_t *suffix)
{
	for (size_t i = 0; i < b->n_comp; i++)
		if (written_name_equal(b, b->comp[i], suffix))
			return b->comp[i];
	return -1;
}

int dns_builder_put_name(struct dns_builder *b, const uint8_t *wire, size_t wire_len,
			 bool compress)
{
	size_t cut = wire_len, need;
	int target = -1;

	if (compress)
		for (size_t i = 0; i < wire_len && wire[i] != 0; i += 1 + (size_t)wire[i]) {
			target = compress_find(b, wire + i);
			if (target >= 0) {
				cut = i;
				break;
			}
		}
	need = target >= 0 ? cut + 2 : wire_len;
	if (need > b->size - b->len)
		return -E2BIG;
	memcpy(b->buf + b->len, wire, cut);
	for (size_t i = 0; i < cut && wire[i] != 0; i += 1 + (size_t)wire[i])
		if (b->n_comp < DNS_COMPRESS_MAX && b->len + i <= DNS_POINTER_OFFSET_MAX)
			b->comp[b->n_comp++] = (uint16_t)(b->len + i);
	b->len += cut;
	if (target >= 0) {
		set_u16(b->buf + b->len, (uint16_t)(0xc000U | (unsigned)target));
		b->len += 2;
	}
	return 0;
}

int dns_builder_put_bytes(struct dns_builder *b, const void *data, size_t n)
{
	if (n > b->size - b->len)
		return -E2BIG;
	memcpy(b->buf + b->len, data, n);
	b->len += n;
	return 0;
}

int dns_builder_put_u16(struct dns_builder *b, uint16_t v)
{
	if (b->size - b->len < 2)
		return -E2BIG;
	set_u16(b->buf + b->len, v);
	b->len += 2;
	return 0;
}

int dns_builder_put_u32(struct dns_builder *b, uint32_t v)
{
	if (b->size - b->len < 4)
		return -E2BIG;
	set_u16(b->buf + b->len, v >> 16);
	set_u16(b->buf + b->len + 2, v & 0xffff);
	b->len += 4;
	return 0;
}

int dns_builder_put_question(struct dns_builder *b, const uint8_t *wire, size_t wire_len,
			     uint16_t type, uint16_t qclass)
{
	struct dns_builder_mark m;
	int r;

	dns_builder_mark(b, &m);
	r = dns_builder_put_name(b, wire, wire_len, true);
	if (r == 0 && b->size - b->len < DNS_QUESTION_FIXED)
		r = -E2BIG;
	if (r < 0) {
		dns_builder_rollback(b, &m);
		return r;
	}
	set_u16(b->buf + b->len, type);
	set_u16(b->buf + b->len + 2, qclass);
	b->len += DNS_QUESTION_FIXED;
	b->count[DNS_SECTION_QUESTION]++;
	return 0;
}

int dns_builder_begin_rr(struct dns_builder *b, enum dns_section section, const uint8_t *wire,
			 size_t wire_len, uint16_t type, uint16_t rclass, uint32_t ttl)
{
	struct dns_builder_mark m;
	uint8_t *p;
	int r;

	dns_builder_mark(b, &m);
	r = dns_builder_put_name(b, wire, wire_len, true);
	if (r == 0 && b->size - b->len < DNS_RR_FIXED)
		r = -E2BIG;
	if (r < 0) {
		dns_builder_rollback(b, &m);
		return r;
	}
	p = b->buf + b->len;
	set_u16(p, type);
	set_u16(p + 2, rclass);
	set_u16(p + 4, ttl >> 16);
	set_u16(p + 6, ttl & 0xffff);
	set_u16(p + 8, 0);
	b->rr_start = b->len + 8;
	b->rr_section = section;
	b->len += DNS_RR_FIXED;
	return 0;
}

int dns_builder_end_rr(struct dns_builder *b)
{
	size_t rdlength = b->len - (b->rr_start + 2);

	if (rdlength > UINT16_MAX)
		return -E2BIG;
	set_u16(b->buf + b->rr_start, (uint16_t)rdlength);
	if (b->count[b->rr_section] == UINT16_MAX)
		return -E2BIG;
	b->count[b->rr_section]++;
	return 0;
}

int dns_builder_put_opt(struct dns_builder *b, uint16_t udp_size, uint8_t ext_rcode,
			bool do_bit)
{
	uint8_t *p;

	if (b->size - b->len < DNS_OPT_RR_SIZE || b->count[DNS_SECTION_ADDITIONAL] == UINT16_MAX)
		return -E2BIG;
	p = b->buf + b->len;
	p[0] = 0;                                  /* root */
	set_u16(p + 1, DNS_TYPE_OPT);
	set_u16(p + 3, udp_size);
	p[5] = ext_rcode;
	p[6] = DNS_EDNS_VERSION;
	set_u16(p + 7, do_bit ? DNS_EDNS_FLAG_DO : 0);
	set_u16(p + 9, 0);                         /* no options */
	b->len += DNS_OPT_RR_SIZE;
	b->count[DNS_SECTION_ADDITIONAL]++;
	return 0;
}

size_t dns_builder_finish(struct dns_builder *b, uint16_t id, uint16_t flags)
{
	struct dns_header h = {
		.id = id,
		.flags = flags,
		.qdcount = b->count[DNS_SECTION_QUESTION],
		.ancount = b->count[DNS_SECTION_ANSWER],
		.nscount = b->count[DNS_SECTION_AUTHORITY],
		.arcount = b->count[DNS_SECTION_ADDITIONAL],
	};

	dns_header_write(b->buf, &h);
	return b->len;
}
