/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lease helpers shared by the store, the journal and the DHCP engine: state names and the keyed
 * hash of client identities that the store's and the engine's hash tables use.
 */
#include "lease/lease.h"

#include <errno.h>
#include <string.h>

#include "shared/alloc-util.h"

static const char *const lease_state_table[_LEASE_STATE_MAX] = {
	[LEASE_OFFERED] = "offered",
	[LEASE_BOUND] = "bound",
	[LEASE_RELEASED] = "released",
	[LEASE_DECLINED] = "declined",
};

bool lease_is_ipv6(const struct lease *l)
{
	return l->family == AF_INET6;
}

int lease_id6_make(uint32_t iaid, const uint8_t *duid, size_t duid_len,
		   uint8_t ret[LEASE_CLIENT_ID_MAX], uint8_t *ret_len)
{
	if (duid_len > LEASE_CLIENT_ID_MAX - 4)
		return -E2BIG;
	ret[0] = (uint8_t)(iaid >> 24);
	ret[1] = (uint8_t)(iaid >> 16);
	ret[2] = (uint8_t)(iaid >> 8);
	ret[3] = (uint8_t)iaid;
	memcpy(ret + 4, duid, duid_len);
	*ret_len = (uint8_t)(duid_len + 4);
	return 0;
}

const char *lease_state_to_string(enum lease_state s)
{
	if ((unsigned)s >= ELEMENTSOF(lease_state_table))
		return NULL;
	return lease_state_table[s];
}

static inline uint64_t rotl64(uint64_t x, int b)
{
	return (x << b) | (x >> (64 - b));
}

static inline uint64_t load_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

#define SIPROUND()                                                                                 \
	do {                                                                                       \
		v0 += v1;                                                                          \
		v1 = rotl64(v1, 13);                                                               \
		v1 ^= v0;                                                                          \
		v0 = rotl64(v0, 32);                                                               \
		v2 += v3;                                                                          \
		v3 = rotl64(v3, 16);                                                               \
		v3 ^= v2;                                                                          \
		v0 += v3;                                                                          \
		v3 = rotl64(v3, 21);                                                               \
		v3 ^= v0;                                                                          \
		v2 += v1;                                                                          \
		v1 = rotl64(v1, 17);                                                               \
		v1 ^= v2;                                                                          \
		v2 = rotl64(v2, 32);                                                               \
	} while (0)

/* SipHash-2-4 (Aumasson and Bernstein), written from the paper's description. */
uint64_t lease_id_hash(const uint8_t *id, size_t len, const uint8_t key[16])
{
	uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
	uint64_t v0 = k0 ^ 0x736f6d6570736575ULL, v1 = k1 ^ 0x646f72616e646f6dULL;
	uint64_t v2 = k0 ^ 0x6c7967656e657261ULL, v3 = k1 ^ 0x7465646279746573ULL;
	uint64_t m, b = (uint64_t)len << 56;
	size_t i = 0;
	uint8_t tail[8] = { 0 };

	for (; i + 8 <= len; i += 8) {
		m = load_le64(id + i);
		v3 ^= m;
		SIPROUND();
		SIPROUND();
		v0 ^= m;
	}
	if (len > i)
		memcpy(tail, id + i, len - i);
	b |= load_le64(tail);
	v3 ^= b;
	SIPROUND();
	SIPROUND();
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND();
	SIPROUND();
	SIPROUND();
	SIPROUND();
	return v0 ^ v1 ^ v2 ^ v3;
}
