/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * IPv4 address arithmetic for subnets, ranges and gateways. Addresses are struct in_addr
 * (network order, as the kernel wants them); arithmetic happens on host-order copies inside.
 */
#ifndef KN_SHARED_IN_ADDR_UTIL_H
#define KN_SHARED_IN_ADDR_UTIL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

struct in_prefix {
	struct in_addr addr;   /* network address, host bits zero once normalised */
	uint8_t prefixlen;     /* 0..32 */
};

/* Parses dotted-quad "a.b.c.d" strictly (no leading zeros, no shorthand); -EINVAL otherwise. */
int in_addr_from_string(const char *s, struct in_addr *ret);

/* Formats 'a' into 'buf' (at least INET_ADDRSTRLEN bytes) and returns 'buf'. */
const char *in_addr_to_string(struct in_addr a, char *buf);

/*
 * Parses "a.b.c.d/len" (address strict as above, 'len' decimal 0..32 without leading zeros) into
 * 'ret_addr' and 'ret_prefixlen' without looking at host bits, so that callers can tell "host bits
 * set" apart from a syntax error. Returns 0 or -EINVAL.
 */
int in_addr_prefix_from_string(const char *s, struct in_addr *ret_addr, uint8_t *ret_prefixlen);

/*
 * Parses "a.b.c.d/len". Host bits set (10.0.0.1/24) is -EINVAL: a subnet must be written as
 * its network address. Prefix lengths outside 0..32 are -EINVAL.
 */
int in_prefix_from_string(const char *s, struct in_prefix *ret);

/* Formats "a.b.c.d/len" into 'buf' (at least IN_PREFIX_STRLEN bytes) and returns 'buf'. */
#define IN_PREFIX_STRLEN (INET_ADDRSTRLEN + 4)
const char *in_prefix_to_string(const struct in_prefix *p, char *buf);

/* Netmask of 'prefixlen' in network order. */
struct in_addr in_prefixlen_to_netmask(uint8_t prefixlen);

/* True if 'a' lies within 'p'. */
bool in_prefix_contains(const struct in_prefix *p, struct in_addr a);

/* True if the two prefixes share at least one address. */
bool in_prefix_overlaps(const struct in_prefix *a, const struct in_prefix *b);

/* First and last address of 'p' (network and broadcast for prefixes shorter than /31). */
struct in_addr in_prefix_first(const struct in_prefix *p);
struct in_addr in_prefix_last(const struct in_prefix *p);

/* 'a' plus 'n' (may be negative), wrapping modulo 2^32. */
struct in_addr in_addr_add(struct in_addr a, int64_t n);

/* True if 'a' and 'b' are the same address. */
bool in_addr_equal(struct in_addr a, struct in_addr b);

/* Host-order value of 'a', for comparisons. */
uint32_t in_addr_to_host(struct in_addr a);
struct in_addr in_addr_from_host(uint32_t h);

/*
 * Default gateway and DHCP range for 'p' per PRODUCT.md: the gateway is the first usable address
 * (network + 1); the range runs from gateway + 1 to the last usable address (broadcast - 1).
 * Prefixes longer than /30 have no room for a gateway and a guest: -EINVAL.
 */
int in_prefix_default_gateway(const struct in_prefix *p, struct in_addr *ret);
int in_prefix_default_range(const struct in_prefix *p, struct in_addr *ret_first,
			    struct in_addr *ret_last);

#endif
