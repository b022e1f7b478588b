/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * An address of either family, for what may be IPv4 or IPv6 alike (the DNS forwarders): parsing,
 * formatting, comparison, and whether it can be a unicast peer. Built on in-addr-util.h and
 * in6-addr-util.h, whose syntax rules it keeps.
 */
#ifndef KN_SHARED_IP_ADDR_UTIL_H
#define KN_SHARED_IP_ADDR_UTIL_H

#include <netinet/in.h>
#include <stdbool.h>

struct ip_addr {
	int family;                    /* AF_INET or AF_INET6 */
	union {
		struct in_addr in;     /* AF_INET, network order */
		struct in6_addr in6;   /* AF_INET6, network order */
	};
};

/* An IPv4 or IPv6 address, as text, fits in INET6_ADDRSTRLEN bytes with its NUL. */
#define IP_ADDR_STRLEN INET6_ADDRSTRLEN

/* The address 'a' of family AF_INET, the rest of the union zeroed. */
struct ip_addr ip_addr_from_in(struct in_addr a);

/* The address 'a' of family AF_INET6. */
struct ip_addr ip_addr_from_in6(const struct in6_addr *a);

/*
 * Parses an IPv4 address (strict dotted quad, as in_addr_from_string()) or else an IPv6 one
 * (inet_pton syntax, no zone, no brackets). Returns 0 or -EINVAL; 'ret' is written only on
 * success, the unused part of its union zeroed.
 */
int ip_addr_from_string(const char *s, struct ip_addr *ret);

/* Formats 'a' (dotted quad, or RFC 5952) into 'buf' (IP_ADDR_STRLEN bytes); returns 'buf'. */
const char *ip_addr_to_string(const struct ip_addr *a, char *buf);

/* True if 'a' and 'b' are the same address of the same family. */
bool ip_addr_equal(const struct ip_addr *a, const struct ip_addr *b);

/* True for 127.0.0.0/8 and ::1. */
bool ip_addr_is_loopback(const struct ip_addr *a);

/*
 * Why 'a' cannot be the unicast peer of a socket, as a phrase to follow the address in a
 * message ("is not a unicast address"), or NULL if it can. Refused: IPv4 0.0.0.0/8, 224.0.0.0/4
 * (multicast) and 240.0.0.0/4 (broadcast included); IPv6 :: (unspecified), ff00::/8 (multicast),
 * fe80::/10 (link-local: it means something only with an interface, which an address alone does
 * not name) and ::ffff:0:0/96 (IPv4-mapped: the IPv4 address is to be written as such).
 * Loopback addresses pass.
 */
const char *ip_addr_unicast_refusal(const struct ip_addr *a);

#endif
