/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pure half of guest address learning (addr-learn.h): reads one Ethernet frame seen on a
 * guest's port and tells what it says about the guest's IPv4 address. No sockets, no state, no
 * allocation; every frame comes from an untrusted guest or from the LAN, so every length is
 * checked before it is read. Used by addr-learn.c and by tests/fuzz/fuzz-addr-learn.c.
 */
#ifndef KN_DAEMON_LAN_ADDR_LEARN_PARSE_H
#define KN_DAEMON_LAN_ADDR_LEARN_PARSE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum addr_learn_source {
	ADDR_LEARN_SOURCE_ARP,        /* ARP request or reply sent by the guest */
	ADDR_LEARN_SOURCE_DHCP,       /* DHCPACK sent towards the guest */
	_ADDR_LEARN_SOURCE_MAX,
};

enum addr_learn_verdict {
	ADDR_LEARN_NONE,              /* nothing to learn from this frame */
	ADDR_LEARN_ADD,               /* 'mac' uses 'ip' */
	ADDR_LEARN_FORGET,            /* 'mac' gave 'ip' up (DHCPRELEASE, DHCPDECLINE) */
	ADDR_LEARN_CLIENT,            /* 'mac' asks for an address (DISCOVER, REQUEST, INFORM);
				       * 'ip' is what it asks for or holds, 0.0.0.0 if nothing */
};

/* A host name as one DNS label, as dhcp-option.h's DHCP_HOSTNAME_MAX */
#define ADDR_LEARN_HOSTNAME_MAX 63

struct addr_learn_event {
	enum addr_learn_verdict verdict;
	enum addr_learn_source source;
	uint8_t mac[6];               /* the guest's */
	struct in_addr ip;            /* network byte order, as struct in_addr always is */
	uint32_t lease_sec;           /* DHCPACK: option 51, 0 when absent or infinite */
	/* ADDR_LEARN_CLIENT: the name the client sent (option 81, else 12), sanitised to one
	 * lowercase label; "" when it sent none or one that is no valid label */
	char hostname[ADDR_LEARN_HOSTNAME_MAX + 1];
};

/* "arp", "dhcp" */
const char *addr_learn_source_to_string(enum addr_learn_source s);

/*
 * Whether 'ip' may be a guest's own address: not 0.0.0.0, not loopback, multicast, broadcast,
 * class E, nor link-local 169.254/16 (a guest without DHCP answer, not worth binding).
 */
bool addr_learn_ip_is_usable(struct in_addr ip);

/*
 * Reads frame 'frame' of 'len' bytes (from the Ethernet header on) seen on a guest's port,
 * 'towards_guest' when the port transmitted it (the kernel's PACKET_OUTGOING), else sent by the
 * guest. Learns from:
 *   - ARP (request or reply, Ethernet/IPv4) sent by the guest whose sender MAC is the frame's
 *     source and whose sender address is usable (probes from 0.0.0.0 teach nothing);
 *   - DHCPACK (BOOTREPLY, option 53 = 5) towards the guest: 'yiaddr' for 'chaddr';
 *   - DHCPRELEASE / DHCPDECLINE sent by the guest (chaddr = frame source): forget;
 *   - DHCPDISCOVER / REQUEST / INFORM sent by the guest (chaddr = frame source): a client,
 *     with the host name it sent (option 81 when it sends both, RFC 4702 3.1; else 12). An
 *     ACK towards the guest is broadcast on every port of the bridge when the client asks so:
 *     the caller accepts an ACK only for a 'chaddr' that was a client on this port.
 * Fragments, VLAN-tagged frames, IP options are read correctly or ignored. Writes '*ret' and
 * returns 1 when there is something to learn or forget, 0 for a frame that teaches nothing (not
 * ARP nor DHCP, or another direction), -EBADMSG for one that claims to be ARP/DHCP but is
 * malformed. Never reads past 'len'.
 */
int addr_learn_parse_frame(const uint8_t *frame, size_t len, bool towards_guest,
			   struct addr_learn_event *ret);

#endif
