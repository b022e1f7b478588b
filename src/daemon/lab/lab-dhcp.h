/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A minimal DHCPv4 client for the DHCP nics of netns lab nodes, run by the daemon's event loop
 * with the codec of src/dhcp/: DISCOVER, OFFER, REQUEST, ACK (RFC 2131 §3.1), with the
 * broadcast flag (the nic has no address yet), retransmissions every second, renewal at T1 by a
 * REQUEST with 'ciaddr', and a REQUEST for the address held before (INIT-REBOOT) when a
 * restarted daemon takes the node back. Its sockets are made inside the node's namespace: a UDP
 * one bound to the nic receives, a packet socket sends (from 0.0.0.0 even when the node's other
 * nics have addresses, which the kernel would otherwise pick as the source). Applying the lease (address, route) is the caller's, in the callback.
 */
#ifndef KN_DAEMON_LAB_LAB_DHCP_H
#define KN_DAEMON_LAB_LAB_DHCP_H

#include <netinet/in.h>
#include <stdint.h>

struct event_loop;
struct lab_dhcp_client;

struct lab_dhcp_lease {
	struct in_addr addr, router;    /* router 0.0.0.0 when the server gave none */
	uint8_t prefixlen;
	uint32_t lease_sec;
};

/* A lease was bound (first, or renewed with another address: 'old' then is the previous one). */
typedef void (*lab_dhcp_fn)(struct lab_dhcp_client *c, const struct lab_dhcp_lease *lease,
			    const struct lab_dhcp_lease *old, void *data);

/*
 * Starts a client on nic 'ifname' (index 'ifindex' there) of namespace 'ns_fd' with MAC 'mac';
 * 'prev' (0.0.0.0 = none)
 * is an address held before, asked for first. 'hostname' (may be NULL) goes in option 12.
 */
int lab_dhcp_client_new(struct event_loop *e, int ns_fd, const char *ifname, int ifindex,
			const uint8_t mac[6],
			struct in_addr prev, const char *hostname, lab_dhcp_fn cb, void *data,
			struct lab_dhcp_client **ret);
/* Stops the client (no DHCPRELEASE: the lease lapses, or is taken again). Accepts NULL. */
struct lab_dhcp_client *lab_dhcp_client_free(struct lab_dhcp_client *c);

#endif
