/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's DHCPv6 service (docs/IPV6.md): per network with a subnet6 whose ra-mode includes
 * dhcpv6, an engine (dhcp6/dhcp6-server.h) and a socket on the bridge in the event loop, and
 * for every defined network an IPv6 lease store. Leases go to the same journal as IPv4 ones
 * (dhcp-service.c): a batch of messages is handled, its lease changes made durable with one
 * fdatasync, and only then do the replies leave. dhcp-service.c calls these next to its own.
 */
#ifndef KN_DAEMON_IPV6_DHCP6_SERVICE_H
#define KN_DAEMON_IPV6_DHCP6_SERVICE_H

#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

struct lease;
struct network;

/* Messages handled per readable event before the batch is committed and answered. */
#define DHCP6_SERVICE_BATCH 64

/* Gives a defined network its IPv6 lease store (idempotent). */
int dhcp6_service_network_attach(struct network *n);
/* Stops and frees the store (the definition is gone or being freed). */
void dhcp6_service_network_detach(struct network *n);

/*
 * Serves DHCPv6 on the network's bridge when it has a subnet6 and its ra-mode is dhcpv6 or
 * slaac+dhcpv6 (the RA's M and O flags send guests here), stops it otherwise; a running
 * service takes a changed definition, or reopens when the bridge changed. One-line reason in
 * 'err' on failure.
 */
int dhcp6_service_network_start(struct network *n, char *err, size_t errlen);
void dhcp6_service_network_stop(struct network *n);
/* Applies changed reservations or definition to a running engine. */
int dhcp6_service_network_reconfigure(struct network *n);

/*
 * The IPv6 lease of address 'a' on network 'n' (any state), or NULL: borrowed, valid until the
 * store changes. For the IPv6 firewall and DNS, which learn each guest's DHCPv6 address.
 */
const struct lease *dhcp6_service_lease_find(const struct network *n, const struct in6_addr *a);

/* The IPv6 leases of 'n' (all if 'all', else bound ones) appended to 'a' as lease list shows them. */
int dhcp6_service_network_leases_to_json(const struct network *n, bool all, json_t *a);

#endif
