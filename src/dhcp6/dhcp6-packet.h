/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DHCPv6 messages (RFC 8415) between clients and servers: parsing one into a struct of views
 * into the caller's buffer (no allocation) and building one from the same struct into a caller's
 * buffer. The options kvmnet understands: CLIENTID and SERVERID (DUIDs), IA_NA with IAADDR and
 * their STATUS_CODE, STATUS_CODE, PREFERENCE, RAPID_COMMIT, ELAPSED_TIME, ORO, DNS_SERVERS and
 * DOMAIN_LIST (RFC 3646), CLIENT_FQDN (RFC 4704); IA_TA and IA_PD are counted, others skipped.
 * Pure: dhcp6-server.c answers, the daemon's dhcp6-service owns the socket. Unit-tested and
 * fuzzed (tests/fuzz/fuzz-dhcp6.c).
 */
#ifndef KN_DHCP6_DHCP6_PACKET_H
#define KN_DHCP6_DHCP6_PACKET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shared/dns-name-util.h"

/* What one message keeps; more are skipped when parsing. */
#define DHCP6_IA_MAX 8
#define DHCP6_IA_ADDRS_MAX 8
#define DHCP6_ORO_MAX 32
#define DHCP6_DNS_MAX 4
#define DHCP6_DOMAINS_MAX 4
/* Largest message built: one that never needs fragmenting (IPv6 minimum MTU 1280 - 48). */
#define DHCP6_MESSAGE_MAX 1232

/* A STATUS_CODE option: 'msg' points into the parsed buffer (UTF-8, not NUL-terminated). */
struct dhcp6_status_opt {
	bool present;
	uint16_t code;                   /* enum dhcp6_status */
	const uint8_t *msg;
	uint16_t msg_len;
};

struct dhcp6_iaaddr {
	struct in6_addr addr;
	uint32_t preferred_sec;
	uint32_t valid_sec;
	struct dhcp6_status_opt status;
};

struct dhcp6_ia_na {
	uint32_t iaid;
	uint32_t t1_sec;
	uint32_t t2_sec;
	struct dhcp6_iaaddr addrs[DHCP6_IA_ADDRS_MAX];
	size_t n_addrs;
	struct dhcp6_status_opt status;
};

struct dhcp6_message {
	uint8_t type;                    /* enum dhcp6_msg_type */
	uint32_t xid;                    /* transaction id, 24 bits */
	const uint8_t *client_id;        /* DUID, NULL when absent */
	uint16_t client_id_len;
	const uint8_t *server_id;
	uint16_t server_id_len;
	struct dhcp6_ia_na ia_na[DHCP6_IA_MAX]; /* distinct IAIDs */
	size_t n_ia_na;
	size_t n_ia_ta, n_ia_pd;         /* counted only: kvmnet assigns neither */
	uint16_t oro[DHCP6_ORO_MAX];
	size_t n_oro;
	bool rapid_commit;
	bool has_elapsed;
	uint16_t elapsed_cs;             /* hundredths of a second */
	bool has_preference;
	uint8_t preference;
	struct dhcp6_status_opt status;
	struct in6_addr dns[DHCP6_DNS_MAX];
	size_t n_dns;
	char domains[DHCP6_DOMAINS_MAX][DNS_NAME_TEXT_MAX + 1]; /* dotted, no trailing dot */
	size_t n_domains;
	bool has_fqdn;
	uint8_t fqdn_flags;              /* DHCP6_FQDN_FLAG_* */
	bool fqdn_partial;               /* the name is not fully qualified (RFC 4704 §4.2) */
	char fqdn[DNS_NAME_TEXT_MAX + 1]; /* "" = no name */
};

/* "SOLICIT" ... "INFORMATION-REQUEST", or NULL for an unknown type. */
const char *dhcp6_msg_type_to_string(int type);

/*
 * Parses the message 'buf' of 'len' bytes (the UDP payload) into 'ret'. Only client and server
 * messages (types 1..11); relay messages and unknown types are -EBADMSG, as are: a header or
 * option running past 'len', a singleton option (CLIENTID, SERVERID, ORO, ELAPSED_TIME,
 * RAPID_COMMIT, STATUS_CODE, PREFERENCE, DNS_SERVERS, DOMAIN_LIST, CLIENT_FQDN) given twice, a
 * DUID of fewer than 3 or more than DHCP6_DUID_MAX bytes, two IA_NAs with one IAID, or a known
 * option of the wrong size or form. Unknown options are skipped (RFC 8415 §16). Pointers in 'ret'
 * are views into 'buf'. Returns 0 or -EBADMSG; never reads past 'len'.
 */
int dhcp6_message_parse(const uint8_t *buf, size_t len, struct dhcp6_message *ret);

/*
 * Writes 'm' into 'buf' ('size' bytes) in the order CLIENTID, SERVERID, IA_NA (IAADDRs, each with
 * its status when present, then the IA's status), STATUS_CODE, PREFERENCE, RAPID_COMMIT,
 * ELAPSED_TIME, ORO, DNS_SERVERS, DOMAIN_LIST, CLIENT_FQDN, each only when set. Returns the
 * length, -ENOBUFS when 'size' is too small, -EINVAL for an invalid DUID length, domain name or
 * xid over 24 bits.
 */
int dhcp6_message_build(const struct dhcp6_message *m, uint8_t *buf, size_t size);

/* True if option 'code' is in the message's ORO. */
bool dhcp6_message_requests(const struct dhcp6_message *m, uint16_t code);

/*
 * The link-layer address a DUID carries (DUID-LLT and DUID-LL of hardware type Ethernet), in
 * 'ret_mac'. Returns 0, or -ENOENT for other DUIDs.
 */
int dhcp6_duid_mac(const uint8_t *duid, size_t len, uint8_t ret_mac[6]);

#endif
