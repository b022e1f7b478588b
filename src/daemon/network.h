/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One network: its definition and the reconciliation of the kernel with it. network_up() makes
 * the bridge, its address and the network's nftables rules match the definition, leaving alone
 * whatever is already right (so a restarted daemon adopts running networks without touching
 * guest traffic) and undoing its own changes if a later step fails. network_down() removes them.
 */
#ifndef KN_DAEMON_NETWORK_H
#define KN_DAEMON_NETWORK_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/conf-dns-record.h"
#include "config/conf-forward.h"
#include "config/conf-host.h"
#include "config/conf-network.h"
#include "config/conf-port.h"
#include "daemon/overlay/overlay.h"

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

/*
 * Allocates a network holding a copy of 'c' (validated) and taking the contents of 'hosts' and
 * 'records' (each may be NULL; emptied on success), inactive.
 */
int network_new(struct manager *m, const struct network_config *c, struct network_hosts *hosts,
		struct network_dns_records *records, struct network **ret);
struct network *network_free(struct network *n);

/*
 * Brings the kernel in line with 'n->config'. 'old' is the configuration whose rules are
 * installed under this network's name (a replaced definition), restored if a step fails; or NULL. 'adopt' allows an
 * existing bridge of the network's name to be taken over (restart, start); when false an
 * existing interface of that name is refused (create). On failure every change made here is
 * undone and a one-line reason is written to 'err'. Does not touch the state directory.
 */
int network_up(struct manager *m, struct network *n, const struct network_config *old, bool adopt,
	       char *err, size_t errlen);

/* Removes the network's rules and bridge (whatever of them exists). */
int network_down(struct manager *m, struct network *n, char *err, size_t errlen);

/* True if changing from 'a' to 'b' changes anything in the kernel. */
bool network_config_kernel_differs(const struct network_config *a, const struct network_config *b);

/* The network as a JSON object (name, mode, state, bridge, subnet, gateway, ...). */
json_t *network_to_json(const struct network *n);

#endif
