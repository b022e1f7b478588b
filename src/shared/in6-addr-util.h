/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv6 address helpers for the networks' /64 prefixes (subnet6): parsing, formatting, prefix
 * containment and overlap. The IPv6 twin of in-addr-util.h; addresses are struct in6_addr, in
 * network order as the kernel wants them.
 */
#ifndef KN_SHARED_IN6_ADDR_UTIL_H
#define KN_SHARED_IN6_ADDR_UTIL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct in6_prefix {
	struct in6_addr addr;  /* network address, host bits zero once normalised */
	uint8_t prefixlen;     /* 0..128 */
};

/* "addr/len" is at most INET6_ADDRSTRLEN + 4 bytes with its NUL. */
#define IN6_PREFIX_STRLEN (INET6_ADDRSTRLEN + 4)

/* Parses an IPv6 address (inet_pton syntax, no zone, no brackets). Returns 0 or -EINVAL. */
int in6_addr_from_string(const char *s, struct in6_addr *ret);

/* Formats 'a' in RFC 5952 form into 'buf' (INET6_ADDRSTRLEN bytes) and returns 'buf'. */
const char *in6_addr_to_string(const struct in6_addr *a, char *buf);

/*
 * Parses "ADDR/LEN" ('len' decimal 0..128 without leading zeros) without looking at host bits,
 * so that callers can tell "host bits set" from a syntax error. Returns 0 or -EINVAL.
 */
int in6_addr_prefix_from_string(const char *s, struct in6_addr *ret_addr, uint8_t *ret_prefixlen);

/* Formats "ADDR/LEN" into 'buf' (IN6_PREFIX_STRLEN bytes) and returns 'buf'. */
const char *in6_prefix_to_string(const struct in6_prefix *p, char *buf);

/* 'a' with every bit past 'prefixlen' cleared. */
struct in6_addr in6_addr_mask(const struct in6_addr *a, uint8_t prefixlen);

/* True if 'a' lies within 'p'. */
bool in6_prefix_contains(const struct in6_prefix *p, const struct in6_addr *a);

/* True if the two prefixes share at least one address. */
bool in6_prefix_overlaps(const struct in6_prefix *a, const struct in6_prefix *b);

/* True if 'a' and 'b' are the same address. */
bool in6_addr_equal(const struct in6_addr *a, const struct in6_addr *b);

/* True if 'a' is a unique local address (fc00::/7, RFC 4193). */
bool in6_addr_is_ula(const struct in6_addr *a);

/* True if 'p' has no host bits set. */
bool in6_prefix_is_normal(const struct in6_prefix *p);

/* The prefix's address with its last 64 bits replaced by the number 'iid' (host order). */
struct in6_addr in6_prefix_host(const struct in6_prefix *p, uint64_t iid);

/* The EUI-64 link-local address fe80::/64 a host with 'mac' forms (RFC 4291 appendix A). */
struct in6_addr in6_addr_link_local_from_mac(const uint8_t mac[6]);

#endif
