/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The protocol side of asking the other hosts of an overlay network for names this host's DNS
 * server does not know (dhcp = local: each host leases, and so names, only its own guests).
 * A peer query is an ordinary DNS query with RD clear and one EDNS0 option of ours (code
 * DNS_PEERS_OPTION, the network's 24-bit VNI), sent over the underlay to the peer's
 * DNS_PEERS_PORT: the option tells the peer which network is asked, and a query carrying it is
 * answered from the zone only, never passed on (no loops). Answers are checked against what was
 * asked and rewritten for the guest: its ID, AA cleared (another server's data), no OPT record
 * when the guest sent none. A small cache of names no peer knew keeps a guest that retries from
 * sending a query per retry. Pure: no sockets, no clock of its own (test-dns-peers).
 */
#ifndef KN_DNS_DNS_PEERS_H
#define KN_DNS_DNS_PEERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_PEERS_PORT 5399               /* UDP, on each host's underlay ('local') address */
#define DNS_PEERS_OPTION 65431            /* EDNS0 option code, local/experimental use (RFC 6891 §9) */
#define DNS_PEERS_TIMEOUT_USEC 300000ULL  /* how long peers are waited for */
#define DNS_PEERS_NEGATIVE_USEC 5000000ULL /* how long a name no peer knew is not asked again */
#define DNS_PEERS_NEGATIVE_MAX 256        /* names remembered so (the oldest make room) */

/*
 * Builds the peer query for 'qname' (text, no trailing dot), 'qtype', class IN, with 'id' and
 * the option holding 'vni' into 'buf' ('size' bytes). Returns the length, -EINVAL (a bad name,
 * a VNI over 24 bits) or -E2BIG.
 */
int dns_peers_build_query(const char *qname, uint16_t qtype, uint16_t id, uint32_t vni,
			  uint8_t *buf, size_t size);

/*
 * The VNI of the peer query 'pkt' ('len' bytes): 0 with '*ret_vni' set, -ENOENT when it is no
 * peer query (no OPT record or no option of ours), -EBADMSG when malformed.
 */
int dns_peers_query_vni(const uint8_t *pkt, size_t len, uint32_t *ret_vni);

/*
 * Checks the peer's answer 'pkt' ('len' bytes) to the query of 'id' for 'qname' and 'qtype':
 * a response, that ID, that one question (names compared case-insensitively). Returns its
 * response code (0..15) with '*ret_answers' set to its answer count, or -EBADMSG (garbage, or
 * not the answer to that query: ignore it).
 */
int dns_peers_check_answer(const uint8_t *pkt, size_t len, uint16_t id, const char *qname,
			   uint16_t qtype, unsigned *ret_answers);

/*
 * Copies the checked answer 'pkt' into 'out' ('size' bytes) for the guest whose query had ID
 * 'guest_id' and, if 'guest_edns', an OPT record: the ID replaced, AA cleared, and the OPT
 * record (the last of the additional section, as kvmnet's servers write it) dropped when the
 * guest sent none. Returns the length, -E2BIG or -EBADMSG.
 */
int dns_peers_answer_to_guest(const uint8_t *pkt, size_t len, uint16_t guest_id,
			      bool guest_edns, uint8_t *out, size_t size);

/* Names no peer knew, for DNS_PEERS_NEGATIVE_USEC: a fixed table, no allocation. */
struct dns_peers_negative {
	struct {
		uint64_t hash;            /* of the name and type; 0: empty */
		uint64_t until_usec;
	} slots[DNS_PEERS_NEGATIVE_MAX];
	size_t next;                      /* where the next entry goes (round robin) */
};

/* Whether 'qname'/'qtype' is remembered as unknown to every peer at 'now_usec'. */
bool dns_peers_negative_has(const struct dns_peers_negative *neg, const char *qname,
			    uint16_t qtype, uint64_t now_usec);

/* Remembers 'qname'/'qtype' as unknown until 'now_usec' + DNS_PEERS_NEGATIVE_USEC. */
void dns_peers_negative_add(struct dns_peers_negative *neg, const char *qname, uint16_t qtype,
			    uint64_t now_usec);

#endif
