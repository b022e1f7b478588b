/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of addr-learn-parse.h: Ethernet -> ARP (RFC 826) or IPv4/UDP -> BOOTP/DHCP
 * (RFC 2131), each layer checked against the bytes that remain before anything is read.
 */
#include "addr-learn-parse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "dhcp/dhcp-option.h"
#include "dhcp/dhcp-proto.h"

#define ETH_HLEN_ 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ARP_LEN 28               /* Ethernet/IPv4 ARP body */
#define IPV4_MIN_HLEN 20
#define UDP_HLEN 8
#define IPPROTO_UDP_ 17

_Static_assert(ADDR_LEARN_HOSTNAME_MAX == DHCP_HOSTNAME_MAX, "one bound for host names");

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

const char *addr_learn_source_to_string(enum addr_learn_source s)
{
	static const char *const names[_ADDR_LEARN_SOURCE_MAX] = {
		[ADDR_LEARN_SOURCE_ARP] = "arp",
		[ADDR_LEARN_SOURCE_DHCP] = "dhcp",
	};
	return s >= 0 && s < _ADDR_LEARN_SOURCE_MAX ? names[s] : "unknown";
}

bool addr_learn_ip_is_usable(struct in_addr ip)
{
	uint32_t a = ntohl(ip.s_addr);

	if (a == 0 || a == 0xffffffffU)
		return false;
	if ((a >> 24) == 127 || (a >> 24) == 0)
		return false;
	if ((a >> 28) >= 0xe)            /* multicast 224/4 and class E 240/4 */
		return false;
	if ((a >> 16) == 0xa9fe)         /* 169.254/16 */
		return false;
	return true;
}

static bool mac_is_unicast(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !(mac[0] & 1) && memcmp(mac, zero, 6) != 0;
}

static int parse_arp(const uint8_t *eth_src, const uint8_t *p, size_t len, bool towards_guest,
		     struct addr_learn_event *ret)
{
	struct in_addr sip;

	if (len < ARP_LEN)
		return -EBADMSG;
	/* htype 1 (Ethernet), ptype IPv4, hlen 6, plen 4; anything else is not ours to read */
	if (rd16(p) != 1 || rd16(p + 2) != ETHERTYPE_IPV4 || p[4] != 6 || p[5] != 4)
		return -EBADMSG;
	if (towards_guest)
		return 0;
	if (rd16(p + 6) != 1 && rd16(p + 6) != 2)     /* request, reply */
		return 0;
	/* sender MAC at 8, sender IP at 14 */
	if (memcmp(p + 8, eth_src, 6) != 0 || !mac_is_unicast(p + 8))
		return 0;
	memcpy(&sip.s_addr, p + 14, 4);
	if (!addr_learn_ip_is_usable(sip))
		return 0;
	*ret = (struct addr_learn_event){ .verdict = ADDR_LEARN_ADD,
					  .source = ADDR_LEARN_SOURCE_ARP, .ip = sip };
	memcpy(ret->mac, p + 8, 6);
	return 1;
}

/* The client's name, as dhcp-server.c reads it: a bad name is no name, not a bad message. */
static void client_hostname(const struct dhcp_options *o, char ret[ADDR_LEARN_HOSTNAME_MAX + 1])
{
	const uint8_t *v;
	size_t n;

	v = dhcp_options_get(o, DHCP_OPTION_CLIENT_FQDN, &n);
	if (v && dhcp_fqdn_hostname(v, n, ret) == 0)
		return;
	v = dhcp_options_get(o, DHCP_OPTION_HOST_NAME, &n);
	if (!v || dhcp_hostname_sanitize(v, n, ret) < 0)
		ret[0] = '\0';
}

static int parse_dhcp(const uint8_t *eth_src, const uint8_t *p, size_t len, bool towards_guest,
		      struct addr_learn_event *ret)
{
	struct dhcp_header h;
	struct dhcp_options o;
	struct in_addr addr;
	uint8_t type;
	uint32_t lease = 0;

	if (len < DHCP_HEADER_SIZE)
		return -EBADMSG;
	memcpy(&h, p, sizeof(h));
	if (ntohl(h.magic) != DHCP_MAGIC_COOKIE || h.htype != DHCP_HTYPE_ETHER || h.hlen != 6)
		return -EBADMSG;
	if (dhcp_options_parse(&o, p, len) < 0 || dhcp_options_get_u8(&o, 53, &type) < 0)
		return -EBADMSG;
	if (!mac_is_unicast(h.chaddr))
		return 0;
	if (towards_guest) {
		if (h.op != DHCP_OP_BOOTREPLY || type != 5 /* DHCPACK */)
			return 0;
		addr.s_addr = h.yiaddr;   /* 0 for an ACK to a DHCPINFORM */
		if (!addr_learn_ip_is_usable(addr))
			return 0;
		if (dhcp_options_get_u32(&o, 51, &lease) < 0 || lease == 0xffffffffU)
			lease = 0;
		*ret = (struct addr_learn_event){ .verdict = ADDR_LEARN_ADD,
						  .source = ADDR_LEARN_SOURCE_DHCP, .ip = addr,
						  .lease_sec = lease };
	} else {
		/* RFC 2131 4.4.4/4.4.6: RELEASE carries the address in ciaddr, DECLINE in 50 */
		if (h.op != DHCP_OP_BOOTREQUEST || memcmp(h.chaddr, eth_src, 6) != 0)
			return 0;
		if (type == 1 || type == 3 || type == 8) {  /* DISCOVER, REQUEST, INFORM */
			if (dhcp_options_get_addr(&o, 50, &addr) < 0)
				addr.s_addr = h.ciaddr;
			if (!addr_learn_ip_is_usable(addr))
				addr.s_addr = 0;
			*ret = (struct addr_learn_event){ .verdict = ADDR_LEARN_CLIENT,
							  .source = ADDR_LEARN_SOURCE_DHCP,
							  .ip = addr };
			client_hostname(&o, ret->hostname);
			memcpy(ret->mac, h.chaddr, 6);
			return 1;
		}
		if (type == 7 /* DHCPRELEASE */)
			addr.s_addr = h.ciaddr;
		else if (type == 4 /* DHCPDECLINE */) {
			if (dhcp_options_get_addr(&o, 50, &addr) < 0)
				return -EBADMSG;
		} else
			return 0;
		if (!addr_learn_ip_is_usable(addr))
			return 0;
		*ret = (struct addr_learn_event){ .verdict = ADDR_LEARN_FORGET,
						  .source = ADDR_LEARN_SOURCE_DHCP, .ip = addr };
	}
	memcpy(ret->mac, h.chaddr, 6);
	return 1;
}

static int parse_ipv4(const uint8_t *eth_src, const uint8_t *p, size_t len, bool towards_guest,
		      struct addr_learn_event *ret)
{
	size_t ihl, total;
	uint16_t sport, dport, ulen;

	if (len < IPV4_MIN_HLEN || (p[0] >> 4) != 4)
		return 0;
	ihl = (size_t)(p[0] & 0xf) * 4;
	total = rd16(p + 2);
	if (ihl < IPV4_MIN_HLEN || total < ihl || total > len)
		return 0;
	/* a fragment (offset or MF set) is not a whole DHCP message: ignored */
	if (p[9] != IPPROTO_UDP_ || (rd16(p + 6) & 0x3fff) != 0)
		return 0;
	p += ihl;
	len = total - ihl;             /* Ethernet padding after the datagram is not read */
	if (len < UDP_HLEN)
		return 0;
	sport = rd16(p);
	dport = rd16(p + 2);
	ulen = rd16(p + 4);
	if (!((sport == DHCP_SERVER_PORT && dport == DHCP_CLIENT_PORT) ||
	      (sport == DHCP_CLIENT_PORT && dport == DHCP_SERVER_PORT)))
		return 0;
	if (ulen < UDP_HLEN || ulen > len)
		return -EBADMSG;
	return parse_dhcp(eth_src, p + UDP_HLEN, ulen - UDP_HLEN, towards_guest, ret);
}

int addr_learn_parse_frame(const uint8_t *frame, size_t len, bool towards_guest,
			   struct addr_learn_event *ret)
{
	const uint8_t *eth_src;
	uint16_t type;

	if (len < ETH_HLEN_)
		return 0;
	eth_src = frame + 6;
	type = rd16(frame + 12);
	/* 802.1Q and QinQ tags are not stripped: a tagged frame belongs to another network */
	if (type == ETHERTYPE_ARP)
		return parse_arp(eth_src, frame + ETH_HLEN_, len - ETH_HLEN_, towards_guest, ret);
	if (type == ETHERTYPE_IPV4)
		return parse_ipv4(eth_src, frame + ETH_HLEN_, len - ETH_HLEN_, towards_guest, ret);
	return 0;
}
