/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The data of one network (struct network): its definition and what runs for it while it is up
 * (bridge, rules, the DHCP, DNS and IPv6 engines and sockets). Types only, no functions, so the
 * services (dhcp-service, dns-service, port-service, overlay/, ipv6/...) read and fill their
 * part of a network without depending on network.h, whose reconciliation calls them.
 */
#ifndef KN_DAEMON_NETWORK_TYPES_H
#define KN_DAEMON_NETWORK_TYPES_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/conf-dns-record.h"
#include "config/conf-forward.h"
#include "config/conf-host.h"
#include "config/conf-network.h"
#include "config/conf-port.h"

/* The overlay's part of a running network (struct network). */
struct overlay_state {
	int ifindex;     /* the VXLAN device, while up; 0 otherwise */
	uint32_t mtu;    /* the MTU it and the bridge were given; 0 = no overlay */
	bool evpn_in_use; /* overlay = evpn: FRR's configuration is written for it (evpn-frr.h) */
	bool evpn_new;   /* ... by the last overlay_network_up(), for overlay_network_undo() */
};

struct dhcp_io;
struct dhcp_server;
struct dhcp6_io;
struct dhcp6_server;
struct dns_cache;
struct dns_forward;
struct dns_io;
struct dns_server;
struct dns_zone;
struct event_source;
struct lease_store;
struct ra_sender;
struct overlay_dns;
struct manager;

struct network {
	struct manager *manager;        /* borrowed back pointer */
	struct network_config config;
	struct network_hosts hosts;     /* DHCP reservations, owned */
	struct network_dns_records dns_records; /* static DNS records, owned */
	struct network_ports ports;     /* persistent taps ('port add'), owned */
	struct network_forwards forwards; /* port forwards ('forward add'), owned */
	bool active;        /* desired state: up */
	int ifindex;        /* the bridge's, while up; 0 otherwise */
	uint64_t fw_hash;   /* hash of the rules known to be installed; 0 = none or unknown */
	bool fw_unknown;    /* elements of this network may exist with unknown contents */
	char *fw_purge;     /* script removing what start-up found installed for it, when that
			     * differed from its definition (fw_list_installed()); owned, or NULL */
	bool dirty;         /* scheduled for repair */
	char start_refused[256]; /* why start-up left it stopped: another definition in the state
				  * directory conflicts with it ("" = none; net show tells it) */
	struct overlay_state overlay; /* the VXLAN device, while up (daemon/overlay/) */

	/* DHCP (dhcp-service.c): the store lives as long as the definition, the rest while up. */
	struct lease_store *leases;
	struct dhcp_server *dhcp;
	struct dhcp_io *dhcp_io;
	struct event_source *dhcp_source;

	/* DNS (dns-service.c), while up. */
	struct dns_zone *dns_zone;
	struct dns_server *dns_server;
	struct dns_cache *dns_cache;
	struct dns_forward *dns_forward;
	struct dns_io *dns_io;
	struct dns_io *dns_io6;         /* on the gateway6, with a subnet6 */
	int dns_ifindex;                /* the bridge the sockets were opened for */
	struct overlay_dns *overlay_dns; /* asks and answers the overlay's peers (dhcp = local) */
	struct in_addr dns_peers_local; /* the underlay address it was made for */

	/* IPv6 (ipv6/): router advertisements while up; whether DNS answers on the gateway6. */
	struct ra_sender *ra;
	bool dns6_listening;
	/* DHCPv6 (ipv6/dhcp6-service.c): the store lives as long as the definition, the rest while up. */
	struct lease_store *leases6;
	struct dhcp6_server *dhcp6;
	struct dhcp6_io *dhcp6_io;
	struct event_source *dhcp6_source;
};

#endif
