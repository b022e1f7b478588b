/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DHCPv4 on the wire (RFC 2131 §2, RFC 2132): the fixed BOOTP header, message types, option
 * codes and the sizes the RFCs fix. Constants only; dhcp-option.c walks and builds the options,
 * dhcp-server.c the messages.
 */
#ifndef KN_DHCP_DHCP_PROTO_H
#define KN_DHCP_DHCP_PROTO_H

#include <stdint.h>

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68

#define DHCP_OP_BOOTREQUEST 1
#define DHCP_OP_BOOTREPLY 2

#define DHCP_HTYPE_ETHER 1       /* ARP hardware type: Ethernet, hlen 6 */
#define DHCP_CHADDR_MAX 16
#define DHCP_SNAME_SIZE 64
#define DHCP_FILE_SIZE 128

#define DHCP_FLAG_BROADCAST 0x8000   /* in 'flags', host order */

#define DHCP_MAGIC_COOKIE 0x63825363U

/*
 * The fixed part of every message, network byte order, followed by the magic cookie and the
 * options field. Never dereferenced in place: copied out with memcpy, so alignment does not
 * matter.
 */
struct dhcp_header {
	uint8_t op;
	uint8_t htype;
	uint8_t hlen;
	uint8_t hops;
	uint32_t xid;
	uint16_t secs;
	uint16_t flags;
	uint32_t ciaddr;
	uint32_t yiaddr;
	uint32_t siaddr;
	uint32_t giaddr;
	uint8_t chaddr[DHCP_CHADDR_MAX];
	uint8_t sname[DHCP_SNAME_SIZE];
	uint8_t file[DHCP_FILE_SIZE];
	uint32_t magic;
} __attribute__((packed));

#define DHCP_HEADER_SIZE 240     /* sizeof(struct dhcp_header): fixed fields plus cookie */
#define DHCP_SNAME_OFFSET 44
#define DHCP_FILE_OFFSET 108
_Static_assert(sizeof(struct dhcp_header) == DHCP_HEADER_SIZE, "BOOTP header layout");

/*
 * RFC 2131 §2: every client takes a 576-octet IP datagram, i.e. a DHCP message of 548 octets
 * (an options field of 312 octets with the cookie); option 57 announces more (RFC 2132 §9.10,
 * counted like that 576, with the IP and UDP headers).
 */
#define DHCP_MIN_DATAGRAM 576
#define DHCP_IP_UDP_HEADERS 28
#define DHCP_MIN_MESSAGE (DHCP_MIN_DATAGRAM - DHCP_IP_UDP_HEADERS)

enum dhcp_msg_type {
	DHCP_MSG_DISCOVER = 1,
	DHCP_MSG_OFFER = 2,
	DHCP_MSG_REQUEST = 3,
	DHCP_MSG_DECLINE = 4,
	DHCP_MSG_ACK = 5,
	DHCP_MSG_NAK = 6,
	DHCP_MSG_RELEASE = 7,
	DHCP_MSG_INFORM = 8,
	_DHCP_MSG_MAX,
};

enum dhcp_option_code {
	DHCP_OPTION_PAD = 0,
	DHCP_OPTION_SUBNET_MASK = 1,
	DHCP_OPTION_ROUTER = 3,
	DHCP_OPTION_DNS_SERVER = 6,
	DHCP_OPTION_HOST_NAME = 12,
	DHCP_OPTION_DOMAIN_NAME = 15,
	DHCP_OPTION_MTU = 26,
	DHCP_OPTION_BROADCAST = 28,
	DHCP_OPTION_REQUESTED_IP = 50,
	DHCP_OPTION_LEASE_TIME = 51,
	DHCP_OPTION_OVERLOAD = 52,
	DHCP_OPTION_MESSAGE_TYPE = 53,
	DHCP_OPTION_SERVER_ID = 54,
	DHCP_OPTION_PARAMETER_REQUEST_LIST = 55,
	DHCP_OPTION_MESSAGE = 56,
	DHCP_OPTION_MAX_MESSAGE_SIZE = 57,
	DHCP_OPTION_RENEWAL_TIME = 58,     /* T1 */
	DHCP_OPTION_REBINDING_TIME = 59,   /* T2 */
	DHCP_OPTION_VENDOR_CLASS = 60,
	DHCP_OPTION_CLIENT_ID = 61,
	DHCP_OPTION_CLIENT_FQDN = 81,      /* RFC 4702 */
	DHCP_OPTION_RELAY_AGENT_INFO = 82, /* RFC 3046 */
	DHCP_OPTION_CLASSLESS_ROUTES = 121, /* RFC 3442 */
	DHCP_OPTION_MS_CLASSLESS_ROUTES = 249, /* the same, under Microsoft's pre-RFC code */
	DHCP_OPTION_END = 255,
};

/* Option 52 values (RFC 2132 §9.3): which header fields carry options. */
#define DHCP_OVERLOAD_FILE 1
#define DHCP_OVERLOAD_SNAME 2

/* Option 81 flags (RFC 4702 §2.1). */
#define DHCP_FQDN_FLAG_S 0x01
#define DHCP_FQDN_FLAG_O 0x02
#define DHCP_FQDN_FLAG_E 0x04   /* name in DNS wire format, else ASCII */
#define DHCP_FQDN_FLAG_N 0x08

#endif
