/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The authoritative data of one network: its domain (forward zone) and the reverse zone of its
 * subnet. Names come from three sources -- the gateway, reservations and leases with host names,
 * and static records from the definition -- and are updated one by one as leases come and go
 * (O(1) hash maps), never rebuilt. Pure data: no I/O.
 */
#ifndef KN_DNS_DNS_ZONE_H
#define KN_DNS_DNS_ZONE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/in-addr-util.h"
#include "shared/in6-addr-util.h"

#define DNS_ZONE_NAME_MAX 253     /* text form, no trailing dot */
#define DNS_ZONE_RECORDS_MAX 262144

enum dns_zone_source {
	DNS_ZONE_SOURCE_GATEWAY,
	DNS_ZONE_SOURCE_RESERVATION,
	DNS_ZONE_SOURCE_LEASE,
	_DNS_ZONE_SOURCE_MAX,
};

/* Static records of the definition ([dns-record NAME] sections). */
enum dns_record_type {
	DNS_RECORD_A,
	DNS_RECORD_CNAME,
	DNS_RECORD_TXT,
	DNS_RECORD_SRV,
	_DNS_RECORD_TYPE_MAX,
};

struct dns_static_record {
	char name[DNS_ZONE_NAME_MAX + 1];   /* relative to the domain ("www") or "@" for the apex */
	enum dns_record_type type;
	struct in_addr a;                    /* A */
	char target[DNS_ZONE_NAME_MAX + 1];  /* CNAME, SRV: absolute (ends without dot); "@" the
					      * domain; SRV "" or "." none (RFC 2782) */
	char txt[256];                       /* TXT: one character-string */
	uint16_t priority, weight, port;     /* SRV */
};

struct dns_zone;

/*
 * Creates the zone of 'domain' (lowercase, no trailing dot) for 'subnet' (its reverse zone is
 * the in-addr.arpa zone(s) covering it). TTL of answers: 'ttl_sec'. Returns 0, -EINVAL for an
 * invalid domain, -ENOMEM.
 */
int dns_zone_new(const char *domain, const struct in_prefix *subnet, uint32_t ttl_sec,
		 struct dns_zone **ret);
/* Frees 'z' and everything it holds; NULL is fine. Returns NULL. */
struct dns_zone *dns_zone_free(struct dns_zone *z);

/*
 * Sets host 'label' (one DNS label, case-insensitive) to 'ip' for 'source'. A name defined by a
 * higher-priority source (gateway > reservation > lease) is not overridden by a lower one.
 * Returns 0, -EINVAL for an invalid label (or a name over 253 characters), -E2BIG over
 * DNS_ZONE_RECORDS_MAX names, -ENOMEM.
 */
int dns_zone_set_host(struct dns_zone *z, const char *label, struct in_addr ip,
		      enum dns_zone_source source);
/*
 * Removes 'label' if it is held by 'source' with address 'ip'; a lower-priority source holding it
 * too then answers again.
 */
void dns_zone_remove_host(struct dns_zone *z, const char *label, struct in_addr ip,
			  enum dns_zone_source source);
/*
 * The same for the IPv6 address (AAAA, ip6.arpa PTR) of 'label': a host has at most one address
 * of each family per source, set and removed independently (a name with only an IPv6 address
 * answers AAAA and NODATA for A). Same returns as dns_zone_set_host().
 */
int dns_zone_set_host6(struct dns_zone *z, const char *label, const struct in6_addr *ip,
		       enum dns_zone_source source);
void dns_zone_remove_host6(struct dns_zone *z, const char *label, const struct in6_addr *ip,
			   enum dns_zone_source source);
/*
 * Makes the ip6.arpa zone of 'subnet6' (a prefix of /4 to /128, cut at its nibble boundary:
 * the 16 nibbles of a /64) the zone's second reverse zone, or none with NULL. Returns 0 or
 * -EINVAL.
 */
int dns_zone_set_reverse6(struct dns_zone *z, const struct in6_prefix *subnet6);
/*
 * Replaces the static records (copied; names and targets lowercased). Returns 0, -EINVAL for an
 * invalid record (a bad name or target, a CNAME at the apex or beside other records of its name,
 * RFC 1034 §3.6.2), -E2BIG over DNS_ZONE_RECORDS_MAX, -ENOMEM; on failure the old ones stay.
 */
int dns_zone_set_static(struct dns_zone *z, const struct dns_static_record *r, size_t n);

/*
 * Whether 'qname' (lowercase, no trailing dot) is inside this zone or its reverse zone: such
 * names are answered here (possibly NXDOMAIN), never forwarded.
 */
bool dns_zone_is_authoritative(const struct dns_zone *z, const char *qname);

/*
 * What the zone holds at one name, for the answer builder (dns_zone_lookup()). Borrowed views,
 * valid until the zone next changes.
 */
struct dns_zone_node {
	bool exists;              /* false: NXDOMAIN (RFC 2308) */
	bool reverse;             /* in the reverse zone rather than the domain */
	bool apex;                /* the name is a zone apex: SOA and NS */
	size_t apex_len;          /* the apex of the name's zone: the last 'apex_len' chars of it */
	bool has_host;            /* a host (gateway, reservation, lease) has an IPv4 address */
	struct in_addr host_ip;
	bool has_host6;           /* ... an IPv6 address */
	struct in6_addr host_ip6;
	const char *ptr;          /* reverse: the FQDN of the address, or NULL */
	const struct dns_static_record *statics;  /* static records at the name, 'n_statics' */
	size_t n_statics;
};

/*
 * Looks up 'qname' ('len' chars, lowercase, no trailing dot, as dns_name_to_text() writes it).
 * Returns false when the name is outside the domain and the reverse zone (not ours); true with
 * 'ret' filled otherwise, also for names that do not exist. O(1): two hash lookups.
 */
bool dns_zone_lookup(const struct dns_zone *z, const char *qname, size_t len,
		     struct dns_zone_node *ret);

/*
 * Borrowed views for the answer builder, valid until the zone next changes.
 * dns_zone_lookup_a(): the address of 'qname' (FQDN): its first static A record, else its host.
 * dns_zone_lookup_aaaa(): the IPv6 address of the host 'qname' (there are no static AAAA).
 * dns_zone_lookup_ptr(), _ptr6(): the FQDN of the host answering for 'ip' (highest-priority
 * source).
 * dns_zone_static_get(): static record 'i' (sorted by name; those of one name are contiguous,
 * in the order given) and their count in '*ret_n'; NULL past the end.
 */
bool dns_zone_lookup_a(const struct dns_zone *z, const char *qname, struct in_addr *ret);
bool dns_zone_lookup_aaaa(const struct dns_zone *z, const char *qname, struct in6_addr *ret);
const char *dns_zone_lookup_ptr(const struct dns_zone *z, struct in_addr ip);  /* FQDN */
const char *dns_zone_lookup_ptr6(const struct dns_zone *z, const struct in6_addr *ip);
const struct dns_static_record *dns_zone_static_get(const struct dns_zone *z, size_t i,
						    size_t *ret_n);
/* The domain (lowercase) and the TTL of every record, as given to dns_zone_new(). */
const char *dns_zone_domain(const struct dns_zone *z);
uint32_t dns_zone_ttl(const struct dns_zone *z);
/* Serial for the SOA: bumped on every change. */
uint32_t dns_zone_serial(const struct dns_zone *z);

#endif
