/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names across the hosts of an overlay network whose hosts each lease their own slice
 * (dhcp = local): this host's DNS server, for a name of the network's domain (or an address of
 * its reverse zone) its zone lacks, asks the network's static peers over the underlay
 * (dns/dns-peers.h: UDP DNS_PEERS_PORT on their 'local' addresses), on the event loop, and
 * answers the guest with the first peer's positive answer (not authoritative), or its own
 * NXDOMAIN when every peer said no or DNS_PEERS_TIMEOUT_USEC passed (then the name is not asked
 * again for DNS_PEERS_NEGATIVE_USEC). The other side: one listener per underlay address of this
 * host, shared by its networks, answering peer queries from the zone of the network whose VNI
 * the query carries, only for that network's peers, never asking on. dns-service.c starts and
 * stops it with the network's DNS.
 */
#ifndef KN_DAEMON_OVERLAY_OVERLAY_DNS_H
#define KN_DAEMON_OVERLAY_OVERLAY_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dns_query_info;
struct manager;
struct network;
struct network_config;
struct overlay_dns;
struct overlay_dns_listener;

/* Pending peer questions per network; a guest's question over this gets the NXDOMAIN. */
#define OVERLAY_DNS_PENDING_MAX 64

/*
 * Whether 'c' asks its peers: overlay = vxlan with static peers and a 'local' address, DNS on,
 * dhcp = local (each host names only its own guests). EVPN learns its peers through BGP: not
 * asked (docs/OVERLAY.md).
 */
bool overlay_dns_wanted(const struct network_config *c);

/*
 * Starts asking and answering for running network 'n' (overlay_dns_wanted()): a UDP socket on
 * its 'local' address for its questions, and the listener of that address (made, or shared
 * with the other networks on it). Returns 0 or -errno, a reason in 'err' (a port in use).
 */
int overlay_dns_new(struct manager *m, struct network *n, struct overlay_dns **ret, char *err,
		    size_t errlen);

/* Drops pending questions (no reply: free the network's dns_io first), the socket, the
 * listener when it was the last user. Accepts NULL; returns NULL. */
struct overlay_dns *overlay_dns_free(struct overlay_dns *od);

/* dns_io_peers_fn (dns-io.h) for 'data' an overlay_dns: never blocks. */
int overlay_dns_ask(void *data, const struct dns_query_info *info, const uint8_t *local,
		    size_t local_len, void (*reply)(const uint8_t *answer, size_t len, void *cookie),
		    void *cookie);

/* dns_io_peers_cancel_fn (dns-io.h). */
void overlay_dns_cancel(void *data, void *cookie);

#endif
