/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What differs between network modes, as one table of operations (in the manner of iproute2's
 * link_util): network.c runs the same steps for every mode and asks the mode's entry what each
 * step does, instead of testing the mode. A new mode is a new entry here.
 */
#ifndef KN_DAEMON_NETWORK_MODE_H
#define KN_DAEMON_NETWORK_MODE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/conf-network.h"

struct manager;
struct network;
struct nl_link_info;

struct network_mode_ops {
	enum network_mode mode;
	/*
	 * Makes the network's bridge exist and fills 'link' with it: creates it ('*created' set) or
	 * takes an existing one over (allowed when 'adopt'). On failure writes a one-line reason to
	 * 'err' and leaves nothing made.
	 */
	int (*bridge_setup)(struct manager *m, struct network *n, bool adopt,
			    struct nl_link_info *link, bool *created, char *err, size_t errlen);
	/* Undoes bridge_setup() after a later step of network_up() failed. */
	void (*bridge_undo)(struct manager *m, struct network *n, const struct nl_link_info *link,
			    bool created);
	/* Removes what bridge_setup() made (network_down()); -errno and 'err' on failure. */
	int (*bridge_teardown)(struct manager *m, struct network *n, char *err, size_t errlen);
	bool sets_mtu;          /* the network's "mtu" goes on the bridge */
	bool gateway_address;   /* the bridge carries the gateway address of the subnet */
	bool firewall;          /* the network has its own nftables chains (fw-render.h) */
	bool forwards;          /* IPv4 forwarding is turned on */
	bool port_forwards;     /* takes port forwards ('forward add', [forward] sections) */
	bool dhcp_dns;          /* the network's DHCP and DNS servers may run (per "dhcp"/"dns") */
	const char *port_kind;  /* what 'port add' makes: "tap" or "macvtap" */
	bool foreign_bridge;    /* the bridge is the host's: only taps on it are adopted (VM NICs);
				 * its other ports (the LAN NIC, containers' veths) are left alone */
	bool learns_addresses;  /* guests' IPv4 addresses come from their ARP/DHCP (daemon/lan/) */
	bool overlay;           /* the bridge may be stretched across hosts (daemon/overlay/) */
};

/* The operations of mode 'mode' (a valid mode of a validated definition). */
const struct network_mode_ops *network_mode_ops(enum network_mode mode);

#endif
