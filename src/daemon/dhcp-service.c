/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of dhcp-service.h. The order that makes leases durable: a readable socket is
 * drained (up to DHCP_SERVICE_BATCH messages), each message goes through the engine, whose lease
 * changes reach the journal through the store's change callback; then one commit (write +
 * fdatasync) makes all of them durable; only then do the batch's replies leave. If the commit
 * fails, the replies are dropped: the clients retry, and no ACK ever promises an unrecorded lease.
 */
#include "dhcp-service.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/conf-host.h"
#include "daemon/dns-service.h"
#include "daemon/ipv6/dhcp6-service.h"
#include "daemon/manager-core.h"
#include "daemon/network-types.h"
#include "daemon/port-service.h"
#include "dhcp/dhcp-io.h"
#include "dhcp/dhcp-server.h"
#include "event/event.h"
#include "lease/lease-journal.h"
#include "lease/lease-store.h"
#include "shared/alloc-util.h"
#include "shared/log.h"

#define DHCP_SERVICE_DECLINE_SEC 600
#define DHCP_PACKET_MAX 1500

struct dhcp_service {
	struct manager *manager;
	struct lease_journal *journal;
	bool append_failed;            /* a lease change of this batch is not in the journal */
	struct event_source *expire_source;
	struct event_source *compact_source;
	uint64_t expire_at;            /* wall clock second the expiry timer is armed for; 0 = none */
	struct dhcp_reply *replies;    /* the batch being handled */
	struct network **reply_networks;
	size_t n_replies;
};

static uint64_t wall_now(void)
{
	return (uint64_t)time(NULL);
}

static void dhcp_service_arm_expiry(struct dhcp_service *d, uint64_t at)
{
	uint64_t now = wall_now();

	if (at == 0 || (d->expire_at && d->expire_at <= at))
		return;
	d->expire_at = at;
	/* Wall seconds to monotonic microseconds: a lease's clock only needs second precision. */
	event_source_set_time(d->expire_source,
			      now_usec() + (at > now ? at - now : 0) * 1000000ULL + 1000);
}

void dhcp_service_journal_change(struct dhcp_service *d, const char *network,
				 const struct lease *l, bool removed)
{
	int r;

	if (!d->journal)
		return;   /* replaying: nothing to record */
	r = lease_journal_append(d->journal, network, l, removed);
	if (r < 0) {
		log_error_errno(r, "Failed to journal lease %s of network '%s': %m",
				lease_state_to_string(l->state), network);
		d->append_failed = true;
	}
	if (!removed && l->state == LEASE_BOUND)
		dhcp_service_arm_expiry(d, l->expires);
}

static void dhcp_service_on_lease_change(const struct lease *l, bool removed, void *data)
{
	struct network *n = data;
	struct dhcp_service *d = n->manager->dhcp;

	if (!d->journal)
		return;   /* replaying: nothing to record */
	dhcp_service_journal_change(d, n->config.name, l, removed);
	dns_service_lease_changed(n, l, removed);
	port_service_lease_changed(n, l, removed);
}

static int dhcp_service_snapshot(struct lease_journal *j, lease_journal_emit_fn emit, void *data);

static int dhcp_service_on_compacted(struct event_source *s, int fd, uint32_t revents, void *data)
{
	struct dhcp_service *d = data;
	int r;

	r = lease_journal_compact_end(d->journal);
	if (r == -EAGAIN)
		return 0;   /* not finished after all: keep watching */
	d->compact_source = event_source_free(d->compact_source);
	if (r < 0)
		log_warning_errno(r, "Lease journal compaction failed: %m, keeping the old journal");
	else
		log_debug("Lease journal compacted");
	return 0;
}

/* Commits the journal; on success starts a compaction when the file has grown enough. */
static int dhcp_service_commit(struct dhcp_service *d)
{
	int r = lease_journal_commit(d->journal);

	if (r < 0)
		return log_error_errno(r, "Failed to write the lease journal: %m");
	if (!d->compact_source && lease_journal_wants_compaction(d->journal)) {
		int fd = lease_journal_compact_begin(d->journal, dhcp_service_snapshot, d);
		if (fd < 0)
			log_warning_errno(fd, "Failed to start lease journal compaction: %m");
		else if (event_add_io(d->manager->loop, fd, EPOLLIN, dhcp_service_on_compacted, d,
				      &d->compact_source) < 0)
			log_warning("Failed to watch lease journal compaction");
	}
	return 0;
}

/* Expires the leases of every network, both families; returns the next expiry (0: none). */
static uint64_t dhcp_service_expire_all(struct manager *m, uint64_t now)
{
	uint64_t next = 0;

	for (size_t i = 0; i < m->n_networks; i++) {
		struct lease_store *stores[2] = { m->networks[i]->leases, m->networks[i]->leases6 };
		for (size_t k = 0; k < 2; k++) {
			uint64_t t = stores[k] ? lease_store_expire(stores[k], now) : 0;
			if (t && (!next || t < next))
				next = t;
		}
	}
	return next;
}

static int dhcp_service_on_expire(struct event_source *s, uint64_t usec, void *data)
{
	struct dhcp_service *d = data;
	struct manager *m = d->manager;
	uint64_t now = wall_now(), next = 0;

	d->expire_at = 0;
	next = dhcp_service_expire_all(m, now);
	(void)dhcp_service_commit(d);
	dhcp_service_arm_expiry(d, next);
	return 0;
}

int dhcp_service_new(struct manager *m, struct dhcp_service **ret)
{
	struct dhcp_service *d = calloc(1, sizeof(*d));
	int r;

	if (!d)
		return -ENOMEM;
	d->manager = m;
	d->replies = calloc(DHCP_SERVICE_BATCH, sizeof(*d->replies));
	d->reply_networks = calloc(DHCP_SERVICE_BATCH, sizeof(*d->reply_networks));
	if (!d->replies || !d->reply_networks) {
		dhcp_service_free(d);
		return -ENOMEM;
	}
	r = event_add_timer(m->loop, 0, dhcp_service_on_expire, d, &d->expire_source);
	if (r < 0) {
		dhcp_service_free(d);
		return r;
	}
	*ret = d;
	return 0;
}

struct dhcp_service *dhcp_service_free(struct dhcp_service *d)
{
	if (!d)
		return NULL;
	event_source_free(d->expire_source);
	event_source_free(d->compact_source);
	lease_journal_free(d->journal);
	free(d->replies);
	free(d->reply_networks);
	free(d);
	return NULL;
}

static int dhcp_service_replay_cb(const char *network, const struct lease *l, bool removed,
				  void *data)
{
	struct dhcp_service *d = data;
	struct network *n = manager_find_network(d->manager, network);
	struct lease_store *store = !n ? NULL : lease_is_ipv6(l) ? n->leases6 : n->leases;
	int r;

	if (!store)
		return 0;
	if (removed) {
		r = lease_store_forget(store, l->ip);
		return r == -ENOENT ? 0 : r;
	}
	r = lease_store_restore(store, l);
	if (r < 0)
		log_warning_errno(r, "Failed to restore a lease of network '%s': %m, ignoring",
				  network);
	return 0;
}

int dhcp_service_load(struct dhcp_service *d, const char *state_dir)
{
	_cleanup_free_ char *path = NULL;
	struct lease_journal_stats st;
	uint64_t next = 0;
	int r;

	if (asprintf(&path, "%s/leases.journal", state_dir) < 0)
		return -ENOMEM;
	r = lease_journal_open(path, dhcp_service_replay_cb, d, &d->journal);
	if (r < 0)
		return log_error_errno(r, "Failed to open the lease journal '%s': %m", path);
	lease_journal_get_stats(d->journal, &st);
	if (st.bytes_discarded > 0)
		log_warning("Lease journal '%s' had a corrupt or truncated tail: %llu bytes "
			    "discarded, %llu records kept",
			    path, (unsigned long long)st.bytes_discarded,
			    (unsigned long long)st.records_replayed);
	else
		log_info("Lease journal: %llu records replayed",
			 (unsigned long long)st.records_replayed);

	/* Leases that ran out while the daemon was down expire now. */
	next = dhcp_service_expire_all(d->manager, wall_now());
	(void)dhcp_service_commit(d);
	dhcp_service_arm_expiry(d, next);
	return 0;
}

struct snapshot_ctx {
	struct lease_journal *journal;
	lease_journal_emit_fn emit;
	const char *network;
};

static int dhcp_service_snapshot_lease(const struct lease *l, void *data)
{
	struct snapshot_ctx *c = data;

	if (l->state == LEASE_OFFERED)
		return 0;
	return c->emit(c->journal, c->network, l);
}

/* Runs in the compaction child: every durable lease of every network. */
static int dhcp_service_snapshot(struct lease_journal *j, lease_journal_emit_fn emit, void *data)
{
	struct dhcp_service *d = data;
	struct manager *m = d->manager;

	for (size_t i = 0; i < m->n_networks; i++) {
		struct network *n = m->networks[i];
		struct snapshot_ctx c = { .journal = j, .emit = emit, .network = n->config.name };
		int r = n->leases ? lease_store_foreach(n->leases, dhcp_service_snapshot_lease, &c) : 0;
		if (r >= 0 && n->leases6)
			r = lease_store_foreach(n->leases6, dhcp_service_snapshot_lease, &c);
		if (r < 0)
			return r;
	}
	return 0;
}

int dhcp_service_network_attach(struct network *n)
{
	int r = 0;

	if (!n->leases)
		r = lease_store_new(n->config.range_first, n->config.range_last,
				    dhcp_service_on_lease_change, n, &n->leases);
	return r < 0 ? r : dhcp6_service_network_attach(n);
}

void dhcp_service_network_detach(struct network *n)
{
	dhcp_service_network_stop(n);
	n->leases = lease_store_free(n->leases);
	dhcp6_service_network_detach(n);
}

static int dhcp_service_collect_ip(const struct lease *l, void *data)
{
	struct in_addr **p = data;

	*(*p)++ = l->ip;
	return 0;
}

/* Removes every lease of 'store' (each removal reported, so journaled). */
static int dhcp_service_store_forget(struct lease_store *store)
{
	size_t count = store ? lease_store_count(store) : 0;

	if (count > 0) {
		_cleanup_free_ struct in_addr *ips = calloc(count, sizeof(*ips));
		struct in_addr *p = ips;
		if (!ips)
			return -ENOMEM;
		(void)lease_store_foreach(store, dhcp_service_collect_ip, &p);
		for (size_t i = 0; i < count; i++)
			(void)lease_store_remove(store, ips[i]);
	}
	return 0;
}

int dhcp_service_network_forget_leases(struct network *n)
{
	struct dhcp_service *d = n->manager->dhcp;
	int r = dhcp_service_store_forget(n->leases);

	if (r >= 0)
		r = dhcp_service_store_forget(n->leases6);
	if (r < 0)
		return r;
	return d->journal ? dhcp_service_commit(d) : 0;
}

static void dhcp_service_config(const struct network *n, struct dhcp_server_config *ret)
{
	const struct network_config *c = &n->config;

	*ret = (struct dhcp_server_config){
		.server_id = c->gateway,
		.subnet = c->subnet,
		.range_first = c->range_first,
		.range_last = c->range_last,
		.dns = c->dns,
		.lease_time_sec = c->lease_time_sec,
		.mtu = c->mtu ? c->mtu : n->overlay.mtu,   /* an overlay's MTU is the guests' too */
		.decline_sec = DHCP_SERVICE_DECLINE_SEC,
		.max_leases_per_port = c->dhcp_leases_per_port,
	};
	if (c->dns)
		network_config_domain(c, ret->domain);
	for (size_t i = 0; i < c->n_routes && i < DHCP_ROUTES_MAX; i++) {
		ret->routes[i].dst = c->routes[i].dst;
		ret->routes[i].gw = c->routes[i].gw;
	}
	ret->n_routes = c->n_routes < DHCP_ROUTES_MAX ? c->n_routes : DHCP_ROUTES_MAX;
}

int dhcp_service_commit_batch(struct dhcp_service *d)
{
	int r = dhcp_service_commit(d);

	/* No reply may promise a lease the journal does not hold: the clients retry. */
	if (d->append_failed) {
		r = -EIO;
		d->append_failed = false;
	}
	return r;
}

/* Sends the batch's replies, if the journal made their leases durable. */
static void dhcp_service_flush(struct dhcp_service *d)
{
	int r = 0;

	if (d->n_replies == 0 && !lease_journal_pending(d->journal))
		return;
	r = dhcp_service_commit_batch(d);
	/* The ports must allow the addresses before the guests learn them. */
	if (r >= 0)
		port_service_flush(d->manager->ports);
	for (size_t i = 0; i < d->n_replies && r >= 0; i++) {
		struct network *n = d->reply_networks[i];
		int s = dhcp_io_send(n->dhcp_io, &d->replies[i]);
		if (s < 0)
			log_debug_errno(s, "Failed to send a DHCP reply on '%s': %m", n->config.bridge);
	}
	d->n_replies = 0;
}

static int dhcp_service_on_packet(struct event_source *s, int fd, uint32_t revents, void *data)
{
	struct network *n = data;
	struct dhcp_service *d = n->manager->dhcp;
	uint8_t buf[DHCP_PACKET_MAX];
	uint64_t now_sec = wall_now(), now_mono = now_usec();

	for (int i = 0; i < DHCP_SERVICE_BATCH; i++) {
		struct dhcp_rx rx;
		int len = dhcp_io_recv(n->dhcp_io, buf, sizeof(buf), &rx);
		if (len == -EAGAIN)
			break;
		if (len < 0) {
			log_debug_errno(len, "Dropped a DHCP datagram on '%s': %m", n->config.bridge);
			continue;
		}
		/* the port it came in on, as its policy marked it (requests from 0.0.0.0 only) */
		if (rx.mark)
			rx.port_ifindex = port_service_dhcp_port(n->manager->ports, n, rx.mark);
		if (d->n_replies >= DHCP_SERVICE_BATCH)
			dhcp_service_flush(d);
		int r = dhcp_server_handle_message(n->dhcp, buf, (size_t)len, &rx, now_sec, now_mono,
						   &d->replies[d->n_replies]);
		if (r > 0)
			d->reply_networks[d->n_replies++] = n;
		if (dhcp_server_pool_full_edge(n->dhcp))
			log_warning("DHCP pool of network '%s' is full: new clients get no address",
				    n->config.name);
	}
	dhcp_service_flush(d);
	return 0;
}

static int dhcp4_network_start(struct network *n, char *err, size_t errlen)
{
	struct manager *m = n->manager;
	struct dhcp_server_config cfg;
	int r;

	if (!n->config.dhcp) {
		dhcp_service_network_stop(n);
		return 0;
	}
	r = dhcp_service_network_attach(n);
	if (r < 0) {
		snprintf(err, errlen, "failed to create the lease store: %s", strerror(-r));
		return r;
	}
	if (n->dhcp_io && dhcp_io_ifindex(n->dhcp_io) == n->ifindex)
		return dhcp_service_network_reconfigure(n);
	dhcp_service_network_stop(n);

	dhcp_service_config(n, &cfg);
	r = lease_store_set_range(n->leases, cfg.range_first, cfg.range_last);
	if (r >= 0)
		r = dhcp_server_new(&cfg, n->leases, &n->dhcp);
	if (r < 0) {
		snprintf(err, errlen, "failed to create the DHCP server: %s", strerror(-r));
		return r;
	}
	dhcp_server_set_hosts(n->dhcp, &n->hosts);
	r = dhcp_io_open(n->config.bridge, n->ifindex, n->config.gateway, &n->dhcp_io);
	if (r < 0) {
		snprintf(err, errlen, "failed to open DHCP sockets on '%s': %s%s", n->config.bridge,
			 strerror(-r),
			 r == -EADDRINUSE ? " (another DHCP server holds port 67 there)" : "");
		goto fail;
	}
	r = event_add_io(m->loop, dhcp_io_fd(n->dhcp_io), EPOLLIN, dhcp_service_on_packet, n,
			 &n->dhcp_source);
	if (r < 0) {
		snprintf(err, errlen, "failed to watch the DHCP socket: %s", strerror(-r));
		goto fail;
	}
	return 0;
fail:
	dhcp_service_network_stop(n);
	return r;
}

int dhcp_service_network_start(struct network *n, char *err, size_t errlen)
{
	int r = dhcp4_network_start(n, err, errlen);

	if (r >= 0 && n->config.dhcp) {
		r = dhcp6_service_network_start(n, err, errlen);
		if (r < 0)
			dhcp_service_network_stop(n);
	}
	return r;
}

void dhcp_service_network_stop(struct network *n)
{
	dhcp6_service_network_stop(n);
	n->dhcp_source = event_source_free(n->dhcp_source);
	n->dhcp_io = dhcp_io_free(n->dhcp_io);
	n->dhcp = dhcp_server_free(n->dhcp);
}

int dhcp_service_network_reconfigure(struct network *n)
{
	struct dhcp_server_config cfg;
	int r;

	if (!n->dhcp)
		return 0;
	r = dhcp6_service_network_reconfigure(n);
	if (r < 0)
		return r;
	dhcp_service_config(n, &cfg);
	r = lease_store_set_range(n->leases, cfg.range_first, cfg.range_last);
	if (r >= 0)
		r = dhcp_server_set_config(n->dhcp, &cfg);
	if (r >= 0)
		dhcp_server_set_hosts(n->dhcp, &n->hosts);
	return r;
}

struct leases_json_ctx {
	const struct network *n;
	bool all;
	json_t *a;
};

static int dhcp_service_lease_to_json(const struct lease *l, void *data)
{
	struct leases_json_ctx *c = data;
	char ip[INET_ADDRSTRLEN], mac[MAC_STRLEN], id[2 * LEASE_CLIENT_ID_MAX + 1];
	json_t *o;

	if (l->state == LEASE_OFFERED || (!c->all && l->state != LEASE_BOUND))
		return 0;
	for (size_t i = 0; i < l->id_len; i++)
		snprintf(id + 2 * i, 3, "%02x", l->id[i]);
	id[2 * l->id_len] = '\0';
	o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "network", c->n->config.name,
		      "mac", mac_to_string(l->mac, mac), "ip", in_addr_to_string(l->ip, ip),
		      "hostname", l->hostname, "expires", (json_int_t)l->expires, "state",
		      lease_state_to_string(l->state), "client-id", id, "family", "ipv4");
	if (!o || json_array_append_new(c->a, o) < 0)
		return -ENOMEM;
	return 0;
}

int dhcp_service_network_leases_to_json(const struct network *n, bool all, json_t *a)
{
	struct leases_json_ctx c = { .n = n, .all = all, .a = a };
	int r = n->leases ? lease_store_foreach(n->leases, dhcp_service_lease_to_json, &c) : 0;

	return r < 0 ? r : dhcp6_service_network_leases_to_json(n, all, a);
}

json_t *dhcp_service_network_stats_to_json(const struct network *n)
{
	struct dhcp_server_stats st;

	if (!n->dhcp)
		return NULL;
	dhcp_server_get_stats(n->dhcp, &st);
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
			 "received", (json_int_t)st.received, "replied", (json_int_t)st.replied,
			 "dropped-malformed", (json_int_t)st.dropped_malformed,
			 "dropped-rate-limited", (json_int_t)st.dropped_rate_limited,
			 "dropped-not-for-us", (json_int_t)st.dropped_not_for_us,
			 "dropped-pool-full", (json_int_t)st.dropped_pool_full,
			 "dropped-port-limit", (json_int_t)st.dropped_port_limit, "offers",
			 (json_int_t)st.offers, "acks", (json_int_t)st.acks, "naks",
			 (json_int_t)st.naks, "declines", (json_int_t)st.declines, "releases",
			 (json_int_t)st.releases, "informs", (json_int_t)st.informs, "leases",
			 (json_int_t)lease_store_count(n->leases));
}
