/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Implementation of conf-overlay.h. */
#include "config/conf-overlay.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "config/conf-network-internal.h"
#include "config/conf-network.h"
#include "shared/in-addr-util.h"
#include "shared/strbuf.h"

static const char *const overlay_kind_names[_NETWORK_OVERLAY_MAX] = {
	[NETWORK_OVERLAY_NONE] = "none",
	[NETWORK_OVERLAY_VXLAN] = "vxlan",
	[NETWORK_OVERLAY_EVPN] = "evpn",
};

static const char *const overlay_gateway_names[_NETWORK_OVERLAY_GATEWAY_MAX] = {
	[NETWORK_OVERLAY_GATEWAY_LOCAL] = "local",
	[NETWORK_OVERLAY_GATEWAY_REMOTE] = "remote",
	[NETWORK_OVERLAY_GATEWAY_ANYCAST] = "anycast",
};

static const char *const overlay_keys[] = { "overlay", "vni",        "peers",
					    "local",   "vxlan-port", "gateway" };

const char *network_overlay_gateway_to_string(enum network_overlay_gateway g)
{
	if (g < 0 || g >= _NETWORK_OVERLAY_GATEWAY_MAX)
		return NULL;
	return overlay_gateway_names[g];
}

bool network_overlay_has_gateway(const struct network_overlay *o)
{
	return o->kind == NETWORK_OVERLAY_NONE || o->gateway != NETWORK_OVERLAY_GATEWAY_REMOTE;
}

const char *network_overlay_kind_to_string(enum network_overlay_kind k)
{
	if (k < 0 || k >= _NETWORK_OVERLAY_MAX)
		return NULL;
	return overlay_kind_names[k];
}

enum network_overlay_kind network_overlay_kind_from_string(const char *s)
{
	for (size_t i = 0; s && i < ELEMENTSOF(overlay_kind_names); i++)
		if (strcmp(s, overlay_kind_names[i]) == 0)
			return (enum network_overlay_kind)i;
	return _NETWORK_OVERLAY_INVALID;
}

bool network_overlay_key_is(const char *key)
{
	for (size_t i = 0; i < ELEMENTSOF(overlay_keys); i++)
		if (strcmp(key, overlay_keys[i]) == 0)
			return true;
	return false;
}

_printf_(5, 6) static int invalid(char *reterr, size_t errlen, const char *key, const char *value,
				  const char *fmt, ...)
{
	char why[256], v[CONF_SHOW_BUF];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return conf_fail(reterr, errlen, "invalid %s '%s': %s", key, conf_show(value, v), why);
}

/* A unicast address a tunnel can be sent to or from: not 0/8, 127/8, multicast nor 240/4. */
static bool unicast_is_valid(struct in_addr a)
{
	uint32_t h = in_addr_to_host(a);

	return (h >> 24) != 0 && (h >> 24) != 127 && (h >> 28) != 0xe && (h >> 28) != 0xf;
}

/* Checks the peer list: each a unicast address, given once. */
static int peers_check(const struct in_addr *peers, size_t n, char *why, size_t whylen)
{
	char a[INET_ADDRSTRLEN];

	if (n > NETWORK_OVERLAY_PEERS_MAX) {
		snprintf(why, whylen, "at most %d peers", NETWORK_OVERLAY_PEERS_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (!unicast_is_valid(peers[i])) {
			snprintf(why, whylen, "%s is not a unicast address",
				 in_addr_to_string(peers[i], a));
			return -EINVAL;
		}
		for (size_t j = 0; j < i; j++)
			if (in_addr_equal(peers[i], peers[j])) {
				snprintf(why, whylen, "%s is given twice",
					 in_addr_to_string(peers[i], a));
				return -EINVAL;
			}
	}
	return 0;
}

static int set_peers(struct network_overlay *o, const char *key, const char *value, char *reterr,
		     size_t errlen)
{
	struct in_addr peers[NETWORK_OVERLAY_PEERS_MAX];
	char item[64], why[128];
	const char *p = value;
	size_t n = 0;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		while (len > 0 && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0)
			return invalid(reterr, errlen, key, value, "empty entry");
		if (n == NETWORK_OVERLAY_PEERS_MAX)
			return invalid(reterr, errlen, key, value, "at most %d peers",
				       NETWORK_OVERLAY_PEERS_MAX);
		if (len >= sizeof(item))
			return invalid(reterr, errlen, key, value,
				       "peer %zu: expected an IPv4 address", n + 1);
		memcpy(item, p, len);
		item[len] = '\0';
		if (in_addr_from_string(item, &peers[n]) < 0)
			return invalid(reterr, errlen, key, value,
				       "peer %zu: expected an IPv4 address, e.g. 192.0.2.2", n + 1);
		n++;
		if (!comma)
			break;
		p = comma + 1;
	}
	if (peers_check(peers, n, why, sizeof(why)) < 0)
		return invalid(reterr, errlen, key, value, "%s", why);
	memset(o->peers, 0, sizeof(o->peers));
	memcpy(o->peers, peers, n * sizeof(peers[0]));
	o->n_peers = n;
	return 0;
}

int network_overlay_set(struct network_overlay *o, const char *key, const char *value,
			char *reterr, size_t errlen)
{
	uint32_t v;
	int r;

	assert(o);
	assert(key);
	assert(value);

	if (strcmp(key, "overlay") == 0) {
		enum network_overlay_kind k = network_overlay_kind_from_string(value);
		if (k < 0)
			return invalid(reterr, errlen, key, value, "must be none, vxlan or evpn");
		o->kind = k;
		return 0;
	}
	if (strcmp(key, "gateway") == 0) {
		for (size_t i = 0; i < ELEMENTSOF(overlay_gateway_names); i++)
			if (strcmp(value, overlay_gateway_names[i]) == 0) {
				o->gateway = (enum network_overlay_gateway)i;
				return 0;
			}
		return invalid(reterr, errlen, key, value, "must be local, remote or anycast");
	}
	if (strcmp(key, "vni") == 0) {
		r = conf_parse_uint32(value, NETWORK_VNI_MAX, &v);
		if (r == -EINVAL)
			return invalid(reterr, errlen, key, value, "not a decimal number");
		if (r < 0 || v < NETWORK_VNI_MIN)
			return invalid(reterr, errlen, key, value, "must be between %d and %d",
				       NETWORK_VNI_MIN, NETWORK_VNI_MAX);
		o->vni = v;
		return 0;
	}
	if (strcmp(key, "peers") == 0)
		return set_peers(o, key, value, reterr, errlen);
	if (strcmp(key, "local") == 0) {
		struct in_addr a;
		if (in_addr_from_string(value, &a) < 0)
			return invalid(reterr, errlen, key, value, "expected an IPv4 address");
		if (!unicast_is_valid(a))
			return invalid(reterr, errlen, key, value, "not a unicast address");
		o->local = a;
		return 0;
	}
	if (strcmp(key, "vxlan-port") == 0) {
		r = conf_parse_uint32(value, 65535, &v);
		if (r < 0 || v == 0)
			return invalid(reterr, errlen, key, value, "must be a port from 1 to 65535");
		o->port = (uint16_t)v;
		return 0;
	}
	return conf_fail(reterr, errlen, "unknown overlay key '%s'", key);
}

/* Without an overlay: the first overlay key set, or NULL. */
static const char *stray_key(const struct network_config *c)
{
	const struct network_overlay *o = &c->overlay;

	if (o->vni)
		return "vni";
	if (o->n_peers)
		return "peers";
	if (o->local.s_addr)
		return "local";
	if (o->port)
		return "vxlan-port";
	if (o->gateway != NETWORK_OVERLAY_GATEWAY_LOCAL)
		return "gateway";
	if (o->dhcp == NETWORK_OVERLAY_DHCP_LOCAL)
		return "dhcp = local";
	if (o->dhcp == NETWORK_OVERLAY_DHCP_RELAY)
		return "dhcp = relay";
	return NULL;
}

int network_overlay_finish(const struct network_config *c, char *reterr, size_t errlen)
{
	const struct network_overlay *o = &c->overlay;
	const char *mode = network_mode_to_string(c->mode), *stray;
	char a[INET_ADDRSTRLEN], why[128];

	if (!network_overlay_kind_to_string(o->kind))
		return conf_fail(reterr, errlen, "invalid overlay %d", (int)o->kind);
	if (!network_overlay_gateway_to_string(o->gateway) || o->dhcp < 0 ||
	    o->dhcp >= _NETWORK_OVERLAY_DHCP_MAX)
		return conf_fail(reterr, errlen, "invalid overlay gateway or dhcp");
	if (o->kind == NETWORK_OVERLAY_NONE) {
		stray = stray_key(c);
		if (stray)
			return conf_fail(reterr, errlen, "%s needs an overlay (--overlay vxlan)",
					 stray);
		return 0;
	}
	if (c->mode != NETWORK_MODE_NAT && c->mode != NETWORK_MODE_ROUTED &&
	    c->mode != NETWORK_MODE_ISOLATED && c->mode != NETWORK_MODE_OPEN)
		return conf_fail(reterr, errlen, "mode %s cannot carry an overlay (nat, routed, "
				 "isolated and open can)", mode ? mode : "?");
	if (o->vni < NETWORK_VNI_MIN || o->vni > NETWORK_VNI_MAX)
		return conf_fail(reterr, errlen, o->vni ? "invalid vni %u: must be between 1 and "
				 "16777215" : "an overlay needs a vni (--vni N, 1..16777215)",
				 (unsigned)o->vni);
	if (o->kind == NETWORK_OVERLAY_EVPN && o->n_peers)
		return conf_fail(reterr, errlen, "overlay = evpn learns its peers through BGP: "
				 "leave peers out");
	if (o->kind == NETWORK_OVERLAY_EVPN && !o->local.s_addr)
		return conf_fail(reterr, errlen, "overlay = evpn needs local (this host's VTEP "
				 "address, announced in BGP)");
	if (peers_check(o->peers, o->n_peers, why, sizeof(why)) < 0)
		return conf_fail(reterr, errlen, "peers: %s", why);
	if (o->local.s_addr && network_overlay_has_peer(o, o->local))
		return conf_fail(reterr, errlen, "peer %s is the local address",
				 in_addr_to_string(o->local, a));
	if (o->gateway == NETWORK_OVERLAY_GATEWAY_ANYCAST && c->mode != NETWORK_MODE_NAT &&
	    c->mode != NETWORK_MODE_ROUTED)
		return conf_fail(reterr, errlen, "gateway = anycast needs mode nat or routed");
	if (o->gateway == NETWORK_OVERLAY_GATEWAY_REMOTE) {
		if (!o->local.s_addr)
			return conf_fail(reterr, errlen, "gateway = remote needs local (this host's "
					 "underlay address)");
		if (c->dhcp)
			return conf_fail(reterr, errlen, "gateway = remote leaves this host no "
					 "address to serve DHCP from: set dhcp = relay (or no)");
		if (c->dns)
			return conf_fail(reterr, errlen, "gateway = remote leaves this host no "
					 "address to serve DNS from: set dns = no (guests use the "
					 "gateway's)");
	}
	return 0;
}

const char *network_overlay_dhcp_value(const struct network_config *c)
{
	if (c->overlay.dhcp == NETWORK_OVERLAY_DHCP_LOCAL)
		return "local";
	if (c->overlay.dhcp == NETWORK_OVERLAY_DHCP_RELAY)
		return "relay";
	return c->dhcp ? NULL : "no";
}

uint16_t network_overlay_port(const struct network_overlay *o)
{
	return o->port ? o->port : NETWORK_VXLAN_PORT_DEFAULT;
}

int network_overlay_format(const struct network_overlay *o, struct strbuf *sb)
{
	char a[INET_ADDRSTRLEN];
	int r;

	if (o->kind == NETWORK_OVERLAY_NONE)
		return 0;
	r = strbuf_appendf(sb, "overlay = %s\nvni = %u\n", network_overlay_kind_to_string(o->kind),
			   (unsigned)o->vni);
	for (size_t i = 0; r == 0 && i < o->n_peers; i++)
		r = strbuf_appendf(sb, "%s%s", i ? ", " : "peers = ",
				   in_addr_to_string(o->peers[i], a));
	if (r == 0 && o->n_peers)
		r = strbuf_append(sb, "\n");
	if (r == 0 && o->local.s_addr)
		r = strbuf_appendf(sb, "local = %s\n", in_addr_to_string(o->local, a));
	if (r == 0 && o->port)
		r = strbuf_appendf(sb, "vxlan-port = %u\n", (unsigned)o->port);
	if (r == 0 && o->gateway != NETWORK_OVERLAY_GATEWAY_LOCAL)
		r = strbuf_appendf(sb, "gateway = %s\n", network_overlay_gateway_to_string(o->gateway));
	return r;
}

bool network_overlay_has_peer(const struct network_overlay *o, struct in_addr a)
{
	for (size_t i = 0; i < o->n_peers && i < NETWORK_OVERLAY_PEERS_MAX; i++)
		if (in_addr_equal(o->peers[i], a))
			return true;
	return false;
}

bool network_overlay_equal(const struct network_overlay *a, const struct network_overlay *b)
{
	if (a->kind != b->kind || a->vni != b->vni || a->n_peers != b->n_peers ||
	    !in_addr_equal(a->local, b->local) || a->port != b->port || a->gateway != b->gateway ||
	    a->dhcp != b->dhcp)
		return false;
	for (size_t i = 0; i < a->n_peers && i < NETWORK_OVERLAY_PEERS_MAX; i++)
		if (!in_addr_equal(a->peers[i], b->peers[i]))
			return false;
	return true;
}
