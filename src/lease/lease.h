/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A DHCP lease: who (client identity) holds which address until when. Plain data. */
#ifndef KN_LEASE_LEASE_H
#define KN_LEASE_LEASE_H

#include <netinet/in.h>
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
	struct in_addr ip;
	uint8_t mac[6];
	uint8_t id_len;                       /* bytes used in 'id' */
	uint8_t id[LEASE_CLIENT_ID_MAX];      /* identity, see above */
	char hostname[LEASE_HOSTNAME_MAX + 1]; /* from option 12 or 81, sanitised; "" = none */
	uint64_t expires;                      /* wall clock, Unix seconds */
	enum lease_state state;
};

/* "offered", "bound", "released", "declined"; NULL for a value out of range. */
const char *lease_state_to_string(enum lease_state s);

/*
 * Keyed hash (SipHash-2-4) of a client identity 'id' of 'len' bytes under the 16-byte 'key',
 * for hash tables indexed by data a client chooses: without the key, colliding identities
 * cannot be crafted. Pure function, never fails.
 */
uint64_t lease_id_hash(const uint8_t *id, size_t len, const uint8_t key[16]);

#endif
