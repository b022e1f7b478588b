/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DHCPv6 on the wire (RFC 8415): ports, multicast group, message types, option codes, status
 * codes and DUID types, and the sizes the RFC fixes. Constants only; dhcp6-packet.c parses and
 * builds the messages, dhcp6-server.c answers them.
 */
#ifndef KN_DHCP6_DHCP6_PROTO_H
#define KN_DHCP6_DHCP6_PROTO_H

#define DHCP6_CLIENT_PORT 546
#define DHCP6_SERVER_PORT 547
/* All_DHCP_Relay_Agents_and_Servers (RFC 8415 §7.1), link scope */
#define DHCP6_ALL_SERVERS "ff02::1:2"

/* msg-type (1 octet) + transaction-id (3 octets) */
#define DHCP6_HEADER_SIZE 4
#define DHCP6_OPTION_HEADER_SIZE 4

/* RFC 8415 §7.3 */
enum dhcp6_msg_type {
	DHCP6_SOLICIT = 1,
	DHCP6_ADVERTISE = 2,
	DHCP6_REQUEST = 3,
	DHCP6_CONFIRM = 4,
	DHCP6_RENEW = 5,
	DHCP6_REBIND = 6,
	DHCP6_REPLY = 7,
	DHCP6_RELEASE = 8,
	DHCP6_DECLINE = 9,
	DHCP6_RECONFIGURE = 10,
	DHCP6_INFORMATION_REQUEST = 11,
	DHCP6_RELAY_FORW = 12,
	DHCP6_RELAY_REPL = 13,
	_DHCP6_MSG_MAX,
};

/* RFC 8415 §21, RFC 3646 (DNS), RFC 4704 (FQDN) */
enum dhcp6_option_code {
	DHCP6_OPT_CLIENTID = 1,
	DHCP6_OPT_SERVERID = 2,
	DHCP6_OPT_IA_NA = 3,
	DHCP6_OPT_IA_TA = 4,
	DHCP6_OPT_IAADDR = 5,
	DHCP6_OPT_ORO = 6,
	DHCP6_OPT_PREFERENCE = 7,
	DHCP6_OPT_ELAPSED_TIME = 8,
	DHCP6_OPT_STATUS_CODE = 13,
	DHCP6_OPT_RAPID_COMMIT = 14,
	DHCP6_OPT_DNS_SERVERS = 23,
	DHCP6_OPT_DOMAIN_LIST = 24,
	DHCP6_OPT_IA_PD = 25,
	DHCP6_OPT_CLIENT_FQDN = 39,
	DHCP6_OPT_INFORMATION_REFRESH_TIME = 32,
};

/* RFC 8415 §21.13 */
enum dhcp6_status {
	DHCP6_STATUS_SUCCESS = 0,
	DHCP6_STATUS_UNSPEC_FAIL = 1,
	DHCP6_STATUS_NO_ADDRS_AVAIL = 2,
	DHCP6_STATUS_NO_BINDING = 3,
	DHCP6_STATUS_NOT_ON_LINK = 4,
	DHCP6_STATUS_USE_MULTICAST = 5,
	DHCP6_STATUS_NO_PREFIX_AVAIL = 6,
};

/* RFC 8415 §11 */
#define DHCP6_DUID_LLT 1
#define DHCP6_DUID_EN 2
#define DHCP6_DUID_LL 3
#define DHCP6_DUID_UUID 4
/* A DUID is a 2-octet type and at most 128 octets of identifier (RFC 8415 §11.1). */
#define DHCP6_DUID_MAX 130
#define DHCP6_ARP_HTYPE_ETHER 1

/* IA_NA: IAID, T1, T2 (RFC 8415 §21.4); IAADDR: address, preferred, valid (§21.6). */
#define DHCP6_IA_NA_FIXED 12
#define DHCP6_IAADDR_FIXED 24

/* FQDN flags (RFC 4704 §4.1) */
#define DHCP6_FQDN_FLAG_S 0x01
#define DHCP6_FQDN_FLAG_O 0x02
#define DHCP6_FQDN_FLAG_N 0x04

#endif
