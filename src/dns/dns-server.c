/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DNS engine of one network: parses a guest's query (dns-packet.c), answers it from the
 * network's zone (dns-zone.c) or from the names that are nobody's (RFC 6303, RFC 6761), or hands
 * it back for the forwarder (dns-forward.c). The answer is built straight into the caller's
 * buffer, names compressed, within the size the client can take. No allocation, no logging and
 * two hash lookups per query: this is the hot path. dns-io.c owns the sockets.
 */
#include "dns/dns-server.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns-packet.h"
#include "dns/dns-proto.h"
#include "dns/dns-zone.h"
#include "shared/alloc-util.h"

#define CNAME_HOPS_MAX 8          /* CNAMEs followed inside the zone for one answer */
#define ADDITIONAL_MAX 8          /* names whose addresses go to the additional section */
#define SOA_REFRESH_SEC 3600
#define SOA_RETRY_SEC 600
#define SOA_EXPIRE_SEC 86400

struct dns_server {
	struct dns_server_config cfg;
	struct dns_zone *zone;                /* borrowed */
	uint32_t net, mask;                   /* cfg.subnet, host order */
	struct dns_server_stats stats;
	char gw_text[DNS_NAME_TEXT_MAX + 1];  /* "gateway.DOMAIN": the name server */
	uint8_t mname[DNS_NAME_WIRE_MAX];     /* SOA MNAME and NS: gateway.DOMAIN */
	size_t mname_len;
	uint8_t rname[DNS_NAME_WIRE_MAX];     /* SOA RNAME: hostmaster.DOMAIN */
	size_t rname_len;
};

/* One parsed query. */
struct query {
	struct dns_header h;
	struct dns_question q;                /* the name as sent: echoed and pointed to */
	struct dns_edns edns;
	bool has_edns;
	char name[DNS_NAME_TEXT_MAX + 1];     /* lowercase text of q.name */
	size_t name_len;
};

/* An answer being built. */
struct reply {
	struct dns_builder b;
	const struct query *q;
	uint32_t ttl;
	uint16_t rcode;
	bool aa;
	size_t n_additional;
	const char *additional[ADDITIONAL_MAX]; /* FQDNs (borrowed) whose A records to add */
};

DEFINE_FREE_FUNC(struct dns_server, dns_server_free)

/* Writes "'prefix'.'domain'" into 'wire', or the domain alone when that is too long. */
static size_t prefixed_name(const char *prefix, const char *domain, char *text, uint8_t *wire)
{
	size_t p = strlen(prefix), d = strlen(domain), len;

	if (p + 1 + d <= DNS_NAME_TEXT_MAX) {
		memcpy(text, prefix, p);
		text[p] = '.';
		memcpy(text + p + 1, domain, d + 1);
	} else
		memcpy(text, domain, d + 1);
	if (dns_name_from_text(text, wire, &len) < 0) {
		/* dns_zone_new() checked the domain; the root is all that could be left */
		text[0] = '\0';
		wire[0] = 0;
		len = 1;
	}
	return len;
}

static void server_set_names(struct dns_server *s)
{
	const char *domain = dns_zone_domain(s->zone);
	char text[DNS_NAME_TEXT_MAX + 1];

	s->mname_len = prefixed_name("gateway", domain, s->gw_text, s->mname);
	s->rname_len = prefixed_name("hostmaster", domain, text, s->rname);
}

int dns_server_new(const struct dns_server_config *cfg, struct dns_zone *zone,
		   struct dns_server **ret)
{
	_cleanup_(dns_server_freep) struct dns_server *s = NULL;

	if (!cfg || !zone || !ret || cfg->subnet.prefixlen > 32)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->zone = zone;
	dns_server_set_config(s, cfg);
	server_set_names(s);
	*ret = TAKE_PTR(s);
	return 0;
}

struct dns_server *dns_server_free(struct dns_server *s)
{
	free(s);
	return NULL;
}

void dns_server_set_config(struct dns_server *s, const struct dns_server_config *cfg)
{
	uint8_t p = cfg->subnet.prefixlen <= 32 ? cfg->subnet.prefixlen : 32;

	s->cfg = *cfg;
	s->mask = p ? ~0U << (32 - p) : 0;
	s->net = in_addr_to_host(cfg->subnet.addr) & s->mask;
}

void dns_server_get_stats(const struct dns_server *s, struct dns_server_stats *ret)
{
	*ret = s->stats;
}

/* Records */

static int put_a(struct reply *rp, enum dns_section sec, const uint8_t *owner, size_t owner_len,
		 struct in_addr ip)
{
	int r = dns_builder_begin_rr(&rp->b, sec, owner, owner_len, DNS_TYPE_A, DNS_CLASS_IN,
				     rp->ttl);

	if (r == 0)
		r = dns_builder_put_bytes(&rp->b, &ip.s_addr, 4);
	return r < 0 ? r : dns_builder_end_rr(&rp->b);
}

static int put_aaaa(struct reply *rp, enum dns_section sec, const uint8_t *owner,
		    size_t owner_len, const struct in6_addr *ip)
{
	int r = dns_builder_begin_rr(&rp->b, sec, owner, owner_len, DNS_TYPE_AAAA, DNS_CLASS_IN,
				     rp->ttl);

	if (r == 0)
		r = dns_builder_put_bytes(&rp->b, ip->s6_addr, 16);
	return r < 0 ? r : dns_builder_end_rr(&rp->b);
}

/* NS, CNAME and PTR: one (compressible, RFC 3597 §4) name. */
static int put_name_rr(struct reply *rp, enum dns_section sec, const uint8_t *owner,
		       size_t owner_len, uint16_t type, const uint8_t *target, size_t target_len)
{
	int r = dns_builder_begin_rr(&rp->b, sec, owner, owner_len, type, DNS_CLASS_IN, rp->ttl);

	if (r == 0)
		r = dns_builder_put_name(&rp->b, target, target_len, true);
	return r < 0 ? r : dns_builder_end_rr(&rp->b);
}

static int put_name_rr_text(struct reply *rp, enum dns_section sec, const uint8_t *owner,
			    size_t owner_len, uint16_t type, const char *target)
{
	uint8_t wire[DNS_NAME_WIRE_MAX];
	size_t len;
	int r;

	r = dns_name_from_text(target, wire, &len);
	if (r < 0)
		return r;
	return put_name_rr(rp, sec, owner, owner_len, type, wire, len);
}

static int put_soa(struct reply *rp, enum dns_section sec, const uint8_t *owner, size_t owner_len,
		   const uint8_t *mname, size_t mname_len, const uint8_t *rname, size_t rname_len,
		   uint32_t serial)
{
	int r = dns_builder_begin_rr(&rp->b, sec, owner, owner_len, DNS_TYPE_SOA, DNS_CLASS_IN,
				     rp->ttl);

	if (r == 0)
		r = dns_builder_put_name(&rp->b, mname, mname_len, true);
	if (r == 0)
		r = dns_builder_put_name(&rp->b, rname, rname_len, true);
	if (r == 0)
		r = dns_builder_put_u32(&rp->b, serial);
	if (r == 0)
		r = dns_builder_put_u32(&rp->b, SOA_REFRESH_SEC);
	if (r == 0)
		r = dns_builder_put_u32(&rp->b, SOA_RETRY_SEC);
	if (r == 0)
		r = dns_builder_put_u32(&rp->b, SOA_EXPIRE_SEC);
	/* RFC 2308 §4: MINIMUM is the TTL of negative answers */
	if (r == 0)
		r = dns_builder_put_u32(&rp->b, rp->ttl);
	return r < 0 ? r : dns_builder_end_rr(&rp->b);
}

static int put_txt(struct reply *rp, const uint8_t *owner, size_t owner_len, const char *txt)
{
	size_t n = strnlen(txt, 255);
	uint8_t len = (uint8_t)n;
	int r = dns_builder_begin_rr(&rp->b, DNS_SECTION_ANSWER, owner, owner_len, DNS_TYPE_TXT,
				     DNS_CLASS_IN, rp->ttl);

	if (r == 0)
		r = dns_builder_put_bytes(&rp->b, &len, 1);
	if (r == 0)
		r = dns_builder_put_bytes(&rp->b, txt, n);
	return r < 0 ? r : dns_builder_end_rr(&rp->b);
}

static int put_srv(struct reply *rp, const uint8_t *owner, size_t owner_len,
		   const struct dns_static_record *rec)
{
	uint8_t wire[DNS_NAME_WIRE_MAX];
	size_t len;
	int r;

	r = dns_name_from_text(rec->target, wire, &len);
	if (r < 0)
		return r;
	r = dns_builder_begin_rr(&rp->b, DNS_SECTION_ANSWER, owner, owner_len, DNS_TYPE_SRV,
				 DNS_CLASS_IN, rp->ttl);
	if (r == 0)
		r = dns_builder_put_u16(&rp->b, rec->priority);
	if (r == 0)
		r = dns_builder_put_u16(&rp->b, rec->weight);
	if (r == 0)
		r = dns_builder_put_u16(&rp->b, rec->port);
	/* RFC 2782: the target is not compressed */
	if (r == 0)
		r = dns_builder_put_name(&rp->b, wire, len, false);
	return r < 0 ? r : dns_builder_end_rr(&rp->b);
}

/* Offset in 'wire' of its last 'labels' labels. */
static size_t wire_suffix(const uint8_t *wire, size_t len, unsigned labels)
{
	unsigned total = 0;
	size_t i;

	for (i = 0; i < len && wire[i]; i += 1 + (size_t)wire[i])
		total++;
	for (i = 0; total > labels && i < len && wire[i]; i += 1 + (size_t)wire[i])
		total--;
	return i;
}

static unsigned text_labels(const char *text, size_t len)
{
	unsigned n = len > 0;

	for (size_t i = 0; i < len; i++)
		n += text[i] == '.';
	return n;
}

static void want_additional(struct reply *rp, const char *fqdn)
{
	for (size_t i = 0; i < rp->n_additional; i++)
		if (strcmp(rp->additional[i], fqdn) == 0)
			return;
	if (rp->n_additional < ADDITIONAL_MAX)
		rp->additional[rp->n_additional++] = fqdn;
}

/* Zone answers */

/* The zone's SOA, owned by the apex of 'owner' ('text' its text), into the authority section. */
static int put_zone_soa(struct dns_server *s, struct reply *rp, enum dns_section sec,
			const uint8_t *owner, size_t owner_len, const char *text, size_t text_len,
			const struct dns_zone_node *n)
{
	size_t off = wire_suffix(owner, owner_len,
				 text_labels(text + text_len - n->apex_len, n->apex_len));

	return put_soa(rp, sec, owner + off, owner_len - off, s->mname, s->mname_len, s->rname,
		       s->rname_len, dns_zone_serial(s->zone));
}

/* Puts the records of node 'n' at 'owner' that match 'type'; their count, or -E2BIG. */
static int put_node(struct dns_server *s, struct reply *rp, const uint8_t *owner,
		    size_t owner_len, const char *text, size_t text_len,
		    const struct dns_zone_node *n, uint16_t type)
{
	bool any = type == DNS_TYPE_ANY, static_a = false;
	int count = 0, r = 0;

	if (n->apex && (any || type == DNS_TYPE_SOA)) {
		r = put_zone_soa(s, rp, DNS_SECTION_ANSWER, owner, owner_len, text, text_len, n);
		count++;
	}
	if (r == 0 && n->apex && (any || type == DNS_TYPE_NS)) {
		r = put_name_rr(rp, DNS_SECTION_ANSWER, owner, owner_len, DNS_TYPE_NS, s->mname,
				s->mname_len);
		want_additional(rp, s->gw_text);
		count++;
	}
	if (r == 0 && n->ptr && (any || type == DNS_TYPE_PTR)) {
		r = put_name_rr_text(rp, DNS_SECTION_ANSWER, owner, owner_len, DNS_TYPE_PTR,
				     n->ptr);
		count++;
	}
	for (size_t i = 0; r == 0 && i < n->n_statics; i++) {
		const struct dns_static_record *rec = &n->statics[i];

		static_a |= rec->type == DNS_RECORD_A;
		if (rec->type == DNS_RECORD_A && (any || type == DNS_TYPE_A))
			r = put_a(rp, DNS_SECTION_ANSWER, owner, owner_len, rec->a);
		else if (rec->type == DNS_RECORD_CNAME && (any || type == DNS_TYPE_CNAME))
			r = put_name_rr_text(rp, DNS_SECTION_ANSWER, owner, owner_len,
					     DNS_TYPE_CNAME, rec->target);
		else if (rec->type == DNS_RECORD_TXT && (any || type == DNS_TYPE_TXT))
			r = put_txt(rp, owner, owner_len, rec->txt);
		else if (rec->type == DNS_RECORD_SRV && (any || type == DNS_TYPE_SRV)) {
			r = put_srv(rp, owner, owner_len, rec);
			want_additional(rp, rec->target);
		} else
			continue;
		count++;
	}
	/* static A records of a name replace its host's */
	if (r == 0 && n->has_host && !static_a && (any || type == DNS_TYPE_A)) {
		r = put_a(rp, DNS_SECTION_ANSWER, owner, owner_len, n->host_ip);
		count++;
	}
	/* there are no static AAAA records: a host's IPv6 address always answers */
	if (r == 0 && n->has_host6 && (any || type == DNS_TYPE_AAAA)) {
		r = put_aaaa(rp, DNS_SECTION_ANSWER, owner, owner_len, &n->host_ip6);
		count++;
	}
	return r < 0 ? r : count;
}

static const struct dns_static_record *node_cname(const struct dns_zone_node *n)
{
	/* a CNAME stands alone at its name (dns_zone_set_static() checks) */
	return n->n_statics == 1 && n->statics[0].type == DNS_RECORD_CNAME ? &n->statics[0] : NULL;
}

/*
 * RFC 1034 §4.3.2: a CNAME is answered, and followed while its target is ours; RFC 2308 §2.1
 * and RFC 6604: the response code and the SOA are those of the last name of the chain.
 */
static int answer_zone(struct dns_server *s, struct reply *rp, const struct dns_zone_node *first)
{
	const struct query *q = rp->q;
	uint8_t buf[DNS_NAME_WIRE_MAX];
	const uint8_t *owner = q->q.name;
	size_t owner_len = q->q.name_len, text_len = q->name_len;
	const char *text = q->name;
	struct dns_zone_node n = *first;
	uint16_t type = q->q.type;
	int r;

	rp->aa = true;
	for (unsigned hops = 0;; hops++) {
		const struct dns_static_record *cname = node_cname(&n);

		if (!n.exists) {
			rp->rcode = DNS_RCODE_NXDOMAIN;
			return put_zone_soa(s, rp, DNS_SECTION_AUTHORITY, owner, owner_len, text,
					    text_len, &n);
		}
		if (!cname || type == DNS_TYPE_CNAME || type == DNS_TYPE_ANY)
			break;
		r = put_name_rr_text(rp, DNS_SECTION_ANSWER, owner, owner_len, DNS_TYPE_CNAME,
				     cname->target);
		if (r < 0)
			return r;
		text = cname->target;
		text_len = strlen(text);
		/* out of the zone, or a loop: the client's resolver takes it from here */
		if (hops == CNAME_HOPS_MAX || !dns_zone_lookup(s->zone, text, text_len, &n))
			return 0;
		r = dns_name_from_text(text, buf, &owner_len);
		if (r < 0)
			return r;
		owner = buf;
	}
	r = put_node(s, rp, owner, owner_len, text, text_len, &n, type);
	if (r != 0)
		return r < 0 ? r : 0;
	/* RFC 2308 §2.2: NODATA, with the SOA for negative caching */
	return put_zone_soa(s, rp, DNS_SECTION_AUTHORITY, owner, owner_len, text, text_len, &n);
}

/* RFC 2181 §9: additional data that does not fit is left out, without TC. */
static void put_additional(struct dns_server *s, struct reply *rp)
{
	for (size_t i = 0; i < rp->n_additional; i++) {
		const char *name = rp->additional[i];
		uint8_t wire[DNS_NAME_WIRE_MAX];
		struct dns_builder_mark m;
		struct in6_addr ip6;
		struct in_addr ip;
		bool has_a, has_aaaa;
		size_t len;

		has_a = dns_zone_lookup_a(s->zone, name, &ip);
		has_aaaa = dns_zone_lookup_aaaa(s->zone, name, &ip6);
		if (!has_a && name == s->gw_text) {
			ip = s->cfg.server_ip;
			has_a = true;
		}
		if (!has_aaaa && name == s->gw_text && s->cfg.has_subnet6) {
			ip6 = s->cfg.server_ip6;
			has_aaaa = true;
		}
		if ((!has_a && !has_aaaa) || dns_name_from_text(name, wire, &len) < 0)
			continue;
		dns_builder_mark(&rp->b, &m);
		if ((has_a && put_a(rp, DNS_SECTION_ADDITIONAL, wire, len, ip) < 0) ||
		    (has_aaaa && put_aaaa(rp, DNS_SECTION_ADDITIONAL, wire, len, &ip6) < 0)) {
			dns_builder_rollback(&rp->b, &m);
			return;
		}
	}
}

/* Names that are nobody's */

enum special_kind {
	SPECIAL_NONE,
	SPECIAL_LOCALHOST,   /* RFC 6761 §6.3: loopback addresses */
	SPECIAL_EMPTY,       /* RFC 6303, RFC 6761, RFC 6762, RFC 7686: empty, never forwarded */
};

struct v4_range {
	uint32_t net;
	uint8_t prefixlen;
};

/* RFC 6303 §4.2 and §4.3, RFC 6598 (100.64/10): reverse zones of addresses that are nobody's */
static const struct v4_range private_v4[] = {
	{ 0x00000000U, 8 },  { 0x0a000000U, 8 },  { 0x64400000U, 10 }, { 0x7f000000U, 8 },
	{ 0xa9fe0000U, 16 }, { 0xac100000U, 12 }, { 0xc0000200U, 24 }, { 0xc0a80000U, 16 },
	{ 0xc6336400U, 24 }, { 0xcb007100U, 24 }, { 0xffffffffU, 32 },
};

static const char *const empty_zones[] = {
	/* RFC 6303 §4.4 to §4.6: IPv6 unspecified, loopback, ULA, link-local, documentation */
	"0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
	"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa",
	"d.f.ip6.arpa", "8.e.f.ip6.arpa", "9.e.f.ip6.arpa", "a.e.f.ip6.arpa", "b.e.f.ip6.arpa",
	"8.b.d.0.1.0.0.2.ip6.arpa",
	/* RFC 6761 §6.2 and §6.4, RFC 6762 §3, RFC 7686 §2, RFC 8375 */
	"test", "invalid", "local", "onion", "home.arpa",
};

static bool name_under(const char *name, size_t len, const char *zone, size_t zlen)
{
	if (len == zlen)
		return memcmp(name, zone, len) == 0;
	return len > zlen && name[len - zlen - 1] == '.' &&
	       memcmp(name + len - zlen, zone, zlen) == 0;
}

/* Which special name 'q' is, and in '*ret_labels' the labels of the zone it falls in. */
static enum special_kind special_lookup(const struct query *q, unsigned *ret_labels)
{
	uint32_t addr;
	unsigned k;
	bool child;

	if (name_under(q->name, q->name_len, "localhost", 9))
		return SPECIAL_LOCALHOST;
	if (dns_name_parse_reverse4(q->name, q->name_len, &addr, &k, &child))
		for (size_t i = 0; i < ELEMENTSOF(private_v4); i++) {
			const struct v4_range *v = &private_v4[i];
			uint32_t mask = ~0U << (32 - v->prefixlen);

			if (8 * k >= v->prefixlen && ((addr ^ v->net) & mask) == 0) {
				*ret_labels = (v->prefixlen + 7) / 8 + 2;
				return SPECIAL_EMPTY;
			}
		}
	for (size_t i = 0; i < ELEMENTSOF(empty_zones); i++) {
		size_t zlen = strlen(empty_zones[i]);

		if (name_under(q->name, q->name_len, empty_zones[i], zlen)) {
			*ret_labels = text_labels(empty_zones[i], zlen);
			return SPECIAL_EMPTY;
		}
	}
	return SPECIAL_NONE;
}

/*
 * Whether 'q' names a zone above ours (the domain, or the reverse zone of the subnet). Such a
 * name exists even inside an empty zone: an NXDOMAIN would deny ours too (RFC 8020).
 */
static bool is_our_ancestor(const struct dns_server *s, const struct query *q)
{
	const char *domain = dns_zone_domain(s->zone);
	struct in6_addr addr6;
	uint32_t addr, mask;
	unsigned k;
	bool child;

	if (name_under(domain, strlen(domain), q->name, q->name_len))
		return true;
	if (s->cfg.has_subnet6 &&
	    dns_name_parse_reverse6(q->name, q->name_len, &addr6, &k, &child) && !child) {
		struct in6_addr a = in6_addr_mask(&addr6, (uint8_t)(4 * k)),
				b = in6_addr_mask(&s->cfg.subnet6.addr, (uint8_t)(4 * k));

		return 4 * k < s->cfg.subnet6.prefixlen && in6_addr_equal(&a, &b);
	}
	if (!dns_name_parse_reverse4(q->name, q->name_len, &addr, &k, &child) || child)
		return false;
	mask = ~0U << (32 - 8 * k);
	return 8 * k < s->cfg.subnet.prefixlen && ((addr ^ s->net) & mask) == 0;
}

static int answer_special(const struct dns_server *s, struct reply *rp, enum special_kind kind,
			  unsigned labels)
{
	static const uint8_t nobody_invalid[] = "\6nobody\7invalid";
	static const uint8_t loopback6[16] = { [15] = 1 };
	const struct query *q = rp->q;
	uint16_t t = q->q.type;
	size_t off;
	int r = 0;

	rp->aa = true;
	if (kind == SPECIAL_LOCALHOST) {
		if (t == DNS_TYPE_A || t == DNS_TYPE_ANY)
			r = put_a(rp, DNS_SECTION_ANSWER, q->q.name, q->q.name_len,
				  (struct in_addr){ htonl(INADDR_LOOPBACK) });
		if (r == 0 && (t == DNS_TYPE_AAAA || t == DNS_TYPE_ANY)) {
			r = dns_builder_begin_rr(&rp->b, DNS_SECTION_ANSWER, q->q.name,
						 q->q.name_len, DNS_TYPE_AAAA, DNS_CLASS_IN,
						 rp->ttl);
			if (r == 0)
				r = dns_builder_put_bytes(&rp->b, loopback6, sizeof(loopback6));
			if (r == 0)
				r = dns_builder_end_rr(&rp->b);
		}
		return r;
	}
	/* RFC 6303 §3: an empty zone with its own SOA, so the NXDOMAIN is cached */
	if (!is_our_ancestor(s, q))
		rp->rcode = DNS_RCODE_NXDOMAIN;
	off = wire_suffix(q->q.name, q->q.name_len, labels);
	return put_soa(rp, DNS_SECTION_AUTHORITY, q->q.name + off, q->q.name_len - off,
		       q->q.name + off, q->q.name_len - off, nobody_invalid,
		       sizeof(nobody_invalid), 1);
}

/* Building the reply */

static size_t reply_max(const struct query *q, bool tcp, size_t reply_size)
{
	size_t max;

	if (tcp)
		max = DNS_TCP_MAX;
	else {
		/* RFC 6891 §6.2.5: sizes below 512 are taken as 512 */
		max = q->has_edns && q->edns.udp_size > DNS_UDP_PLAIN_MAX ? q->edns.udp_size
									  : DNS_UDP_PLAIN_MAX;
		if (max > DNS_UDP_MAX)
			max = DNS_UDP_MAX;
	}
	return max < reply_size ? max : reply_size;
}

static void reply_init(struct dns_server *s, struct reply *rp, const struct query *q,
		       uint8_t *buf, size_t max)
{
	*rp = (struct reply){ .q = q, .ttl = dns_zone_ttl(s->zone) };
	dns_builder_init(&rp->b, buf, max);
	/* room for the OPT record, which comes last */
	if (q->has_edns)
		dns_builder_set_size(&rp->b, max - DNS_OPT_RR_SIZE);
}

static size_t reply_finish(struct dns_server *s, struct reply *rp, uint8_t ext_rcode, bool tc)
{
	const struct query *q = rp->q;
	uint16_t flags = DNS_FLAG_QR | (q->h.flags & (DNS_FLAG_RD | DNS_FLAG_CD)) | rp->rcode;

	flags |= q->h.flags & (0xfU << 11);    /* the opcode */
	if (rp->aa)
		flags |= DNS_FLAG_AA;
	if (tc)
		flags |= DNS_FLAG_TC;
	if (s->cfg.forward)
		flags |= DNS_FLAG_RA;
	if (q->has_edns) {
		dns_builder_set_size(&rp->b, rp->b.cap);
		dns_builder_put_opt(&rp->b, DNS_EDNS_UDP_SIZE, ext_rcode, q->edns.do_bit);
	}
	switch (rp->rcode) {
	case DNS_RCODE_NXDOMAIN:
		s->stats.nxdomain++;
		break;
	case DNS_RCODE_FORMERR:
		s->stats.formerr++;
		break;
	case DNS_RCODE_REFUSED:
		s->stats.refused++;
		break;
	}
	if (tc)
		s->stats.truncated++;
	s->stats.answered++;
	return dns_builder_finish(&rp->b, q->h.id, flags);
}

/* An answer without records: header, the question if 'with_question', and OPT. */
static enum dns_verdict reply_rcode(struct dns_server *s, const struct query *q,
				   bool with_question, uint16_t rcode, uint8_t *buf, size_t size,
				   size_t *reply_len)
{
	struct reply rp;
	uint8_t ext = 0;

	/* header, question and OPT: well within 512 octets */
	reply_init(s, &rp, q, buf, DNS_UDP_PLAIN_MAX);
	if (rcode > 0xf) {
		ext = (uint8_t)(rcode >> 4);
		rcode &= 0xf;
	}
	rp.rcode = rcode;
	if (with_question)
		dns_builder_put_question(&rp.b, q->q.name, q->q.name_len, q->q.type, q->q.qclass);
	*reply_len = reply_finish(s, &rp, ext, false);
	return DNS_VERDICT_ANSWER;
}

static enum dns_verdict reply_answer(struct dns_server *s, const struct query *q, bool tcp,
				     const struct dns_zone_node *node, enum special_kind kind,
				     unsigned labels, uint8_t *buf, size_t size,
				     size_t *reply_len)
{
	struct dns_builder_mark after_question;
	struct reply rp;
	bool tc = false;
	int r;

	reply_init(s, &rp, q, buf, reply_max(q, tcp, size));
	r = dns_builder_put_question(&rp.b, q->q.name, q->q.name_len, q->q.type, q->q.qclass);
	assert(r == 0);   /* 512 octets always hold a header, a question and OPT */
	dns_builder_mark(&rp.b, &after_question);
	r = node ? answer_zone(s, &rp, node) : answer_special(s, &rp, kind, labels);
	if (r == 0)
		put_additional(s, &rp);
	else {
		/* RFC 2181 §9: what does not fit is sent as the question alone, with TC */
		dns_builder_rollback(&rp.b, &after_question);
		if (r == -E2BIG)
			tc = true;
		else
			rp.rcode = DNS_RCODE_SERVFAIL;
	}
	*reply_len = reply_finish(s, &rp, 0, tc);
	return DNS_VERDICT_ANSWER;
}

/* Parsing */

static void info_fill(const struct query *q, struct dns_query_info *info)
{
	if (!info)
		return;
	*info = (struct dns_query_info){
		.id = q->h.id,
		.qtype = q->q.type,
		.qclass = q->q.qclass,
		.rd = q->h.flags & DNS_FLAG_RD,
		.has_edns = q->has_edns,
		.edns_udp_size = q->has_edns ? q->edns.udp_size : 0,
		.edns_do = q->has_edns && q->edns.do_bit,
	};
	memcpy(info->qname, q->name, q->name_len + 1);
}

static bool is_meta_type(uint16_t type)
{
	/* RFC 6895 §3.1: 128-254 are meta questions: TKEY, TSIG, MAILA, ... */
	return type >= 128 && type < DNS_TYPE_ANY;
}

/* 'peer': a peer query (dns_server_handle_peer_query()), answered from the zone only. */
static enum dns_verdict handle_question(struct dns_server *s, struct query *q,
					bool src_ok, bool peer, bool tcp, uint8_t *reply,
					size_t reply_size, size_t *reply_len)
{
	struct dns_zone_node node;
	enum special_kind kind;
	unsigned labels = 0;

	if (!src_ok)
		return reply_rcode(s, q, true, DNS_RCODE_REFUSED, reply, reply_size, reply_len);
	/* RFC 6891 §6.1.3: we speak version 0 only */
	if (q->has_edns && q->edns.version != DNS_EDNS_VERSION)
		return reply_rcode(s, q, true, DNS_RCODE_BADVERS, reply, reply_size, reply_len);
	if (q->q.type == DNS_TYPE_OPT)
		return reply_rcode(s, q, true, DNS_RCODE_FORMERR, reply, reply_size, reply_len);
	/* no zone transfers; other classes (CHAOS) are nobody's here */
	if (q->q.type == DNS_TYPE_AXFR || q->q.type == DNS_TYPE_IXFR ||
	    (q->q.qclass != DNS_CLASS_IN && q->q.qclass != DNS_CLASS_ANY))
		return reply_rcode(s, q, true, DNS_RCODE_REFUSED, reply, reply_size, reply_len);
	if (is_meta_type(q->q.type))
		return reply_rcode(s, q, true, DNS_RCODE_NOTIMP, reply, reply_size, reply_len);
	if (dns_zone_lookup(s->zone, q->name, q->name_len, &node)) {
		enum dns_verdict v = reply_answer(s, q, tcp, &node, SPECIAL_NONE, 0, reply,
						  reply_size, reply_len);

		/* another host of the overlay may have leased the name (or the address) */
		return !node.exists && s->cfg.ask_peers && !peer ? DNS_VERDICT_PEERS : v;
	}
	kind = special_lookup(q, &labels);
	if (kind != SPECIAL_NONE)
		return reply_answer(s, q, tcp, NULL, kind, labels, reply, reply_size, reply_len);
	if (s->cfg.forward && !peer && (q->h.flags & DNS_FLAG_RD)) {
		s->stats.forwarded++;
		return DNS_VERDICT_FORWARD;
	}
	return reply_rcode(s, q, true, DNS_RCODE_REFUSED, reply, reply_size, reply_len);
}

/* 'src_ok': the query came from inside the network (its subnet, or its subnet6). */
static enum dns_verdict handle_query(struct dns_server *s, const uint8_t *pkt, size_t len,
				     bool src_ok, bool peer, bool tcp, uint8_t *reply,
				     size_t reply_size, size_t *reply_len,
				     struct dns_query_info *info)
{
	size_t off = DNS_HEADER_SIZE;
	struct query q;
	int r;

	assert(reply_size >= DNS_UDP_PLAIN_MAX);
	s->stats.queries++;
	if (dns_header_read(pkt, len, &q.h) < 0 || (q.h.flags & DNS_FLAG_QR)) {
		/* never answer an answer: no loops between servers */
		s->stats.dropped++;
		return DNS_VERDICT_DROP;
	}
	q.has_edns = false;
	if (DNS_FLAGS_OPCODE(q.h.flags) != DNS_OPCODE_QUERY)
		return reply_rcode(s, &q, false, DNS_RCODE_NOTIMP, reply, reply_size, reply_len);
	if (q.h.qdcount != 1 || dns_question_read(pkt, len, &off, &q.q) < 0)
		return reply_rcode(s, &q, false, DNS_RCODE_FORMERR, reply, reply_size, reply_len);
	r = dns_packet_find_edns(pkt, len, &q.h, off, &q.edns);
	if (r < 0)
		return reply_rcode(s, &q, true, DNS_RCODE_FORMERR, reply, reply_size, reply_len);
	q.has_edns = r > 0;
	r = dns_name_to_text(q.q.name, q.q.name_len, q.name, sizeof(q.name));
	if (r < 0) {
		/* a name that only escapes could spell is no name of ours to forward */
		q.name[0] = '\0';
		q.name_len = 0;
		info_fill(&q, info);
		return reply_rcode(s, &q, true, DNS_RCODE_REFUSED, reply, reply_size, reply_len);
	}
	q.name_len = (size_t)r;
	info_fill(&q, info);
	return handle_question(s, &q, src_ok, peer, tcp, reply, reply_size, reply_len);
}

enum dns_verdict dns_server_handle_query(struct dns_server *s, const uint8_t *pkt, size_t len,
					 struct in_addr src, bool tcp, uint8_t *reply,
					 size_t reply_size, size_t *reply_len,
					 struct dns_query_info *info)
{
	return handle_query(s, pkt, len, (in_addr_to_host(src) & s->mask) == s->net, false, tcp,
			    reply, reply_size, reply_len, info);
}

enum dns_verdict dns_server_handle_query6(struct dns_server *s, const uint8_t *pkt, size_t len,
					  const struct in6_addr *src, bool tcp, uint8_t *reply,
					  size_t reply_size, size_t *reply_len,
					  struct dns_query_info *info)
{
	bool ok = s->cfg.has_subnet6 && in6_prefix_contains(&s->cfg.subnet6, src);

	return handle_query(s, pkt, len, ok, false, tcp, reply, reply_size, reply_len, info);
}

enum dns_verdict dns_server_handle_peer_query(struct dns_server *s, const uint8_t *pkt,
					      size_t len, uint8_t *reply, size_t reply_size,
					      size_t *reply_len)
{
	return handle_query(s, pkt, len, true, true, false, reply, reply_size, reply_len, NULL);
}

int dns_build_error(const uint8_t *pkt, size_t len, uint8_t rcode, uint8_t *reply,
		    size_t reply_size)
{
	struct dns_builder b;
	struct dns_header h;
	struct dns_question q;
	struct dns_edns edns;
	size_t off = DNS_HEADER_SIZE;
	bool has_q;
	int r;

	if (dns_header_read(pkt, len, &h) < 0)
		return -EBADMSG;
	if (rcode > 0xf || dns_builder_init(&b, reply, reply_size) < 0)
		return -EINVAL;
	has_q = h.qdcount == 1 && dns_question_read(pkt, len, &off, &q) == 0;
	r = has_q ? dns_packet_find_edns(pkt, len, &h, off, &edns) : 0;
	if (r > 0)
		dns_builder_set_size(&b, reply_size - DNS_OPT_RR_SIZE);
	if (has_q)
		dns_builder_put_question(&b, q.name, q.name_len, q.type, q.qclass);
	if (r > 0) {
		dns_builder_set_size(&b, reply_size);
		dns_builder_put_opt(&b, DNS_EDNS_UDP_SIZE, 0, edns.do_bit);
	}
	return (int)dns_builder_finish(&b, h.id,
				       DNS_FLAG_QR | DNS_FLAG_RA | (h.flags & (0xfU << 11)) |
					       (h.flags & (DNS_FLAG_RD | DNS_FLAG_CD)) | rcode);
}
