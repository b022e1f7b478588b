/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of dns-service.h. The hosts file for the NSS module is rewritten (atomically,
 * no fsync: it is runtime state derived from the leases) from a deferred callback, so a burst of
 * lease changes costs one write.
 */
#include "dns-service.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config/conf-dns-record.h"
#include "config/conf-host.h"
#include "daemon/manager-core.h"
#include "daemon/network-types.h"
#include "daemon/overlay/overlay-dns.h"
#include "daemon/port-service.h"
#include "dns/dns-cache.h"
#include "dns/dns-forward.h"
#include "dns/dns-io.h"
#include "dns/dns-server.h"
#include "dns/dns-zone.h"
#include "event/event.h"
#include "lease/lease-store.h"
#include "shared/alloc-util.h"
#include "shared/file-util.h"
#include "shared/log.h"
#include "shared/strbuf.h"

#define DNS_SERVICE_CACHE_ENTRIES 4096
#define DNS_SERVICE_CACHE_BYTES (1024 * 1024)
#define DNS_SERVICE_RESOLV_CHECK_USEC (2 * 1000000ULL)

struct dns_service {
	struct manager *manager;
	char *hosts_file;
	struct event_source *hosts_source;    /* defer: rewrite the hosts file */
	struct event_source *resolv_source;   /* timer: watch /etc/resolv.conf */
	struct timespec resolv_mtime;
	struct ip_addr host_upstreams[DNS_FORWARD_UPSTREAMS_MAX];
	size_t n_host_upstreams;
};

static void dns_service_schedule_hosts_file(struct dns_service *d)
{
	if (d->hosts_source)
		event_source_enable_defer(d->hosts_source);
}

struct hosts_ctx {
	struct strbuf *sb;
	const char *domain;
	int r;
};

static int dns_service_hosts_lease(const struct lease *l, void *data)
{
	struct hosts_ctx *c = data;
	char ip[INET6_ADDRSTRLEN];

	if (l->state != LEASE_BOUND || !l->hostname[0])
		return 0;
	return strbuf_appendf(c->sb, "%s %s %s.%s\n",
			      lease_is_ipv6(l) ? in6_addr_to_string(&l->ip6, ip)
					       : in_addr_to_string(l->ip, ip),
			      l->hostname, l->hostname, c->domain);
}

/* The network's IPv6 lines: the gateway6, named reservations with an ip6, named leases. */
static int dns_service_hosts6(const struct network *n, const char *domain, struct strbuf *sb)
{
	char ip[INET6_ADDRSTRLEN];
	int r;

	if (!n->config.has_subnet6)
		return 0;
	r = strbuf_appendf(sb, "%s gateway gateway.%s\n",
			   in6_addr_to_string(&n->config.gateway6, ip), domain);
	for (size_t k = 0; k < n->hosts.n && r >= 0; k++) {
		const struct network_host *h = &n->hosts.items[k];
		if (h->name[0] && h->has_ip6)
			r = strbuf_appendf(sb, "%s %s %s.%s\n", in6_addr_to_string(&h->ip6, ip),
					   h->name, h->name, domain);
	}
	if (r >= 0 && n->leases6) {
		struct hosts_ctx c = { .sb = sb, .domain = domain };
		r = lease_store_foreach(n->leases6, dns_service_hosts_lease, &c);
	}
	return r;
}

static int dns_service_write_hosts(struct event_source *s, void *data)
{
	struct dns_service *d = data;
	struct manager *m = d->manager;
	_cleanup_(strbuf_done) struct strbuf sb = STRBUF_INIT;
	int r = strbuf_append(&sb, "# Written by kvmnetd for libnss_kvmnet.so.2: IP NAME FQDN\n");

	for (size_t i = 0; i < m->n_networks && r >= 0; i++) {
		struct network *n = m->networks[i];
		char domain[256], ip[INET_ADDRSTRLEN];
		if (!n->active || !n->config.dns)
			continue;
		network_config_domain(&n->config, domain);
		r = strbuf_appendf(&sb, "%s gateway gateway.%s\n",
				   in_addr_to_string(n->config.gateway, ip), domain);
		for (size_t k = 0; k < n->hosts.n && r >= 0; k++) {
			const struct network_host *h = &n->hosts.items[k];
			if (h->name[0])
				r = strbuf_appendf(&sb, "%s %s %s.%s\n", in_addr_to_string(h->ip, ip),
						   h->name, h->name, domain);
		}
		if (r >= 0 && n->leases) {
			struct hosts_ctx c = { .sb = &sb, .domain = domain };
			r = lease_store_foreach(n->leases, dns_service_hosts_lease, &c);
		}
		if (r >= 0)
			r = dns_service_hosts6(n, domain, &sb);
	}
	/* bridge and macvtap networks: no lease of ours, the guests' names were learned */
	if (r >= 0)
		r = port_service_hosts_append(m->ports, &sb);
	if (r >= 0)
		r = write_file_atomic(d->hosts_file, sb.buf ? sb.buf : "", sb.len, 0644);
	if (r < 0)
		log_warning_errno(r, "Failed to write the hosts file '%s': %m, ignoring",
				  d->hosts_file);
	return 0;
}

void dns_service_hosts_changed(struct dns_service *d)
{
	if (d)
		dns_service_schedule_hosts_file(d);
}

/* Reads the host's resolvers; returns whether they changed. */
static bool dns_service_read_resolv_conf(struct dns_service *d)
{
	struct ip_addr servers[DNS_FORWARD_UPSTREAMS_MAX];
	_cleanup_free_ char *text = NULL;
	bool same;
	struct stat st;
	size_t n = 0;

	if (stat(DNS_SERVICE_RESOLV_CONF, &st) < 0)
		st.st_mtim = (struct timespec){ 0 };
	if (st.st_mtim.tv_sec == d->resolv_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == d->resolv_mtime.tv_nsec)
		return false;
	d->resolv_mtime = st.st_mtim;
	if (read_file(DNS_SERVICE_RESOLV_CONF, 64 * 1024, &text, NULL) >= 0)
		n = dns_forward_parse_resolv_conf(text, servers, DNS_FORWARD_UPSTREAMS_MAX);
	same = n == d->n_host_upstreams;
	for (size_t i = 0; same && i < n; i++)
		same = ip_addr_equal(&servers[i], &d->host_upstreams[i]);
	if (same)
		return false;
	memcpy(d->host_upstreams, servers, n * sizeof(*servers));
	d->n_host_upstreams = n;
	log_info("Upstream DNS servers from %s: %zu", DNS_SERVICE_RESOLV_CONF, n);
	return true;
}

static void dns_service_set_upstreams(struct dns_service *d, struct network *n)
{
	if (!n->dns_forward)
		return;
	if (n->config.n_dns_forwarders > 0)
		(void)dns_forward_set_upstreams(n->dns_forward, n->config.dns_forwarders,
						n->config.n_dns_forwarders);
	else
		(void)dns_forward_set_upstreams(n->dns_forward, d->host_upstreams,
						d->n_host_upstreams);
}

static int dns_service_on_resolv_timer(struct event_source *s, uint64_t now, void *data)
{
	struct dns_service *d = data;
	struct manager *m = d->manager;

	if (dns_service_read_resolv_conf(d))
		for (size_t i = 0; i < m->n_networks; i++)
			dns_service_set_upstreams(d, m->networks[i]);
	return event_source_set_time(s, now + DNS_SERVICE_RESOLV_CHECK_USEC);
}

int dns_service_new(struct manager *m, const char *hosts_file, struct dns_service **ret)
{
	struct dns_service *d = calloc(1, sizeof(*d));
	int r;

	if (!d)
		return -ENOMEM;
	d->manager = m;
	if (hosts_file) {
		d->hosts_file = strdup(hosts_file);
		if (!d->hosts_file) {
			free(d);
			return -ENOMEM;
		}
		r = event_add_defer(m->loop, dns_service_write_hosts, d, &d->hosts_source);
		if (r < 0)
			goto fail;
	}
	(void)dns_service_read_resolv_conf(d);
	r = event_add_timer(m->loop, now_usec() + DNS_SERVICE_RESOLV_CHECK_USEC,
			    dns_service_on_resolv_timer, d, &d->resolv_source);
	if (r < 0)
		goto fail;
	*ret = d;
	return 0;
fail:
	dns_service_free(d);
	return r;
}

struct dns_service *dns_service_free(struct dns_service *d)
{
	if (!d)
		return NULL;
	event_source_free(d->hosts_source);
	event_source_free(d->resolv_source);
	free(d->hosts_file);
	free(d);
	return NULL;
}

static int dns_service_zone_lease(const struct lease *l, void *data)
{
	struct dns_zone *z = data;

	if (l->state != LEASE_BOUND || !l->hostname[0])
		return 0;
	if (lease_is_ipv6(l))
		(void)dns_zone_set_host6(z, l->hostname, &l->ip6, DNS_ZONE_SOURCE_LEASE);
	else
		(void)dns_zone_set_host(z, l->hostname, l->ip, DNS_ZONE_SOURCE_LEASE);
	return 0;
}

static int dns_service_static_records(const struct network *n, const char *domain,
				      struct dns_zone *z)
{
	_cleanup_free_ struct dns_static_record *r = NULL;
	const struct network_dns_records *src = &n->dns_records;

	if (src->n > 0) {
		r = calloc(src->n, sizeof(*r));
		if (!r)
			return -ENOMEM;
	}
	for (size_t i = 0; i < src->n; i++) {
		const struct network_dns_record *s = &src->items[i];
		struct dns_static_record *t = &r[i];
		snprintf(t->name, sizeof(t->name), "%s", s->name);
		/* "." stays: an SRV's "no such service"; anything else becomes absolute. */
		if (strcmp(s->target, ".") == 0)
			memcpy(t->target, ".", 2);
		else if (s->target[0] &&
			 network_dns_name_absolute(s->target, domain, t->target) < 0)
			return -EINVAL;
		memcpy(t->txt, s->txt, sizeof(t->txt));
		t->a = s->a;
		t->priority = s->priority;
		t->weight = s->weight;
		t->port = s->port;
		switch (s->type) {
		case NETWORK_DNS_RECORD_A:
			t->type = DNS_RECORD_A;
			break;
		case NETWORK_DNS_RECORD_CNAME:
			t->type = DNS_RECORD_CNAME;
			break;
		case NETWORK_DNS_RECORD_TXT:
			t->type = DNS_RECORD_TXT;
			break;
		default:
			t->type = DNS_RECORD_SRV;
			break;
		}
	}
	return dns_zone_set_static(z, r, src->n);
}

/* A fresh zone for 'n': gateway, named reservations, named leases, static records. */
static int dns_service_build_zone(const struct network *n, struct dns_zone **ret)
{
	struct dns_zone *z = NULL;
	char domain[256];
	int r;

	network_config_domain(&n->config, domain);
	r = dns_zone_new(domain, &n->config.subnet, DNS_SERVICE_TTL_SEC, &z);
	if (r < 0)
		return r;
	r = dns_zone_set_host(z, "gateway", n->config.gateway, DNS_ZONE_SOURCE_GATEWAY);
	if (r >= 0 && n->config.has_subnet6)
		r = dns_zone_set_reverse6(z, &n->config.subnet6);
	if (r >= 0 && n->config.has_subnet6)
		r = dns_zone_set_host6(z, "gateway", &n->config.gateway6, DNS_ZONE_SOURCE_GATEWAY);
	for (size_t i = 0; i < n->hosts.n && r >= 0; i++) {
		const struct network_host *h = &n->hosts.items[i];
		if (!h->name[0])
			continue;
		r = dns_zone_set_host(z, h->name, h->ip, DNS_ZONE_SOURCE_RESERVATION);
		if (r >= 0 && h->has_ip6 && n->config.has_subnet6)
			r = dns_zone_set_host6(z, h->name, &h->ip6, DNS_ZONE_SOURCE_RESERVATION);
	}
	if (r >= 0 && n->leases)
		r = lease_store_foreach(n->leases, dns_service_zone_lease, z);
	if (r >= 0 && n->leases6 && n->config.has_subnet6)
		r = lease_store_foreach(n->leases6, dns_service_zone_lease, z);
	if (r >= 0)
		r = dns_service_static_records(n, domain, z);
	if (r < 0) {
		dns_zone_free(z);
		return r;
	}
	*ret = z;
	return 0;
}

#define RESOLVED_STUB "/run/systemd/resolve/stub-resolv.conf"
#define RESOLVECTL "/usr/bin/resolvectl"

extern char **environ;

/* Runs 'argv' and waits for it (resolvectl answers in milliseconds). */
static int dns_service_run(char *const argv[])
{
	pid_t pid;
	int status, r;

	r = posix_spawn(&pid, argv[0], NULL, NULL, argv, environ);
	if (r != 0)
		return -r;
	if (waitpid(pid, &status, 0) < 0)
		return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

/*
 * Where systemd-resolved runs, tells it that the network's domain (and its reverse zone, via
 * the routing-only domain) is answered by our server on the bridge, so the host resolves guests
 * through its usual resolver. The registration lives and dies with the bridge.
 */
static void dns_service_register_resolved(const struct network *n)
{
	char gw[INET_ADDRSTRLEN], domain[256], routing[258];
	int r;

	if (access(RESOLVED_STUB, F_OK) < 0 || access(RESOLVECTL, X_OK) < 0)
		return;
	in_addr_to_string(n->config.gateway, gw);
	network_config_domain(&n->config, domain);
	snprintf(routing, sizeof(routing), "~%s", domain);
	char *dns_argv[] = { RESOLVECTL, "dns", (char *)n->config.bridge, gw, NULL };
	char *domain_argv[] = { RESOLVECTL, "domain", (char *)n->config.bridge, routing, NULL };
	r = dns_service_run(dns_argv);
	if (r >= 0)
		r = dns_service_run(domain_argv);
	if (r < 0)
		log_warning_errno(r, "Failed to register domain '%s' of network '%s' with "
				  "systemd-resolved: %m, ignoring", domain, n->config.name);
}

static void dns_service_server_config(const struct network *n, struct dns_server_config *ret)
{
	*ret = (struct dns_server_config){
		.subnet = n->config.subnet,
		.server_ip = n->config.gateway,
		.forward = true,
		.has_subnet6 = n->config.has_subnet6,
		.subnet6 = n->config.subnet6,
		.server_ip6 = n->config.gateway6,
		.ask_peers = overlay_dns_wanted(&n->config),
	};
}

/*
 * The overlay peers' DNS (overlay/overlay-dns.h) as the definition wants it: made, kept, or
 * dropped (the io asks nobody then). A local address that changed makes it anew.
 */
static int dns_service_sync_peers(struct network *n, char *err, size_t errlen)
{
	bool want = overlay_dns_wanted(&n->config);
	int r;

	if (want && n->overlay_dns && n->dns_peers_local.s_addr == n->config.overlay.local.s_addr)
		return 0;
	dns_io_set_peers(n->dns_io, NULL, NULL, NULL);
	n->overlay_dns = overlay_dns_free(n->overlay_dns);
	if (!want)
		return 0;
	r = overlay_dns_new(n->manager, n, &n->overlay_dns, err, errlen);
	if (r < 0)
		return r;
	n->dns_peers_local = n->config.overlay.local;
	dns_io_set_peers(n->dns_io, overlay_dns_ask, overlay_dns_cancel, n->overlay_dns);
	return 0;
}

/*
 * The io on the gateway6: opened with a subnet6, moved with it, closed without. The router
 * advertisements name the gateway6 as DNS server (RDNSS) only while it is open.
 */
static int dns_service_sync_io6(struct network *n, char *err, size_t errlen)
{
	int r;

	if (n->config.has_subnet6 && dns_io_is_bound6(n->dns_io6, &n->config.gateway6))
		return 0;
	n->dns_io6 = dns_io_free(n->dns_io6);
	n->dns6_listening = false;
	if (!n->config.has_subnet6)
		return 0;
	r = dns_io_new6(n->manager->loop, &n->config.gateway6, n->dns_server, n->dns_forward,
			&n->dns_io6, err, errlen);
	if (r < 0)
		return r;
	n->dns6_listening = true;
	return 0;
}

int dns_service_network_start(struct network *n, char *err, size_t errlen)
{
	struct dns_service *d = n->manager->dns;
	struct dns_server_config cfg;
	int r;

	if (!n->config.dns) {
		dns_service_network_stop(n);
		return 0;
	}
	if (n->dns_io && n->dns_ifindex == n->ifindex) {
		r = dns_service_network_reconfigure(n);
		if (r < 0) {
			snprintf(err, errlen, "failed to set up DNS: %s", strerror(-r));
			return r;
		}
		return dns_service_sync_io6(n, err, errlen);
	}
	dns_service_network_stop(n);

	dns_service_server_config(n, &cfg);
	r = dns_service_build_zone(n, &n->dns_zone);
	if (r >= 0)
		r = dns_server_new(&cfg, n->dns_zone, &n->dns_server);
	if (r >= 0)
		r = dns_cache_new(DNS_SERVICE_CACHE_ENTRIES, DNS_SERVICE_CACHE_BYTES, &n->dns_cache);
	if (r >= 0)
		r = dns_forward_new(n->manager->loop, n->dns_cache, &n->dns_forward);
	if (r < 0) {
		snprintf(err, errlen, "failed to set up DNS: %s", strerror(-r));
		goto fail;
	}
	dns_service_set_upstreams(d, n);
	r = dns_io_new(n->manager->loop, n->config.gateway, n->dns_server, n->dns_forward,
		       &n->dns_io, err, errlen);
	if (r >= 0)
		r = dns_service_sync_peers(n, err, errlen);
	if (r >= 0)
		r = dns_service_sync_io6(n, err, errlen);
	if (r < 0)
		goto fail;
	n->dns_ifindex = n->ifindex;
	dns_service_register_resolved(n);
	dns_service_schedule_hosts_file(d);
	return 0;
fail:
	dns_service_network_stop(n);
	return r;
}

void dns_service_network_stop(struct network *n)
{
	bool was = n->dns_io != NULL;

	n->dns_io6 = dns_io_free(n->dns_io6);
	n->dns6_listening = false;
	n->dns_io = dns_io_free(n->dns_io);
	/* after the io, which cancels its pending questions through it */
	n->overlay_dns = overlay_dns_free(n->overlay_dns);
	n->dns_forward = dns_forward_free(n->dns_forward);
	n->dns_cache = dns_cache_free(n->dns_cache);
	n->dns_server = dns_server_free(n->dns_server);
	n->dns_zone = dns_zone_free(n->dns_zone);
	n->dns_ifindex = 0;
	if (was && n->manager->dns)
		dns_service_schedule_hosts_file(n->manager->dns);
}

int dns_service_network_reconfigure(struct network *n)
{
	struct dns_server_config cfg;
	struct dns_zone *z;
	int r;

	if (!n->dns_server)
		return 0;
	r = dns_service_build_zone(n, &z);
	if (r < 0)
		return r;
	/* The io borrows the engine and the engine the zone: build both anew, then swap them in
	 * under the running sockets, so no query is dropped. */
	dns_service_server_config(n, &cfg);
	struct dns_server *s;
	r = dns_server_new(&cfg, z, &s);
	if (r < 0) {
		dns_zone_free(z);
		return r;
	}
	dns_io_set_server(n->dns_io, s);
	if (n->dns_io6)
		dns_io_set_server(n->dns_io6, s);
	dns_server_free(n->dns_server);
	dns_zone_free(n->dns_zone);
	n->dns_server = s;
	n->dns_zone = z;
	dns_service_set_upstreams(n->manager->dns, n);
	dns_service_schedule_hosts_file(n->manager->dns);
	{
		char err[256];

		r = dns_service_sync_peers(n, err, sizeof(err));
		if (r < 0)
			log_warning("Network '%s' does not ask its overlay peers for names: %s",
				    n->config.name, err);
	}
	return 0;
}

/*
 * The lease at the address of 'l' replaced one of another name (renamed, declined, another
 * client): the name the zone still gives that address for a lease goes first. One lookup.
 */
static void dns_service_drop_stale_name(struct dns_zone *z, const struct lease *l)
{
	bool v6 = lease_is_ipv6(l);
	const char *fqdn = v6 ? dns_zone_lookup_ptr6(z, &l->ip6) : dns_zone_lookup_ptr(z, l->ip);
	char label[DNS_ZONE_NAME_MAX + 1];
	size_t len;

	if (!fqdn)
		return;
	len = strcspn(fqdn, ".");
	if (len >= sizeof(label))
		return;
	memcpy(label, fqdn, len);   /* borrowed from the zone, which the removal changes */
	label[len] = '\0';
	if (l->state == LEASE_BOUND && strcasecmp(label, l->hostname) == 0)
		return;
	if (v6)
		dns_zone_remove_host6(z, label, &l->ip6, DNS_ZONE_SOURCE_LEASE);
	else
		dns_zone_remove_host(z, label, l->ip, DNS_ZONE_SOURCE_LEASE);
}

void dns_service_lease_changed(struct network *n, const struct lease *l, bool removed)
{
	struct dns_zone *z = n->dns_zone;
	bool bound = !removed && l->state == LEASE_BOUND;

	if (!z)
		return;
	dns_service_drop_stale_name(z, l);
	if (!l->hostname[0])
		;
	else if (lease_is_ipv6(l) && bound)
		(void)dns_zone_set_host6(z, l->hostname, &l->ip6, DNS_ZONE_SOURCE_LEASE);
	else if (lease_is_ipv6(l))
		dns_zone_remove_host6(z, l->hostname, &l->ip6, DNS_ZONE_SOURCE_LEASE);
	else if (bound)
		(void)dns_zone_set_host(z, l->hostname, l->ip, DNS_ZONE_SOURCE_LEASE);
	else
		dns_zone_remove_host(z, l->hostname, l->ip, DNS_ZONE_SOURCE_LEASE);
	dns_service_schedule_hosts_file(n->manager->dns);
}

json_t *dns_service_network_stats_to_json(const struct network *n)
{
	struct dns_server_stats st;

	if (!n->dns_server)
		return NULL;
	dns_server_get_stats(n->dns_server, &st);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "queries",
			 (json_int_t)st.queries, "answered", (json_int_t)st.answered, "forwarded",
			 (json_int_t)st.forwarded, "refused", (json_int_t)st.refused, "nxdomain",
			 (json_int_t)st.nxdomain, "formerr", (json_int_t)st.formerr, "dropped",
			 (json_int_t)st.dropped, "truncated", (json_int_t)st.truncated,
			 "cached", (json_int_t)(n->dns_cache ? dns_cache_count(n->dns_cache) : 0));
}
