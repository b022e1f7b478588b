/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A DHCP lease: who (client identity) holds which address until when. Plain data. A DHCPv6
 * lease (family AF_INET6) is one IA_NA address: its identity is the IAID then the client's DUID.
 */
#ifndef KN_LEASE_LEASE_H
#define KN_LEASE_LEASE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The client's identity (RFC 2131 §4.2): the client identifier option (61) when sent, else
 * htype + chaddr. Stored as bytes; identities longer than this are refused by the DHCP engine.
 */
#define LEASE_CLIENT_ID_MAX 64
#define LEASE_HOSTNAME_MAX 63

enum lease_state {
	LEASE_OFFERED,    /* offered, not yet requested: memory only, never journaled */
	LEASE_BOUND,      /* ACKed: durable before the ACK leaves */
	LEASE_RELEASED,   /* released or expired: address free, kept so a returning client gets it back */
	LEASE_DECLINED,   /* a client said the address is in use: kept out of the pool until 'expires' */
	_LEASE_STATE_MAX,
};

struct lease {
	/*
	 * The store's key. For an IPv6 lease, the low 32 bits of 'ip6' (network order): DHCPv6
	 * addresses lie in the first /96 of the network's subnet6 (docs/IPV6.md), so these bits
	 * tell them apart and one lease store serves both families.
	 */
	struct in_addr ip;
	uint8_t family;                       /* AF_INET6 for DHCPv6; AF_INET or 0: IPv4 */
	struct in6_addr ip6;                  /* the IPv6 address (AF_INET6 only) */
	uint8_t mac[6];
	uint8_t id_len;                       /* bytes used in 'id' */
	uint8_t id[LEASE_CLIENT_ID_MAX];      /* identity, see above */
	char hostname[LEASE_HOSTNAME_MAX + 1]; /* from option 12 or 81, sanitised; "" = none */
	uint64_t expires;                      /* wall clock, Unix seconds */
	enum lease_state state;
};

/* True for a DHCPv6 lease. */
bool lease_is_ipv6(const struct lease *l);

/*
 * The identity of a DHCPv6 IA_NA: IAID (4 bytes, network order) then the DUID. -E2BIG when it
 * exceeds LEASE_CLIENT_ID_MAX (a DUID over 60 bytes: refused, as over-long IPv4 ones are).
 */
int lease_id6_make(uint32_t iaid, const uint8_t *duid, size_t duid_len,
		   uint8_t ret[LEASE_CLIENT_ID_MAX], uint8_t *ret_len);

/* "offered", "bound", "released", "declined"; NULL for a value out of range. */
const char *lease_state_to_string(enum lease_state s);

/*
 * Keyed hash (SipHash-2-4) of a client identity 'id' of 'len' bytes under the 16-byte 'key',
 * for hash tables indexed by data a client chooses: without the key, colliding identities
 * cannot be crafted. Pure function, never fails.
 */
uint64_t lease_id_hash(const uint8_t *id, size_t len, const uint8_t key[16]);

#endif
