/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of ndp-packet.h. Builders write through a wire cursor (shared/wire-util.h)
 * that checks room before every write; parsers walk the options with one bounds-checked loop (ndp_options_walk()) and
 * hand each to a per-message callback.
 */
#include "ndp/ndp-packet.h"

#include <errno.h>
#include <string.h>

#include "ndp/ndp-proto.h"
#include "shared/dns-name-util.h"
#include "shared/wire-util.h"

static void put_lladdr(struct wire_cursor *c, uint8_t type, const uint8_t mac[6])
{
	uint8_t *p = wire_cursor_put(c, 8);

	if (!p)
		return;
	p[0] = type;
	p[1] = 1;
	memcpy(p + 2, mac, 6);
}

static void put_prefix(struct wire_cursor *c, const struct ndp_prefix *pi)
{
	/* RFC 4861 §4.6.2: 32 octets */
	uint8_t *p = wire_cursor_put(c, 32);

	if (!p)
		return;
	p[0] = NDP_OPT_PREFIX_INFO;
	p[1] = 4;
	p[2] = pi->prefix.prefixlen;
	p[3] = (uint8_t)((pi->onlink ? NDP_PREFIX_FLAG_ONLINK : 0) |
			 (pi->autonomous ? NDP_PREFIX_FLAG_AUTO : 0));
	wire_put_be32(p + 4, pi->valid_sec);
	wire_put_be32(p + 8, pi->preferred_sec);
	memcpy(p + 16, &pi->prefix.addr, 16);
}

static int put_dnssl(struct wire_cursor *c, const struct ndp_ra *ra)
{
	size_t total = 0, units;
	uint8_t *p;

	for (size_t i = 0; i < ra->n_dnssl; i++) {
		int l = dns_name_wire_len(ra->dnssl[i]);

		if (l < 0)
			return l;
		total += (size_t)l;
	}
	/* RFC 8106 §5.2: 8 octets of header, the names, zero padding to a multiple of 8 */
	units = (8 + total + 7) / 8;
	p = wire_cursor_put(c, units * 8);
	if (!p)
		return 0;
	p[0] = NDP_OPT_DNSSL;
	p[1] = (uint8_t)units;
	wire_put_be32(p + 4, ra->dnssl_lifetime_sec);
	total = 8;
	for (size_t i = 0; i < ra->n_dnssl; i++) {
		total += dns_name_put(p + total, ra->dnssl[i], false);
	}
	return 0;
}

int ndp_ra_build(const struct ndp_ra *ra, uint8_t *buf, size_t size)
{
	struct wire_cursor c = { .buf = buf, .size = size };
	uint8_t *p;
	int r;

	if (ra->n_prefixes > NDP_RA_PREFIXES_MAX || ra->n_rdnss > NDP_RA_RDNSS_MAX ||
	    ra->n_dnssl > NDP_RA_DNSSL_MAX)
		return -EINVAL;
	p = wire_cursor_put(&c, NDP_RA_HDR_LEN);
	if (!p)
		return -ENOBUFS;
	p[0] = NDP_ROUTER_ADVERT;
	p[4] = ra->cur_hop_limit;
	p[5] = (uint8_t)((ra->managed ? NDP_RA_FLAG_MANAGED : 0) |
			 (ra->other ? NDP_RA_FLAG_OTHER : 0));
	wire_put_be16(p + 6, ra->router_lifetime_sec);
	wire_put_be32(p + 8, ra->reachable_ms);
	wire_put_be32(p + 12, ra->retrans_ms);
	if (ra->has_lladdr)
		put_lladdr(&c, NDP_OPT_SOURCE_LLADDR, ra->lladdr);
	if (ra->mtu) {
		p = wire_cursor_put(&c, 8);
		if (p) {
			p[0] = NDP_OPT_MTU;
			p[1] = 1;
			wire_put_be32(p + 4, ra->mtu);
		}
	}
	for (size_t i = 0; i < ra->n_prefixes; i++) {
		if (ra->prefixes[i].prefix.prefixlen > 128)
			return -EINVAL;
		put_prefix(&c, &ra->prefixes[i]);
	}
	if (ra->n_rdnss > 0) {
		/* RFC 8106 §5.1: 8 octets + 16 per address */
		p = wire_cursor_put(&c, 8 + 16 * ra->n_rdnss);
		if (p) {
			p[0] = NDP_OPT_RDNSS;
			p[1] = (uint8_t)(1 + 2 * ra->n_rdnss);
			wire_put_be32(p + 4, ra->rdnss_lifetime_sec);
			for (size_t i = 0; i < ra->n_rdnss; i++)
				memcpy(p + 8 + 16 * i, &ra->rdnss[i], 16);
		}
	}
	if (ra->n_dnssl > 0) {
		r = put_dnssl(&c, ra);
		if (r < 0)
			return r;
	}
	if (c.overflow)
		return -ENOBUFS;
	return (int)c.len;
}

typedef int (*ndp_option_fn)(uint8_t type, const uint8_t *opt, size_t len, void *data);

/* Calls 'cb' for each option of 'buf' ('len' bytes of options); -EBADMSG when malformed. */
static int ndp_options_walk(const uint8_t *buf, size_t len, ndp_option_fn cb, void *data)
{
	size_t off = 0;

	while (off < len) {
		size_t olen;
		int r;

		if (len - off < 2)
			return -EBADMSG;
		olen = (size_t)buf[off + 1] * 8;
		/* RFC 4861 §4.6: a length of 0 is invalid and the message is discarded */
		if (olen == 0 || olen > len - off)
			return -EBADMSG;
		r = cb(buf[off], buf + off, olen, data);
		if (r < 0)
			return r;
		off += olen;
	}
	return 0;
}

/* Reads an Ethernet link-layer address option (length 1 unit). */
static int get_lladdr(const uint8_t *opt, size_t len, bool *has, uint8_t mac[6])
{
	if (len != 8)
		return -EBADMSG;
	memcpy(mac, opt + 2, 6);
	*has = true;
	return 0;
}

/* Reads the wire names of a DNSSL option into 'ra' (as many as fit). */
static int get_dnssl(const uint8_t *opt, size_t len, struct ndp_ra *ra)
{
	size_t off = 8;

	if (len < 16)
		return -EBADMSG;
	ra->dnssl_lifetime_sec = wire_get_be32(opt + 4);
	while (off < len && opt[off] != 0) {
		char name[DNS_NAME_TEXT_MAX + 1];
		int r = dns_name_get(opt, len, &off, name, NULL);

		if (r < 0)
			return r;
		if (ra->n_dnssl < NDP_RA_DNSSL_MAX)
			strcpy(ra->dnssl[ra->n_dnssl++], name);
	}
	/* the rest is padding, all zero (RFC 8106 §5.2) */
	for (; off < len; off++)
		if (opt[off] != 0)
			return -EBADMSG;
	return 0;
}

static int ra_option_cb(uint8_t type, const uint8_t *opt, size_t len, void *data)
{
	struct ndp_ra *ra = data;

	switch (type) {
	case NDP_OPT_SOURCE_LLADDR:
		return get_lladdr(opt, len, &ra->has_lladdr, ra->lladdr);
	case NDP_OPT_MTU:
		if (len != 8)
			return -EBADMSG;
		ra->mtu = wire_get_be32(opt + 4);
		return 0;
	case NDP_OPT_PREFIX_INFO: {
		struct ndp_prefix *pi;

		if (len != 32 || opt[2] > 128)
			return -EBADMSG;
		if (ra->n_prefixes == NDP_RA_PREFIXES_MAX)
			return 0;
		pi = &ra->prefixes[ra->n_prefixes++];
		pi->prefix.prefixlen = opt[2];
		pi->onlink = opt[3] & NDP_PREFIX_FLAG_ONLINK;
		pi->autonomous = opt[3] & NDP_PREFIX_FLAG_AUTO;
		pi->valid_sec = wire_get_be32(opt + 4);
		pi->preferred_sec = wire_get_be32(opt + 8);
		memcpy(&pi->prefix.addr, opt + 16, 16);
		return 0;
	}
	case NDP_OPT_RDNSS:
		/* RFC 8106 §5.1: length 3 or more, odd */
		if (len < 24 || (len / 8) % 2 == 0)
			return -EBADMSG;
		ra->rdnss_lifetime_sec = wire_get_be32(opt + 4);
		for (size_t off = 8; off < len && ra->n_rdnss < NDP_RA_RDNSS_MAX; off += 16)
			memcpy(&ra->rdnss[ra->n_rdnss++], opt + off, 16);
		return 0;
	case NDP_OPT_DNSSL:
		return get_dnssl(opt, len, ra);
	default:
		return 0;
	}
}

int ndp_ra_parse(const uint8_t *buf, size_t len, struct ndp_ra *ret)
{
	struct ndp_ra ra;
	int r;

	if (len < NDP_RA_HDR_LEN || buf[0] != NDP_ROUTER_ADVERT || buf[1] != 0)
		return -EBADMSG;
	memset(&ra, 0, sizeof(ra));
	ra.cur_hop_limit = buf[4];
	ra.managed = buf[5] & NDP_RA_FLAG_MANAGED;
	ra.other = buf[5] & NDP_RA_FLAG_OTHER;
	ra.router_lifetime_sec = wire_get_be16(buf + 6);
	ra.reachable_ms = wire_get_be32(buf + 8);
	ra.retrans_ms = wire_get_be32(buf + 12);
	r = ndp_options_walk(buf + NDP_RA_HDR_LEN, len - NDP_RA_HDR_LEN, ra_option_cb, &ra);
	if (r < 0)
		return r;
	*ret = ra;
	return 0;
}

static int rs_option_cb(uint8_t type, const uint8_t *opt, size_t len, void *data)
{
	struct ndp_rs *rs = data;

	if (type == NDP_OPT_SOURCE_LLADDR)
		return get_lladdr(opt, len, &rs->has_lladdr, rs->lladdr);
	return 0;
}

int ndp_rs_parse(const uint8_t *buf, size_t len, struct ndp_rs *ret)
{
	struct ndp_rs rs = { 0 };
	int r;

	if (len < NDP_RS_HDR_LEN || buf[0] != NDP_ROUTER_SOLICIT || buf[1] != 0)
		return -EBADMSG;
	r = ndp_options_walk(buf + NDP_RS_HDR_LEN, len - NDP_RS_HDR_LEN, rs_option_cb, &rs);
	if (r < 0)
		return r;
	*ret = rs;
	return 0;
}

struct neigh_walk {
	uint8_t want;  /* the link-layer option this message carries */
	struct ndp_neigh *n;
};

static int neigh_option_cb(uint8_t type, const uint8_t *opt, size_t len, void *data)
{
	struct neigh_walk *w = data;

	if (type == w->want)
		return get_lladdr(opt, len, &w->n->has_lladdr, w->n->lladdr);
	return 0;
}

int ndp_neigh_parse(const uint8_t *buf, size_t len, uint8_t *ret_type, struct ndp_neigh *ret)
{
	struct ndp_neigh n = { 0 };
	struct neigh_walk w = { .n = &n };
	int r;

	if (len < NDP_NS_HDR_LEN || buf[1] != 0 ||
	    (buf[0] != NDP_NEIGHBOR_SOLICIT && buf[0] != NDP_NEIGHBOR_ADVERT))
		return -EBADMSG;
	w.want = buf[0] == NDP_NEIGHBOR_SOLICIT ? NDP_OPT_SOURCE_LLADDR : NDP_OPT_TARGET_LLADDR;
	memcpy(&n.target, buf + 8, 16);
	if (n.target.s6_addr[0] == 0xff)
		return -EBADMSG;
	if (buf[0] == NDP_NEIGHBOR_ADVERT) {
		n.router = buf[4] & NDP_NA_FLAG_ROUTER;
		n.solicited = buf[4] & NDP_NA_FLAG_SOLICITED;
		n.override = buf[4] & NDP_NA_FLAG_OVERRIDE;
	}
	r = ndp_options_walk(buf + NDP_NS_HDR_LEN, len - NDP_NS_HDR_LEN, neigh_option_cb, &w);
	if (r < 0)
		return r;
	*ret_type = buf[0];
	*ret = n;
	return 0;
}

int ndp_neigh_build(uint8_t type, const struct ndp_neigh *n, uint8_t *buf, size_t size)
{
	struct wire_cursor c = { .buf = buf, .size = size };
	uint8_t *p;

	if (type != NDP_NEIGHBOR_SOLICIT && type != NDP_NEIGHBOR_ADVERT)
		return -EINVAL;
	p = wire_cursor_put(&c, NDP_NS_HDR_LEN);
	if (!p)
		return -ENOBUFS;
	p[0] = type;
	if (type == NDP_NEIGHBOR_ADVERT)
		p[4] = (uint8_t)((n->router ? NDP_NA_FLAG_ROUTER : 0) |
				 (n->solicited ? NDP_NA_FLAG_SOLICITED : 0) |
				 (n->override ? NDP_NA_FLAG_OVERRIDE : 0));
	memcpy(p + 8, &n->target, 16);
	if (n->has_lladdr)
		put_lladdr(&c, type == NDP_NEIGHBOR_SOLICIT ? NDP_OPT_SOURCE_LLADDR :
							      NDP_OPT_TARGET_LLADDR, n->lladdr);
	return c.overflow ? -ENOBUFS : (int)c.len;
}
