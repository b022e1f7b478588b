/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Implementation of dhcp6-server.h. Each client message is checked as RFC 8415 §16 says (ids
 * present or absent as its type requires), then every IA_NA in it is answered on its own
 * (assign_ia()); the reply echoes the client's DUID and carries ours, and the DNS options the
 * client asked for. Identities are IAID + DUID (lease/lease.h).
 */
#include "dhcp6/dhcp6-server.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config/conf-host.h"
#include "dhcp/dhcp-option.h"
#include "lease/lease-store.h"

struct dhcp6_server {
	struct dhcp6_server_config cfg;
	struct lease_store *store;
	uint8_t duid[DHCP6_SERVER_DUID_LEN];
	const struct network_hosts *hosts;
	const struct network_host **by_ip6;   /* hosts with an ip6, by store key */
	size_t n_by_ip6;
	const struct network_host **by_duid;  /* hosts with a duid, by duid */
	size_t n_by_duid;
	dhcp6_server_name_fn name_fn;        /* names clients without an FQDN option */
	void *name_data;
	struct dhcp6_server_stats stats;
};

_Static_assert(sizeof(((struct lease *)0)->hostname) == 64 && DHCP_HOSTNAME_MAX == 63,
	       "dhcp6_server_name_fn writes a lease's host name");

/* One client message being answered. */
struct request {
	const struct dhcp6_message *m;
	const struct dhcp6_rx *rx;
	uint64_t now;
	bool has_mac;
	uint8_t mac[6];
	char hostname[DHCP_HOSTNAME_MAX + 1];
};

struct in_addr dhcp6_addr_key(const struct in6_addr *a)
{
	struct in_addr k;

	memcpy(&k, &a->s6_addr[12], 4);
	return k;
}

struct in6_addr dhcp6_key_addr(const struct in6_prefix *subnet6, struct in_addr k)
{
	struct in6_addr a = in6_addr_mask(&subnet6->addr, 64);

	memcpy(&a.s6_addr[12], &k, 4);
	return a;
}

/* In the subnet6's first /96: the part of the prefix whose addresses a store key names. */
static bool in_keyspace(const struct dhcp6_server_config *c, const struct in6_addr *a)
{
	static const uint8_t zero[4];

	return in6_prefix_contains(&c->subnet6, a) && memcmp(&a->s6_addr[8], zero, 4) == 0;
}

static int config_check(const struct dhcp6_server_config *c)
{
	uint32_t first = ntohl(dhcp6_addr_key(&c->range_first).s_addr);
	uint32_t last = ntohl(dhcp6_addr_key(&c->range_last).s_addr);

	if (c->subnet6.prefixlen != 64 || !in_keyspace(c, &c->range_first) ||
	    !in_keyspace(c, &c->range_last) || first > last || c->lease_time_sec == 0)
		return -EINVAL;
	return 0;
}

int dhcp6_server_new(const struct dhcp6_server_config *cfg, struct lease_store *store,
		     struct dhcp6_server **ret)
{
	struct dhcp6_server *s;

	if (config_check(cfg) < 0)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->store = store;
	(void)dhcp6_server_set_config(s, cfg);
	*ret = s;
	return 0;
}

struct dhcp6_server *dhcp6_server_free(struct dhcp6_server *s)
{
	if (!s)
		return NULL;
	free(s->by_ip6);
	free(s->by_duid);
	free(s);
	return NULL;
}

int dhcp6_server_set_config(struct dhcp6_server *s, const struct dhcp6_server_config *cfg)
{
	if (config_check(cfg) < 0)
		return -EINVAL;
	s->cfg = *cfg;
	/* RFC 8415 §11.4: DUID-LL, hardware type Ethernet, the bridge's MAC */
	s->duid[0] = 0;
	s->duid[1] = DHCP6_DUID_LL;
	s->duid[2] = 0;
	s->duid[3] = DHCP6_ARP_HTYPE_ETHER;
	memcpy(s->duid + 4, cfg->server_mac, 6);
	lease_store_reset_excluded(s->store);
	return 0;
}

void dhcp6_server_set_name_fn(struct dhcp6_server *s, dhcp6_server_name_fn fn, void *data)
{
	s->name_fn = fn;
	s->name_data = data;
}

const uint8_t *dhcp6_server_duid(const struct dhcp6_server *s, size_t *ret_len)
{
	*ret_len = sizeof(s->duid);
	return s->duid;
}

void dhcp6_server_get_stats(const struct dhcp6_server *s, struct dhcp6_server_stats *ret)
{
	*ret = s->stats;
}

/* Reservations */

static int cmp_ip6(const void *a, const void *b)
{
	const struct network_host *x = *(const struct network_host *const *)a;
	const struct network_host *y = *(const struct network_host *const *)b;

	return memcmp(&x->ip6, &y->ip6, 16);
}

static int cmp_duid(const void *a, const void *b)
{
	const struct network_host *x = *(const struct network_host *const *)a;
	const struct network_host *y = *(const struct network_host *const *)b;

	if (x->duid_len != y->duid_len)
		return x->duid_len < y->duid_len ? -1 : 1;
	return memcmp(x->duid, y->duid, x->duid_len);
}

int dhcp6_server_set_hosts(struct dhcp6_server *s, const struct network_hosts *hosts)
{
	size_t n = hosts ? hosts->n : 0, ni = 0, nd = 0;

	free(s->by_ip6);
	free(s->by_duid);
	s->by_ip6 = NULL;
	s->by_duid = NULL;
	s->n_by_ip6 = s->n_by_duid = 0;
	s->hosts = NULL;
	lease_store_reset_excluded(s->store);
	if (n == 0)
		return 0;
	s->by_ip6 = calloc(n, sizeof(*s->by_ip6));
	s->by_duid = calloc(n, sizeof(*s->by_duid));
	if (!s->by_ip6 || !s->by_duid) {
		free(s->by_ip6);
		free(s->by_duid);
		s->by_ip6 = NULL;
		s->by_duid = NULL;
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct network_host *h = &hosts->items[i];
		if (!h->has_ip6)
			continue;
		s->by_ip6[ni++] = h;
		if (h->duid_len)
			s->by_duid[nd++] = h;
	}
	qsort(s->by_ip6, ni, sizeof(*s->by_ip6), cmp_ip6);
	qsort(s->by_duid, nd, sizeof(*s->by_duid), cmp_duid);
	s->n_by_ip6 = ni;
	s->n_by_duid = nd;
	s->hosts = hosts;
	return 0;
}

static const struct network_host *reserved_by(const struct dhcp6_server *s,
					      const struct in6_addr *a)
{
	struct network_host key = { .ip6 = *a };
	const struct network_host *k = &key, **f;

	if (s->n_by_ip6 == 0)
		return NULL;
	f = bsearch(&k, s->by_ip6, s->n_by_ip6, sizeof(*s->by_ip6), cmp_ip6);
	return f ? *f : NULL;
}

/* The client's reservation: by its DUID, else by its MAC; only those with an ip6 count. */
static const struct network_host *reservation_of(const struct dhcp6_server *s,
						 const struct request *req)
{
	const struct dhcp6_message *m = req->m;
	const struct network_host *h;

	if (s->n_by_duid > 0 && m->client_id_len <= NETWORK_HOST_DUID_MAX) {
		struct network_host key = { .duid_len = (uint8_t)m->client_id_len };
		const struct network_host *k = &key, **f;

		memcpy(key.duid, m->client_id, m->client_id_len);
		f = bsearch(&k, s->by_duid, s->n_by_duid, sizeof(*s->by_duid), cmp_duid);
		if (f)
			return *f;
	}
	if (!s->hosts || !req->has_mac)
		return NULL;
	h = network_hosts_find_mac(s->hosts, req->mac);
	/* a host reserved by DUID is that DUID's alone */
	return h && h->has_ip6 && h->duid_len == 0 ? h : NULL;
}

static bool pool_excluded(struct in_addr k, void *data)
{
	const struct dhcp6_server *s = data;
	struct in6_addr a = dhcp6_key_addr(&s->cfg.subnet6, k);

	return in6_addr_equal(&a, &s->cfg.gateway6) || reserved_by(s, &a);
}

/* Assignment */

static void fill_lease(const struct dhcp6_server *s, const struct request *req,
		       const uint8_t *id, uint8_t id_len, const struct in6_addr *a,
		       enum lease_state state, uint64_t expires, struct lease *l)
{
	const struct lease *old = lease_store_find_by_ip(s->store, dhcp6_addr_key(a));

	memset(l, 0, sizeof(*l));
	l->family = AF_INET6;
	l->ip6 = *a;
	l->ip = dhcp6_addr_key(a);
	l->state = state;
	l->expires = expires;
	if (req->has_mac)
		memcpy(l->mac, req->mac, 6);
	l->id_len = id_len;
	memcpy(l->id, id, id_len);
	/* the client's FQDN option, else the name it had, else the daemon's (its IPv4 name) */
	if (req->hostname[0])
		memcpy(l->hostname, req->hostname, sizeof(l->hostname));
	else if (old && old->id_len == id_len && memcmp(old->id, id, id_len) == 0 &&
		 old->hostname[0])
		memcpy(l->hostname, old->hostname, sizeof(l->hostname));
	else if (s->name_fn &&
		 !s->name_fn(req->has_mac ? req->mac : NULL, id, id_len, l->hostname, s->name_data))
		l->hostname[0] = '\0';
}

/* Whether the address of lease 'l' is still this client's to keep (not reserved for another). */
static bool lease_still_fits(const struct dhcp6_server *s, const struct lease *l)
{
	uint32_t k = ntohl(l->ip.s_addr);
	uint32_t first = ntohl(dhcp6_addr_key(&s->cfg.range_first).s_addr);
	uint32_t last = ntohl(dhcp6_addr_key(&s->cfg.range_last).s_addr);

	return lease_is_ipv6(l) && in6_prefix_contains(&s->cfg.subnet6, &l->ip6) && k >= first &&
	       k <= last && !pool_excluded(l->ip, (void *)s) && l->state != LEASE_DECLINED;
}

/*
 * Picks this IA's address: the reservation, else the address it already holds, else a free
 * one. With 'create' false (Renew, Rebind) only an existing binding or a reservation counts.
 * Returns 0, -ENOENT (no binding), -ENOSPC (pool full) or -E2BIG (DUID too long).
 */
static int pick_address(struct dhcp6_server *s, const struct request *req, const uint8_t *id,
			uint8_t id_len, bool create, struct in6_addr *ret)
{
	const struct network_host *h = reservation_of(s, req);
	const struct lease *l = lease_store_find_by_id(s->store, id, id_len);
	struct in_addr k;
	int r;

	if (h) {
		*ret = h->ip6;
		return 0;
	}
	if (l && lease_still_fits(s, l) && (l->state != LEASE_RELEASED || create)) {
		*ret = l->ip6;
		return 0;
	}
	if (!create)
		return -ENOENT;
	r = lease_store_find_free(s->store, req->now, pool_excluded, s, &k);
	if (r < 0)
		return r;
	*ret = dhcp6_key_addr(&s->cfg.subnet6, k);
	return 0;
}

static void ia_status(struct dhcp6_ia_na *out, uint16_t code, const char *text)
{
	out->status.present = true;
	out->status.code = code;
	out->status.msg = (const uint8_t *)text;
	out->status.msg_len = (uint16_t)strlen(text);
}

/* Lists the client's other addresses with lifetimes 0 (RFC 8415 §18.3.4: no longer valid). */
static void ia_retire_others(const struct dhcp6_ia_na *in, const struct in6_addr *keep,
			     struct dhcp6_ia_na *out)
{
	for (size_t i = 0; i < in->n_addrs && out->n_addrs < DHCP6_IA_ADDRS_MAX; i++) {
		if (keep && in6_addr_equal(&in->addrs[i].addr, keep))
			continue;
		out->addrs[out->n_addrs++] = (struct dhcp6_iaaddr){ .addr = in->addrs[i].addr };
	}
}

/*
 * Answers one IA_NA of a Solicit ('state' OFFERED, or BOUND with rapid commit), Request (BOUND,
 * 'create'), Renew or Rebind (BOUND, not 'create').
 */
static int assign_ia(struct dhcp6_server *s, const struct request *req,
		     const struct dhcp6_ia_na *in, enum lease_state state, bool create,
		     struct dhcp6_ia_na *out)
{
	uint32_t life = s->cfg.lease_time_sec;
	uint8_t id[LEASE_CLIENT_ID_MAX], id_len;
	struct in6_addr a;
	struct lease l;
	int r;

	memset(out, 0, sizeof(*out));
	out->iaid = in->iaid;
	if (lease_id6_make(in->iaid, req->m->client_id, req->m->client_id_len, id, &id_len) < 0) {
		ia_status(out, DHCP6_STATUS_UNSPEC_FAIL, "DUID too long");
		return 0;
	}
	r = pick_address(s, req, id, id_len, create, &a);
	if (r == -ENOENT) {
		ia_status(out, DHCP6_STATUS_NO_BINDING, "no binding for this IA");
		ia_retire_others(in, NULL, out);
		return 0;
	}
	if (r < 0) {
		s->stats.no_addrs++;
		ia_status(out, DHCP6_STATUS_NO_ADDRS_AVAIL, "no addresses available");
		return 0;
	}
	fill_lease(s, req, id, id_len, &a, state,
		   req->now + (state == LEASE_OFFERED ? DHCP6_OFFER_SEC : life), &l);
	r = lease_store_put(s->store, &l);
	if (r < 0)
		return r;
	out->t1_sec = life / 2;
	out->t2_sec = life / 5 * 4;
	out->n_addrs = 1;
	out->addrs[0] = (struct dhcp6_iaaddr){ .addr = a, .preferred_sec = life, .valid_sec = life };
	ia_retire_others(in, &a, out);
	return 0;
}

/* Release (RFC 8415 §18.3.7) or Decline (§18.3.8) of the addresses one IA lists. */
static int release_ia(struct dhcp6_server *s, const struct request *req,
		      const struct dhcp6_ia_na *in, bool decline, struct dhcp6_ia_na *out)
{
	uint8_t id[LEASE_CLIENT_ID_MAX], id_len;
	bool found = false;

	memset(out, 0, sizeof(*out));
	out->iaid = in->iaid;
	if (lease_id6_make(in->iaid, req->m->client_id, req->m->client_id_len, id, &id_len) < 0)
		return 0;
	for (size_t i = 0; i < in->n_addrs; i++) {
		const struct lease *l = lease_store_find_by_ip(s->store,
							       dhcp6_addr_key(&in->addrs[i].addr));
		struct lease nl;
		int r;

		if (!l || !lease_is_ipv6(l) || !in6_addr_equal(&l->ip6, &in->addrs[i].addr) ||
		    l->id_len != id_len || memcmp(l->id, id, id_len) != 0)
			continue;
		found = true;
		nl = *l;
		if (decline) {
			/* nobody's: kept out of the pool for a while */
			nl.id_len = 0;
			nl.hostname[0] = '\0';
			nl.state = LEASE_DECLINED;
			nl.expires = req->now + DHCP6_DECLINE_SEC;
		} else {
			nl.state = LEASE_RELEASED;
			nl.expires = req->now;
		}
		r = lease_store_put(s->store, &nl);
		if (r < 0)
			return r;
	}
	if (!found)
		ia_status(out, DHCP6_STATUS_NO_BINDING, "no binding for this IA");
	return found ? 1 : 0;
}

/* Messages */

/* The reply's common part: our id, the client's, and the DNS options the client asked for. */
static void reply_init(const struct dhcp6_server *s, const struct request *req, uint8_t type,
		       struct dhcp6_message *out)
{
	const struct dhcp6_message *m = req->m;

	memset(out, 0, sizeof(*out));
	out->type = type;
	out->xid = m->xid;
	out->client_id = m->client_id;
	out->client_id_len = m->client_id_len;
	out->server_id = s->duid;
	out->server_id_len = sizeof(s->duid);
	if (s->cfg.dns && dhcp6_message_requests(m, DHCP6_OPT_DNS_SERVERS)) {
		out->dns[0] = s->cfg.dns_server;
		out->n_dns = 1;
	}
	if (s->cfg.domain[0] && dhcp6_message_requests(m, DHCP6_OPT_DOMAIN_LIST)) {
		memcpy(out->domains[0], s->cfg.domain, sizeof(s->cfg.domain));
		out->n_domains = 1;
	}
}

static void top_status(struct dhcp6_message *out, uint16_t code, const char *text)
{
	out->status.present = true;
	out->status.code = code;
	out->status.msg = (const uint8_t *)text;
	out->status.msg_len = (uint16_t)strlen(text);
}

static bool server_id_is_ours(const struct dhcp6_server *s, const struct dhcp6_message *m)
{
	return m->server_id && m->server_id_len == sizeof(s->duid) &&
	       memcmp(m->server_id, s->duid, sizeof(s->duid)) == 0;
}

/* Solicit, Request, Renew, Rebind: every IA_NA answered by assign_ia(). */
static int handle_assign(struct dhcp6_server *s, const struct request *req,
			 struct dhcp6_message *out)
{
	const struct dhcp6_message *m = req->m;
	bool solicit = m->type == DHCP6_SOLICIT;
	bool rapid = solicit && m->rapid_commit;
	enum lease_state state = solicit && !rapid ? LEASE_OFFERED : LEASE_BOUND;
	bool create = solicit || m->type == DHCP6_REQUEST;

	reply_init(s, req, solicit && !rapid ? DHCP6_ADVERTISE : DHCP6_REPLY, out);
	if (solicit && !rapid) {
		/* RFC 8415 §18.2.1: preference 255, the client need not wait for other servers */
		out->has_preference = true;
		out->preference = 255;
	}
	out->rapid_commit = rapid;
	for (size_t i = 0; i < m->n_ia_na; i++) {
		int r = assign_ia(s, req, &m->ia_na[i], state, create, &out->ia_na[i]);
		if (r < 0)
			return r;
	}
	out->n_ia_na = m->n_ia_na;
	if (m->n_ia_na == 0 && m->n_ia_pd + m->n_ia_ta > 0)
		top_status(out, DHCP6_STATUS_NO_ADDRS_AVAIL, "only IA_NA addresses are served");
	return 0;
}

static int handle_release(struct dhcp6_server *s, const struct request *req,
			  struct dhcp6_message *out)
{
	const struct dhcp6_message *m = req->m;
	bool decline = m->type == DHCP6_DECLINE;

	reply_init(s, req, DHCP6_REPLY, out);
	out->n_dns = out->n_domains = 0;
	for (size_t i = 0; i < m->n_ia_na; i++) {
		struct dhcp6_ia_na ia;
		int r = release_ia(s, req, &m->ia_na[i], decline, &ia);
		if (r < 0)
			return r;
		/* RFC 8415 §18.3.7: only IAs without a binding are listed, with NoBinding */
		if (r == 0)
			out->ia_na[out->n_ia_na++] = ia;
	}
	top_status(out, DHCP6_STATUS_SUCCESS, decline ? "declined" : "released");
	return 0;
}

/* RFC 8415 §18.3.3: are the client's addresses on this link? */
static int handle_confirm(struct dhcp6_server *s, const struct request *req,
			  struct dhcp6_message *out)
{
	const struct dhcp6_message *m = req->m;
	size_t n = 0;
	bool on_link = true;

	for (size_t i = 0; i < m->n_ia_na; i++)
		for (size_t j = 0; j < m->ia_na[i].n_addrs; j++, n++)
			if (!in6_prefix_contains(&s->cfg.subnet6, &m->ia_na[i].addrs[j].addr))
				on_link = false;
	if (n == 0)
		return 0;   /* nothing to confirm: no reply */
	reply_init(s, req, DHCP6_REPLY, out);
	out->n_dns = out->n_domains = 0;
	if (on_link)
		top_status(out, DHCP6_STATUS_SUCCESS, "all addresses on link");
	else
		top_status(out, DHCP6_STATUS_NOT_ON_LINK, "not on this link");
	return 1;
}

/*
 * RFC 8415 §16: which ids a client message must carry. Returns true when 'm' is one this server
 * answers.
 */
static bool message_is_for_us(const struct dhcp6_server *s, const struct dhcp6_message *m)
{
	switch (m->type) {
	case DHCP6_SOLICIT:
	case DHCP6_CONFIRM:
	case DHCP6_REBIND:
		return m->client_id && !m->server_id;
	case DHCP6_REQUEST:
	case DHCP6_RENEW:
	case DHCP6_RELEASE:
	case DHCP6_DECLINE:
		return m->client_id && server_id_is_ours(s, m);
	case DHCP6_INFORMATION_REQUEST:
		/* §16.12: no IA options; a server id, if any, is ours */
		return m->n_ia_na + m->n_ia_ta + m->n_ia_pd == 0 &&
		       (!m->server_id || server_id_is_ours(s, m));
	default:
		return false;   /* server messages, Reconfigure */
	}
}

/* What the client's MAC is: from its DUID, else from an EUI-64 link-local source address. */
static void request_mac(struct request *req)
{
	const uint8_t *a = req->rx->src.s6_addr;

	if (req->m->client_id &&
	    dhcp6_duid_mac(req->m->client_id, req->m->client_id_len, req->mac) == 0) {
		req->has_mac = true;
		return;
	}
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80 && a[11] == 0xff && a[12] == 0xfe) {
		req->mac[0] = a[8] ^ 0x02;
		memcpy(req->mac + 1, a + 9, 2);
		memcpy(req->mac + 3, a + 13, 3);
		req->has_mac = true;
	}
}

static int dispatch(struct dhcp6_server *s, struct request *req, struct dhcp6_message *out)
{
	const struct dhcp6_message *m = req->m;

	switch (m->type) {
	case DHCP6_SOLICIT:
		return handle_assign(s, req, out) < 0 ? -ENOMEM : 1;
	case DHCP6_REQUEST:
	case DHCP6_RENEW:
	case DHCP6_REBIND:
		s->stats.renews += m->type == DHCP6_RENEW;
		s->stats.rebinds += m->type == DHCP6_REBIND;
		return handle_assign(s, req, out) < 0 ? -ENOMEM : 1;
	case DHCP6_RELEASE:
	case DHCP6_DECLINE:
		s->stats.releases += m->type == DHCP6_RELEASE;
		s->stats.declines += m->type == DHCP6_DECLINE;
		return handle_release(s, req, out) < 0 ? -ENOMEM : 1;
	case DHCP6_CONFIRM:
		s->stats.confirms++;
		return handle_confirm(s, req, out);
	default:
		s->stats.informs++;
		reply_init(s, req, DHCP6_REPLY, out);
		return 1;
	}
}

int dhcp6_server_handle_message(struct dhcp6_server *s, const uint8_t *buf, size_t len,
				const struct dhcp6_rx *rx, uint64_t now_sec,
				struct dhcp6_reply *ret)
{
	static struct dhcp6_message m, out;  /* large: kept off the stack; one loop thread */
	struct request req = { .m = &m, .rx = rx, .now = now_sec };
	int r;

	s->stats.received++;
	if (dhcp6_message_parse(buf, len, &m) < 0) {
		s->stats.dropped_malformed++;
		return -EBADMSG;
	}
	if (!message_is_for_us(s, &m)) {
		s->stats.dropped_not_for_us++;
		return 0;
	}
	request_mac(&req);
	if (m.has_fqdn && m.fqdn[0])
		(void)dhcp_hostname_sanitize((const uint8_t *)m.fqdn, strlen(m.fqdn), req.hostname);
	if (!rx->multicast && m.type != DHCP6_INFORMATION_REQUEST) {
		/* RFC 8415 §18.3.1: we never sent a Server Unicast option */
		reply_init(s, &req, DHCP6_REPLY, &out);
		out.n_dns = out.n_domains = 0;
		top_status(&out, DHCP6_STATUS_USE_MULTICAST, "use multicast");
		r = 1;
	} else
		r = dispatch(s, &req, &out);
	if (r <= 0)
		return r;
	r = dhcp6_message_build(&out, ret->buf, sizeof(ret->buf));
	if (r < 0)
		return r;
	ret->len = (size_t)r;
	ret->type = out.type;
	ret->dest = rx->src;
	ret->dest_port = rx->src_port ? rx->src_port : DHCP6_CLIENT_PORT;
	s->stats.replied++;
	s->stats.advertises += out.type == DHCP6_ADVERTISE;
	s->stats.replies += out.type == DHCP6_REPLY;
	return 1;
}
