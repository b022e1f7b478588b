/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Neighbor Discovery messages (RFC 4861) and the RA options of RFC 8106: building router
 * advertisements, neighbour solicitations and advertisements into a caller's buffer, and
 * parsing RS, RA, NS and NA messages into structs without allocating. Pure: no sockets (the
 * daemon's ra-service sends and receives), unit-tested and fuzzed (tests/fuzz/fuzz-ndp.c).
 */
#ifndef KN_NDP_NDP_PACKET_H
#define KN_NDP_NDP_PACKET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/in6-addr-util.h"

/* Most prefixes, RDNSS addresses and DNSSL domains one RA carries (build and parse). */
#define NDP_RA_PREFIXES_MAX 4
#define NDP_RA_RDNSS_MAX 4
#define NDP_RA_DNSSL_MAX 4
#define NDP_DOMAIN_MAX 253
/* Largest message built: fits any IPv6 minimum MTU (1280) with the headers. */
#define NDP_MESSAGE_MAX 1024

struct ndp_prefix {
	struct in6_prefix prefix;
	bool onlink;                  /* L flag */
	bool autonomous;              /* A flag: hosts form addresses from it (SLAAC) */
	uint32_t valid_sec;
	uint32_t preferred_sec;
};

struct ndp_ra {
	uint8_t cur_hop_limit;        /* 0 = unspecified */
	bool managed;                 /* M flag: addresses from DHCPv6 */
	bool other;                   /* O flag: other configuration from DHCPv6 */
	uint16_t router_lifetime_sec; /* 0 = not a default router */
	uint32_t reachable_ms;
	uint32_t retrans_ms;
	bool has_lladdr;
	uint8_t lladdr[6];            /* source link-layer address option */
	uint32_t mtu;                 /* 0 = no MTU option */
	struct ndp_prefix prefixes[NDP_RA_PREFIXES_MAX];
	size_t n_prefixes;
	struct in6_addr rdnss[NDP_RA_RDNSS_MAX];
	size_t n_rdnss;
	uint32_t rdnss_lifetime_sec;
	char dnssl[NDP_RA_DNSSL_MAX][NDP_DOMAIN_MAX + 1]; /* dotted, no trailing dot */
	size_t n_dnssl;
	uint32_t dnssl_lifetime_sec;
};

struct ndp_rs {
	bool has_lladdr;
	uint8_t lladdr[6];
};

/* A neighbour solicitation or advertisement. */
struct ndp_neigh {
	struct in6_addr target;
	bool router, solicited, override; /* NA flags */
	bool has_lladdr;
	uint8_t lladdr[6];            /* source (NS) or target (NA) link-layer address option */
};

/*
 * Writes the RA 'ra' into 'buf' ('size' bytes) from the ICMPv6 header on (checksum 0: the
 * kernel fills it on a raw ICMPv6 socket). DNSSL domains must be valid names (labels of 1..63
 * characters). Returns the length, -ENOBUFS when 'size' is too small, or -EINVAL.
 */
int ndp_ra_build(const struct ndp_ra *ra, uint8_t *buf, size_t size);

/*
 * Parses an RA ('len' bytes from the ICMPv6 header on) into 'ret'. Options beyond the _MAX
 * counts and unknown options are skipped (RFC 4861 §4.6: a receiver ignores what it does not
 * know). Returns 0, or -EBADMSG for a message that is not a well-formed RA (wrong type or code,
 * short header, an option of length 0 or running past the end, a malformed known option).
 */
int ndp_ra_parse(const uint8_t *buf, size_t len, struct ndp_ra *ret);

/* Parses a router solicitation as ndp_ra_parse() does an RA. Returns 0 or -EBADMSG. */
int ndp_rs_parse(const uint8_t *buf, size_t len, struct ndp_rs *ret);

/*
 * Parses a neighbour solicitation (type 135) or advertisement (type 136) into 'ret' and its
 * type into 'ret_type'. A multicast target is -EBADMSG (RFC 4861 §7.1). Returns 0 or -EBADMSG.
 */
int ndp_neigh_parse(const uint8_t *buf, size_t len, uint8_t *ret_type, struct ndp_neigh *ret);

/*
 * Writes a neighbour solicitation ('type' 135) or advertisement (136) for 'n' into 'buf', with
 * the link-layer address option when n->has_lladdr. Returns the length, -ENOBUFS or -EINVAL.
 */
int ndp_neigh_build(uint8_t type, const struct ndp_neigh *n, uint8_t *buf, size_t size);

#endif
