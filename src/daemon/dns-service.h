/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's DNS service: for every active network with dns on, a zone (gateway,
 * reservations and leases with host names, static records), the engine, a forwarder with its
 * cache, and the sockets on the gateway address. Keeps the zone in step with leases and
 * reservations, the upstreams in step with /etc/resolv.conf, and writes the hosts file that the
 * NSS module (libnss_kvmnet.so.2) reads so that the host resolves guests too.
 */
#ifndef KN_DAEMON_DNS_SERVICE_H
#define KN_DAEMON_DNS_SERVICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct dns_service;
struct lease;
struct manager;
struct network;

#define DNS_SERVICE_RESOLV_CONF "/etc/resolv.conf"
#define DNS_SERVICE_TTL_SEC 60

/* 'hosts_file' is where the NSS module's data goes (NULL: none is written). */
int dns_service_new(struct manager *m, const char *hosts_file, struct dns_service **ret);
struct dns_service *dns_service_free(struct dns_service *d);

/* Starts (or restarts on a changed bridge) DNS for 'n'; stops it when dns is off. */
int dns_service_network_start(struct network *n, char *err, size_t errlen);
void dns_service_network_stop(struct network *n);
/* Rebuilds the zone of 'n' after its definition or reservations changed. */
int dns_service_network_reconfigure(struct network *n);
/* A lease of 'n' changed: its name enters or leaves the zone. */
void dns_service_lease_changed(struct network *n, const struct lease *l, bool removed);
/*
 * The names of learned guests changed (port-service: a pair learned or forgotten, a port with
 * learned pairs gone): the hosts file is rewritten once the current event is done. 'd' may be
 * NULL.
 */
void dns_service_hosts_changed(struct dns_service *d);
/* DNS counters of 'n', or NULL when not serving. */
json_t *dns_service_network_stats_to_json(const struct network *n);

#endif
